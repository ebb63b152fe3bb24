internal import CShapelib
import Foundation

/// Writes a `FeatureTable` as an ESRI Shapefile through shapelib.
///
/// - Shape type from the geometries: points → Point; points and multipoints
///   → MultiPoint; lines → Arc; polygons and multipolygons → Polygon. Empty
///   geometries are null shapes. Polygon rings are written in the format's
///   orientation (exteriors clockwise, holes counter-clockwise), reversing a
///   ring's vertex order where needed; coordinates are never changed.
/// - `.prj` in ESRI WKT when the table has a CRS; `.cpg` naming the encoding.
/// - Text fields are as wide as their longest value *in encoded bytes*
///   (UTF-8 Arabic takes two bytes a letter); a value over 254 bytes is an
///   error, never cut. Reals are written in their shortest round-trip form,
///   so they read back bit-exact. Field names longer than 10 bytes are cut
///   at a character boundary and made unique (`renamedFields` reports it).
/// - DBF cannot tell an empty text from a missing one: both read back missing.
public struct ShapefileWriter {
    public var encoding: TextEncoding
    /// The "last update" date written in the DBF header (year, month, day);
    /// fixed for reproducible bytes, today's date when nil.
    public var lastModified: (year: Int, month: Int, day: Int)?
    /// Old name → new name for every field that had to be renamed by the last write.
    public private(set) var renamedFields: [(String, String)] = []

    public init(encoding: TextEncoding = .utf8, lastModified: (year: Int, month: Int, day: Int)? = nil) {
        self.encoding = encoding
        self.lastModified = lastModified
    }

    /// Writes the layer as a shapefile (.shp, .shx, .dbf, .cpg, .prj), whole
    /// or not at all: every file goes to a hidden temporary name beside the
    /// target and is renamed into place only when all are written; on any
    /// failure the temporary files are removed and existing files are left
    /// as they were. (The renames are one per file: a crash between them can
    /// leave a new .shp beside an old .dbf, never a half-written file.)
    public mutating func write(_ table: FeatureTable, to path: String) throws {
        let paths = ShapefilePaths(path)
        let shapeType = try Self.shapeType(for: table, file: paths.shp)
        let fieldPlan = try planFields(table, file: paths.dbf)
        let folder = AtomicFile.folder(of: paths.base)
        if !folder.isEmpty, !FileManager.default.fileExists(atPath: folder) {
            do {
                try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            } catch {
                throw GeoVoteError.io(path: path, reason: "cannot be written: the folder \(folder) cannot be created")
            }
        }
        guard AtomicFile.canWrite(into: folder) else {
            throw GeoVoteError.io(path: path, reason: "cannot be written: the folder \(folder.isEmpty ? "." : folder) does not exist or is not writable")
        }
        let temporary = ShapefilePaths(AtomicFile.temporaryPath(beside: paths.base))
        let extensions = ["shp", "shx", "dbf", "cpg"] + (table.crs == nil ? [] : ["prj"])
        func file(_ p: ShapefilePaths, _ ext: String) -> String { p.base + "." + ext }
        for ext in extensions { AtomicFile.track(file(temporary, ext)) }
        defer { for ext in extensions { AtomicFile.untrack(file(temporary, ext)) } }
        do {
            try writeFiles(table, shapeType: shapeType, plan: fieldPlan, to: temporary, naming: paths)
            for ext in extensions {
                guard rename(file(temporary, ext), file(paths, ext)) == 0 else {
                    throw GeoVoteError.io(path: file(paths, ext), reason: "cannot be written: \(String(cString: strerror(errno)))")
                }
            }
        } catch {
            for ext in extensions { unlink(file(temporary, ext)) }
            throw error
        }
        if table.crs == nil, FileManager.default.fileExists(atPath: paths.prj) {
            try? FileManager.default.removeItem(atPath: paths.prj)
        }
    }

    /// Writes the files at `files`; messages name `names` (the real paths).
    private mutating func writeFiles(_ table: FeatureTable, shapeType: Int32, plan fieldPlan: [FieldPlan],
                                     to files: ShapefilePaths, naming names: ShapefilePaths) throws {
        // NULL when the files cannot be created.
        var hooks = ShapelibHooks.inMemory
        guard let shp = SHPCreateLL(files.shp, shapeType, &hooks) else {
            throw GeoVoteError.io(path: names.shp, reason: "cannot be created")
        }
        do {
            defer { SHPClose(shp) }
            for (i, g) in table.geometries.enumerated() {
                try writeShape(g, index: i, type: shapeType, to: shp, file: names.shp)
            }
        }
        for (path, name) in [(files.shp, names.shp), (files.shx, names.shx)] where MemoryFile.takeFailure(path) {
            throw GeoVoteError.io(path: name, reason: "cannot be written (disk full?)")
        }
        try writeAttributes(table, plan: fieldPlan, path: files.dbf, file: names.dbf)
        if MemoryFile.takeFailure(files.dbf) { throw GeoVoteError.io(path: names.dbf, reason: "cannot be written (disk full?)") }
        // shapelib writes a .cpg only for some code pages; write ours always.
        try write(text: encoding.cpgName + "\n", to: files.cpg, file: names.cpg)
        if let crs = table.crs { try write(text: crs.esriWKT, to: files.prj, file: names.prj) }
    }

