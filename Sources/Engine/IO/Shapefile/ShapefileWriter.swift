import CShapelib
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

    public mutating func write(_ table: FeatureTable, to path: String) throws {
        let paths = ShapefilePaths(path)
        let shapeType = try Self.shapeType(for: table)
        try FileManager.default.createDirectory(
            atPath: (paths.base as NSString).deletingLastPathComponent.isEmpty ? "." : (paths.base as NSString).deletingLastPathComponent,
            withIntermediateDirectories: true)
        let fieldPlan = try planFields(table, file: paths.dbf)

        // NULL when the files cannot be created.
        guard let shp = SHPCreate(paths.shp, shapeType) else {
            throw GeoVoteError.io(path: paths.shp, reason: "cannot be created")
        }
        do {
            defer { SHPClose(shp) }
            for (i, g) in table.geometries.enumerated() {
                try writeShape(g, index: i, type: shapeType, to: shp, file: paths.shp)
            }
        }
        try writeAttributes(table, plan: fieldPlan, path: paths.dbf)
        // shapelib writes a .cpg only for some code pages; write ours always.
        try write(text: encoding.cpgName + "\n", to: paths.cpg)
        if let crs = table.crs {
            try write(text: crs.esriWKT, to: paths.prj)
        } else if FileManager.default.fileExists(atPath: paths.prj) {
            try? FileManager.default.removeItem(atPath: paths.prj)
        }
    }

    private func write(text: String, to path: String) throws {
        do {
            try text.write(toFile: path, atomically: false, encoding: .utf8)
        } catch {
            throw GeoVoteError.io(path: path, reason: "cannot be written: \(error.localizedDescription)")
        }
    }

    static func shapeType(for table: FeatureTable) throws -> Int32 {
        let kinds = Set(table.geometryKinds)
        if kinds.isEmpty { return SHPT_POLYGON }
        if kinds == [.point] { return SHPT_POINT }
        if kinds.isSubset(of: [.point, .multiPoint]) { return SHPT_MULTIPOINT }
        if kinds.isSubset(of: [.lineString, .multiLineString]) { return SHPT_ARC }
        if kinds.isSubset(of: [.polygon, .multiPolygon]) { return SHPT_POLYGON }
        throw GeoVoteError.unsupported(
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

    struct FieldPlan {
        var name: String
        var nameBytes: [UInt8]
        var type: UInt8
        var width: Int
        var decimals: Int
        /// The encoded, padded field text per record; nil writes a NULL.
        var cells: [[UInt8]?]
    }

    private mutating func planFields(_ table: FeatureTable, file: String) throws -> [FieldPlan] {
        renamedFields = []
        var used = Set<[UInt8]>()
        var plans: [FieldPlan] = []
        for column in table.columns {
            guard var nameBytes = encoding.encode(column.name) else {
                throw GeoVoteError.malformed(DataLocation(file: file, field: column.name), reason: "field name cannot be written in \(encoding)")
            }
            if nameBytes.count > 10 || used.contains(nameBytes) {
                nameBytes = uniqueName(column.name, used: used)
                renamedFields.append((column.name, encoding.decode(nameBytes) ?? column.name))
            }
            used.insert(nameBytes)
            var plan = try cells(column, file: file)
            plan.nameBytes = nameBytes
            plans.append(plan)
        }
        return plans
    }

    private func uniqueName(_ name: String, used: Set<[UInt8]>) -> [UInt8] {
        for suffix in [""] + (1...9999).map({ "_\($0)" }) {
            var prefix = ""
            for c in name {
                let candidate = prefix + String(c)
                if (encoding.encode(candidate + suffix)?.count ?? 99) > 10 { break }
                prefix = candidate
            }
            if let bytes = encoding.encode(prefix + suffix), !used.contains(bytes) { return bytes }
        }
        preconditionFailure("no unique field name")
    }

    private func cells(_ column: Column, file: String) throws -> FieldPlan {
        func location(_ r: Int) -> DataLocation { DataLocation(file: file, record: r, field: column.name) }
        var cells: [[UInt8]?] = []
        var type = UInt8(ascii: "C"), width = 1, decimals = 0
        switch column.values {
        case let .text(values):
            cells = try values.enumerated().map { r, v in
                guard let v else { return nil }
                guard let bytes = encoding.encode(v) else {
                    throw GeoVoteError.malformed(location(r), reason: "has a character that \(encoding) cannot encode")
                }
                guard bytes.count <= 254 else {
                    throw GeoVoteError.malformed(location(r), reason: "is \(bytes.count) bytes in \(encoding); a DBF text field holds 254")
                }
                return bytes
            }
        case let .integer(values):
            type = UInt8(ascii: "N")
            cells = values.map { $0.map { Array(String($0).utf8) } }
        case let .real(values):
            type = UInt8(ascii: "N")
            cells = try values.enumerated().map { r, v in
                guard let v else { return nil }
                guard v.isFinite else { throw GeoVoteError.malformed(location(r), reason: "is \(v); a DBF number must be finite") }
                var text = "\(v)"  // shortest text that reads back to the same Double
                if text.hasSuffix(".0") { text.removeLast(2) }
                if !text.contains("e"), let dot = text.firstIndex(of: ".") {
                    decimals = max(decimals, text.distance(from: dot, to: text.endIndex) - 1)
                }
                return Array(text.utf8)
            }
            if decimals == 0 { decimals = 1 }  // keeps the field a real for readers
        case let .logical(values):
            type = UInt8(ascii: "L")
            cells = values.map { $0.map { [UInt8(ascii: $0 ? "T" : "F")] } }
        case let .date(values):
            type = UInt8(ascii: "D")
            cells = values.map { $0.map { Array($0.utf8) } }
        }
        width = max(width, cells.reduce(1) { max($0, $1?.count ?? 0) })
        if type == UInt8(ascii: "N") {
            width = max(width, decimals + 2)
            // Numbers are right-aligned, as dBase writes them.
            cells = cells.map { $0.map { [UInt8](repeating: 32, count: width - $0.count) + $0 } }
        }
        if type == UInt8(ascii: "D") { width = 8 }
        guard width <= 255 else {
            throw GeoVoteError.malformed(DataLocation(file: file, field: column.name), reason: "needs a width of \(width); DBF allows 255")
        }
        return FieldPlan(name: column.name, nameBytes: [], type: type, width: width, decimals: type == UInt8(ascii: "N") ? decimals : 0, cells: cells)
    }

    private func writeAttributes(_ table: FeatureTable, plan: [FieldPlan], path: String) throws {
        // NULL when the file cannot be created.
        guard let dbf = DBFCreateEx(path, encoding.cpgName) else {
            throw GeoVoteError.io(path: path, reason: "cannot be created")
        }
        defer { DBFClose(dbf) }
        if let date = lastModified {
            DBFSetLastModifiedDate(dbf, Int32(date.year - 1900), Int32(date.month), Int32(date.day))
        }
        for field in plan {
            let name = field.nameBytes.map { CChar(bitPattern: $0) } + [0]
            // Returns the field index, or -1 on failure.
            guard DBFAddNativeFieldType(dbf, name, CChar(bitPattern: field.type), Int32(field.width), Int32(field.decimals)) >= 0 else {
                throw GeoVoteError.io(path: path, reason: "cannot add field '\(field.name)' (width \(field.width))")
            }
        }
        if plan.isEmpty {
            // A DBF needs a field; GDAL writes FID in this case too.
            guard DBFAddNativeFieldType(dbf, "FID", CChar(UInt8(ascii: "N")), 11, 0) >= 0 else {
                throw GeoVoteError.io(path: path, reason: "cannot add field 'FID'")
            }
            for r in 0..<table.count where DBFWriteIntegerAttribute(dbf, Int32(r), 0, Int32(r)) == 0 {
                throw GeoVoteError.io(path: path, reason: "cannot write record \(r)")
            }
            return
        }
        for r in 0..<table.count {
            for (f, field) in plan.enumerated() {
                let ok: Int32
                if var cell = field.cells[r] {
                    cell.append(0)
                    // Copies the text as is (no formatting); returns 0 on failure.
                    ok = cell.withUnsafeMutableBytes { DBFWriteAttributeDirectly(dbf, Int32(r), Int32(f), $0.baseAddress) }
                } else {
                    // Writes the type's NULL marker; returns 0 on failure.
                    ok = DBFWriteNULLAttribute(dbf, Int32(r), Int32(f))
                }
                guard ok != 0 else {
                    throw GeoVoteError.io(path: path, reason: "cannot write record \(r), field '\(field.name)'")
                }
            }
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
