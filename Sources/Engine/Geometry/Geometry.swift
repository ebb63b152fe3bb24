/// A position in the plane of a layer's CRS (x = easting or longitude).
public struct Point: Sendable, Hashable {
    public var x: Double
    public var y: Double
    public init(x: Double, y: Double) {
        self.x = x
        self.y = y
    }
}

/// The kinds of geometry GeoVote stores.
public enum GeometryKind: String, Sendable, CaseIterable {
    case point = "Point"
    case multiPoint = "MultiPoint"
    case lineString = "LineString"
    case multiLineString = "MultiLineString"
    case polygon = "Polygon"
    case multiPolygon = "MultiPolygon"

    /// True for `polygon` and `multiPolygon`.
    public var isPolygonal: Bool { self == .polygon || self == .multiPolygon }
    /// True for `point` and `multiPoint`.
    public var isPuntal: Bool { self == .point || self == .multiPoint }
}

/// A geometry stored flat: coordinates in two arrays, with ring and part offsets.
///
/// Layout (offsets hold a start per element plus the end):
/// - `ringOffsets[r] ..< ringOffsets[r + 1]` are the coordinates of ring,
///   line or point `r`;
/// - `partOffsets[p] ..< partOffsets[p + 1]` are the rings of part `p` (a
///   polygon's first ring is its exterior, the others are holes; a line or a
///   point is a part of one ring).
///
/// An empty geometry has no parts (`partOffsets == [0]`). Rings keep the
/// vertex order they were given (shapefiles store exteriors clockwise, GeoJSON
/// counter-clockwise); `Geometry` does not reorder coordinates, so round trips
/// stay bit-exact.
public struct Geometry: Sendable, Equatable {
    public let kind: GeometryKind
    public let x: ContiguousArray<Double>
    public let y: ContiguousArray<Double>
    public let ringOffsets: ContiguousArray<Int32>
    public let partOffsets: ContiguousArray<Int32>

    /// Builds a geometry from its flat arrays, checking the offsets.
    public init(
        kind: GeometryKind,
        x: ContiguousArray<Double>,
        y: ContiguousArray<Double>,
        ringOffsets: ContiguousArray<Int32>,
        partOffsets: ContiguousArray<Int32>
    ) {
        precondition(x.count == y.count, "x and y differ in length")
        precondition(ringOffsets.first == 0 && Int(ringOffsets.last!) == x.count, "ring offsets do not span the coordinates")
        precondition(partOffsets.first == 0 && Int(partOffsets.last!) == ringOffsets.count - 1, "part offsets do not span the rings")
        self.kind = kind
        self.x = x
        self.y = y
        self.ringOffsets = ringOffsets
        self.partOffsets = partOffsets
    }

    /// An empty geometry of the given kind.
    public static func empty(_ kind: GeometryKind) -> Geometry {
        Geometry(kind: kind, x: [], y: [], ringOffsets: [0], partOffsets: [0])
    }

    public static func point(x: Double, y: Double) -> Geometry {
        Geometry(kind: .point, x: [x], y: [y], ringOffsets: [0, 1], partOffsets: [0, 1])
    }

    public static func multiPoint(_ points: [Point]) -> Geometry {
        let offsets = ContiguousArray((0...points.count).map(Int32.init))
        return Geometry(
            kind: .multiPoint,
            x: ContiguousArray(points.map(\.x)), y: ContiguousArray(points.map(\.y)),
            ringOffsets: offsets, partOffsets: offsets)
    }

    public static func lineString(_ points: [Point]) -> Geometry {
        build(kind: .lineString, parts: [[points]])
    }

    public static func multiLineString(_ lines: [[Point]]) -> Geometry {
        build(kind: .multiLineString, parts: lines.map { [$0] })
    }

    /// A polygon from its rings, exterior first; rings must be closed.
    public static func polygon(_ rings: [[Point]]) -> Geometry {
        build(kind: .polygon, parts: rings.isEmpty ? [] : [rings])
    }

    /// A multipolygon from its polygons, each a list of rings, exterior first.
    public static func multiPolygon(_ polygons: [[[Point]]]) -> Geometry {
        build(kind: .multiPolygon, parts: polygons)
    }

