import GeoVoteEngine
import Foundation
import TestSupport
import Testing

/// Hostile input beyond the shapefile triple (issue 18): each case crashed,
/// hung or gave a silently wrong output; each is now one clear error, or a
/// defined result that says what it did.
@Suite struct HostileInputTests {
    func message(_ body: () throws -> Void) -> String? {
        do { try body(); return nil } catch { return "\(error)" }
    }

    /// Nesting deep enough to overflow the stack of a recursive reader.
    @Test(arguments: [
        ("deep_coordinates", "coordinates are nested more than 4 arrays deep"),
        ("deep_properties", "nests objects and arrays more than 200 deep"),
        ("deep_geometry", "nests objects and arrays more than 200 deep"),
    ])
    func deepGeoJSONIsRefused(name: String, expected: String) throws {
        let path = Fixtures.path("bad/\(name).geojson")
        let m = try #require(message { _ = try LayerIO.read(path) })
        #expect(m.hasPrefix(path + ": ") && m.contains(expected), "\(m)")
    }

    /// A shapefile write that fails (a NaN in the last record) leaves the
    /// files that were there as they were, and no temporary file; the same
    /// for GeoJSON. One-character names work (Foundation's path calls trapped).
    @Test func failedWritesLeaveOldFilesAndNoStubs() throws {
        let dir = Fixtures.scratch()
        let good = try LayerIO.read(Fixtures.path("sample/capitals.shp"))
        let target = dir + "/k.shp"
        try LayerIO.write(good, to: target)
        let before = try ["shp", "shx", "dbf", "cpg", "prj"].map { try Data(contentsOf: URL(fileURLWithPath: dir + "/k." + $0)) }
        var bad = good
        bad.geometries[good.count - 1] = .point(x: .nan, y: 1)
        #expect(message { try LayerIO.write(bad, to: target) }?.contains("k.shp: record 11: has a NaN or infinite coordinate") == true)
        #expect(message { try LayerIO.write(bad, to: dir + "/k.geojson") } != nil)
        let after = try ["shp", "shx", "dbf", "cpg", "prj"].map { try Data(contentsOf: URL(fileURLWithPath: dir + "/k." + $0)) }
        #expect(before == after)
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir).sorted() == ["k.cpg", "k.dbf", "k.prj", "k.shp", "k.shx"])
        // Writing over an input is refused before any work.
        #expect(message { try LayerIO.checkOutput(dir + "/./k.dbf", doesNotOverwrite: [target]) }?.contains("would overwrite the input") == true)
        #expect(message { try LayerIO.checkOutput(dir + "/other.shp", doesNotOverwrite: [target]) } == nil)
        // A one-character name in the working folder.
        let cwd = FileManager.default.currentDirectoryPath
        FileManager.default.changeCurrentDirectoryPath(dir)
        defer { FileManager.default.changeCurrentDirectoryPath(cwd) }
        try LayerIO.write(good, to: "o.shp")
        try LayerIO.write(good, to: "g.geojson")
        #expect(try LayerIO.read(dir + "/o.shp").count == good.count)
    }

    /// 10,001 fields sharing a 10-byte prefix: refused at once (it was a
    /// 46-second quadratic name search, then a trap); 2,046 still write.
    @Test func tooManyFieldsAreRefused() throws {
        let dir = Fixtures.scratch()
        func table(_ fields: Int) -> FeatureTable {
            FeatureTable(geometries: [.point(x: 0, y: 0)],
                         columns: (0..<fields).map { Column(name: "party_votes_\($0)", values: .integer([1])) })
        }
        #expect(message { try LayerIO.write(table(10_001), to: dir + "/wide.shp") }?.contains("10001 fields; a DBF holds at most 2046") == true)
        try LayerIO.write(table(2046), to: dir + "/ok.shp")
        #expect(try LayerIO.read(dir + "/ok.shp").columns.count == 2046)
    }

    /// spdep contiguity with a snap far below the coordinates' precision
    /// (the grid index overflowed Int64): the same links as the default snap.
    @Test func tinySnapDoesNotOverflow() throws {
        let communes = try LayerIO.read(Fixtures.path("morocco/communes_utm29n.shp"))
        let tiny = try SpatialWeights.contiguity(communes, rule: .spdepQueen, snap: 1e-300)
        let usual = try SpatialWeights.contiguity(communes, rule: .spdepQueen)
        #expect(tiny.linkCount == usual.linkCount && tiny.linkCount == 8664)
        var far = communes
        far.geometries[0] = .polygon([[Point(x: 1e12, y: 0), Point(x: 1e12, y: 1), Point(x: 1e12 + 1, y: 1),
                                                                 Point(x: 1e12 + 1, y: 0), Point(x: 1e12, y: 0)]])
        _ = try SpatialWeights.contiguity(far, rule: .spdepQueen)
    }
}
