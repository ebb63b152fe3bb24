import GeoVoteEngine
import Foundation
import TestSupport
import Testing

/// Batch job files through the library: a batch writes what the same
/// single jobs write; a bad job stops the batch before anything runs, with
/// the job and the cause named, and leaves no file behind.
@Suite struct HotSpotBatchTests {
    static let communes = Fixtures.path("morocco/communes_utm29n.shp")

    /// Writes `text` as a job file in a new scratch folder.
    static func jobFile(_ text: String, name: String = #function) throws -> (folder: String, file: String) {
        let dir = Fixtures.scratch(name)
        let file = dir + "/job.json"
        try text.write(toFile: file, atomically: true, encoding: .utf8)
        return (dir, file)
    }

    static func files(in folder: String) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: folder).sorted()
    }

    static func bytes(_ path: String) throws -> Data { try Data(contentsOf: URL(fileURLWithPath: path)) }

    @Test func batchWritesWhatTheSingleJobsWrite() throws {
        let (dir, file) = try Self.jobFile("""
            {"defaults": {"weights": "queen", "permutations": 99, "seed": 7, "id": "code"},
             "jobs": [{"input": "\(Self.communes)", "field": "PJD/valid,RNI/valid", "statistic": ["gistar", "local-moran"],
                       "correction": "fdr", "output": "a.csv"},
                      {"input": "\(Self.communes)", "field": "PJD/valid", "statistic": "local-moran-bv", "against": "voters/registered",
                       "output": "b.geojson"}]}
            """)
        let batch = try HotSpotBatch(contentsOf: file)
        #expect(batch.jobs.count == 2)
        var reported: [Int] = []
        try batch.run(report: { k, _ in reported.append(k) })
        #expect(reported == [0, 1])
        #expect(try Self.files(in: dir) == ["a.csv", "a.csvt", "b.geojson", "job.json"])

        // The same two analyses as single jobs.
        let single = [
            HotSpotJob(input: Self.communes, variables: "PJD/valid,RNI/valid",
                       options: HotSpotOptions(statistics: [.giStar, .localMoran], permutations: 99, seed: 7, correction: .fdr),
                       table: HotSpotTableOptions(idFields: ["code"]), output: dir + "/single_a.csv"),
            HotSpotJob(input: Self.communes, variables: "PJD/valid",
                       options: HotSpotOptions(statistics: [.bivariateLocalMoran], permutations: 99, seed: 7,
                                               against: VariableSpec(parsing: "voters/registered")),
                       table: HotSpotTableOptions(idFields: ["code"]), output: dir + "/single_b.geojson"),
        ]
        for job in single { _ = try job.run() }
        #expect(try Self.bytes(dir + "/a.csv") == Self.bytes(dir + "/single_a.csv"))
        #expect(try Self.bytes(dir + "/a.csvt") == Self.bytes(dir + "/single_a.csvt"))
        #expect(try Self.bytes(dir + "/b.geojson") == Self.bytes(dir + "/single_b.geojson"))
    }

    /// Each failure: its message, and no file written (job 1 is valid and
    /// would have run first).
    @Test(arguments: [
        // A field job 2 does not have.
        (#"{"input": "COMMUNES", "field": "NOPE/valid", "output": "b.csv"}"#, "job 2: COMMUNES: field 'NOPE': is not a field of the layer"),
        // An output folder that does not exist.
        (#"{"input": "COMMUNES", "field": "PJD/valid", "output": "missing/b.csv"}"#, "job 2: FOLDER/missing/b.csv: cannot be written: the folder FOLDER/missing does not exist"),
        // A key no job has.
        (#"{"input": "COMMUNES", "field": "PJD/valid", "statistics": "gistar", "output": "b.csv"}"#, "job 2: 'statistics' is not a job key"),
        // A bad value.
        (#"{"input": "COMMUNES", "field": "PJD/valid", "weights": "queens", "output": "b.csv"}"#, "job 2: "),
        // No output.
        (#"{"input": "COMMUNES", "field": "PJD/valid"}"#, "job 2: 'output' is missing"),
        // The same output as job 1.
        (#"{"input": "COMMUNES", "field": "RNI/valid", "output": "a.csv"}"#, "job 2: writes FOLDER/a.csv, as job 1 does"),
        // An input that does not exist.
        (#"{"input": "nowhere.shp", "field": "PJD/valid", "output": "b.csv"}"#, "job 2: FOLDER/nowhere.shp: cannot be read"),
        // Writing over its own input.
        (#"{"input": "COMMUNES", "field": "PJD/valid", "output": "COMMUNES"}"#, "would overwrite the input"),
        // Join counts of a continuous field.
        (#"{"input": "COMMUNES", "field": "PJD", "statistic": "join-count", "output": "b.csv"}"#, "job 2: COMMUNES: record 0, field 'PJD': \"112\" is not 0 or 1"),
    ])
    func badJobStopsTheBatchBeforeAnythingRuns(job: String, expected: String) throws {
        let (dir, file) = try Self.jobFile("""
            {"jobs": [{"input": "\(Self.communes)", "field": "PJD/valid", "output": "a.csv"},
                      \(job.replacingOccurrences(of: "COMMUNES", with: Self.communes))]}
            """, name: "bad\(abs(job.hashValue))")
        let want = expected.replacingOccurrences(of: "COMMUNES", with: Self.communes).replacingOccurrences(of: "FOLDER", with: dir)
        do {
            try HotSpotBatch(contentsOf: file).run()
            Issue.record("expected the batch to fail: \(job)")
        } catch let error as GeoVoteError {
            #expect("\(error)".hasPrefix(file + ": "), "\(error)")
            #expect("\(error)".contains(want), "\(error)\nwanted: \(want)")
        }
        #expect(try Self.files(in: dir) == ["job.json"], "nothing written")
    }

    @Test func jobFileErrorsNameTheFile() throws {
        for (text, expected) in [("{", "is not valid JSON"), (#"{"jobs": []}"#, "must be a non-empty list"),
                                 (#"{"job": []}"#, "field 'job': is not a job file key"), ("[1]", "not a JSON object with \"jobs\""),
                                 (#"{"jobs": [3]}"#, "job 1 is a number, not an object")] {
            let (_, file) = try Self.jobFile(text, name: "file\(abs(text.hashValue))")
            #expect {
                try HotSpotBatch(contentsOf: file)
            } throws: { "\($0)".hasPrefix(file) && "\($0)".contains(expected) }
        }
        #expect(throws: GeoVoteError.io(path: "/nonexistent/job.json", reason: "no such file")) {
            try HotSpotBatch(contentsOf: "/nonexistent/job.json")
        }
    }

    /// A job that fails while running (here: a weights file with fewer
    /// units than the layer, found when the weights are built) leaves an
    /// existing output as it was.
    @Test func failedRunLeavesTheOldOutput() throws {
        let (dir, file) = try Self.jobFile("""
            {"jobs": [{"input": "\(Self.communes)", "field": "PJD/valid", "weights": "short.gal", "output": "a.csv"}]}
            """)
        try "2\n0 1\n1\n1 1\n0\n".write(toFile: dir + "/short.gal", atomically: true, encoding: .utf8)
        try "old".write(toFile: dir + "/a.csv", atomically: true, encoding: .utf8)
        #expect(throws: GeoVoteError.self) { try HotSpotBatch(contentsOf: file).run() }
        #expect(try String(contentsOfFile: dir + "/a.csv", encoding: .utf8) == "old")
        #expect(try Self.files(in: dir) == ["a.csv", "job.json", "short.gal"])
    }
}
