import Foundation
import GeoVoteEngine
import TestSupport
import Testing

/// GeoPackage layers: round trips bit-exact, files GDAL validates and reads
/// (ogrinfo, GDAL's validate_gpkg.py run by Debian's /usr/bin/python3 —
/// GDAL is a test-time oracle), GDAL-written files read, layers replaced
/// without touching the others, clear errors.
@Suite struct GeoPackageTests {
    static let communes = Fixtures.path("morocco/communes_utm29n.shp")

    @Test func roundTripIsExact() throws {
        let dir = Fixtures.scratch()
        let table = try ShapefileReader().read(Self.communes)
        try GeoPackage.write(table, to: dir + "/m.gpkg", layer: "communes")
        let back = try GeoPackage.read(dir + "/m.gpkg", layer: "communes")
        #expect(back.count == table.count)
        #expect(back.geometries == table.geometries, "geometries bit for bit")
        #expect(back.columns == table.columns, "attributes, Arabic text included")
        #expect(back.crs == table.crs)
        #expect(try GeoPackage.layers(in: dir + "/m.gpkg") == ["communes"])
        // The only layer is read without naming it; LayerIO takes FILE.gpkg:LAYER.
        #expect(try GeoPackage.read(dir + "/m.gpkg").count == table.count)
        #expect(try LayerIO.read(dir + "/m.gpkg:communes").columns == table.columns)
    }

    @Test func gdalValidatesAndReadsIt() throws {
        let dir = Fixtures.scratch()
        var table = try ShapefileReader().read(Self.communes)
        table.columns.append(Column(name: "flag", values: .logical((0..<table.count).map { $0 % 3 == 0 ? nil : $0 % 2 == 0 })))
        table.columns.append(Column(name: "day", values: .date((0..<table.count).map { _ in "20210908" })))
        try GeoPackage.write(table, to: dir + "/m.gpkg", layer: "communes")
        try GeoPackage.write(try ShapefileReader().read(Fixtures.path("sample/capitals.shp")), to: dir + "/m.gpkg", layer: "capitals")
        let validate = try runToolCapturing("/usr/bin/python3", ["/usr/lib/python3/dist-packages/osgeo_utils/samples/validate_gpkg.py", dir + "/m.gpkg"])
        #expect(validate.status == 0, "validate_gpkg.py: \(validate.output) \(validate.error)")
        let (info, status) = try runTool("ogrinfo", ["-ro", "-al", "-so", dir + "/m.gpkg"])
        #expect(status == 0)
        #expect(info.contains("Feature Count: 1500") && info.contains("Feature Count: 12"))
        let (sql, _) = try runTool("ogrinfo", ["-ro", dir + "/m.gpkg", "-sql", "SELECT count(*) AS n FROM rtree_communes_geom", "-q"])
        #expect(sql.contains("n (Integer) = 1500"), "\(sql)")
        let (feature, _) = try runTool("ogrinfo", ["-ro", dir + "/m.gpkg", "communes", "-where", "code = '010001'", "-q"])
        #expect(feature.contains("name_ar (String) = خميس منصور"), "\(feature)")
        #expect(feature.contains("day (Date) = 2021/09/08"), "\(feature)")
        // A spatial filter goes through the R-tree.
        let (box, _) = try runTool("ogrinfo", ["-ro", "-so", dir + "/m.gpkg", "communes", "-spat", "300000", "3700000", "310000", "3710000"])
        #expect(box.contains("Feature Count:"))
        let back = try GeoPackage.read(dir + "/m.gpkg", layer: "communes")
        #expect(back.columns == table.columns)
    }

    @Test func readsWhatGDALWritesAndLeavesItsTables() throws {
        let dir = Fixtures.scratch()
        let (_, status) = try runTool("ogr2ogr", ["-f", "GPKG", dir + "/gdal.gpkg", Self.communes, "-nln", "communes"])
        #expect(status == 0)
        let original = try ShapefileReader().read(Self.communes)
        let read = try GeoPackage.read(dir + "/gdal.gpkg", layer: "communes")
        #expect(read.count == original.count)
        #expect(zip(read.geometries, original.geometries).allSatisfy { $0.x == $1.x && $0.y == $1.y }, "coordinates bit for bit")
        #expect(read.column(named: "name_ar") == original.column(named: "name_ar"))
        #expect(read.crs == original.crs)
        // Writing another layer keeps GDAL's layer and its own tables.
        try GeoPackage.write(original, to: dir + "/gdal.gpkg", layer: "copy")
        #expect(try GeoPackage.layers(in: dir + "/gdal.gpkg") == ["communes", "copy"])
        let (tables, _) = try runTool("ogrinfo", ["-ro", dir + "/gdal.gpkg", "-sql", "SELECT name FROM sqlite_master WHERE name = 'gpkg_ogr_contents'", "-q"])
        #expect(tables.contains("gpkg_ogr_contents"))
        #expect(try GeoPackage.read(dir + "/gdal.gpkg", layer: "communes").geometries == read.geometries)
    }

