import GeoVoteEngine
import Foundation
import TestSupport
import Testing

/// `geovote isa` and `geovote ohsa`: the spellings and output fields the
/// issue names, the library's numbers, clear refusals.
@Suite struct ScaleCommandTests {
    static func geovote(_ arguments: [String]) throws -> ToolRun { try CommandLineContractTests.geovote(arguments) }

    static let communes = Fixtures.path("morocco/communes_utm29n.shp")

    /// `--plot OUT.svg`: one point per band at the CSV's distance and z, the peaks ringed where the CSV says.
    @Test func isaPlotShowsEveryBandAndThePeaks() throws {
        let dir = Fixtures.scratch()
        let run = try Self.geovote(["isa", Self.communes, "--share", "PJD/valid", "--output", dir + "/isa.csv", "--plot", dir + "/isa.svg"])
        #expect(run.status == 0, "\(run.error)")
        let rows = try Fixtures.csv(atPath: dir + "/isa.csv")
        let svg = try String(contentsOfFile: dir + "/isa.svg", encoding: .utf8)
        #expect(svg.components(separatedBy: "<circle class=\"band\"").count - 1 == rows.count)
        for row in rows {
            #expect(svg.contains("data-band=\"\(row["band"]!)\" data-distance=\"\(Double(row["distance"]!)!)\""), "band \(row["band"]!)")
        }
        let peaks = rows.filter { !($0["peak"] ?? "").isEmpty }
        #expect(!peaks.isEmpty)
        for row in peaks {
            let tags = row["peak"]!.replacingOccurrences(of: ";", with: " ")
            #expect(svg.contains("<circle class=\"peak\" data-peak=\"\(tags)\" data-band=\"\(row["band"]!)\""), "\(tags)")
        }
        let png = try Self.geovote(["isa", Self.communes, "--share", "PJD/valid", "--plot", dir + "/isa.png"])
        #expect(png.status == 64 && png.error.contains(".svg"), "\(png.error)")
    }

    @Test func isaWritesOneRowPerBandWithThePeaks() throws {
        let out = Fixtures.scratch() + "/isa.csv"
        let run = try Self.geovote(["isa", Self.communes, "--share", "PJD/valid", "--output", out])
        #expect(run.status == 0, "\(run.error)")
        let rows = try Fixtures.csv(atPath: out)
        let ref = try Fixtures.csv("reference/scale/morocco_isa.csv")
        #expect(rows.count == 10)
        #expect(Array(rows[0].keys).sorted() == ["EI", "I", "VI", "band", "distance", "islands", "mean_neighbours", "p", "peak", "z"])
        for (row, r) in zip(rows, ref) {
            expectClose(Double(row["z"]!)!, Double(r["z_rand"]!)!, .reference, "z band \(row["band"]!)")
            expectClose(Double(row["I"]!)!, Double(r["I"]!)!, .reference, "I band \(row["band"]!)")
            #expect(row["peak"] == r["peak"])
        }
        let given = try Self.geovote(["isa", Self.communes, "--field", "PJD", "--start", "150000", "--step", "120000", "--count", "5", "--assumption", "normality"])
        #expect(given.status == 0 && given.output.contains("start 150000.0000 (given)"), "\(given.output) \(given.error)")
        let bad = try Self.geovote(["isa", Fixtures.path("morocco/communes.shp"), "--share", "PJD/valid"])
        #expect(bad.status == 1 && bad.error.contains("geographic"), "\(bad.error)")
        let usage = try Self.geovote(["isa", Self.communes, "--share", "PJD/valid", "--count", "1"])
        #expect(usage.status == 64, "\(usage.error)")
    }

