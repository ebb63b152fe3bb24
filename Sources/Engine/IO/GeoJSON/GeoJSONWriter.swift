import Foundation

/// Writes a `FeatureTable` as a GeoJSON FeatureCollection (RFC 7946).
///
/// - Coordinates are WGS 84 longitude/latitude: a layer in another CRS is
///   reprojected (and `notes` says so), unless `keepCRS` is set, in which
///   case the coordinates are written unchanged with the pre-RFC `crs`
///   member naming the EPSG code — so a projected layer round-trips
///   bit-exact. A layer without a CRS is written only when its coordinates
///   fit longitude/latitude.
/// - Numbers are written in their shortest round-trip form: coordinates and
///   reals read back bit-exact.
/// - Polygons follow RFC 7946's right-hand rule (exterior rings
///   counter-clockwise, holes clockwise), reversing a ring's vertex order
///   where needed; coordinates themselves are never changed.
/// - Properties: integers and reals as numbers, logicals as booleans, dates
///   as "YYYY-MM-DD", missing values as null. A non-finite real is an error.
public struct GeoJSONWriter {
    public var keepCRS: Bool
    public private(set) var notes: [String] = []

    public init(keepCRS: Bool = false) {
        self.keepCRS = keepCRS
    }

    public mutating func write(_ table: FeatureTable, to path: String) throws {
        let bytes = try encode(table, file: path)
        let dir = AtomicFile.folder(of: path)
        if !dir.isEmpty { try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true) }
        // Whole or not at all: a temporary file beside the target, renamed.
        try AtomicFile.write(Data(bytes), to: path)
    }

    /// Whether the layer can be written as GeoJSON at all (its CRS), so that
    /// a command can say so before its work rather than after it.
    public static func check(_ table: FeatureTable, file: String, keepCRS: Bool) throws {
        switch table.crs {
        case nil:
            if let box = table.boundingBox, !(box.minX >= -180 && box.maxX <= 180 && box.minY >= -90 && box.maxY <= 90) {
                throw GeoVoteError.unsupported(
                    "\(file): the layer has no CRS and its coordinates \(box) are not longitude/latitude; GeoJSON (RFC 7946) needs WGS 84 — give the layer a .prj, or write .shp or .csv")
            }
        case let crs? where keepCRS && !Self.isWGS84(crs):
            guard let id = crs.identifier, id.contains(":") else {
                throw GeoVoteError.unsupported("\(file): keeping the CRS in GeoJSON needs a CRS with an EPSG code; \(crs.name) has none")
            }
        default:
            break
        }
    }

    public mutating func encode(_ table: FeatureTable, file: String) throws -> [UInt8] {
        notes = []
        var table = table
        var crsMember: String?
        try Self.check(table, file: file, keepCRS: keepCRS)
        switch table.crs {
        case nil:
            notes.append("\(file): the layer has no CRS; its coordinates were written as WGS 84 longitude/latitude, which they fit")
        case let crs? where Self.isWGS84(crs):
            break
        case let crs?:
            if keepCRS, let id = crs.identifier, let colon = id.firstIndex(of: ":") {
                crsMember = "urn:ogc:def:crs:\(id[..<colon])::\(id[id.index(after: colon)...])"
            } else {
                table = try table.projected(to: .wgs84, file: file)
                notes.append("\(file): reprojected from \(crs) to WGS 84 longitude/latitude (RFC 7946); keeping the CRS keeps the original coordinates")
            }
        }

        var out = JSONOutput()
        out.raw("{\"type\":\"FeatureCollection\",")
        if let crsMember {
            out.raw("\"crs\":{\"type\":\"name\",\"properties\":{\"name\":")
            out.string(crsMember)
            out.raw("}},")
        }
        out.raw("\"features\":[\n")
        let names = table.columns.map(\.name)
        for i in 0..<table.count {
            if i > 0 { out.raw(",\n") }
            out.raw("{\"type\":\"Feature\",\"properties\":{")
            for (c, column) in table.columns.enumerated() {
                if c > 0 { out.raw(",") }
                out.string(names[c])
                out.raw(":")
                try out.value(column.values, i, location: DataLocation(file: file, record: i, field: column.name))
            }
            out.raw("},\"geometry\":")
            guard table.geometries[i].hasFiniteCoordinates else {
                throw GeoVoteError.malformed(DataLocation(file: file, record: i), reason: "has a NaN or infinite coordinate; GeoJSON numbers must be finite")
            }
            out.geometry(table.geometries[i])
            out.raw("}")
        }
        out.raw("\n]}\n")
        return out.bytes
    }

    static func isWGS84(_ crs: CoordinateReferenceSystem) -> Bool {
        crs == .wgs84 || crs.identifier == "OGC:CRS84"
    }
}

