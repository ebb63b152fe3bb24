import Foundation

extension GeoPackage {
    /// The `application_id` ("GPKG") and `user_version` (10300: 1.3) of a GeoPackage.
    static let applicationID: Int32 = 0x4750_4B47
    static let userVersion = 10300

    /// Writes `table` as layer `layer` (a new file, or a new or replaced
    /// layer in an existing GeoPackage). Returns notes for the user.
    /// - Throws: `GeoVoteError` for a file that is not a GeoPackage, a name
    ///   SQLite or GeoPackage refuses, a geometry GEOS cannot encode.
    @discardableResult
    /// - Parameter provenance: what produced the layer, recorded in the
    ///   `geovote_analyses` table (layer, command, parameters, inputs,
    ///   GeoVote version, UTC time); nil removes an old record of the layer.
    public static func write(_ table: FeatureTable, to path: String, layer: String, provenance: Provenance? = nil,
                             workers: Int = Parallel.defaultWorkerCount) throws -> [String] {
        guard !layer.isEmpty, !["gpkg_", "rtree_", "sqlite_", "geovote_"].contains(where: layer.lowercased().hasPrefix) else {
            throw GeoVoteError.invalidArgument("'\(layer)' cannot name a GeoPackage layer (empty, or a gpkg_, rtree_, sqlite_ or geovote_ name)")
        }
        var seen = Set<String>(["fid", "geom"])
        for column in table.columns where !seen.insert(column.name.lowercased()).inserted {
            throw GeoVoteError.invalidArgument("\(path): column '\(column.name)' appears twice (names are case-insensitive in SQLite; fid and geom are GeoPackage's)")
        }
        // Geometry blobs first, in parallel; nothing is written if one fails.
        let (blobs, srs) = try encode(table, file: path, workers: workers)
        if FileManager.default.fileExists(atPath: path) {
            try update(path) { db in
                try refuseElectionLayer(layer, in: db, path: path)
                try writeLayer(table, blobs: blobs, srs: srs, layer: layer, provenance: provenance, into: db)
            }
        } else {
            try create(path) { db in
                try writeLayer(table, blobs: blobs, srs: srs, layer: layer, provenance: provenance, into: db)
            }
        }
        return []
    }

    /// An election database's level layers are replaced only by `db import --replace`
    /// (or `db aggregate --replace`), which keep the results tables in step.
    static func refuseElectionLayer(_ layer: String, in db: SQLiteDatabase, path: String) throws {
        guard try db.scalarInt("SELECT count(*) FROM sqlite_master WHERE name = 'geovote_levels'") == 1,
              let row = try db.rows("SELECT election, level FROM geovote_levels WHERE lower(layer) = lower(?)", [layer]).first else { return }
        throw GeoVoteError.invalidArgument("\(path):\(layer) is level \(row[1] ?? "") of election \(row[0] ?? "") in this election database: write to another layer ('geovote db import --replace' replaces a level)")
    }

    /// The GeoPackage binary geometry of each feature (nil when empty) and the layer's reference system.
    static func encode(_ table: FeatureTable, file: String, workers: Int = Parallel.defaultWorkerCount) throws -> (blobs: [[UInt8]?], srs: ReferenceSystem) {
        let srs = try srsID(table.crs)
        let blobs = try GeometryEngine.map(table.geometries, workers: workers, file: file) { engine, g -> [UInt8]? in
            if g.isEmpty { return nil }
            return GeoPackageBinary.encode(wkb: try engine.wkb(g), srsID: Int32(srs.id), box: g.boundingBox, point: g.kind == .point)
        }
        return (blobs, srs)
    }

    /// Changes an existing GeoPackage in one transaction (WAL journal,
    /// checkpoint after): `body` lands whole or not at all.
    static func update(_ path: String, _ body: (SQLiteDatabase) throws -> Void) throws {
        let db = try open(path, readOnly: false)
        try db.registerGeoPackageFunctions()
        try db.execute("PRAGMA journal_mode = WAL")
        try db.execute("BEGIN IMMEDIATE")
        do {
            try body(db)
            try db.execute("COMMIT")
        } catch {
            try? db.execute("ROLLBACK")
            throw error
        }
        try db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    }