    @Test func ohsaPrintsAndRecordsEveryDecision() throws {
        let dir = Fixtures.scratch()
        let run = try Self.geovote(["ohsa", Self.communes, "--share", "PJD/valid", "--output", dir + "/h.geojson"])
        #expect(run.status == 0, "\(run.error)")
        let ref = try Fixtures.csv("reference/scale/morocco_ohsa.csv")[0]
        let distance = String(format: "%.4f", Double(ref["distance"]!)!)
        #expect(run.output.contains("distance band \(distance): the first peak"), "\(run.output)")
        #expect(run.output.contains("\(ref["outliers"]!) locational outliers"), "\(run.output)")
        let decisions = try String(contentsOfFile: dir + "/h.ohsa.txt", encoding: .utf8)
        #expect(decisions.contains("distance band \(distance)"))
        let layer = try LayerIO.read(dir + "/h.geojson")
        // Undefined (no neighbour within the band) is null in the file, 0 in the reference.
        let column = try #require(layer.column(named: "PJD_valid_gistar_bin")).values
        let bins = (0..<layer.count).map { column.number($0) ?? 0 }
        let refBins = try Fixtures.csv("reference/scale/morocco_ohsa_gistar.csv").map { Double($0["bin"]!)! }
        #expect(bins == refBins)
        let arcgis = try Self.geovote(["ohsa", Self.communes, "--share", "PJD/valid", "--names", "arcgis", "--output", dir + "/a.csv"])
        #expect(arcgis.status == 0, "\(arcgis.error)")
        let header = try String(contentsOfFile: dir + "/a.csv", encoding: .utf8).prefix { $0 != "\n" }
        for field in ["GiZScore", "GiPValue", "Gi_Bin", "NNeighbors"] { #expect(header.contains(field), "\(header)") }
        let hex = try Self.geovote(["ohsa", Fixtures.path("reference/data/baltim.shp"), "--field", "units", "--aggregate", "hexagon", "--output", dir + "/x.shp"])
        #expect(hex.status == 0 && hex.output.contains("hexagon cells hold at least one incident"), "\(hex.output) \(hex.error)")
        let few = try Self.geovote(["ohsa", Fixtures.path("reference/data/columbus.shp"), "--field", "CRIME", "--aggregate", "fishnet", "--output", dir + "/f.shp"])
        #expect(few.status == 1 && !FileManager.default.fileExists(atPath: dir + "/f.shp"), "\(few.error)")
    }

    /// A batch job "command": "ohsa" writes the same file as the command.
    @Test func ohsaFromABatchJob() throws {
        let dir = Fixtures.scratch()
        let jobs = dir + "/jobs.json"
        try Data(#"{"jobs": [{"command": "ohsa", "input": "\#(Self.communes)", "share": "PJD/valid", "output": "b.csv"}]}"#.utf8).write(to: URL(fileURLWithPath: jobs))
        let batch = try Self.geovote(["batch", jobs])
        #expect(batch.status == 0, "\(batch.error)")
        let direct = try Self.geovote(["ohsa", Self.communes, "--share", "PJD/valid", "--output", dir + "/d.csv"])
        #expect(direct.status == 0, "\(direct.error)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: dir + "/b.csv")) == Data(contentsOf: URL(fileURLWithPath: dir + "/d.csv")))
        #expect(FileManager.default.fileExists(atPath: dir + "/b.ohsa.txt"))
        try Data(#"{"jobs": [{"command": "ohsa", "input": "\#(Self.communes)", "output": "b.csv"}]}"#.utf8).write(to: URL(fileURLWithPath: jobs))
        let missing = try Self.geovote(["batch", jobs])
        #expect(missing.status == 1 && missing.error.contains("'field' or 'share'"), "\(missing.error)")
    }

    @Test func ohsaRefusesABandWithoutNeighbours() throws {
        let dir = Fixtures.scratch()
        let run = try Self.geovote(["ohsa", Self.communes, "--share", "PJD/valid", "--distance", "1", "--output", dir + "/h.shp"])
        #expect(run.status == 1 && run.error.contains("no feature has a neighbour"), "\(run.error)")
        #expect(!FileManager.default.fileExists(atPath: dir + "/h.shp"))
    }

    /// The issue's spelling: `geovote transitions DB.gpkg --share MP/valid --from 2016 --to 2021 --output OUT`.
    @Test func transitionsBetweenTwoElections() throws {
        let dir = Fixtures.scratch()
        let db = dir + "/m.gpkg"
        #expect(try Self.geovote(["db", "create", db]).status == 0)
        for (name, extra) in [("legislative-2021", [String]()), ("legislative-2016", ["--results", Fixtures.path("reference/database/results_2016.csv"), "--key", "code:code"])] {
            var args = ["db", "import", db, "--election", name, "--level", "commune", "--boundaries", Self.communes]
            args += extra.isEmpty ? ["--key", "code"] : extra
            let imported = try Self.geovote(args)
            #expect(imported.status == 0, "\(imported.error)")
        }
        let out = dir + "/t.csv"
        let run = try Self.geovote(["transitions", db, "--share", "MP/valid", "--from", "2016", "--to", "2021", "--output", out])
        #expect(run.status == 0, "\(run.error)")
        let counts = try Fixtures.csv("reference/transitions/same_MP_counts.csv")
        #expect(run.output.contains("HH    " + ["HH", "LH", "LL", "HL"].map { counts[0][$0]!.leftPadded(7) }.joined(separator: " ")), "\(run.output)")
        let rows = try Fixtures.csv(atPath: out)
        let ref = try Fixtures.csv("reference/transitions/same_MP.csv")
        #expect(rows.map { $0["move_type"]! } == ref.map { $0["move_type"]! })
        for column in ["unit", "s0_MP", "s1_MP", "q_from", "q_to", "from", "to", "transition", "move_type"] { #expect(rows[0][column] != nil, "\(column)") }
        let bad = try Self.geovote(["transitions", db, "--share", "MP/registered", "--from", "2016", "--to", "2021", "--output", out])
        #expect(bad.status == 64, "\(bad.error)")
    }

    /// The issue's spelling: `geovote emerging DB.gpkg --share MP/valid --elections 2011,2016,2021 --output OUT`,
    /// on the reference's three elections: every unit's z, bins and pattern as
    /// Fixtures/reference/emerging/cube_MP.csv; nothing written on a refusal.
    /// A database of the fixture's 2021 and the reference's 2016 and 2011, on the same communes.
    static func threeElections(_ dir: String) throws -> String {
        let db = dir + "/m.gpkg"
        #expect(try Self.geovote(["db", "create", db]).status == 0)
        for (name, extra) in [("legislative-2021", [String]()),
                              ("legislative-2016", ["--results", Fixtures.path("reference/database/results_2016.csv"), "--key", "code:code"]),
                              ("legislative-2011", ["--results", Fixtures.path("reference/emerging/results_2011.csv"), "--key", "code:code"])] {
            var args = ["db", "import", db, "--election", name, "--level", "commune", "--boundaries", Self.communes]
            args += extra.isEmpty ? ["--key", "code"] : extra
            let imported = try Self.geovote(args)
            #expect(imported.status == 0, "\(imported.error)")
        }
        return db
    }

    @Test func emergingOverThreeElections() throws {
        let dir = Fixtures.scratch()
        let db = try Self.threeElections(dir)
        let out = dir + "/e.csv"
        let run = try Self.geovote(["emerging", db, "--share", "MP/valid", "--elections", "2011,2016,2021", "--output", out])
        #expect(run.status == 0, "\(run.error)")
        let rows = try Fixtures.csv(atPath: out)
        let ref = try Fixtures.csv("reference/emerging/cube_MP.csv")
        #expect(rows.map { $0["pattern"]! } == ref.map { $0["pattern"]! })
        #expect(rows.map { $0["bin_3"]! } == ref.map { $0["bin_3"]! })
        for (row, r) in zip(rows, ref) { #expect(abs(Double(row["z_2"]!)! - Double(r["z_2"]!)!) < 1e-9) }
        for column in ["unit", "share_1", "z_1", "bin_1", "mk_S", "mk_tau", "mk_z", "mk_p", "pattern", "trend_testable"] { #expect(rows[0][column] != nil, "\(column)") }
        let untestable = ref.count { $0["pattern"] == "hot spot (trend untestable)" }
        #expect(run.output.contains("hot spot (trend untestable): \(untestable)"), "\(run.output)")
        #expect(run.error.contains("cannot reach p"), "\(run.error)")
        // Two elections: a usage error; an unknown election: exit 1; no file either way.
        let out2 = dir + "/e2.csv"
        #expect(try Self.geovote(["emerging", db, "--share", "MP/valid", "--elections", "2016,2021", "--output", out2]).status == 64)
        let unknown = try Self.geovote(["emerging", db, "--share", "MP/valid", "--elections", "2011,2016,2030", "--output", out2])
        #expect(unknown.status == 1, "\(unknown.error)")
        #expect(unknown.error.contains("2030"), "\(unknown.error)")
        #expect(!FileManager.default.fileExists(atPath: out2))
    }

    /// Batch jobs with "command": "emerging", "transitions" and "isa" write
    /// the bytes the commands write; a job with two elections is refused
    /// before anything runs.
    @Test func emergingTransitionsAndIsaFromABatchJob() throws {
        let dir = Fixtures.scratch()
        let db = try Self.threeElections(dir)
        let jobs = dir + "/jobs.json"
        let text = #"""
        {"defaults": {"share": "MP/valid"},
         "jobs": [{"command": "emerging", "input": "m.gpkg", "elections": ["2011", "2016", "2021"], "output": "be.csv"},
                  {"command": "transitions", "input": "m.gpkg", "from": "2016", "to": "2021", "output": "bt.csv"},
                  {"command": "isa", "input": "\#(Self.communes)", "output": "bi.csv"}]}
        """#
        try Data(text.utf8).write(to: URL(fileURLWithPath: jobs))
        let batch = try Self.geovote(["batch", jobs])
        #expect(batch.status == 0, "\(batch.error)")
        let direct = [
            ["emerging", db, "--share", "MP/valid", "--elections", "2011,2016,2021", "--output", dir + "/de.csv"],
            ["transitions", db, "--share", "MP/valid", "--from", "2016", "--to", "2021", "--output", dir + "/dt.csv"],
            ["isa", Self.communes, "--share", "MP/valid", "--output", dir + "/di.csv"],
        ]
        for (args, name) in zip(direct, ["e", "t", "i"]) {
            let run = try Self.geovote(args)
            #expect(run.status == 0, "\(run.error)")
            #expect(try Data(contentsOf: URL(fileURLWithPath: dir + "/b\(name).csv")) == Data(contentsOf: URL(fileURLWithPath: dir + "/d\(name).csv")), "\(args[0])")
        }
        try Data(#"{"jobs": [{"command": "emerging", "input": "m.gpkg", "share": "MP/valid", "elections": "2016,2021", "output": "x.csv"}]}"#.utf8)
            .write(to: URL(fileURLWithPath: jobs))
        let two = try Self.geovote(["batch", jobs])
        #expect(two.status == 1 && two.error.contains("at least 3"), "\(two.error)")
        #expect(!FileManager.default.fileExists(atPath: dir + "/x.csv"))
    }

    /// `geovote strongholds DB --share PJD/valid --from 2016 --to 2021 --output OUT`:
    /// the kept, gained and lost zones as Fixtures/reference/strongholds/changes.csv
    /// counts them; a batch job writes the same bytes.
    @Test func strongholdsKeptGainedAndLost() throws {
        let dir = Fixtures.scratch()
        let db = try Self.threeElections(dir)
        let run = try Self.geovote(["strongholds", db, "--share", "PJD/valid", "--from", "2016", "--to", "2021", "--output", dir + "/s.csv"])
        #expect(run.status == 0, "\(run.error)")
        let ref = try Fixtures.csv("reference/strongholds/changes.csv").filter { $0["case"] == "same" && $0["party"] == "PJD" }
        let rows = try Fixtures.csv(atPath: dir + "/s.csv")
        for status in ["kept", "gained", "lost"] {
            for type in ["hot", "cold"] {
                #expect(rows.count { $0["status"] == status && $0["type"] == type } == ref.count { $0["status"] == status && $0["type"] == type }, "\(status) \(type)")
            }
        }
        let hotKept = ref.count { $0["status"] == "kept" && $0["type"] == "hot" }
        #expect(run.output.contains("hot zones: kept \(hotKept),"), "\(run.output)")
        for column in ["status", "type", "zone_from", "zone_to", "units_from", "units_to", "area_from_km2", "area_to_km2", "overlap_km2", "overlap_from", "overlap_to", "share_from", "share_to"] {
            #expect(rows[0][column] != nil, "\(column)")
        }
        let jobs = dir + "/jobs.json"
        try Data(#"{"jobs": [{"command": "strongholds", "input": "m.gpkg", "share": "PJD/valid", "from": "2016", "to": "2021", "output": "b.csv"}]}"#.utf8)
            .write(to: URL(fileURLWithPath: jobs))
        let batch = try Self.geovote(["batch", jobs])
        #expect(batch.status == 0, "\(batch.error)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: dir + "/b.csv")) == Data(contentsOf: URL(fileURLWithPath: dir + "/s.csv")))
        let bad = try Self.geovote(["strongholds", db, "--share", "PJD/valid", "--from", "2016", "--to", "2021", "--min-overlap", "0", "--output", dir + "/x.csv"])
        #expect(bad.status == 64, "\(bad.error)")
        #expect(!FileManager.default.fileExists(atPath: dir + "/x.csv"))
    }

    /// `geovote synth --elections 3` writes two earlier elections whose
    /// counts add up, for the same communes as the fixture.
    @Test func synthMakesEarlierElections() throws {
        let dir = Fixtures.scratch()
        let run = try Self.geovote(["synth", "--communes", "200", "--stations", "200", "--elections", "3", "--no-geojson", "--output", dir])
        #expect(run.status == 0, "\(run.error)")
        for year in ["2016", "2011"] {
            let rows = try Fixtures.csv(atPath: dir + "/results_\(year).csv")
            #expect(rows.count == 200)
            for row in rows {
                let parties = ["RNI", "PAM", "PI", "USFP", "MP", "PPS", "UC", "PJD", "others"].map { Int(row[$0]!)! }
                let (registered, voters, invalid, valid) = (Int(row["registered"]!)!, Int(row["voters"]!)!, Int(row["invalid"]!)!, Int(row["valid"]!)!)
                #expect(parties.reduce(0, +) == valid && valid + invalid == voters && voters <= registered && parties.allSatisfy { $0 >= 0 })
            }
        }
        #expect(!FileManager.default.fileExists(atPath: dir + "/results_2007.csv"))
        #expect(try Self.geovote(["synth", "--elections", "10", "--output", dir + "/x"]).status == 64)
    }
}

extension String {
    func leftPadded(_ width: Int) -> String { count >= width ? self : String(repeating: " ", count: width - count) + self }
}