/// A growing UTF-8 buffer with JSON writers for GeoVote's values.
struct JSONOutput {
    var bytes: [UInt8] = []

    init() { bytes.reserveCapacity(1 << 16) }

    mutating func raw(_ s: String) { bytes.append(contentsOf: s.utf8) }

    mutating func string(_ s: String) {
        bytes.append(UInt8(ascii: "\""))
        for b in s.utf8 {
            switch b {
            case UInt8(ascii: "\""): bytes.append(contentsOf: [0x5C, 0x22])
            case UInt8(ascii: "\\"): bytes.append(contentsOf: [0x5C, 0x5C])
            case 0x0A: bytes.append(contentsOf: [0x5C, UInt8(ascii: "n")])
            case 0x0D: bytes.append(contentsOf: [0x5C, UInt8(ascii: "r")])
            case 0x09: bytes.append(contentsOf: [0x5C, UInt8(ascii: "t")])
            case 0..<0x20:
                let hex = Array("0123456789abcdef".utf8)
                bytes.append(contentsOf: Array("\\u00".utf8) + [hex[Int(b >> 4)], hex[Int(b & 15)]])
            default: bytes.append(b)
            }
        }
        bytes.append(UInt8(ascii: "\""))
    }

    /// The shortest text that reads back to the same Double ("5" for 5.0).
    mutating func number(_ v: Double) {
        var text = "\(v)"
        if text.hasSuffix(".0") { text.removeLast(2) }
        raw(text)
    }

    mutating func value(_ values: ColumnValues, _ i: Int, location: DataLocation) throws {
        switch values {
        case let .text(v): if let s = v[i] { string(s) } else { raw("null") }
        case let .integer(v): raw(v[i].map { String($0) } ?? "null")
        case let .real(v):
            guard let x = v[i] else { raw("null"); return }
            guard x.isFinite else { throw GeoVoteError.malformed(location, reason: "is \(x); JSON numbers must be finite") }
            number(x)
        case let .logical(v): raw(v[i].map { $0 ? "true" : "false" } ?? "null")
        case let .date(v):
            guard let d = v[i], d.count == 8 else { raw("null"); return }
            let c = Array(d)
            string(String(c[0..<4]) + "-" + String(c[4..<6]) + "-" + String(c[6..<8]))
        }
    }

    mutating func position(_ g: Geometry, _ k: Int) {
        raw("[")
        number(g.x[k])
        raw(",")
        number(g.y[k])
        raw("]")
    }

    /// Positions of ring `r`, reversed when `reverse`.
    mutating func ring(_ g: Geometry, _ r: Int, reverse: Bool) {
        raw("[")
        let range = g.coordinates(ofRing: r)
        for (n, k) in (reverse ? Array(range.reversed()) : Array(range)).enumerated() {
            if n > 0 { raw(",") }
            position(g, k)
        }
        raw("]")
    }

    /// One polygon (part `p`) in RFC 7946 orientation.
    mutating func polygon(_ g: Geometry, part p: Int) {
        raw("[")
        for (n, r) in g.rings(ofPart: p).enumerated() {
            if n > 0 { raw(",") }
            // Exterior counter-clockwise (positive area), holes clockwise.
            let ccw = g.doubleSignedArea(ofRing: r) > 0
            ring(g, r, reverse: (n == 0) != ccw)
        }
        raw("]")
    }

    mutating func geometry(_ g: Geometry) {
        if g.isEmpty { raw("null"); return }
        raw("{\"type\":\"\(g.kind.rawValue)\",\"coordinates\":")
        switch g.kind {
        case .point:
            position(g, 0)
        case .multiPoint:
            raw("[")
            for k in 0..<g.coordinateCount {
                if k > 0 { raw(",") }
                position(g, k)
            }
            raw("]")
        case .lineString:
            ring(g, 0, reverse: false)
        case .multiLineString:
            raw("[")
            for r in 0..<g.ringCount {
                if r > 0 { raw(",") }
                ring(g, r, reverse: false)
            }
            raw("]")
        case .polygon:
            polygon(g, part: 0)
        case .multiPolygon:
            raw("[")
            for p in 0..<g.partCount {
                if p > 0 { raw(",") }
                polygon(g, part: p)
            }
            raw("]")
        }
        raw("}")
    }
}