    private func write(text: String, to path: String, file: String) throws {
        do {
            try text.write(toFile: path, atomically: false, encoding: .utf8)
        } catch {
            throw GeoVoteError.io(path: file, reason: "cannot be written: \(error.localizedDescription)")
        }
    }

    static func shapeType(for table: FeatureTable, file: String? = nil) throws -> Int32 {
        let kinds = Set(table.geometryKinds)
        if kinds.isEmpty { return SHPT_POLYGON }
        if kinds == [.point] { return SHPT_POINT }
        if kinds.isSubset(of: [.point, .multiPoint]) { return SHPT_MULTIPOINT }
        if kinds.isSubset(of: [.lineString, .multiLineString]) { return SHPT_ARC }
        if kinds.isSubset(of: [.polygon, .multiPolygon]) { return SHPT_POLYGON }
        throw GeoVoteError.unsupported((file.map { $0 + ": " } ?? "") +
            "a shapefile holds one kind of geometry; this layer mixes \(kinds.map(\.rawValue).sorted().joined(separator: ", "))")
    }

    private func writeShape(_ g: Geometry, index: Int, type: Int32, to shp: SHPHandle, file: String) throws {
        guard g.hasFiniteCoordinates else {
            throw GeoVoteError.malformed(DataLocation(file: file, record: index), reason: "has a NaN or infinite coordinate")
        }
        var object: UnsafeMutablePointer<SHPObject>?
        if g.isEmpty {
            object = SHPCreateSimpleObject(SHPT_NULL, 0, nil, nil, nil)
        } else if type == SHPT_POINT || type == SHPT_MULTIPOINT {
            object = g.x.withUnsafeBufferPointer { xs in
                g.y.withUnsafeBufferPointer { ys in
                    SHPCreateSimpleObject(type, Int32(g.coordinateCount), xs.baseAddress, ys.baseAddress, nil)
                }
            }
        } else {
            var xs = [Double](), ys = [Double](), starts = [Int32]()
            xs.reserveCapacity(g.coordinateCount)
            ys.reserveCapacity(g.coordinateCount)
            for p in 0..<g.partCount {
                for (k, r) in g.rings(ofPart: p).enumerated() {
                    starts.append(Int32(xs.count))
                    let range = g.coordinates(ofRing: r)
                    // Shapefile: exterior clockwise (negative area), holes counter-clockwise.
                    let reverse = type == SHPT_POLYGON && ((k == 0) == (g.doubleSignedArea(ofRing: r) > 0))
                    if reverse {
                        for i in range.reversed() { xs.append(g.x[i]); ys.append(g.y[i]) }
                    } else {
                        xs.append(contentsOf: g.x[range])
                        ys.append(contentsOf: g.y[range])
                    }
                }
            }
            object = SHPCreateObject(type, -1, Int32(starts.count), starts, nil, Int32(xs.count), xs, ys, nil, nil)
        }
        // NULL only when out of memory.
        guard let object else { throw GeoVoteError.io(path: file, reason: "cannot build shape \(index)") }
        defer { SHPDestroyObject(object) }
        // Returns the record number written, or -1 on failure.
        guard SHPWriteObject(shp, -1, object) >= 0 else {
            throw GeoVoteError.io(path: file, reason: "cannot write shape \(index) (disk full, or the file passed 2 GB)")
        }
    }

    // MARK: Attributes

    /// One field: its DBF definition and every cell's bytes, flat.
    struct FieldPlan {
        var name: String
        var nameBytes: [UInt8]
        var type: UInt8
        var width: Int
        var decimals: Int
        /// Cell bytes, one after the other; cell r is `data[ends[r - 1]..<ends[r]]`.
        var data: [UInt8]
        var ends: [Int]
        var isNull: [Bool]
    }

    /// The most fields a DBF header can describe (a 65,535-byte header of
    /// 32-byte descriptors; GDAL's limit too).
    public static let maximumFields = 2046

