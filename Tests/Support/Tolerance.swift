import Testing

/// How far a value may be from its reference: |a − b| ≤ absolute + relative·|b|.
/// Every reference comparison names one of these, so the tolerance of a
/// check is stated once and reads the same in every test.
public struct Tolerance: Sendable, CustomStringConvertible {
    public let absolute: Double
    public let relative: Double

    public init(absolute: Double, relative: Double = 0) {
        self.absolute = absolute
        self.relative = relative
    }

    /// The same arithmetic as the reference (esda, spdep, GeoDa): rounding only.
    public static let reference = Tolerance(absolute: 1e-12, relative: 1e-10)
    /// Values that went through a text file with fewer digits, or float32 (esda's p).
    public static let float32 = Tolerance(absolute: 1e-6)

    /// Both NaN, or within the tolerance.
    public func accepts(_ a: Double, _ b: Double) -> Bool {
        (a.isNaN && b.isNaN) || abs(a - b) <= absolute + relative * abs(b)
    }

    public var description: String { "±(\(absolute) + \(relative)·|ref|)" }
}

/// Expects `ours` within `tolerance` of `reference`.
public func expectClose(_ ours: Double, _ reference: Double, _ tolerance: Tolerance = .reference, _ label: @autoclosure () -> String = "",
                        sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(tolerance.accepts(ours, reference), "\(label()): \(ours) vs reference \(reference) (\(tolerance))", sourceLocation: sourceLocation)
}

/// Expects two series of the same length, equal element by element within
/// `tolerance`; reports how many differ and the first.
public func expectClose(_ ours: [Double], _ reference: [Double], _ tolerance: Tolerance = .reference, _ label: @autoclosure () -> String = "",
                        sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(ours.count == reference.count, "\(label()): \(ours.count) values, the reference has \(reference.count)", sourceLocation: sourceLocation)
    let off = zip(ours, reference).enumerated().filter { !tolerance.accepts($1.0, $1.1) }
    #expect(off.isEmpty, "\(label()): \(off.count) values differ (\(tolerance)), first \(off.first.map { "unit \($0.offset): \($0.element.0) vs \($0.element.1)" } ?? "")",
            sourceLocation: sourceLocation)
}