    /// Writes a new GeoPackage (the required tables, then `body`) under a
    /// temporary name and renames it into place: a failure leaves nothing.
    static func create(_ path: String, _ body: (SQLiteDatabase) throws -> Void) throws {
        try AtomicFile.checkWritable(path)
        let tmp = AtomicFile.temporaryPath(beside: path)
        AtomicFile.track(tmp)
        defer { AtomicFile.untrack(tmp) }
        do {
            do {
                let db = try SQLiteDatabase(path: tmp, create: true)
                try db.registerGeoPackageFunctions()
                // A new file under a temporary name: a crash leaves only the
                // temporary file, so SQLite needs neither a journal nor syncs
                // while it is written (one fsync before the rename). Existing
                // files are written in WAL mode, in a transaction.
                try db.execute("PRAGMA application_id = \(applicationID); PRAGMA user_version = \(userVersion); PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF; PRAGMA cache_size = -65536")
                try db.execute("BEGIN")
                try createRequiredTables(db)
                try body(db)
                try db.execute("COMMIT")
                try db.execute("PRAGMA journal_mode = DELETE")
                try db.syncToDisk()
            }
            for suffix in ["-wal", "-shm"] { unlink(tmp + suffix) }
            try AtomicFile.commit(tmp, to: path)
        } catch {
            for suffix in ["", "-wal", "-shm", "-journal"] { unlink(tmp + suffix) }
            throw error
        }
    }

    struct ReferenceSystem {
        var id: Int
        var name: String
        var organization: String
        var code: Int
        var definition: String
    }

    /// The srs_id of a CRS: its EPSG code when it has one, else 100000 and up.
    static func srsID(_ crs: CoordinateReferenceSystem?) throws -> ReferenceSystem {
        guard let crs else { return ReferenceSystem(id: -1, name: "Undefined cartesian SRS", organization: "NONE", code: -1, definition: "undefined") }
        if let id = crs.identifier, id.uppercased().hasPrefix("EPSG:"), let code = Int(id.dropFirst(5)) {
            return ReferenceSystem(id: code, name: crs.name, organization: "EPSG", code: code, definition: crs.wkt1)
        }
        return ReferenceSystem(id: 100_000, name: crs.name, organization: "NONE", code: 100_000, definition: crs.wkt1)
    }

    static func createRequiredTables(_ db: SQLiteDatabase) throws {
        try db.execute("""
        CREATE TABLE gpkg_spatial_ref_sys (srs_name TEXT NOT NULL, srs_id INTEGER NOT NULL PRIMARY KEY, organization TEXT NOT NULL,
          organization_coordsys_id INTEGER NOT NULL, definition TEXT NOT NULL, description TEXT);
        INSERT INTO gpkg_spatial_ref_sys VALUES ('Undefined cartesian SRS', -1, 'NONE', -1, 'undefined', 'undefined cartesian coordinate reference system');
        INSERT INTO gpkg_spatial_ref_sys VALUES ('Undefined geographic SRS', 0, 'NONE', 0, 'undefined', 'undefined geographic coordinate reference system');
        INSERT INTO gpkg_spatial_ref_sys VALUES ('WGS 84 geodetic', 4326, 'EPSG', 4326, '\(CoordinateReferenceSystem.wgs84.wkt1.replacingOccurrences(of: "'", with: "''"))', 'longitude/latitude coordinates in decimal degrees on the WGS 84 spheroid');
        CREATE TABLE gpkg_contents (table_name TEXT NOT NULL PRIMARY KEY, data_type TEXT NOT NULL, identifier TEXT UNIQUE, description TEXT DEFAULT '',
          last_change DATETIME NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')), min_x DOUBLE, min_y DOUBLE, max_x DOUBLE, max_y DOUBLE,
          srs_id INTEGER, CONSTRAINT fk_gc_r_srs_id FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys(srs_id));
        CREATE TABLE gpkg_geometry_columns (table_name TEXT NOT NULL, column_name TEXT NOT NULL, geometry_type_name TEXT NOT NULL, srs_id INTEGER NOT NULL,
          z TINYINT NOT NULL, m TINYINT NOT NULL, CONSTRAINT pk_geom_cols PRIMARY KEY (table_name, column_name),
          CONSTRAINT uk_gc_table_name UNIQUE (table_name), CONSTRAINT fk_gc_tn FOREIGN KEY (table_name) REFERENCES gpkg_contents(table_name),
          CONSTRAINT fk_gc_srs FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys (srs_id));
        """)
    }

