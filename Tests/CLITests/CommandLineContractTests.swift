import GeoVoteEngine
import Foundation
import TestSupport
import Testing

/// The command line as a thin shell: its output is the library's, its
/// usage errors exit 64 naming the valid values, data errors exit 1 with
/// the library's message plus the flag that fixes it.
@Suite struct CommandLineContractTests {
    static func geovote(_ arguments: [String]) throws -> ToolRun {
        try runToolCapturing(try CommandLineReferenceTests.geovote, arguments)
    }

    static func bytes(_ path: String) throws -> Data { try Data(contentsOf: URL(fileURLWithPath: path)) }

    /// `geovote hotspots` writes the bytes `HotSpotJob.run` writes for the same options.
    @Test func hotspotsWritesTheLibrarysTable() throws {
        let dir = Fixtures.scratch()
        let input = Fixtures.path("morocco/communes_utm29n.shp")
        for ext in ["csv", "geojson", "shp"] {
            let run = try Self.geovote(["hotspots", input, "--field", "PJD/valid,eb:MP/valid", "--statistic", "gistar,local-moran",
                                        "--permutations", "199", "--seed", "3", "--fdr", "--id", "code", "--output", "\(dir)/cli.\(ext)"])
            #expect(run.status == 0, "\(run.error)")
            let job = HotSpotJob(input: input, variables: "PJD/valid,eb:MP/valid",
                                 options: HotSpotOptions(statistics: [.giStar, .localMoran], permutations: 199, seed: 3, correction: .fdr),
                                 table: HotSpotTableOptions(idFields: ["code"]), output: "\(dir)/lib.\(ext)")
            let report = try job.run()
            let companions = ext == "shp" ? [".shp", ".shx", ".dbf", ".prj", ".cpg", ".names.csv"] : ext == "csv" ? [".csv", ".csvt"] : [".geojson"]
            for suffix in companions {
                let (a, b) = ("\(dir)/cli" + suffix, "\(dir)/lib" + suffix)
                #expect(try Self.bytes(a) == Self.bytes(b), "\(suffix) differs")
            }
            #expect(report.written.first == job.output)
        }
    }

    /// `geovote batch` on a job file writes what `geovote hotspots` writes.
    @Test func batchWritesWhatHotspotsWrites() throws {
        let dir = Fixtures.scratch()
        let input = Fixtures.path("morocco/communes_utm29n.shp")
        try """
        {"jobs": [{"input": "\(input)", "field": "all/valid", "statistic": ["gistar", "local-geary"], "permutations": 99,
                   "id": "code", "keep": "name_fr", "output": "batch.csv"}]}
        """.write(toFile: dir + "/job.json", atomically: true, encoding: .utf8)
        let batch = try Self.geovote(["batch", dir + "/job.json"])
        #expect(batch.status == 0, "\(batch.error)")
        let single = try Self.geovote(["hotspots", input, "--field", "all/valid", "--statistic", "gistar,local-geary", "--permutations", "99",
                                       "--id", "code", "--keep", "name_fr", "--output", dir + "/single.csv"])
        #expect(single.status == 0, "\(single.error)")
        #expect(try Self.bytes(dir + "/batch.csv") == Self.bytes(dir + "/single.csv"))
    }

    /// Bad option values exit 64 and list the valid ones; nothing is written.
    @Test(arguments: [
        (["--weights", "queens"], "queen"), (["--statistic", "lisa"], "gistar"), (["--alternative", "xyz"], "two-sided"),
        (["--permutations", "-5"], "negative"), (["--alpha", "1.5"], "between 0 and 1"), (["--against", "voters/registered"], "local-moran-bv"),
    ])
    func badOptionsAreUsageErrors(extra: [String], hint: String) throws {
        let dir = Fixtures.scratch("bad\(extra[0])")
        let run = try Self.geovote(["hotspots", Fixtures.path("morocco/communes_utm29n.shp"), "--field", "PJD/valid",
                                    "--output", dir + "/out.csv"] + extra)
        #expect(run.status == 64, "\(extra): exit \(run.status), \(run.error)")
        #expect(run.error.contains(hint), "\(extra): \(run.error)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir).isEmpty)
    }

    @Test func unknownSubcommandAndHelp() throws {
        let wrong = try Self.geovote(["hotspot"])
        #expect(wrong.status == 64)
        #expect(wrong.error.contains("hotspot") && wrong.error.contains("hotspots"), "\(wrong.error)")
        let help = try Self.geovote(["help", "hotspots"])
        #expect(help.status == 0)
        #expect(help.output.contains("--statistic") && help.output.contains("--weights"))
    }

    /// A data error is one line on stderr, exit 1: the library's message
    /// and the flag that fixes it.
    @Test func dataErrorsCarryFlagAdvice() throws {
        let geographic = try Self.geovote(["weights", Fixtures.path("sample/capitals.shp"), "--type", "knn", "--k", "2", "--output", Fixtures.scratch() + "/w.gal"])
        #expect(geographic.status == 1)
        #expect(geographic.error.contains("is geographic") && geographic.error.contains("--geodesic")
                && geographic.error.contains("geovote project --to auto first"), "\(geographic.error)")
        let encoding = try Self.geovote(["info", Fixtures.path("bad/undeclared_cp1256.shp")])
        #expect(encoding.status == 1)
        #expect(encoding.error.hasPrefix("geovote: error: ") && encoding.error.hasSuffix("(pass --encoding)\n"), "\(encoding.error)")
        #expect(encoding.error.split(separator: "\n").count == 1)
    }

    /// `moran --json` is one JSON object; a constant variable is an error, not NaN.
    @Test func moranJSONIsJSON() throws {
        let run = try Self.geovote(["moran", Fixtures.path("reference/data/columbus.shp"), "--field", "CRIME", "--json"])
        #expect(run.status == 0, "\(run.error)")
        let object = try #require(JSONSerialization.jsonObject(with: Data(run.output.utf8)) as? [String: Any])
        #expect(object["statistic"] as? String == "moran" && object["variable"] as? String == "CRIME" && object["n"] as? Int == 49)
        let flat = try Self.geovote(["moran", Fixtures.path("reference/data/columbus.shp"), "--field", "CRIME/CRIME", "--json"])
        #expect(flat.status == 1 && flat.error.contains("constant") && flat.output.isEmpty, "\(flat.error)")
    }

    /// SIGINT ends a run with 130, the old output as it was, and no
    /// temporary file left beside it.
    @Test func interruptLeavesTheOldOutput() throws {
        let dir = Fixtures.scratch()
        let output = dir + "/out.geojson"
        try "old".write(toFile: output, atomically: true, encoding: .utf8)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try CommandLineReferenceTests.geovote)
        process.arguments = ["hotspots", Fixtures.path("morocco/communes_utm29n.shp"), "--field", "all/valid",
                             "--statistic", "gistar,local-moran", "--permutations", "999999", "--output", output]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        Thread.sleep(forTimeInterval: 1)
        process.interrupt()
        process.waitUntilExit()
        #expect(process.terminationStatus == 130)
        #expect(try String(contentsOfFile: output, encoding: .utf8) == "old")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir) == ["out.geojson"])
    }
}