    static func build(kind: GeometryKind, parts: [[[Point]]]) -> Geometry {
        var x = ContiguousArray<Double>(), y = ContiguousArray<Double>()
        var rings: ContiguousArray<Int32> = [0], partStarts: ContiguousArray<Int32> = [0]
        for part in parts {
            for ring in part {
                for p in ring {
                    x.append(p.x)
                    y.append(p.y)
                }
                rings.append(Int32(x.count))
            }
            partStarts.append(Int32(rings.count - 1))
        }
        return Geometry(kind: kind, x: x, y: y, ringOffsets: rings, partOffsets: partStarts)
    }

    public var isEmpty: Bool { partOffsets.count == 1 }
    public var partCount: Int { partOffsets.count - 1 }
    public var ringCount: Int { ringOffsets.count - 1 }
    public var coordinateCount: Int { x.count }

    /// The ring indices of part `p`.
    public func rings(ofPart p: Int) -> Range<Int> { Int(partOffsets[p])..<Int(partOffsets[p + 1]) }
    /// The coordinate indices of ring `r`.
    public func coordinates(ofRing r: Int) -> Range<Int> { Int(ringOffsets[r])..<Int(ringOffsets[r + 1]) }

    /// The points of ring `r`.
    public func points(ofRing r: Int) -> [Point] {
        coordinates(ofRing: r).map { Point(x: x[$0], y: y[$0]) }
    }

    /// Every coordinate is finite (no NaN, no infinity).
    public var hasFiniteCoordinates: Bool {
        for i in 0..<x.count where !x[i].isFinite || !y[i].isFinite { return false }
        return true
    }

    /// The smallest axis-aligned box holding every coordinate; nil when empty.
    public var boundingBox: BoundingBox? {
        guard !x.isEmpty else { return nil }
        var box = BoundingBox(minX: x[0], minY: y[0], maxX: x[0], maxY: y[0])
        for i in 1..<x.count { box.include(x: x[i], y: y[i]) }
        return box
    }

    /// Twice the signed area of ring `r` (shoelace): positive when
    /// counter-clockwise. Used for ring roles in formats that encode them by
    /// orientation; areas as results come from GEOS.
    public func doubleSignedArea(ofRing r: Int) -> Double {
        let range = coordinates(ofRing: r)
        guard range.count >= 3 else { return 0 }
        var sum = 0.0
        let x0 = x[range.lowerBound], y0 = y[range.lowerBound]
        for i in range.dropLast() {
            sum += (x[i] - x0) * (y[i + 1] - y0) - (x[i + 1] - x0) * (y[i] - y0)
        }
        return sum
    }
}

/// An axis-aligned box in CRS units.
public struct BoundingBox: Sendable, Equatable, CustomStringConvertible {
    public var minX: Double
    public var minY: Double
    public var maxX: Double
    public var maxY: Double

    public init(minX: Double, minY: Double, maxX: Double, maxY: Double) {
        self.minX = minX
        self.minY = minY
        self.maxX = maxX
        self.maxY = maxY
    }

    public mutating func include(x: Double, y: Double) {
        if x < minX { minX = x }
        if x > maxX { maxX = x }
        if y < minY { minY = y }
        if y > maxY { maxY = y }
    }

    public mutating func include(_ other: BoundingBox) {
        include(x: other.minX, y: other.minY)
        include(x: other.maxX, y: other.maxY)
    }

    public func contains(_ other: BoundingBox) -> Bool {
        other.minX >= minX && other.maxX <= maxX && other.minY >= minY && other.maxY <= maxY
    }

    public var width: Double { maxX - minX }
    public var height: Double { maxY - minY }

    public var description: String { "(\(minX), \(minY)) – (\(maxX), \(maxY))" }

    /// The box around several boxes; nil when none is given.
    public static func union<S: Sequence>(_ boxes: S) -> BoundingBox? where S.Element == BoundingBox? {
        var result: BoundingBox?
        for case let box? in boxes {
            if result == nil { result = box } else { result!.include(box) }
        }
        return result
    }
}
