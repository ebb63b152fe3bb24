/// The observations a statistic can use, and why each other one is undefined.
///
/// GeoDa and ArcGIS leave a feature whose value is missing out of the
/// analysis: it counts in no mean or variance and in no neighbour's lag.
/// esda lets the NaN spread (and labels it "LL" with p = 0.0001). GeoVote
/// does as GeoDa and ArcGIS do and says why, per observation: restrict the
/// raw weights and the values to the kept observations, transform the
/// weights after restricting (so rows still sum to 1), compute, expand the
/// results back with NaN at the left-out observations.
public struct DefinedSubset: Sendable, Equatable {
    /// The number of observations before restricting.
    public let count: Int
    /// The kept observations, ascending.
    public let kept: [Int]
    /// Per observation: nil when kept, else why it is left out.
    public let reasons: [String?]

    public init(reasons: [String?]) {
        self.reasons = reasons
        count = reasons.count
        kept = reasons.indices.filter { reasons[$0] == nil }
    }

    /// Every one of n observations kept.
    public static func complete(count n: Int) -> DefinedSubset { DefinedSubset(reasons: [String?](repeating: nil, count: n)) }

    /// Every observation kept.
    public var isComplete: Bool { kept.count == count }

    /// "N feature(s) left out (record 3: PJD is missing; …)", the first
    /// `limit` named; nil when none is.
    public func leftOutSummary(limit: Int = 5) -> String? {
        let out = reasons.indices.filter { reasons[$0] != nil }
        guard !out.isEmpty else { return nil }
        let shown = out.prefix(limit).map { "record \($0): \(reasons[$0]!)" }.joined(separator: "; ")
        return "\(out.count) feature(s) left out (\(shown)\(out.count > limit ? "; …" : ""))"
    }

    /// This subset and another's: an observation left out by either is left
    /// out, with the first reason found.
    public func merged(with other: DefinedSubset) -> DefinedSubset {
        precondition(count == other.count)
        return DefinedSubset(reasons: zip(reasons, other.reasons).map { $0 ?? $1 })
    }

    /// The values of the kept observations.
    public func restrict(_ values: [Double]) -> [Double] { kept.map { values[$0] } }

    /// The weights among the kept observations, renumbered: links to a
    /// left-out observation are dropped, the other weights kept as they are.
    /// Restrict raw weights, then transform.
    public func restrict(_ w: SpatialWeights) -> SpatialWeights {
        precondition(w.count == count, "the weights have \(w.count) observations, the subset \(count)")
        if isComplete { return w }
        var newIndex = [Int32](repeating: -1, count: count)
        for (k, i) in kept.enumerated() { newIndex[i] = Int32(k) }
        var offsets = [0], neighbors = [Int32](), weights = [Double]()
        offsets.reserveCapacity(kept.count + 1)
        for i in kept {
            for e in w.offsets[i]..<w.offsets[i + 1] where newIndex[Int(w.neighbors[e])] >= 0 {
                neighbors.append(newIndex[Int(w.neighbors[e])])
                weights.append(w.weights[e])
            }
            offsets.append(neighbors.count)
        }
        // Binary and raw weights stay what they were; a standardised row that
        // lost a link no longer sums to what its transform says.
        let kept: WeightsTransform = w.transform == .binary ? .binary : .none
        return SpatialWeights(offsets: offsets, neighbors: neighbors, weights: weights, transform: kept)
    }

    /// Results of the kept observations back at their places, NaN elsewhere.
    public func expand(_ values: [Double]) -> [Double] {
        precondition(values.count == kept.count)
        var out = [Double](repeating: .nan, count: count)
        for (k, i) in kept.enumerated() { out[i] = values[k] }
        return out
    }

    /// Indices of the kept observations' results (e.g. a statistic's
    /// `undefined` list) in the full numbering.
    public func expand(indices: [Int]) -> [Int] { indices.map { kept[$0] } }

    /// A column of the kept observations back at its places, missing elsewhere.
    public func expand(_ column: ColumnValues) -> ColumnValues {
        func place<T>(_ v: [T?]) -> [T?] {
            precondition(v.count == kept.count)
            var out = [T?](repeating: nil, count: count)
            for (k, i) in kept.enumerated() { out[i] = v[k] }
            return out
        }
        switch column {
        case let .text(v): return .text(place(v))
        case let .integer(v): return .integer(place(v))
        case let .real(v): return .real(place(v))
        case let .logical(v): return .logical(place(v))
        case let .date(v): return .date(place(v))
        }
    }
}