    static func geometryTypeName(_ table: FeatureTable) -> String {
        let kinds = table.geometryKinds
        guard kinds.count == 1 else { return "GEOMETRY" }
        switch kinds[0] {
        case .point: return "POINT"
        case .multiPoint: return "MULTIPOINT"
        case .lineString: return "LINESTRING"
        case .multiLineString: return "MULTILINESTRING"
        case .polygon: return "POLYGON"
        case .multiPolygon: return "MULTIPOLYGON"
        }
    }

    /// The old layer out, the new one in, its index built (inside the
    /// caller's transaction: `update` or `create`).
    static func writeLayer(_ table: FeatureTable, blobs: [[UInt8]?], srs: ReferenceSystem, layer: String, provenance: Provenance?, into db: SQLiteDatabase) throws {
        let t = quoted(layer), rtree = quoted("rtree_\(layer)_geom")
        // Replace: the old table, its index, its rows in the metadata tables.
        if try db.scalarInt("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = '\(layer.replacingOccurrences(of: "'", with: "''"))'") ?? 0 > 0 {
            try db.execute("DROP TABLE IF EXISTS \(rtree); DROP TABLE \(t)")
        }
        for metadata in ["gpkg_geometry_columns", "gpkg_contents"] {
            let statement = try db.prepare("DELETE FROM \(metadata) WHERE table_name = ?")
            try statement.bind(1, text: layer)
            try statement.run()
        }
        if try db.scalarInt("SELECT count(*) FROM sqlite_master WHERE name = 'gpkg_extensions'") == 1 {
            let statement = try db.prepare("DELETE FROM gpkg_extensions WHERE table_name = ?")
            try statement.bind(1, text: layer)
            try statement.run()
        }
        if srs.id > 0, try db.scalarInt("SELECT count(*) FROM gpkg_spatial_ref_sys WHERE srs_id = \(srs.id)") == 0 {
            let statement = try db.prepare("INSERT INTO gpkg_spatial_ref_sys (srs_name, srs_id, organization, organization_coordsys_id, definition) VALUES (?, ?, ?, ?, ?)")
            try statement.bind(1, text: srs.name); try statement.bind(2, int64: Int64(srs.id)); try statement.bind(3, text: srs.organization)
            try statement.bind(4, int64: Int64(srs.code)); try statement.bind(5, text: srs.definition)
            try statement.run()
        }
        func sqlType(_ v: ColumnValues) -> String {
            switch v {
            case .integer: "INTEGER"
            case .real: "REAL"
            case .text: "TEXT"
            case .logical: "BOOLEAN"
            case .date: "DATE"
            }
        }
        let typeName = geometryTypeName(table)
        let definitions = ["fid INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL", "geom \(typeName)"] + table.columns.map { "\(quoted($0.name)) \(sqlType($0.values))" }
        try db.execute("CREATE TABLE \(t) (\(definitions.joined(separator: ", ")))")
        let placeholders = Array(repeating: "?", count: table.columns.count + 1).joined(separator: ", ")
        var fids: [Int64] = []
        fids.reserveCapacity(table.count)
        let insert = try db.prepare("INSERT INTO \(t) (geom\(table.columns.map { ", " + quoted($0.name) }.joined())) VALUES (\(placeholders))")
        // One binder per column, its values' type matched once, not per cell.
        let binders: [(Int) throws -> Void] = table.columns.enumerated().map { c, column in
            switch column.values {
            case let .integer(v): return { i in try insert.bind(c + 2, int64: v[i]) }
            case let .real(v): return { i in try insert.bind(c + 2, double: v[i]) }
            case let .text(v): return { i in try insert.bind(c + 2, text: v[i]) }
            case let .logical(v): return { i in try insert.bind(c + 2, int64: v[i].map { $0 ? 1 : 0 }) }
            case let .date(v):
                return { i in try insert.bind(c + 2, text: v[i].map { d in d.count == 8 ? "\(d.prefix(4))-\(d.dropFirst(4).prefix(2))-\(d.suffix(2))" : d }) }
            }
        }
        for i in 0..<table.count {
            try insert.bind(1, blob: blobs[i])
            for bind in binders { try bind(i) }
            try insert.run()
            fids.append(db.lastRowID)
        }
        let box = table.boundingBox
        let contents = try db.prepare("INSERT INTO gpkg_contents (table_name, data_type, identifier, min_x, min_y, max_x, max_y, srs_id) VALUES (?, 'features', ?, ?, ?, ?, ?, ?)")
        try contents.bind(1, text: layer); try contents.bind(2, text: layer)
        try contents.bind(3, double: box?.minX); try contents.bind(4, double: box?.minY); try contents.bind(5, double: box?.maxX); try contents.bind(6, double: box?.maxY)
        try contents.bind(7, int64: Int64(srs.id))
        try contents.run()
        let columns = try db.prepare("INSERT INTO gpkg_geometry_columns VALUES (?, 'geom', ?, ?, 0, 0)")
        try columns.bind(1, text: layer); try columns.bind(2, text: typeName); try columns.bind(3, int64: Int64(srs.id))
        try columns.run()
        try spatialIndex(table, fids: fids, layer: layer, into: db)
        try record(provenance, layer: layer, into: db)
    }

