import ArgumentParser
import GeoVoteEngine
import Foundation

struct Batch: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run several hot-spot analyses described in a JSON job file.",
        discussion: """
        The file holds "jobs", a list of objects with the options of geovote \
        hotspots (input, field or share, statistic, output, and any of weights, \
        weights_id, geodesic, transform, permutations, seed, alternative, draws, \
        geoda_threads, variance, moments, scale, alpha, significance, correction, \
        fdr, convention, missing, against, id, keep, names, geometry, encoding, \
        output_encoding, keep_crs), and optional "defaults" with the same keys, \
        applied to every job. Lists may be given as JSON arrays ("statistic": \
        ["gistar", "local-moran"]). Relative paths (input, output, a weights \
        file) are relative to the job file's folder. Example:
          {"defaults": {"weights": "queen", "permutations": 999, "seed": 1, "correction": "fdr"},
           "jobs": [{"input": "communes.shp", "field": "all/valid", "statistic": ["gistar", "local-moran"],
                     "id": "code", "output": "hotspots.csv"}]}
        Every job is checked before any runs (options, inputs readable, fields \
        present, output folders writable, no output over an input); a failing \
        check or job stops the batch (exit 1) with one line naming the job and \
        the cause. Each job's output is the same file geovote hotspots writes \
        with the same options.
        """)

    @Argument(help: "The JSON job file.")
    var jobFile: String

    @OptionGroup var common: CommonOptions

    func run() throws {
        let encoding = try common.apply()
        try runReportingErrors {
            let batch = try HotSpotBatch(contentsOf: jobFile, encoding: encoding)
            _ = try batch.validate()
            for (k, job) in batch.jobs.enumerated() {
                print("job \(k + 1)/\(batch.jobs.count): \(job.input) → \(job.output)")
                do {
                    try Hotspots.run(job)
                } catch let error as GeoVoteError {
                    throw GeoVoteError.malformed(DataLocation(file: jobFile), reason: "job \(k + 1): \(error)")
                }
            }
        }
    }
}
