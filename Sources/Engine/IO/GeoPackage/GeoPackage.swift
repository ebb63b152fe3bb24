internal import CProj
import Foundation

/// OGC GeoPackage 1.3 (an SQLite file) as a layer store: read a feature
/// table into a ``FeatureTable``, write one as a new or replaced layer.
///
/// ```swift
/// try GeoPackage.write(communes, to: "morocco.gpkg", layer: "communes")
/// let back = try GeoPackage.read("morocco.gpkg", layer: "communes")
/// GeoPackage.layers(in: "morocco.gpkg")   // ["communes"]
/// ```
///
/// What is written: the required `gpkg_spatial_ref_sys` (with its three
/// default rows), `gpkg_contents` and `gpkg_geometry_columns`; the feature
/// table (`fid INTEGER PRIMARY KEY AUTOINCREMENT`, `geom`, then the columns:
/// integers as INTEGER, reals as REAL, text as TEXT, logical as BOOLEAN,
/// dates as DATE `YYYY-MM-DD`); geometries as GeoPackage binary (a
/// little-endian header with srs_id and the [minX, maxX, minY, maxY]
/// envelope — none for points and empty geometries, as GDAL writes them —
/// then GEOS's WKB); the R-tree spatial index (`rtree_<table>_geom`, the
/// `gpkg_rtree_index` extension), bulk-loaded (sort-tile-recursive packing
/// written to SQLite's shadow tables, `RTreeBulkLoad`), with the extension's
/// standard triggers so that other writers (GDAL, QGIS) keep it current.
/// GeoVote's own connections register `ST_IsEmpty`, `ST_MinX`, `ST_MaxX`,
/// `ST_MinY` and `ST_MaxY`, which the triggers call. One transaction per
/// layer, prepared statements, WAL journal with a checkpoint on close.
///
/// Replacing: writing a layer that exists replaces it (its table, index
/// and metadata rows) in one transaction, leaving every other table —
/// GDAL's, QGIS's, unknown ones — as it was. A new file is written under a
/// temporary name and renamed into place, so a failed write leaves nothing.
public enum GeoPackage {
    /// The feature and attribute tables of a GeoPackage, in `gpkg_contents` order.
    public static func layers(in path: String) throws -> [String] {
        let db = try open(path, readOnly: true)
        return try db.rows("SELECT table_name FROM gpkg_contents WHERE data_type IN ('features', 'attributes') ORDER BY rowid").compactMap { $0[0] }
    }

    static func open(_ path: String, readOnly: Bool) throws -> SQLiteDatabase {
        guard FileManager.default.fileExists(atPath: path) else { throw GeoVoteError.io(path: path, reason: "no such file") }
        let db = try SQLiteDatabase(path: path, readOnly: readOnly)
        do {
            _ = try db.rows("SELECT count(*) FROM sqlite_master")
        } catch {
            throw GeoVoteError.malformed(DataLocation(file: path), reason: "is not an SQLite database (a GeoPackage is one)")
        }
        guard try db.scalarInt("SELECT count(*) FROM sqlite_master WHERE name = 'gpkg_contents'") == 1 else {
            throw GeoVoteError.malformed(DataLocation(file: path), reason: "is SQLite but not a GeoPackage: it has no gpkg_contents table")
        }
        return db
    }