    /// The `geovote_analyses` row of a layer (a table of GeoVote's own, not
    /// registered in gpkg_contents, which GeoPackage allows).
    static func record(_ provenance: Provenance?, layer: String, into db: SQLiteDatabase) throws {
        try db.execute("""
        CREATE TABLE IF NOT EXISTS geovote_analyses (layer TEXT PRIMARY KEY NOT NULL, command TEXT NOT NULL, parameters TEXT NOT NULL,
          inputs TEXT NOT NULL, geovote_version TEXT NOT NULL, created TEXT NOT NULL)
        """)
        let delete = try db.prepare("DELETE FROM geovote_analyses WHERE layer = ?")
        try delete.bind(1, text: layer)
        try delete.run()
        guard let provenance else { return }
        let insert = try db.prepare("INSERT INTO geovote_analyses VALUES (?, ?, ?, ?, ?, strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))")
        try insert.bind(1, text: layer); try insert.bind(2, text: provenance.command); try insert.bind(3, text: provenance.parameters)
        try insert.bind(4, text: provenance.inputs.joined(separator: ";")); try insert.bind(5, text: GeoVoteVersion.string)
        try insert.run()
    }

    /// What produced each analysis layer of a GeoPackage, from `geovote_analyses` (empty when it has none).
    public static func analyses(in path: String) throws -> [(layer: String, provenance: Provenance, version: String, created: String)] {
        let db = try open(path, readOnly: true)
        guard try db.scalarInt("SELECT count(*) FROM sqlite_master WHERE name = 'geovote_analyses'") == 1 else { return [] }
        return try db.rows("SELECT layer, command, parameters, inputs, geovote_version, created FROM geovote_analyses ORDER BY rowid").map { r in
            (r[0] ?? "", Provenance(command: r[1] ?? "", parameters: r[2] ?? "", inputs: (r[3] ?? "").split(separator: ";").map(String.init)), r[4] ?? "", r[5] ?? "")
        }
    }

