import ArgumentParser
import GeoVoteEngine
import Foundation

struct Batch: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run several hot-spot analyses, clusterings, zones, rasters and optimized hot spots described in a JSON job file.",
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
        A job with "command": "cluster" or "zones" runs geovote cluster or geovote \
        zones instead, with their options as keys (method, eps, min_samples, weight, \
        min_cluster_size, selection, epsilon, id, tree; share, parties, statistic, \
        confidence, permutations, seed, correction, weights, id, from_hotspots); \
        "defaults" apply where the command has the key. A zones job may read an \
        earlier job's hot-spot output (from_hotspots). "command": "raster" runs \
        geovote raster (method, fields or all_parties, total, turnout, resolution, \
        extent as [xmin, ymin, xmax, ymax], like, bandwidth (a number or "cv"), \
        adaptive, kernel, truncation (a number or "none"), counts, overviews, png, \
        png_band, output). "command": "ohsa" runs geovote ohsa (field or share, \
        aggregate, cell_size, distance, permutations, seed, correction, names, \
        output); "isa" runs geovote isa (field or share, start, step, count, \
        assumption, transform, islands, output); "emerging" runs geovote emerging \
        (input: the database, share, elections as a list or "2011,2016,2021", level, \
        weights, time_lag, confidence, trend_alpha, correction, permutations, seed, \
        output); "transitions" runs geovote transitions (input, share, from, to, \
        level, from_level, weights, permutations, seed, alpha, output); \
        "strongholds" runs geovote strongholds (input, share, from, to, level, \
        from_level, confidence, weights, min_overlap, output); "map" runs \
        geovote map (input, column, classes, k, title, label, zones, width, \
        height, output), e.g. on an earlier job's output.
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
            for (k, step) in batch.steps.enumerated() {
                print("job \(k + 1)/\(batch.steps.count): \(step.input) → \(step.outputs[0])")
                do {
                    switch step {
                    case let .hotSpots(job): try Hotspots.run(job)
                    case let .cluster(job): try Cluster.run(job)
                    case let .zones(job): try Zones.run(job)
                    case let .raster(job): try RasterCommand.run(job)
                    case let .ohsa(job): try Ohsa.run(job)
                    case let .isa(job): try Isa.run(job)
                    case let .emerging(job): try Emerging.run(job)
                    case let .transitions(job): try Transitions.run(job)
                    case let .strongholds(job): try Strongholds.run(job)
                    case let .map(job): try MapCommand.run(job)
                    }
                } catch let error as GeoVoteError {
                    throw GeoVoteError.malformed(DataLocation(file: jobFile), reason: "job \(k + 1): \(error)")
                }
            }
        }
    }
}
