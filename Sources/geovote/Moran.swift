import ArgumentParser
import GeoVoteEngine
import Foundation

struct Moran: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Global spatial autocorrelation: Moran's I, Geary's C, Getis-Ord General G (esda's definitions).",
        discussion: """
        moran: I, E[I], variance, z and two-sided p under normality and \
        randomisation (esda Moran, default row weights). geary: C, E[C]=1, \
        variances, z and one-sided p in the direction of C-1 (esda Geary, row \
        weights). general-g: G, E[G], Var[G], z, one-sided p of |z| (esda G, \
        binary weights, variable >= 0). With --permutations R: p_sim, esda's \
        folded-tail pseudo p; identical for any --threads. The variable may be \
        a share NUM/DEN or an Empirical Bayes rate eb:NUM/DEN (esda Moran_Rate).
        """)

    @Argument(help: "The layer (.shp, .geojson, FILE.gpkg[:LAYER]).")
    var file: String

    @OptionGroup var variable: VariableChoice

    func validate() throws {
        // The library's check, as a usage error (exit 64).
        do { try GlobalOptions(permutations: permutations).validate() } catch { throw ValidationError("--\(error)") }
    }

    @Option(name: .long, help: "moran | geary | general-g")
    var statistic: GlobalStatistic = .moran

    @OptionGroup var weightsChoice: WeightsChoice

    @Option(name: .long, help: "binary | row (default: row for moran and geary, binary for general-g).")
    var transform: TransformArgument?

    @Option(name: .long, parsing: .unconditional, help: "Permutations for a pseudo p-value (0 = none; at most 10,000,000).")
    var permutations: Int = 999

    @Option(name: .long, help: "Random seed.")
    var seed: UInt64 = 12345

    @Option(name: .long, help: "geovote | esda — the permutations' stream: GeoVote's (parallel), or numpy's as esda draws them after np.random.seed(SEED) (esda's p_sim exactly).")
    var draws: GlobalDrawsArgument = .geovote

    @Flag(name: .long, help: "Print JSON.")
    var json = false

    @Option(name: .long, help: "exclude | error — a feature whose value is missing, not a number, or a share of 0 (GeoDa, ArcGIS: exclude; listed on stderr).")
    var missing: MissingValuePolicy = .exclude

    @OptionGroup var common: CommonOptions

    func run() throws {
        try common.withLayer(file) { table in
            let options = GlobalOptions(statistic: statistic, weights: weightsChoice.spec, geodesic: weightsChoice.geodesic,
                                        transform: transform?.value, permutations: permutations, seed: seed,
                                        draws: draws == .esda ? .esda : .keyed, missing: missing)
            let result = try GlobalAnalysis.run(table, file: file, variable: variable.spec(), options: options)
            result.notes.forEach(printNote)
            result.weights.warnings.forEach { printNote("weights: " + $0) }
            if json {
                print(result.json)
            } else {
                print("weights: \(options.weights)")
                print(result.weights.description)
                print(result.text)
            }
        }
    }
}

extension GlobalStatistic: ExpressibleByArgument {}

/// --draws of `moran`.
enum GlobalDrawsArgument: String, ExpressibleByArgument, CaseIterable { case geovote, esda }

/// --field or --share: the one variable of `moran`, `isa` and `ohsa`.
struct VariableChoice: ParsableArguments {
    @Option(name: .long, help: "A numeric field, a share NUM/DEN (e.g. MP/valid), or eb:NUM/DEN.")
    var field: String?

    @Option(name: .long, help: "A share NUM/DEN (the same as --field NUM/DEN).")
    var share: String?

    func validate() throws {
        guard (field == nil) != (share == nil) else { throw ValidationError("give one variable: --field or --share") }
    }

    func spec() -> VariableSpec { VariableSpec(parsing: text) }

    /// The variable as written.
    var text: String { field ?? share ?? "" }
}
