internal import CShapelib
import Foundation

/// Reads an ESRI Shapefile (`.shp`, `.shx`, `.dbf`, optional `.prj`, `.cpg`)
/// into a `FeatureTable`, through shapelib.
///
/// - Geometry: points, multipoints, arcs (lines) and polygons; Z and M
///   variants are read in 2D. Null shapes become empty geometries (counted by
///   `FeatureTable.emptyGeometryCount`). Polygon rings are grouped the way
///   the format defines them: clockwise rings are exteriors, counter-clockwise
///   rings holes of the smallest exterior that contains them; a hole that no
///   exterior contains becomes an exterior of its own. Vertex order is kept.
/// - Attributes: read as raw text and parsed strictly, so "n/a" in a numeric
///   field is an error naming file, record, field and value, and a blank is a
///   missing value, not zero (shapelib's `DBFReadDoubleAttribute` would give 0).
/// - Text: decoded with the encoding of the `.cpg`, else the DBF language
///   driver byte, else UTF-8 when every value is valid UTF-8; an explicit
///   `encoding` overrides all of them.
public struct ShapefileReader {
    public var encoding: TextEncoding?

    public init(encoding: TextEncoding? = nil) {
        self.encoding = encoding
    }

    public func read(_ path: String) throws -> FeatureTable {
        let paths = ShapefilePaths(path)
        guard let shpPath = paths.existing("shp") else { throw GeoVoteError.io(path: paths.shp, reason: "no such file") }
        guard paths.existing("shx") != nil else {
            throw GeoVoteError.io(path: paths.shx, reason: "missing: a shapefile needs its .shx index next to \(shpPath)")
        }
        guard let dbfPath = paths.existing("dbf") else {
            throw GeoVoteError.io(path: paths.dbf, reason: "missing: a shapefile needs its .dbf attribute table next to \(shpPath)")
        }
        let geometries = try readGeometries(shpPath)
        let (columns, detected, recordCount) = try readAttributes(dbfPath, cpgPath: paths.existing("cpg"))
        guard recordCount == geometries.count else {
            throw GeoVoteError.malformed(
                DataLocation(file: dbfPath),
                reason: "has \(recordCount) records but \(shpPath) has \(geometries.count) shapes")
        }
        let crs = try paths.existing("prj").map { try CoordinateReferenceSystem(prjFile: $0) }
        return FeatureTable(geometries: geometries, columns: columns, crs: crs, sourceEncoding: detected)
    }

    // MARK: Geometry

    func readGeometries(_ path: String) throws -> [Geometry] {
        // NULL when the file cannot be opened or its header/index is bad.
        var hooks = ShapelibHooks.inMemory
        guard let shp = SHPOpenLL(path, "rb", &hooks) else {
            throw GeoVoteError.malformed(DataLocation(file: path), reason: "cannot be opened as a shapefile (truncated or corrupt .shp or .shx)")
        }
        defer { SHPClose(shp) }
        var count: Int32 = 0, layerType: Int32 = 0
        var minBound = [Double](repeating: 0, count: 4), maxBound = minBound
        SHPGetInfo(shp, &count, &layerType, &minBound, &maxBound)
        guard let kind = Self.layerKind(layerType) else {
            throw GeoVoteError.malformed(DataLocation(file: path), reason: "has shape type \(layerType), which GeoVote does not read (MultiPatch?)")
        }
        let fileSize = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
        var result: [Geometry] = []
        result.reserveCapacity(Int(count))
        for i in 0..<count {
            // NULL when the record cannot be read (truncated file, bad offsets).
            guard let object = SHPReadObject(shp, i) else {
                let offset = shp.pointee.panRecOffset.map { Int($0[Int(i)]) } ?? -1
                throw GeoVoteError.malformed(
                    DataLocation(file: path, record: Int(i)),
                    reason: "cannot be read (record at byte \(offset) of a \(fileSize)-byte file: truncated or corrupt)")
            }
            defer { SHPDestroyObject(object) }
            let o = object.pointee
            if o.nSHPType == SHPT_NULL || o.nVertices == 0 {
                result.append(.empty(kind == .lineString ? .lineString : kind))
                continue
            }
            guard Self.layerKind(o.nSHPType) == kind else {
                throw GeoVoteError.malformed(
                    DataLocation(file: path, record: Int(i)),
                    reason: "has shape type \(o.nSHPType) but the file header says \(layerType)")
            }
            result.append(try makeGeometry(o, kind: kind, location: DataLocation(file: path, record: Int(i))))
        }
        return result
    }