    /// Reads one layer: `layer` or, when nil, the only one.
    /// - Throws: when the layer is absent (naming those there are), a
    ///   geometry blob is malformed (naming its fid), a CRS unknown.
    public static func read(_ path: String, layer: String? = nil) throws -> FeatureTable {
        let db = try open(path, readOnly: true)
        let names = try db.rows("SELECT table_name, data_type FROM gpkg_contents WHERE data_type IN ('features', 'attributes') ORDER BY rowid")
        let chosen: String
        if let layer {
            guard names.contains(where: { $0[0] == layer }) else {
                throw GeoVoteError.invalidArgument("\(path) has no layer '\(layer)'; layers: \(names.compactMap { $0[0] }.joined(separator: ", "))")
            }
            chosen = layer
        } else {
            guard names.count == 1, let only = names[0][0] else {
                throw GeoVoteError.invalidArgument("\(path) holds \(names.count) layers (\(names.compactMap { $0[0] }.joined(separator: ", "))): name one as \(path):LAYER")
            }
            chosen = only
        }
        let file = "\(path):\(chosen)"
        let geometryRow = try db.rows("SELECT column_name, srs_id FROM gpkg_geometry_columns WHERE table_name = ?", [chosen]).first
        let geometryColumn = geometryRow?[0]
        var crs: CoordinateReferenceSystem?
        if let srs = geometryRow?[1].flatMap({ Int64($0) }), srs > 0 {
            crs = try referenceSystem(db, srs, file: file)
        }
        // Columns in table order; the primary key (fid) is not an attribute.
        let info = try db.rows("SELECT name, type, pk FROM pragma_table_info(?)", [chosen])
        let attributes = info.filter { $0[2] == "0" && $0[0] != geometryColumn }
        let key = info.first { $0[2] == "1" }?[0]
        let selected = attributes.map { quoted($0[0]!) } + (geometryColumn.map { [quoted($0)] } ?? [])
        let order = key.map { " ORDER BY \(quoted($0))" } ?? ""
        let statement = try db.prepare("SELECT \((selected.isEmpty ? ["NULL"] : selected).joined(separator: ", ")) FROM \(quoted(chosen))\(order)")
        enum Kind { case integer, real, text, logical, date }
        let kinds: [Kind] = attributes.map { row in
            let t = (row[1] ?? "").uppercased()
            if ["INTEGER", "INT", "MEDIUMINT", "SMALLINT", "TINYINT"].contains(t) { return .integer }
            if ["REAL", "DOUBLE", "FLOAT"].contains(t) { return .real }
            if t == "BOOLEAN" { return .logical }
            if t == "DATE" { return .date }
            return .text
        }
        var ints = [[Int64?]](repeating: [], count: attributes.count), reals = [[Double?]](repeating: [], count: attributes.count)
        var texts = [[String?]](repeating: [], count: attributes.count), bools = [[Bool?]](repeating: [], count: attributes.count)
        var blobs: [[UInt8]?] = []
        var row = 0
        while try statement.step() {
            for (c, kind) in kinds.enumerated() {
                let location = DataLocation(file: file, record: row, field: attributes[c][0])
                switch kind {
                case .integer:
                    if statement.isNull(c) { ints[c].append(nil) } else if statement.type(c) == 1 { ints[c].append(statement.int64(c)) } else {
                        throw GeoVoteError.malformed(DataLocation(file: location.file, record: row, field: location.field, value: statement.text(c)),
                                                     reason: "is not an integer, in an INTEGER column")
                    }
                case .real:
                    if statement.isNull(c) { reals[c].append(nil) } else if [1, 2].contains(statement.type(c)) { reals[c].append(statement.double(c)) } else {
                        throw GeoVoteError.malformed(DataLocation(file: location.file, record: row, field: location.field, value: statement.text(c)),
                                                     reason: "is not a number, in a REAL column")
                    }
                case .logical:
                    bools[c].append(statement.isNull(c) ? nil : statement.int64(c) != 0)
                case .text, .date:
                    if let bytes = statement.textBytes(c) {
                        guard let s = String(validating: bytes, as: UTF8.self) else {
                            throw GeoVoteError.textEncoding(location, .invalidBytes(.utf8, line: nil))
                        }
                        texts[c].append(kind == .date ? s.replacingOccurrences(of: "-", with: "").prefix(8).description : s)
                    } else {
                        texts[c].append(nil)
                    }
                }
            }
            if geometryColumn != nil { blobs.append(statement.blob(attributes.count)) }
            row += 1
        }
        let columns: [Column] = attributes.enumerated().map { c, a in
            let name = a[0]!
            switch kinds[c] {
            case .integer: return Column(name: name, values: .integer(ints[c]))
            case .real: return Column(name: name, values: .real(reals[c]))
            case .logical: return Column(name: name, values: .logical(bools[c]))
            case .date: return Column(name: name, values: .date(texts[c]))
            case .text: return Column(name: name, values: .text(texts[c]))
            }
        }
        let geometries: [Geometry]
        if geometryColumn == nil {
            geometries = [Geometry](repeating: .empty(.point), count: row)
        } else {
            let raw = blobs
            geometries = try GeometryEngine.map(count: raw.count, file: file) { engine, i in
                guard let blob = raw[i], !blob.isEmpty else { return Geometry.empty(.point) }
                do {
                    return try blob.withUnsafeBytes { raw -> Geometry in
                        let header = try GeoPackageBinary.Header(raw)
                        return try engine.geometry(wkb: Array(blob[header.size...]))
                    }
                } catch let problem as GeoPackageBinary.Problem {
                    throw GeoVoteError.malformed(DataLocation(file: file, record: i, field: geometryColumn), reason: problem.description)
                } catch let GeoVoteError.malformed(_, reason) {
                    throw GeoVoteError.malformed(DataLocation(file: file, record: i, field: geometryColumn), reason: reason)
                }
            }
        }
        return FeatureTable(geometries: geometries, columns: columns, crs: crs, sourceEncoding: .utf8)
    }

    static func referenceSystem(_ db: SQLiteDatabase, _ srs: Int64, file: String) throws -> CoordinateReferenceSystem? {
        guard let row = try db.rows("SELECT organization, organization_coordsys_id, definition FROM gpkg_spatial_ref_sys WHERE srs_id = ?", [String(srs)]).first else {
            throw GeoVoteError.malformed(DataLocation(file: file), reason: "uses srs_id \(srs), which gpkg_spatial_ref_sys does not define")
        }
        if row[0]?.uppercased() == "EPSG", let code = row[1].flatMap({ Int($0) }), let crs = try? CoordinateReferenceSystem(epsg: code) { return crs }
        guard let definition = row[2], !definition.isEmpty, definition.lowercased() != "undefined" else { return nil }
        do {
            return try CoordinateReferenceSystem(definition: definition)
        } catch {
            throw GeoVoteError.malformed(DataLocation(file: file, value: String(definition.prefix(60))), reason: "is a CRS definition PROJ cannot read")
        }
    }

    static func quoted(_ name: String) -> String { "\"" + name.replacingOccurrences(of: "\"", with: "\"\"") + "\"" }
}

extension CoordinateReferenceSystem {
    /// WKT1 as GDAL writes it: what `gpkg_spatial_ref_sys.definition` holds.
    var wkt1: String {
        let context = ProjContext()
        guard let object = try? context.create(definition),
              let text = proj_as_wkt(context.handle, object.pointer, PJ_WKT1_GDAL, nil) else { return esriWKT }
        return String(cString: text)
    }
}
