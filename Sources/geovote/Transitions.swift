import ArgumentParser
import GeoVoteEngine
import Foundation

struct Transitions: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "LISA transitions of a party's share between two elections of a database (giddy's LISA_Markov).",
        discussion: """
        Each unit's Moran scatterplot quadrant (1 HH, 2 LH, 3 LL, 4 HL: its share against \
        the row-standardised lag of its neighbours, esda's q) in the earlier and the later \
        election, on the later election's units: the earlier shares by code where the \
        boundary is the same, else by areal interpolation of the counts (as db swing). \
        Prints the 4 x 4 transition counts and their row probabilities (giddy's \
        transitions and p). Output columns: unit, s0_P, s1_P, q_from, q_to, from, to, \
        transition (HH->LH), move_type ((q_from - 1) * 4 + q_to, 1-16, giddy's \
        move_types); with --permutations R also p_from, p_to (Local Moran pseudo p, \
        esda's p_sim) and significant_move (giddy's 1-64: move_type + 16 x (0 both \
        ends significant at --alpha, 1 only the first, 2 only the second, 3 neither)). \
        --from and --to take an election's name or a part of it that names one \
        election (2016 for legislative-2016). Islands are left out.
        """)

    @OptionGroup var elections: TwoElections

    @OptionGroup var weightsChoice: WeightsChoice

    @Option(name: .long, parsing: .unconditional, help: "Local Moran permutations for the significant moves (default 0: none).")
    var permutations: Int = 0

    @Option(name: .long, help: "Seed of the permutations.")
    var seed: UInt64 = 12345

    @Option(name: .long, parsing: .unconditional, help: "Significance level of an end point (default 0.05).")
    var alpha: Double = 0.05

    @Option(name: .shortAndLong, help: "Output .shp, .geojson, .csv or FILE.gpkg[:LAYER].")
    var output: String

    @OptionGroup var out: OutputOptions
    @OptionGroup var common: CommonOptions

    func job() throws -> TransitionsJob {
        TransitionsJob(database: elections.database, share: elections.share, from: elections.from, to: elections.to, level: elections.level, fromLevel: elections.fromLevel, weights: weightsChoice.spec,
                       permutations: permutations, seed: seed, alpha: alpha, output: output, outputEncoding: try out.writeOptions().encoding,
                       keepCRS: out.keepCrs)
    }

    func validate() throws {
        do { try TransitionsJob(database: elections.database, share: elections.share, from: elections.from, to: elections.to, permutations: permutations, alpha: alpha, output: output).validate(inputWrittenEarlier: true) } catch {
            throw ValidationError("\(error)")
        }
    }

    func run() throws {
        _ = try common.apply()
        let job = try job()
        try runReportingErrors { try Self.run(job) }
    }

    static func run(_ job: TransitionsJob) throws {
        let report = try job.run()
        report.notes.forEach(printNote)
        let result = report.result
        print("\(result.party) share of valid votes, \(result.from) → \(result.to) at \(report.level) (\(result.interpolated) units interpolated):")
        print(result.transitions.text)
        print("wrote \(result.table.count) units to \(job.output)")
    }
}

/// The database, the party's share and the two elections of `transitions` and `strongholds`.
struct TwoElections: ParsableArguments {
    @Argument(help: "The election database, DB.gpkg.")
    var database: String

    @Option(name: .long, help: "The party's share of valid votes, P/valid (e.g. MP/valid).")
    var share: String

    @Option(name: .long, help: "The earlier election.")
    var from: String

    @Option(name: .long, help: "The later election.")
    var to: String

    @Option(name: .long, help: "The later election's level (default: its only level, else commune).")
    var level: String?

    @Option(name: .long, help: "The earlier election's level when it differs.")
    var fromLevel: String?
}