    static func layerKind(_ type: Int32) -> GeometryKind? {
        switch type {
        case SHPT_POINT, SHPT_POINTZ, SHPT_POINTM: .point
        case SHPT_MULTIPOINT, SHPT_MULTIPOINTZ, SHPT_MULTIPOINTM: .multiPoint
        case SHPT_ARC, SHPT_ARCZ, SHPT_ARCM: .lineString
        case SHPT_POLYGON, SHPT_POLYGONZ, SHPT_POLYGONM: .polygon
        default: nil
        }
    }

    private func makeGeometry(_ o: SHPObject, kind: GeometryKind, location: DataLocation) throws -> Geometry {
        let n = Int(o.nVertices)
        let xs = ContiguousArray(UnsafeBufferPointer(start: o.padfX, count: n))
        let ys = ContiguousArray(UnsafeBufferPointer(start: o.padfY, count: n))
        switch kind {
        case .point:
            return .point(x: xs[0], y: ys[0])
        case .multiPoint:
            let offsets = ContiguousArray((0...n).map(Int32.init))
            return Geometry(kind: .multiPoint, x: xs, y: ys, ringOffsets: offsets, partOffsets: offsets)
        default:
            break
        }
        // Part starts, checked: shapelib validates them, but be strict.
        var starts = ContiguousArray<Int32>()
        for p in 0..<Int(max(o.nParts, 1)) {
            let start = o.nParts == 0 ? 0 : o.panPartStart[p]
            guard start >= (starts.last ?? 0), Int(start) < n || n == 0 else {
                throw GeoVoteError.malformed(location, reason: "has part \(p) starting at vertex \(start) of \(n)")
            }
            starts.append(start)
        }
        starts.append(Int32(n))
        if kind == .lineString {
            let parts = ContiguousArray((0..<starts.count).map(Int32.init))
            return Geometry(kind: starts.count == 2 ? .lineString : .multiLineString, x: xs, y: ys, ringOffsets: starts, partOffsets: parts)
        }
        return try Self.groupRings(Geometry(kind: .multiPolygon, x: xs, y: ys, ringOffsets: starts,
                                            partOffsets: ContiguousArray((0..<starts.count).map(Int32.init))), location: location)
    }

    /// Groups the rings of a shapefile polygon (each ring its own part on
    /// input) into polygons: clockwise exteriors, each with the
    /// counter-clockwise holes it contains.
    static func groupRings(_ g: Geometry, location: DataLocation) throws -> Geometry {
        let ringCount = g.ringCount
        for r in 0..<ringCount where g.coordinates(ofRing: r).count < 4 {
            throw GeoVoteError.malformed(location, reason: "has ring \(r) with \(g.coordinates(ofRing: r).count) vertices; a polygon ring needs at least 4")
        }
        if ringCount == 1 {
            return Geometry(kind: .polygon, x: g.x, y: g.y, ringOffsets: g.ringOffsets, partOffsets: [0, 1])
        }
        let area = (0..<ringCount).map { g.doubleSignedArea(ofRing: $0) }
        var exteriors = (0..<ringCount).filter { area[$0] < 0 }
        var holesOf: [Int: [Int]] = [:]
        if exteriors.isEmpty {
            // No clockwise ring: the writer ignored the orientation rule. Treat
            // every ring as an exterior (what GDAL does without nesting).
            exteriors = Array(0..<ringCount)
        } else {
            for r in 0..<ringCount where area[r] >= 0 {
                // The smallest exterior containing the hole's vertices.
                let container = exteriors
                    .filter { ringContains(g, ring: $0, hole: r) }
                    .min { abs(area[$0]) < abs(area[$1]) }
                if let container {
                    holesOf[container, default: []].append(r)
                } else {
                    exteriors.append(r)
                }
            }
            exteriors.sort()
        }
        var parts: [[[Point]]] = []
        for e in exteriors {
            parts.append([g.points(ofRing: e)] + (holesOf[e] ?? []).map { g.points(ofRing: $0) })
        }
        return Geometry.build(kind: parts.count == 1 ? .polygon : .multiPolygon, parts: parts)
    }

    /// Whether ring `hole` lies inside ring `outer`: the first vertex of the
    /// hole that is not on the outer ring's boundary decides (crossing rule).
    static func ringContains(_ g: Geometry, ring outer: Int, hole: Int) -> Bool {
        let o = g.coordinates(ofRing: outer)
        for v in g.coordinates(ofRing: hole) {
            let px = g.x[v], py = g.y[v]
            var inside = false
            var onBoundary = false
            var j = o.upperBound - 1
            for i in o {
                let xi = g.x[i], yi = g.y[i], xj = g.x[j], yj = g.y[j]
                if xi == px && yi == py { onBoundary = true; break }
                if (yi > py) != (yj > py) {
                    let xCross = (xj - xi) * (py - yi) / (yj - yi) + xi
                    if xCross == px { onBoundary = true; break }
                    if px < xCross { inside.toggle() }
                }
                j = i
            }
            if !onBoundary { return inside }
        }
        return true  // every vertex on the boundary: treat as contained
    }