    /// The R-tree extension: the virtual table, filled from the geometries'
    /// boxes, and the extension's triggers (OGC 12-128r18, F.3).
    static func spatialIndex(_ table: FeatureTable, fids: [Int64], layer: String, into db: SQLiteDatabase) throws {
        let t = quoted(layer), r = "rtree_\(layer)_geom", rq = quoted("rtree_\(layer)_geom")
        try db.execute("""
        CREATE TABLE IF NOT EXISTS gpkg_extensions (table_name TEXT, column_name TEXT, extension_name TEXT NOT NULL, definition TEXT NOT NULL,
          scope TEXT NOT NULL, CONSTRAINT ge_tce UNIQUE (table_name, column_name, extension_name))
        """)
        let ext = try db.prepare("INSERT INTO gpkg_extensions VALUES (?, 'geom', 'gpkg_rtree_index', 'http://www.geopackage.org/spec120/#extension_rtree', 'write-only')")
        try ext.bind(1, text: layer)
        try ext.run()
        try db.execute("CREATE VIRTUAL TABLE \(rq) USING rtree(id, minx, maxx, miny, maxy)")
        // Packed in one pass and written to the shadow tables (RTreeBulkLoad), not inserted box by box.
        let entries = table.geometries.enumerated().compactMap { i, g -> RTreeBulkLoad.Entry? in
            guard let box = g.boundingBox else { return nil }
            return RTreeBulkLoad.Entry(id: fids[i], minX: RTreeBulkLoad.down(box.minX), maxX: RTreeBulkLoad.up(box.maxX),
                                       minY: RTreeBulkLoad.down(box.minY), maxY: RTreeBulkLoad.up(box.maxY))
        }
        try RTreeBulkLoad.fill(r, entries: entries, into: db)
        let g = "\"geom\"", i = "\"fid\""
        func trigger(_ name: String, _ body: String) throws {
            try db.execute("CREATE TRIGGER \(quoted("\(r)_\(name)")) \(body)")
        }
        try trigger("insert", "AFTER INSERT ON \(t) WHEN (new.\(g) NOT NULL AND NOT ST_IsEmpty(NEW.\(g))) BEGIN INSERT OR REPLACE INTO \(rq) VALUES (NEW.\(i), ST_MinX(NEW.\(g)), ST_MaxX(NEW.\(g)), ST_MinY(NEW.\(g)), ST_MaxY(NEW.\(g))); END")
        try trigger("update1", "AFTER UPDATE OF \(g) ON \(t) WHEN OLD.\(i) = NEW.\(i) AND (NEW.\(g) NOTNULL AND NOT ST_IsEmpty(NEW.\(g))) BEGIN INSERT OR REPLACE INTO \(rq) VALUES (NEW.\(i), ST_MinX(NEW.\(g)), ST_MaxX(NEW.\(g)), ST_MinY(NEW.\(g)), ST_MaxY(NEW.\(g))); END")
        try trigger("update2", "AFTER UPDATE OF \(g) ON \(t) WHEN OLD.\(i) = NEW.\(i) AND (NEW.\(g) ISNULL OR ST_IsEmpty(NEW.\(g))) BEGIN DELETE FROM \(rq) WHERE id = OLD.\(i); END")
        try trigger("update3", "AFTER UPDATE ON \(t) WHEN OLD.\(i) != NEW.\(i) AND (NEW.\(g) NOTNULL AND NOT ST_IsEmpty(NEW.\(g))) BEGIN DELETE FROM \(rq) WHERE id = OLD.\(i); INSERT OR REPLACE INTO \(rq) VALUES (NEW.\(i), ST_MinX(NEW.\(g)), ST_MaxX(NEW.\(g)), ST_MinY(NEW.\(g)), ST_MaxY(NEW.\(g))); END")
        try trigger("update4", "AFTER UPDATE ON \(t) WHEN OLD.\(i) != NEW.\(i) AND (NEW.\(g) ISNULL OR ST_IsEmpty(NEW.\(g))) BEGIN DELETE FROM \(rq) WHERE id IN (OLD.\(i), NEW.\(i)); END")
        try trigger("delete", "AFTER DELETE ON \(t) WHEN old.\(g) NOT NULL BEGIN DELETE FROM \(rq) WHERE id = OLD.\(i); END")
    }
}
