import Foundation

/// Well-known binary straight to and from ``Geometry``'s flat arrays: what
/// Arrow tables (GeoArrow `geoarrow.wkb`, GeoPandas' `to_arrow`) carry. A
/// GEOS round trip (``GeometryEngine/geometry(wkb:)``) builds a GEOS object
/// per feature only to copy its coordinates out again, about 7 µs a commune;
/// decoding the bytes directly is a tenth of that, with the same checks.
///
/// Read: both byte orders; ISO (1000s, 2000s, 3000s) and EWKB (flag bits,
/// SRID) Z and M, dropped (GeoVote is 2D); points, lines, polygons, their
/// multi forms and collections of one kind (a mixed collection is refused,
/// as the GEOS path refuses it). Polygon rings must be closed with at
/// least 4 points and lines have at least 2, as GEOS requires; a point of
/// NaN coordinates is an empty point. Every count is checked against the
/// bytes left before anything is allocated.
///
/// Written: little-endian ISO 2D; empty geometries as an empty collection
/// of their kind (an empty point as NaN, NaN, as GEOS writes it).
extension Geometry {
    /// The largest nesting of collections read (a collection inside a collection …).
    static let maximumWKBDepth = 32

    /// Decodes one WKB geometry.
    /// - Parameter bytes: the geometry's bytes, nothing after it.
    /// - Throws: `GeoVoteError.malformed` saying what is wrong and at which byte.
    public init(wkb bytes: UnsafeRawBufferPointer) throws {
        var reader = WKBReader(bytes: bytes)
        var builder = WKBBuilder(capacity: bytes.count / 16)
        let kind = try reader.geometry(into: &builder, depth: 0)
        guard reader.position == bytes.count else {
            throw GeoVoteError.malformed(DataLocation(), reason: "is not valid WKB: \(bytes.count - reader.position) bytes follow the geometry")
        }
        self = builder.geometry(kind)
    }

    /// Decodes one WKB geometry from an array.
    /// - Parameter bytes: the geometry's bytes.
    public init(wkb bytes: [UInt8]) throws {
        self = try bytes.withUnsafeBytes { try Geometry(wkb: $0) }
    }

    /// The geometry as little-endian ISO WKB, 2D.
    public var wkb: [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(9 + 16 * x.count + 4 * (ringOffsets.count + partOffsets.count))
        func header(_ type: UInt32) {
            out.append(1)
            Swift.withUnsafeBytes(of: type.littleEndian) { out += $0 }
        }
        func count(_ n: Int) { Swift.withUnsafeBytes(of: UInt32(n).littleEndian) { out += $0 } }
        func coordinate(_ i: Int) {
            Swift.withUnsafeBytes(of: x[i].bitPattern.littleEndian) { out += $0 }
            Swift.withUnsafeBytes(of: y[i].bitPattern.littleEndian) { out += $0 }
        }
        func ring(_ r: Int) {
            let range = coordinates(ofRing: r)
            count(range.count)
            range.forEach(coordinate)
        }
        func polygon(_ p: Int) {
            header(3)
            count(rings(ofPart: p).count)
            rings(ofPart: p).forEach(ring)
        }
        switch kind {
        case .point:
            header(1)
            if isEmpty {
                Swift.withUnsafeBytes(of: Double.nan.bitPattern.littleEndian) { out += $0; out += $0 }
            } else { coordinate(0) }
        case .lineString:
            header(2)
            if isEmpty { count(0) } else { ring(0) }
        case .polygon:
            if isEmpty {
                header(3)
                count(0)
            } else { polygon(0) }
        case .multiPoint:
            header(4)
            count(x.count)
            for i in 0..<x.count {
                header(1)
                coordinate(i)
            }
        case .multiLineString:
            header(5)
            count(ringCount)
            for r in 0..<ringCount {
                header(2)
                ring(r)
            }
        case .multiPolygon:
            header(6)
            count(partCount)
            (0..<partCount).forEach(polygon)
        }
        return out
    }
}

/// Reads WKB, checking every length against the bytes left.
private struct WKBReader {
    let bytes: UnsafeRawBufferPointer
    var position = 0
    var bigEndian = false
    var dimensions = 2