    private mutating func planFields(_ table: FeatureTable, file: String) throws -> [FieldPlan] {
        renamedFields = []
        guard table.columns.count <= Self.maximumFields else {
            throw GeoVoteError.unsupported("\(file): the layer has \(table.columns.count) fields; a DBF holds at most \(Self.maximumFields): keep fewer fields, or write GeoJSON or CSV")
        }
        var used = Set<[UInt8]>()
        var plans: [FieldPlan] = []
        for column in table.columns {
            guard var nameBytes = encoding.encode(column.name) else {
                throw GeoVoteError.malformed(DataLocation(file: file, field: column.name), reason: "field name cannot be written in \(encoding)")
            }
            if nameBytes.count > 10 || used.contains(nameBytes) {
                nameBytes = try uniqueName(column.name, used: used, file: file)
                renamedFields.append((column.name, encoding.decode(nameBytes) ?? column.name))
            }
            used.insert(nameBytes)
            var plan = try cells(column, file: file)
            plan.nameBytes = nameBytes
            plans.append(plan)
        }
        let recordLength = 1 + plans.reduce(0) { $0 + $1.width }
        guard recordLength <= 65_535 else {
            throw GeoVoteError.unsupported("\(file): the fields take \(recordLength) bytes a record; a DBF record holds at most 65,535: write GeoJSON or CSV")
        }
        return plans
    }

    private func uniqueName(_ name: String, used: Set<[UInt8]>, file: String) throws -> [UInt8] {
        for suffix in [""] + (1...9999).map({ "_\($0)" }) {
            var prefix = ""
            for c in name {
                let candidate = prefix + String(c)
                if (encoding.encode(candidate + suffix)?.count ?? 99) > 10 { break }
                prefix = candidate
            }
            if let bytes = encoding.encode(prefix + suffix), !used.contains(bytes) { return bytes }
        }
        throw GeoVoteError.unsupported("\(file): no free 10-byte name for field '\(name)'")
    }

    private func cells(_ column: Column, file: String) throws -> FieldPlan {
        func location(_ r: Int) -> DataLocation { DataLocation(file: file, record: r, field: column.name) }
        let n = column.values.count
        var data = [UInt8](), ends = [Int](), isNull = [Bool](repeating: false, count: n)
        ends.reserveCapacity(n)
        var type = UInt8(ascii: "C"), decimals = 0
        func close(_ r: Int, null: Bool) { isNull[r] = null; ends.append(data.count) }
        switch column.values {
        case let .text(values):
            for (r, v) in values.enumerated() {
                guard let v else { close(r, null: true); continue }
                let before = data.count
                if encoding == .utf8 {
                    data.append(contentsOf: v.utf8)
                } else {
                    guard let bytes = encoding.encode(v) else {
                        throw GeoVoteError.malformed(location(r), reason: "has a character that \(encoding) cannot encode")
                    }
                    data.append(contentsOf: bytes)
                }
                guard data.count - before <= 254 else {
                    throw GeoVoteError.malformed(location(r), reason: "is \(data.count - before) bytes in \(encoding); a DBF text field holds 254")
                }
                close(r, null: false)
            }
        case let .integer(values):
            type = UInt8(ascii: "N")
            for (r, v) in values.enumerated() {
                if let v { Self.appendDecimal(v, to: &data) }
                close(r, null: v == nil)
            }
        case let .real(values):
            type = UInt8(ascii: "N")
            for (r, v) in values.enumerated() {
                guard let v else { close(r, null: true); continue }
                guard v.isFinite else { throw GeoVoteError.malformed(location(r), reason: "is \(v); a DBF number must be finite") }
                // The shortest text that reads back to the same Double, read as
                // bytes (String.contains(String) goes through Foundation's
                // range(of:): 12 % of an end-to-end run).
                var text = Array("\(v)".utf8)
                if text.count > 2, text[text.count - 2] == UInt8(ascii: "."), text[text.count - 1] == UInt8(ascii: "0") { text.removeLast(2) }
                if !text.contains(UInt8(ascii: "e")), let dot = text.firstIndex(of: UInt8(ascii: ".")) {
                    decimals = max(decimals, text.count - dot - 1)
                }
                data.append(contentsOf: text)
                close(r, null: false)
            }
            if decimals == 0 { decimals = 1 }  // keeps the field a real for readers
        case let .logical(values):
            type = UInt8(ascii: "L")
            for (r, v) in values.enumerated() {
                if let v { data.append(UInt8(ascii: v ? "T" : "F")) }
                close(r, null: v == nil)
            }
        case let .date(values):
            type = UInt8(ascii: "D")
            for (r, v) in values.enumerated() {
                if let v { data.append(contentsOf: v.utf8) }
                close(r, null: v == nil)
            }
        }
        var width = 1, previous = 0
        for end in ends { width = max(width, end - previous); previous = end }
        if type == UInt8(ascii: "N") { width = max(width, decimals + 2) }
        if type == UInt8(ascii: "D") { width = 8 }
        guard width <= 255 else {
            throw GeoVoteError.malformed(DataLocation(file: file, field: column.name), reason: "needs a width of \(width); DBF allows 255")
        }
        return FieldPlan(name: column.name, nameBytes: [], type: type, width: width,
                         decimals: type == UInt8(ascii: "N") ? decimals : 0, data: data, ends: ends, isNull: isNull)
    }

