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
        try readWithNotes(path).table
    }

    /// Reads the shapefile; `notes` say what was skipped (records flagged
    /// deleted in the .dbf, with their shapes, as GDAL does).
    public func readWithNotes(_ path: String) throws -> (table: FeatureTable, notes: [String]) {
        let paths = ShapefilePaths(path)

        guard let shpPath = paths.existing("shp") else { throw GeoVoteError.io(path: paths.shp, reason: "no such file") }
        guard paths.existing("shx") != nil else {
            throw GeoVoteError.io(path: paths.shx, reason: "missing: a shapefile needs its .shx index next to \(shpPath)")
        }
        guard let dbfPath = paths.existing("dbf") else {
            throw GeoVoteError.io(path: paths.dbf, reason: "missing: a shapefile needs its .dbf attribute table next to \(shpPath)")
        }
        let shapes = try readGeometries(shpPath)
        var geometries = shapes.0
        let closed = shapes.closed.sorted()
        var (columns, detected, recordCount, deleted) = try readAttributes(dbfPath, cpgPath: paths.existing("cpg"))
        guard recordCount == geometries.count else {
            throw GeoVoteError.malformed(
                DataLocation(file: dbfPath),
                reason: "has \(recordCount) records but \(shpPath) has \(geometries.count) shapes")
        }
        var notes: [String] = []
        if !closed.isEmpty {
            notes.append("\(shpPath): \(closed.count) polygons had a ring whose last vertex is not its first; closed (records "
                         + closed.prefix(10).map(String.init).joined(separator: ", ") + (closed.count > 10 ? ", …" : "") + ")")
        }
        if !deleted.isEmpty {
            let drop = Set(deleted)
            let keep = (0..<recordCount).filter { !drop.contains($0) }
            geometries = keep.map { geometries[$0] }
            columns = columns.map { Column(name: $0.name, values: $0.values.gathered(keep.map { Optional($0) })) }
            notes.append("\(dbfPath): \(deleted.count) records flagged deleted were skipped with their shapes (records "
                         + deleted.prefix(10).map(String.init).joined(separator: ", ") + (deleted.count > 10 ? ", …" : "") + ")")
        }
        let crs = try paths.existing("prj").map { try CoordinateReferenceSystem(prjFile: $0) }
        return (FeatureTable(geometries: geometries, columns: columns, crs: crs, sourceEncoding: detected), notes)
    }

    // MARK: Geometry

    /// The shapes, and the records whose open rings were closed.
    func readGeometries(_ path: String) throws -> ([Geometry], closed: Set<Int>) {
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
        try Self.checkIndex(shp.pointee, path: path)
        var result: [Geometry] = []
        var closed = Set<Int>()
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
            if o.nSHPType != SHPT_NULL, Self.layerKind(o.nSHPType) == nil {
                throw GeoVoteError.malformed(DataLocation(file: path, record: Int(i)), reason: "has shape type \(o.nSHPType), which is not a shapefile shape type")
            }
            if o.nSHPType == SHPT_NULL || o.nVertices == 0 {
                result.append(.empty(kind == .lineString ? .lineString : kind))
                continue
            }
            guard Self.layerKind(o.nSHPType) == kind else {
                throw GeoVoteError.malformed(
                    DataLocation(file: path, record: Int(i)),
                    reason: "has shape type \(o.nSHPType) but the file header says \(layerType)")
            }
            let (geometry, closedRing) = try makeGeometry(o, kind: kind, location: DataLocation(file: path, record: Int(i)))
            result.append(geometry)
            if closedRing { closed.insert(Int(i)) }
        }
        return (result, closed)
    }

    /// Checks the .shx against the .shp before any record is read: each
    /// entry points past the header at a record of that number, inside the
    /// file, after the previous one; and the .shp holds no record the index
    /// leaves out.
    static func checkIndex(_ info: SHPInfo, path: String) throws {
        // A second read of the file (shapelib has its own copy): mapping it
        // instead was slower here (read-shapefile at 50,000: 0.23 s against
        // 0.14-0.21 s) and raised the peak by 6 MiB.
        guard let data = FileManager.default.contents(atPath: path) else { return }
        let size = data.count
        func bigEndian(_ at: Int) -> Int {
            Int(Int32(bitPattern: UInt32(data[at]) << 24 | UInt32(data[at + 1]) << 16 | UInt32(data[at + 2]) << 8 | UInt32(data[at + 3])))
        }
        let count = Int(info.nRecords)
        var previousEnd = 100
        for i in 0..<count {
            let offset = Int(info.panRecOffset[i]), length = Int(info.panRecSize[i])
            let location = DataLocation(file: path, record: i)
            guard offset >= previousEnd, offset + 8 <= size, offset + 8 + length <= size else {
                throw GeoVoteError.malformed(location, reason: "is indexed at byte \(offset) (\(length) bytes) of a \(size)-byte file, "
                                             + (offset < previousEnd ? "inside the header or the previous record" : "past its end") + ": the .shx is corrupt")
            }
            let number = bigEndian(offset)
            guard number == i + 1 else {
                throw GeoVoteError.malformed(location, reason: "is indexed at byte \(offset), where the .shp holds record number \(number), not \(i + 1): the .shx is corrupt")
            }
            previousEnd = offset + 8 + length
        }
        // Records after the last indexed one: the .shx leaves them out.
        var position = previousEnd, extra = 0
        while position + 8 <= size {
            let words = bigEndian(position + 4)
            guard words >= 0, position + 8 + 2 * words <= size else { break }
            position += 8 + 2 * words
            extra += 1
        }
        if extra > 0 {
            throw GeoVoteError.malformed(DataLocation(file: path), reason: "holds \(count + extra) records but its .shx indexes \(count): rebuild the index")
        }
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

    private func makeGeometry(_ o: SHPObject, kind: GeometryKind, location: DataLocation) throws -> (Geometry, closed: Bool) {
        let n = Int(o.nVertices)
        let xs = ContiguousArray(UnsafeBufferPointer(start: o.padfX, count: n))
        let ys = ContiguousArray(UnsafeBufferPointer(start: o.padfY, count: n))
        if let v = (0..<n).first(where: { !xs[$0].isFinite || !ys[$0].isFinite }) {
            throw GeoVoteError.malformed(DataLocation(file: location.file, record: location.record, value: "(\(xs[v]), \(ys[v]))"),
                                         reason: "has vertex \(v), which is not a finite coordinate")
        }
        switch kind {
        case .point:
            return (.point(x: xs[0], y: ys[0]), false)
        case .multiPoint:
            let offsets = ContiguousArray((0...n).map(Int32.init))
            return (Geometry(kind: .multiPoint, x: xs, y: ys, ringOffsets: offsets, partOffsets: offsets), false)
        default:
            break
        }
        // Part starts, checked: shapelib validates them, but be strict.
        var starts = ContiguousArray<Int32>()
        for p in 0..<Int(max(o.nParts, 1)) {
            let start = o.nParts == 0 ? 0 : o.panPartStart[p]
            guard p > 0 || start == 0, start >= (starts.last ?? 0), Int(start) < n || n == 0 else {
                throw GeoVoteError.malformed(location, reason: "has part \(p) starting at vertex \(start) of \(n)")
            }
            starts.append(start)
        }
        starts.append(Int32(n))
        if kind == .lineString {
            let parts = ContiguousArray((0..<starts.count).map(Int32.init))
            return (Geometry(kind: starts.count == 2 ? .lineString : .multiLineString, x: xs, y: ys, ringOffsets: starts, partOffsets: parts), false)
        }
        var closed = false
        let polygon = try Self.groupRings(Geometry(kind: .multiPolygon, x: xs, y: ys, ringOffsets: starts,
                                                   partOffsets: ContiguousArray((0..<starts.count).map(Int32.init))), location: location, closed: &closed)
        return (polygon, closed)
    }

    /// Groups the rings of a shapefile polygon (each ring its own part on
    /// input) into polygons: clockwise exteriors, each with the
    /// counter-clockwise holes it contains.
    static func groupRings(_ given: Geometry, location: DataLocation, closed: inout Bool) throws -> Geometry {
        // A ring whose last vertex is not its first is closed (as GDAL
        // reads it), and the reader says which records it closed.
        var g = given
        let open = (0..<given.ringCount).filter { r in
            let c = given.coordinates(ofRing: r)
            return !c.isEmpty && (given.x[c.lowerBound] != given.x[c.upperBound - 1] || given.y[c.lowerBound] != given.y[c.upperBound - 1])
        }
        if !open.isEmpty {
            let rings = (0..<given.ringCount).map { r -> [Point] in
                let points = given.points(ofRing: r)
                return open.contains(r) ? points + [points[0]] : points
            }
            g = Geometry.build(kind: .multiPolygon, parts: rings.map { [$0] })
            closed = true
        }
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

    func readAttributes(_ path: String, cpgPath: String?) throws -> (columns: [Column], encoding: TextEncoding, records: Int, deleted: [Int]) {
        try Self.checkDBFHeader(path)
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
        var deleted: [Int] = []
        for r in 0..<recordCount {
            // NULL when the record cannot be read.
            guard let tuple = DBFReadTuple(dbf, Int32(r)) else {
                throw GeoVoteError.malformed(DataLocation(file: path, record: r), reason: "cannot be read (truncated .dbf)")
            }
            let record = UnsafeRawPointer(tuple).assumingMemoryBound(to: UInt8.self)
            if record[0] == UInt8(ascii: "*") { deleted.append(r) }
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
        var seen: [String: Int] = [:]
        for (f, column) in columns.enumerated() {
            if let first = seen[column.name.lowercased()] {
                throw GeoVoteError.malformed(DataLocation(file: path, field: column.name),
                                             reason: "names fields \(first + 1) and \(f + 1): a DBF field name must be unique (rename one, e.g. with ogr2ogr -sql)")
            }
            seen[column.name.lowercased()] = f
        }
        return (columns, encoding, recordCount, deleted)
    }

    /// Checks a DBF header against itself and the file's size before
    /// shapelib reads it (or reserves memory from its counts): the field
    /// descriptors fit the header, every width is at least 1, the record
    /// length is 1 + the widths, and the records fit in the file.
    static func checkDBFHeader(_ path: String) throws {
        guard let handle = FileHandle(forReadingAtPath: path) else { return }
        defer { try? handle.close() }
        let size = Int((try? handle.seekToEnd()) ?? 0)
        try? handle.seek(toOffset: 0)
        let location = DataLocation(file: path)
        guard size >= 32, let head = try? handle.read(upToCount: 32), head.count == 32 else {
            throw GeoVoteError.malformed(location, reason: "is \(size) bytes: too short for a dBase header (32 bytes)")
        }
        let bytes = [UInt8](head)
        let records = Int(bytes[4]) | Int(bytes[5]) << 8 | Int(bytes[6]) << 16 | Int(bytes[7]) << 24
        let headerLength = Int(bytes[8]) | Int(bytes[9]) << 8
        let recordLength = Int(bytes[10]) | Int(bytes[11]) << 8
        guard headerLength >= 33, headerLength <= size else {
            throw GeoVoteError.malformed(location, reason: "declares a header of \(headerLength) bytes in a \(size)-byte file: corrupt")
        }
        guard let rest = try? handle.read(upToCount: headerLength - 32), rest.count == headerLength - 32 else {
            throw GeoVoteError.malformed(location, reason: "is truncated inside its header")
        }
        let descriptors = [UInt8](rest)
        var widths = 0, fields = 0
        var at = 0
        while at + 32 <= descriptors.count, descriptors[at] != 0x0D {
            let type = descriptors[at + 11]
            let width = type == UInt8(ascii: "C") ? Int(descriptors[at + 16]) + 256 * Int(descriptors[at + 17]) : Int(descriptors[at + 16])
            guard width >= 1 else {
                throw GeoVoteError.malformed(DataLocation(file: path, field: "#\(fields + 1)"), reason: "has width 0: corrupt field descriptor")
            }
            widths += width
            fields += 1
            at += 32
        }
        let declaredFields = (headerLength - 33) / 32
        guard fields == declaredFields || (fields < declaredFields && at < descriptors.count && descriptors[at] == 0x0D && fields > 0) else {
            throw GeoVoteError.malformed(location, reason: "has \(fields) field descriptors where its header length (\(headerLength) bytes) says \(declaredFields): corrupt header")
        }
        guard recordLength == 1 + widths else {
            throw GeoVoteError.malformed(location, reason: "declares records of \(recordLength) bytes, but its \(fields) fields take 1 + \(widths): corrupt header")
        }
        guard records <= (size - headerLength) / max(recordLength, 1) else {
            throw GeoVoteError.malformed(location, reason: "declares \(records) records of \(recordLength) bytes, but the file holds \((size - headerLength) / max(recordLength, 1)): truncated or corrupt")
        }
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
