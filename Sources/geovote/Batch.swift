import ArgumentParser
import GeoVoteEngine
import Foundation

struct Batch: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run several hot-spot analyses described in a JSON job file.",
        discussion: """
        The file holds "jobs", a list of objects with the options of geovote \
        hotspots (input, field or share, statistic, output, and any of weights, \
        transform, permutations, seed, alternative, draws, variance, moments, scale, \
        alpha, correction, id, names, against, weights_id, convention, \
        geoda_threads, missing), and optional \
        "defaults" with the same keys, applied to every job. Lists may be \
        given as JSON arrays ("statistic": ["gistar", "local-moran"]). \
        Relative paths are relative to the job file. Example:
          {"defaults": {"weights": "queen", "permutations": 999, "seed": 1, "correction": "fdr"},
           "jobs": [{"input": "communes.shp", "field": "all/valid", "statistic": ["gistar", "local-moran"],
                     "id": "code", "output": "hotspots.csv"}]}
        Jobs run in order; the first failing job stops the batch (exit 1) \
        and names the job.
        """)

    @Argument(help: "The JSON job file.")
    var jobFile: String

    @OptionGroup var common: CommonOptions

    static let keys: [String: String] = [
        "field": "--field", "share": "--share", "statistic": "--statistic", "output": "--output", "weights": "--weights",
        "transform": "--transform", "permutations": "--permutations", "seed": "--seed", "alternative": "--alternative",
        "draws": "--draws", "variance": "--variance", "moments": "--moments", "scale": "--scale", "alpha": "--alpha", "correction": "--correction",
        "id": "--id", "names": "--names", "against": "--against", "weights_id": "--weights-id",
        "convention": "--convention", "geoda_threads": "--geoda-threads", "missing": "--missing",
    ]

    func run() throws {
        _ = try common.apply()
        try runReportingErrors {
            guard let data = FileManager.default.contents(atPath: jobFile) else {
                throw GeoVoteError.io(path: jobFile, reason: "no such file")
            }
            guard let root = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else {
                throw GeoVoteError.malformed(DataLocation(file: jobFile), reason: "is not a JSON object")
            }
            let defaults = root["defaults"] as? [String: Any] ?? [:]
            guard let jobs = root["jobs"] as? [[String: Any]], !jobs.isEmpty else {
                throw GeoVoteError.malformed(DataLocation(file: jobFile, field: "jobs"), reason: "must be a non-empty list of objects")
            }
            let base = (jobFile as NSString).deletingLastPathComponent
            func resolve(_ path: String) -> String { path.hasPrefix("/") || base.isEmpty ? path : base + "/" + path }
            for (k, job) in jobs.enumerated() {
                let merged = defaults.merging(job) { $1 }
                var arguments: [String] = []
                guard let input = merged["input"] as? String else {
                    throw GeoVoteError.malformed(DataLocation(file: jobFile, record: k, field: "input"), reason: "is missing: each job names its input layer")
                }
                arguments.append(resolve(input))
                for (key, value) in merged.sorted(by: { $0.key < $1.key }) where key != "input" {
                    guard let flag = Self.keys[key] else {
                        throw GeoVoteError.malformed(DataLocation(file: jobFile, record: k, field: key),
                                                     reason: "is not a job option; use \(Self.keys.keys.sorted().joined(separator: ", ")) or input")
                    }
                    let text: String
                    switch value {
                    case let list as [Any]: text = list.map { "\($0)" }.joined(separator: ",")
                    case let number as NSNumber: text = number.stringValue
                    default: text = "\(value)"
                    }
                    arguments += [flag, key == "output" ? resolve(text) : text]
                }
                if let threads = common.threads { arguments += ["--threads", String(threads)] }
                print("job \(k + 1)/\(jobs.count): geovote hotspots " + arguments.joined(separator: " "))
                do {
                    let command = try Hotspots.parse(arguments)
                    try command.run()
                } catch let error as GeoVoteError {
                    throw error
                } catch {
                    throw GeoVoteError.malformed(DataLocation(file: jobFile, record: k), reason: "job \(k + 1): \(Hotspots.message(for: error))")
                }
            }
        }
    }
}
