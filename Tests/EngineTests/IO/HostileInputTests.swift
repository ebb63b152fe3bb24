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
        #expect(FileManager.default.changeCurrentDirectoryPath(dir))
        defer { _ = FileManager.default.changeCurrentDirectoryPath(cwd) }
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
        #expect(tiny.linkCount == usual.linkCount && tiny.cardinalities == usual.cardinalities)
        var far = communes
        far.geometries[0] = .polygon([[Point(x: 1e12, y: 0), Point(x: 1e12, y: 1), Point(x: 1e12 + 1, y: 1),
                                                                 Point(x: 1e12 + 1, y: 0), Point(x: 1e12, y: 0)]])
        #expect(try SpatialWeights.contiguity(far, rule: .spdepQueen).cardinalities[0] == 0, "the far square touches nothing")
    }

    /// Weights files that were read wrongly without a word, and weights that
    /// were written so they could not be read back.
    @Test func badWeightsFilesAreRefused() throws {
        let dir = Fixtures.scratch()
        let ids = ["a", "b", "c"]
        func read(_ name: String, _ text: String) -> String? {
            let path = dir + "/" + name
            try? text.write(toFile: path, atomically: true, encoding: .utf8)
            return message { _ = try WeightsFiles.read(path, ids: ids) }
        }
        #expect(read("noheader.csv", "0,1,1\n1,0,1\n")?.contains("starts with a link, not the header line") == true)
        #expect(read("noheader.gwt", "a b 1\nb a 1\n")?.contains("starts without the header line") == true)
        #expect(read("count.gwt", "0 4 layer id\na b 1\n")?.contains("declares 4 observations; the layer has 3") == true)
        #expect(read("twice.gal", "0 3 layer id\na 1\nb\na 1\nc\n")?.contains("\"a\" is listed twice as a focal unit") == true)
        for bad in ["nan", "inf", "-1"] {
            #expect(read("w\(bad).gwt", "0 3 layer id\na b \(bad)\n")?.contains("\"\(bad)\" is not a weight") == true, "\(bad)")
        }
        #expect(read("good.gwt", "0 3 layer id\na b 0.5\nb a 0.5\n") == nil)
        // Writing: non-finite weights and ids a GAL cannot hold are refused, nothing written.
        let w = SpatialWeights(neighborLists: [[1], [0], []], weightLists: [[Double.infinity], [1], []], transform: WeightsTransform.none)
        #expect(message { try WeightsFiles.write(w, to: dir + "/inf.gwt") }?.contains("not finite") == true)
        let b = SpatialWeights(neighborLists: [[1], [0], []], weightLists: [[1], [1], []], transform: .binary)
        #expect(message { try WeightsFiles.write(b, to: dir + "/space.gal", ids: ["Sidi Slimane", "b", "c"]) }?.contains("\"Sidi Slimane\" is an id with a blank") == true)
        #expect(!FileManager.default.fileExists(atPath: dir + "/inf.gwt") && !FileManager.default.fileExists(atPath: dir + "/space.gal"))
    }

    /// CSV numbers beyond Double's range stay text (a statistic on them
    /// then names the value) instead of becoming infinity.
    @Test func hugeCSVNumbersAreNotInfinity() throws {
        let path = Fixtures.scratch() + "/big.csv"
        try "code,v\n1,1e400\n2,5\n".write(toFile: path, atomically: true, encoding: .utf8)
        let table = try LayerIO.read(path)
        #expect(table.column(named: "v")?.values == .text(["1e400", "5"]))
        #expect(message { _ = try table.numericValues(of: "v", file: path) }?.contains("record 0, field 'v': \"1e400\" is missing or not numeric") == true)
    }

    /// Messages that misled or named no file.
    @Test func messagesSayWhatAndWhere() throws {
        let dir = Fixtures.scratch()
        // Every denominator 0: the share is undefined everywhere, said so.
        let zero = FeatureTable(geometries: (0..<5).map { .point(x: Double($0), y: 0) },
                                columns: [Column(name: "v", values: .integer([1, 2, 3, 4, 5])), Column(name: "d", values: .integer([0, 0, 0, 0, 0]))])
        for spec in ["v/d", "eb:v/d"] {
            #expect(message { _ = try zero.definedValues(of: VariableSpec(parsing: spec), file: "z.shp") }
                    == "z.shp: field 'd': leaves no feature with a value of \(spec): d is 0: \(spec) is undefined, and so for every other record")
        }
        // Two byte-order marks before the header.
        let bom = dir + "/bom.csv"
        try Data([0xEF, 0xBB, 0xBF, 0xEF, 0xBB, 0xBF] + Array("code,v\n1,2\n".utf8)).write(to: URL(fileURLWithPath: bom))
        #expect(try LayerIO.read(bom).columns.map(\.name) == ["code", "v"])
        // A layer that mixes points and polygons, written as a shapefile: the file is named.
        let mixed = FeatureTable(geometries: [.point(x: 0, y: 0), .polygon([[Point(x: 0, y: 0), Point(x: 0, y: 1), Point(x: 1, y: 1), Point(x: 0, y: 0)]])])
        #expect(message { try LayerIO.write(mixed, to: dir + "/m.shp") }?.hasPrefix(dir + "/m.shp: a shapefile holds one kind of geometry") == true)
        // A job whose input is a number.
        let job = dir + "/j.json"
        try #"{"jobs":[{"input": 5, "field": "v", "output": "x.csv"}]}"#.write(toFile: job, atomically: true, encoding: .utf8)
        #expect(message { _ = try HotSpotBatch(contentsOf: job) }?.contains("job 1: 'input' is a number: give the layer") == true)
    }

    /// What the CLI calls on SIGINT/SIGTERM: every temporary file still
    /// being written is removed.
    @Test func temporaryFilesCanBeRemovedOnInterrupt() throws {
        let tmp = AtomicFile.temporaryPath(beside: Fixtures.scratch() + "/x.csv")
        #expect(FileManager.default.createFile(atPath: tmp, contents: Data("partial".utf8)))
        AtomicFile.track(tmp)
        // Only this test's file: other tests are writing theirs at the same time.
        AtomicFile.removeTemporaryFiles { $0 == tmp }
        AtomicFile.untrack(tmp)
        #expect(!FileManager.default.fileExists(atPath: tmp))
    }
}
