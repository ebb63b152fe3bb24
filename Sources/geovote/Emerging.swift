import ArgumentParser
import GeoVoteEngine
import Foundation

struct Emerging: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Emerging hot spots of a party's share over 3 or more elections of a database (space-time Gi*, Mann-Kendall, ArcGIS's patterns).",
        discussion: """
        A space-time cube of the last election's units x the elections (earlier shares \
        carried onto the last boundaries as db swing does). Space-time Gi* per bin: \
        neighbours are the unit's spatial neighbours (--weights, default queen) in that \
        election and, in each of the --time-lag earlier elections (default 1), the unit \
        itself and its neighbours; binary weights, the bin included, mean and deviation \
        over the cube; analytic z (or --permutations R pseudo p), Gi_Bin +-1/2/3 with the \
        false discovery rate within each election (--correction fdr|by|none). A bin is \
        hot or cold from --confidence (default 95). Each unit's z series: the \
        Mann-Kendall trend (S, tau, z, p; p exact up to 20 elections, the normal approximation beyond). \
        Patterns as ArcGIS defines them: new, consecutive, intensifying, persistent, \
        diminishing, sporadic, oscillating, historical (hot and cold), no pattern; where \
        so few elections leave the trend test unable to reach --trend-alpha, a unit hot \
        (cold) in >= 90 % of them is 'hot spot (trend untestable)' instead of a guess. \
        Output columns: unit, share_k, z_k, bin_k (k = 1 the earliest), mk_S, mk_tau, \
        mk_z, mk_p, pattern, trend_testable.
        """)

    @Argument(help: "The election database, DB.gpkg.")
    var database: String

    @Option(name: .long, help: "The party's share of valid votes, P/valid (e.g. MP/valid).")
    var share: String

    @Option(name: .long, help: "The elections in time order, comma-separated (names, or parts naming one: 2011,2016,2021).")
    var elections: String

    @Option(name: .long, help: "The last election's level (default: its only level, else commune).")
    var level: String?

    @OptionGroup var weightsChoice: WeightsChoice

    @Option(name: .long, help: "Earlier elections in a bin's neighbourhood (default 1).")
    var timeLag: Int = 1

    @Option(name: .long, help: "90 | 95 (default) | 99 — the confidence of a hot or cold bin.")
    var confidence: Int = 95

    @Option(name: .long, parsing: .unconditional, help: "The Mann-Kendall test's level (default 0.05).")
    var trendAlpha: Double = 0.05

    @Option(name: .long, help: "fdr (default) | by | none — within each election.")
    var correction: MultipleTesting = .fdr

    @Option(name: .long, parsing: .unconditional, help: "Permutations for pseudo p-values (default 0: analytic z).")
    var permutations: Int = 0

    @Option(name: .long, help: "Seed of the permutations.")
    var seed: UInt64 = 12345

    @Option(name: .long, help: "without (default: each bin its own draws) | shared (esda's one table for all bins: faster) | with | esda")
    var draws: String = "without"

    @Option(name: .shortAndLong, help: "Output .shp, .geojson, .csv or FILE.gpkg[:LAYER].")
    var output: String

    @OptionGroup var out: OutputOptions
    @OptionGroup var common: CommonOptions

    var options: EmergingOptions {
        get throws {
            EmergingOptions(timeLag: timeLag, confidence: confidence, trendAlpha: trendAlpha, correction: correction, permutations: permutations, seed: seed,
                            draws: try DrawScheme(name: draws))
        }
    }

    func job() throws -> EmergingJob {
        EmergingJob(database: database, share: share, elections: commaList(elections), level: level, weights: weightsChoice.spec, options: try options,
                    output: output, outputEncoding: try out.writeOptions().encoding, keepCRS: out.keepCrs)
    }

    func validate() throws {
        guard commaList(elections).count >= 3 else { throw ValidationError("--elections lists at least 3 elections (e.g. 2011,2016,2021), not '\(elections)'") }
        do { try EmergingJob(database: database, share: share, elections: commaList(elections), options: options, output: output).validate(inputWrittenEarlier: true) } catch {
            throw ValidationError("\(error)")
        }
    }

    func run() throws {
        _ = try common.apply()
        let job = try job()
        try runReportingErrors { try Self.run(job) }
    }

    static func run(_ job: EmergingJob) throws {
        let report = try job.run()
        report.notes.forEach(printNote)
        let result = report.result
        print("\(result.party) share of valid votes over \(result.elections.joined(separator: ", ")) at \(report.level):")
        for (pattern, count) in report.patternCounts { print("  \(pattern.rawValue): \(count)") }
        print("wrote \(result.table.count) units to \(job.output)")
    }
}