    init(bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

    func fail(_ reason: String) -> GeoVoteError {
        .malformed(DataLocation(), reason: "is not valid WKB: \(reason) (byte \(position) of \(bytes.count))")
    }

    mutating func need(_ n: Int) throws {
        guard n >= 0, bytes.count - position >= n else { throw fail("it ends early") }
    }

    mutating func uint32() throws -> UInt32 {
        try need(4)
        let raw = bytes.loadUnaligned(fromByteOffset: position, as: UInt32.self)
        position += 4
        return bigEndian ? UInt32(bigEndian: raw) : UInt32(littleEndian: raw)
    }

    mutating func double() -> Double {
        let raw = bytes.loadUnaligned(fromByteOffset: position, as: UInt64.self)
        position += 8
        return Double(bitPattern: bigEndian ? UInt64(bigEndian: raw) : UInt64(littleEndian: raw))
    }

    /// A count of items of at least `size` bytes each, checked against the bytes left.
    mutating func count(of size: Int, _ what: String) throws -> Int {
        let n = Int(try uint32())
        guard n <= (bytes.count - position) / size else { throw fail("\(n) \(what) cannot fit in the \(bytes.count - position) bytes left") }
        return n
    }

    /// `n` coordinates into the builder (Z and M dropped).
    mutating func points(_ n: Int, into b: inout WKBBuilder) throws {
        try need(n * 8 * dimensions)
        for _ in 0..<n {
            let x = double(), y = double()
            guard x.isFinite, y.isFinite else { throw fail("a coordinate (\(x), \(y)) that is not finite") }
            position += 8 * (dimensions - 2)
            b.x.append(x)
            b.y.append(y)
        }
    }

    /// The header: byte order, type and dimensions (ISO or EWKB, SRID skipped).
    mutating func header() throws -> UInt32 {
        try need(1)
        let order = bytes[position]
        guard order <= 1 else { throw fail("byte order \(order) is neither 0 nor 1") }
        bigEndian = order == 0
        position += 1
        let raw = try uint32()
        var type = raw & 0x0FFF_FFFF
        var z = raw & 0x8000_0000 != 0, m = raw & 0x4000_0000 != 0
        if raw & 0x2000_0000 != 0 { _ = try uint32() }  // EWKB SRID
        switch type / 1000 {
        case 1: z = true
        case 2: m = true
        case 3: (z, m) = (true, true)
        case 0: break
        default: throw fail("geometry type \(raw) is not one WKB defines")
        }
        type %= 1000
        dimensions = 2 + (z ? 1 : 0) + (m ? 1 : 0)
        return type
    }

    /// One geometry, appended to the builder as parts; returns its kind.
    mutating func geometry(into b: inout WKBBuilder, depth: Int) throws -> GeometryKind {
        guard depth <= Geometry.maximumWKBDepth else { throw fail("collections nest deeper than \(Geometry.maximumWKBDepth)") }
        let type = try header()
        let coordinateBytes = 8 * dimensions
        switch type {
        case 1:
            try need(coordinateBytes)
            let start = position
            let x = double(), y = double()
            position = start + coordinateBytes
            if !(x.isNaN && y.isNaN) {
                guard x.isFinite, y.isFinite else { throw fail("a point (\(x), \(y)) that is not finite") }
                b.x.append(x)
                b.y.append(y)
                b.closeRing()
                b.closePart()
            }
            return .point
        case 2:
            let n = try count(of: coordinateBytes, "points")
            guard n != 1 else { throw fail("a line of 1 point (a line needs 0 or at least 2)") }
            if n > 0 {
                try points(n, into: &b)
                b.closeRing()
                b.closePart()
            }
            return .lineString
        case 3:
            let rings = try count(of: 4, "rings")
            let ringsBefore = b.rings.count - 1
            for _ in 0..<rings {
                let n = try count(of: coordinateBytes, "points")
                if n == 0, rings == 1 { continue }  // POLYGON EMPTY written with one empty ring
                guard n >= 4 else { throw fail("a ring of \(n) points (a ring needs at least 4)") }
                let first = b.x.count
                try points(n, into: &b)
                guard b.x[first] == b.x[b.x.count - 1], b.y[first] == b.y[b.y.count - 1] else {
                    throw fail("a ring that is not closed (its first and last points differ)")
                }
                b.closeRing()
            }
            if b.rings.count - 1 > ringsBefore { b.closePart() }
            return .polygon
        case 4, 5, 6, 7:
            let members = try count(of: 5, "members")
            var kind: GeometryKind? = [4: .multiPoint, 5: .multiLineString, 6: .multiPolygon][type]
            let saved = (bigEndian, dimensions)
            for _ in 0..<members {
                let member = try geometry(into: &b, depth: depth + 1)
                (bigEndian, dimensions) = saved
                let family: GeometryKind = member.isPolygonal ? .multiPolygon : member.isPuntal ? .multiPoint : .multiLineString
                if type != 7, family != kind { throw fail("a \(kind!.rawValue) holds a \(member.rawValue)") }
                if kind == nil { kind = family }
                guard kind == family else { throw GeoVoteError.unsupported("a geometry collection of mixed types is not supported") }
            }
            return kind ?? .multiPoint
        default:
            throw fail("geometry type \(type) is not a point, line, polygon, multi or collection")
        }
    }
}

/// The flat arrays being filled.
private struct WKBBuilder {
    var x = ContiguousArray<Double>(), y = ContiguousArray<Double>()
    var rings: ContiguousArray<Int32> = [0], parts: ContiguousArray<Int32> = [0]

    init(capacity: Int) {
        x.reserveCapacity(capacity)
        y.reserveCapacity(capacity)
    }

    mutating func closeRing() { rings.append(Int32(x.count)) }
    mutating func closePart() { parts.append(Int32(rings.count - 1)) }

    func geometry(_ kind: GeometryKind) -> Geometry {
        if kind == .multiPoint {
            // One part of one ring per point, as Geometry.multiPoint builds it.
            let offsets = ContiguousArray((0...x.count).map(Int32.init))
            return Geometry(kind: kind, x: x, y: y, ringOffsets: offsets, partOffsets: offsets)
        }
        return Geometry(kind: kind, x: x, y: y, ringOffsets: rings, partOffsets: parts)
    }
}