    // MARK: Attributes

    func readAttributes(_ path: String, cpgPath: String?) throws -> (columns: [Column], encoding: TextEncoding, records: Int) {
        // NULL when the file cannot be opened or its header is bad.
        var hooks = ShapelibHooks.inMemory
        guard let dbf = DBFOpenLL(path, "rb", &hooks) else {
            throw GeoVoteError.malformed(DataLocation(file: path), reason: "cannot be opened as a dBase table (truncated or corrupt)")
        }
        defer { DBFClose(dbf) }
        let fieldCount = Int(DBFGetFieldCount(dbf))
        let recordCount = Int(DBFGetRecordCount(dbf))
        let declared = DBFGetCodePage(dbf).map { String(cString: $0) }

        // Raw bytes of every field, then decode: detection needs all text.
        struct RawField { var name: [UInt8]; var type: CChar; var width: Int; var decimals: Int }
        var fields: [RawField] = []
        for f in 0..<fieldCount {
            var name = [CChar](repeating: 0, count: 64)
            var width: Int32 = 0, decimals: Int32 = 0
            _ = DBFGetFieldInfo(dbf, Int32(f), &name, &width, &decimals)
            let bytes = name.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
            fields.append(RawField(name: bytes, type: DBFGetNativeFieldType(dbf, Int32(f)), width: Int(width), decimals: Int(decimals)))
        }
        // Whole records (DBFReadTuple), cut into one flat byte array per column.
        var offsets = [Int](repeating: 1, count: fieldCount)  // byte 0 is the deletion flag
        for f in 1..<max(1, fieldCount) { offsets[f] = offsets[f - 1] + fields[f - 1].width }
        var raw = fields.map { RawDBFColumn(width: $0.width, bytes: []) }
        for f in 0..<fieldCount { raw[f].bytes.reserveCapacity(recordCount * fields[f].width) }
        for r in 0..<recordCount {
            // NULL when the record cannot be read.
            guard let tuple = DBFReadTuple(dbf, Int32(r)) else {
                throw GeoVoteError.malformed(DataLocation(file: path, record: r), reason: "cannot be read (truncated .dbf)")
            }
            let record = UnsafeRawPointer(tuple).assumingMemoryBound(to: UInt8.self)
            for f in 0..<fieldCount {
                raw[f].bytes.append(contentsOf: UnsafeBufferPointer(start: record + offsets[f], count: fields[f].width))
            }
        }

        let encoding = try resolveEncoding(declared: declared, cpgPath: cpgPath, dbfPath: path,
                                           names: fields.map(\.name),
                                           text: raw.enumerated().filter { fields[$0.offset].type == CChar(UInt8(ascii: "C")) }.map(\.element))
        var columns: [Column] = []
        for (f, field) in fields.enumerated() {
            guard let name = encoding.decode(field.name) else {
                throw GeoVoteError.malformed(DataLocation(file: path, field: "#\(f)"), reason: "has a field name that is not valid \(encoding)")
            }
            let parser = DBFValueParser(file: path, field: name, type: UInt8(bitPattern: field.type), width: field.width, decimals: field.decimals, encoding: encoding)
            columns.append(Column(name: name, values: try parser.parse(raw[f])))
        }
        return (columns, encoding, recordCount)
    }

    private func resolveEncoding(declared: String?, cpgPath: String?, dbfPath: String, names: [[UInt8]], text: [RawDBFColumn]) throws -> TextEncoding {
        if let encoding { return encoding }
        if let declared, declared != "LDID/0", !declared.isEmpty {
            if let known = TextEncoding(name: declared) { return known }
            if cpgPath != nil {
                throw GeoVoteError.textEncoding(DataLocation(file: cpgPath, value: declared), .unknownName)
            }
        }
        // No usable declaration: UTF-8 only if every value is valid UTF-8.
        let valid = names.allSatisfy { String(validating: $0, as: UTF8.self) != nil }
            && text.allSatisfy { column in (0..<column.count).allSatisfy { String(validating: column.trimmed($0), as: UTF8.self) != nil } }
        if !valid {
            throw GeoVoteError.textEncoding(DataLocation(file: dbfPath), .undeclared(languageDriver: declared))
        }
        return .utf8
    }
}