    @Test func writingALayerAgainReplacesItAlone() throws {
        let dir = Fixtures.scratch()
        let table = try ShapefileReader().read(Self.communes)
        let capitals = try ShapefileReader().read(Fixtures.path("sample/capitals.shp"))
        try GeoPackage.write(table, to: dir + "/m.gpkg", layer: "a")
        try GeoPackage.write(capitals, to: dir + "/m.gpkg", layer: "b")
        try GeoPackage.write(capitals, to: dir + "/m.gpkg", layer: "a")
        #expect(try GeoPackage.layers(in: dir + "/m.gpkg").sorted() == ["a", "b"])
        #expect(try GeoPackage.read(dir + "/m.gpkg", layer: "a").count == 12)
        let (sql, _) = try runTool("ogrinfo", ["-ro", dir + "/m.gpkg", "-sql", "SELECT count(*) AS n FROM rtree_a_geom", "-q"])
        #expect(sql.contains("n (Integer) = 12"), "\(sql)")
        #expect(!FileManager.default.fileExists(atPath: dir + "/m.gpkg-wal"))
    }

    @Test func badFilesAndNamesGetClearErrors() throws {
        let dir = Fixtures.scratch()
        func message(_ body: () throws -> Void) -> String? {
            do { try body(); return nil } catch { return "\(error)" }
        }
        try "not sqlite".write(toFile: dir + "/text.gpkg", atomically: true, encoding: .utf8)
        #expect(message { _ = try GeoPackage.read(dir + "/text.gpkg") }?.contains("cannot be opened as SQLite") == true
                || message { _ = try GeoPackage.read(dir + "/text.gpkg") }?.contains("is not an SQLite database") == true)
        let table = try ShapefileReader().read(Fixtures.path("sample/capitals.shp"))
        try GeoPackage.write(table, to: dir + "/m.gpkg", layer: "a")
        try GeoPackage.write(table, to: dir + "/m.gpkg", layer: "b")
        #expect(message { _ = try GeoPackage.read(dir + "/m.gpkg", layer: "c") }?.contains("has no layer 'c'; layers: a, b") == true)
        #expect(message { _ = try GeoPackage.read(dir + "/m.gpkg") }?.contains("holds 2 layers (a, b): name one as") == true)
        #expect(message { try GeoPackage.write(table, to: dir + "/m.gpkg", layer: "gpkg_contents") }?.contains("cannot name a GeoPackage layer") == true)
        // A failed write into a new file leaves no file.
        var bad = table
        bad.columns.append(Column(name: "CODE", values: .text(bad.columns[0].values.count == 12 ? Array(repeating: "x", count: 12) : [])))
        #expect(message { try GeoPackage.write(bad, to: dir + "/new.gpkg", layer: "x") }?.contains("appears twice") == true)
        #expect(!FileManager.default.fileExists(atPath: dir + "/new.gpkg"))
    }

    @Test func analysesRecordWhatProducedThem() throws {
        let dir = Fixtures.scratch()
        let db = dir + "/m.gpkg"
        try GeoPackage.write(try ShapefileReader().read(Self.communes), to: db, layer: "communes")
        var job = ZonesJob(input: db + ":communes", variables: "PJD/valid", idField: "code", output: db + ":zones")
        job.commandLine = "geovote zones m.gpkg:communes --share PJD/valid --id code -o m.gpkg:zones"
        let report = try job.run()
        #expect(try GeoPackage.layers(in: db) == ["communes", "zones"])
        #expect(try GeoPackage.read(db, layer: "zones").count == report.result.zones.count)
        let analyses = try GeoPackage.analyses(in: db)
        #expect(analyses.map(\.layer) == ["zones"])
        #expect(analyses.first?.provenance == Provenance(command: "zones", parameters: job.commandLine!, inputs: [db + ":communes"]))
        #expect(analyses.first?.version == GeoVoteVersion.string)
        // A layer written again without provenance loses its record.
        try GeoPackage.write(try GeoPackage.read(db, layer: "zones"), to: db, layer: "zones")
        #expect(try GeoPackage.analyses(in: db).isEmpty)
        let validate = try runToolCapturing("/usr/bin/python3", ["/usr/lib/python3/dist-packages/osgeo_utils/samples/validate_gpkg.py", db])
        #expect(validate.status == 0, "\(validate.output) \(validate.error)")
    }

    /// The bulk-loaded R-tree against SQLite's own: the same float32 bounds
    /// (SQLite's outward rounding), the same answers to box queries,
    /// `rtreecheck()` ok — before and after GDAL edits the layer through
    /// the triggers. SQLite's command-line shell is the oracle.
    @Test func bulkLoadedRTreeIsSQLitesOwn() throws {
        let dir = Fixtures.scratch()
        let table = try ShapefileReader().read(Self.communes)
        try GeoPackage.write(table, to: dir + "/m.gpkg", layer: "communes")
        func sqlite(_ sql: String) throws -> String {
            try sql.write(toFile: dir + "/q.sql", atomically: true, encoding: .utf8)
            let run = try runToolCapturing("/bin/sh", ["-c", "sqlite3 '\(dir)/m.gpkg' < '\(dir)/q.sql'"])
            #expect(run.status == 0, "\(run.error)")
            return run.output
        }
        #expect(try sqlite("SELECT rtreecheck('rtree_communes_geom');") == "ok\n")
        // SQLite builds a reference tree from the same doubles.
        var sql = "CREATE VIRTUAL TABLE ref USING rtree(id, minx, maxx, miny, maxy);\nBEGIN;\n"
        for (i, g) in table.geometries.enumerated() {
            let b = try #require(g.boundingBox)
            sql += "INSERT INTO ref VALUES (\(i + 1), \(b.minX), \(b.maxX), \(b.minY), \(b.maxY));\n"
        }
        sql += "COMMIT;\nSELECT count(*) FROM ref JOIN rtree_communes_geom r USING (id) WHERE ref.minx = r.minx AND ref.maxx = r.maxx AND ref.miny = r.miny AND ref.maxy = r.maxy;\n"
        #expect(try sqlite(sql) == "1500\n", "the same float32 bounds for every feature")
        let extent = try #require(table.boundingBox)
        var queries = ""
        for k in 1...60 {
            // Boxes spread over the extent by the golden-ratio sequence (reproducible).
            func frac(_ v: Double) -> Double { v - v.rounded(.down) }
            let x = extent.minX + (extent.maxX - extent.minX) * frac(Double(k) * 0.618_033_988_75)
            let y = extent.minY + (extent.maxY - extent.minY) * frac(Double(k) * 0.754_877_666_25)
            let w = 1_000 + 199_000 * frac(Double(k) * 0.569_840_290_99)
            for tree in ["ref", "rtree_communes_geom"] {
                queries += "SELECT '\(tree)', count(*), coalesce(sum(id * id), 0) FROM \(tree) WHERE minx <= \(x + w) AND maxx >= \(x) AND miny <= \(y + w) AND maxy >= \(y);\n"
            }
        }
        let answers = try sqlite(queries).split(separator: "\n").map { $0.split(separator: "|").dropFirst().joined(separator: "|") }
        #expect(answers.count == 120)
        #expect(stride(from: 0, to: answers.count, by: 2).allSatisfy { answers[$0] == answers[$0 + 1] }, "the same features for every query box")
        #expect(answers.contains { !$0.hasPrefix("0|") }, "some queries find features")
        // Edits through the triggers (GDAL registers the ST_ functions they call).
        let (_, deleted) = try runTool("ogrinfo", [dir + "/m.gpkg", "-sql", "DELETE FROM communes WHERE fid <= 700"])
        #expect(deleted == 0)
        let (_, appended) = try runTool("ogr2ogr", ["-append", "-f", "GPKG", dir + "/m.gpkg", Self.communes, "-nln", "communes", "-where", "code LIKE '01%'"])
        #expect(appended == 0)
        let appendedCount = (0..<table.count).count { table.column(named: "code")!.values.displayValue($0).hasPrefix("01") }
        #expect(appendedCount > 0)
        let left = table.count - 700 + appendedCount
        #expect(try sqlite("SELECT rtreecheck('rtree_communes_geom'); SELECT count(*) FROM rtree_communes_geom; SELECT count(*) FROM communes;") == "ok\n\(left)\n\(left)\n")
    }
}