    /// Appends the decimal digits of `v`.
    static func appendDecimal(_ v: Int64, to data: inout [UInt8]) {
        if v < 0 { data.append(UInt8(ascii: "-")) }
        var m = v.magnitude
        var digits: [UInt8] = []
        repeat { digits.append(UInt8(m % 10) + 0x30); m /= 10 } while m > 0
        data.append(contentsOf: digits.reversed())
    }

    private func writeAttributes(_ table: FeatureTable, plan: [FieldPlan], path: String, file: String) throws {
        var hooks = ShapelibHooks.inMemory
        // NULL when the file cannot be created.
        guard let dbf = DBFCreateLL(path, encoding.cpgName, &hooks) else {
            throw GeoVoteError.io(path: file, reason: "cannot be created")
        }
        defer { DBFClose(dbf) }
        if let date = lastModified {
            DBFSetLastModifiedDate(dbf, Int32(date.year - 1900), Int32(date.month), Int32(date.day))
        }
        for field in plan {
            let name = field.nameBytes.map { CChar(bitPattern: $0) } + [0]
            // Returns the field index, or -1 on failure.
            guard DBFAddNativeFieldType(dbf, name, CChar(bitPattern: field.type), Int32(field.width), Int32(field.decimals)) >= 0 else {
                throw GeoVoteError.io(path: file, reason: "cannot add field '\(field.name)' (width \(field.width))")
            }
        }
        if plan.isEmpty {
            // A DBF needs a field; GDAL writes FID in this case too.
            guard DBFAddNativeFieldType(dbf, "FID", CChar(UInt8(ascii: "N")), 11, 0) >= 0 else {
                throw GeoVoteError.io(path: file, reason: "cannot add field 'FID'")
            }
            for r in 0..<table.count where DBFWriteIntegerAttribute(dbf, Int32(r), 0, Int32(r)) == 0 {
                throw GeoVoteError.io(path: file, reason: "cannot write record \(r)")
            }
            return
        }
        // Each record assembled whole and written as one tuple: the deletion
        // flag, then every field, padded (text left-aligned, numbers
        // right-aligned as dBase writes them); a NULL is the type's marker
        // (shapelib's): '*' fill for numbers, '?' for logicals, zeros for
        // dates, blanks for text.
        let recordLength = 1 + plan.reduce(0) { $0 + $1.width }
        var record = [UInt8](repeating: 32, count: recordLength)
        for r in 0..<table.count {
            var at = 1
            for field in plan {
                let start = r == 0 ? 0 : field.ends[r - 1], end = field.ends[r]
                let length = end - start
                if field.isNull[r] {
                    let marker: UInt8 = switch field.type {
                    case UInt8(ascii: "N"): UInt8(ascii: "*")
                    case UInt8(ascii: "L"): UInt8(ascii: "?")
                    case UInt8(ascii: "D"): UInt8(ascii: "0")
                    default: 32
                    }
                    for k in 0..<field.width { record[at + k] = marker }
                } else if field.type == UInt8(ascii: "N") {
                    let pad = field.width - length
                    for k in 0..<pad { record[at + k] = 32 }
                    for k in 0..<length { record[at + pad + k] = field.data[start + k] }
                } else {
                    for k in 0..<length { record[at + k] = field.data[start + k] }
                    for k in length..<field.width { record[at + k] = 32 }
                }
                at += field.width
            }
            // Returns 0 on failure.
            let ok = record.withUnsafeMutableBytes { DBFWriteTuple(dbf, Int32(r), $0.baseAddress) }
            guard ok != 0 else { throw GeoVoteError.io(path: file, reason: "cannot write record \(r)") }
        }
    }
}

extension TextEncoding {
    /// The name written in a `.cpg` (what ArcGIS and GDAL read).
    var cpgName: String {
        switch self {
        case .utf8: "UTF-8"
        case .windows1256: "1256"
        case .iso8859_6: "ISO-8859-6"
        case .windows1252: "1252"
        case .iso8859_1: "ISO-8859-1"
        }
    }
}
