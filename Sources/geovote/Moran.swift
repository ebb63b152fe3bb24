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

    @Argument(help: "The layer (.shp, .geojson).")
    var file: String

    @Option(name: .long, help: "A numeric field, a share NUM/DEN (e.g. MP/valid), or eb:NUM/DEN.")
    var field: String?

    @Option(name: .long, help: "A share NUM/DEN (the same as --field NUM/DEN).")
    var share: String?

    func validate() throws {
        guard (field == nil) != (share == nil) else { throw ValidationError("give one variable: --field or --share") }
        guard permutations >= 0 else { throw ValidationError("--permutations is \(permutations): it is negative; give 0 (none) or more") }
        guard permutations <= ConditionalPermutation.maximumPermutations else {
            throw ValidationError("--permutations is \(permutations): at most \(ConditionalPermutation.maximumPermutations)")
        }
    }

    @Option(name: .long, help: "moran | geary | general-g")
    var statistic: String = "moran"

    @OptionGroup var weightsChoice: WeightsChoice

    @Option(name: .long, help: "binary | row (default: row for moran and geary, binary for general-g).")
    var transform: String?

    @Option(name: .long, help: "Permutations for a pseudo p-value (0 = none; at most 10,000,000).")
    var permutations: Int = 999

    @Option(name: .long, help: "Random seed.")
    var seed: UInt64 = 12345

    @Option(name: .long, help: "geovote | esda — the permutations' stream: GeoVote's (parallel), or numpy's as esda draws them after np.random.seed(SEED) (esda's p_sim exactly).")
    var draws: String = "geovote"

    @Flag(name: .long, help: "Print JSON.")
    var json = false

    @Option(name: .long, help: "exclude | error — a feature whose value is missing, not a number, or a share of 0 (GeoDa, ArcGIS: exclude; listed on stderr).")
    var missing: MissingValuePolicy = .exclude

    @OptionGroup var common: CommonOptions

    func run() throws {
        try common.withLayer(file) { table in
            let spec = VariableSpec(parsing: field ?? share ?? "")
            // Features without a value are left out (GeoDa, ArcGIS): the raw
            // weights are restricted, then transformed.
            let (all, subset) = missing == .exclude ? try table.definedValues(of: spec, file: file)
                : (try table.values(of: spec, file: file), DefinedSubset.complete(count: table.count))
            let y = subset.restrict(all)
            if let leftOut = subset.leftOutSummary() { FileHandle.standardError.write(Data("note: \(spec): \(leftOut)\n".utf8)) }
            let stat = statistic.lowercased()
            guard let drawKind = ["geovote": GlobalDraws.keyed, "esda": .esda][draws.lowercased()] else {
                throw GeoVoteError.invalidArgument("--draws is geovote or esda, not '\(draws)'")
            }
            let defaultTransform = stat == "general-g" ? "binary" : "row"
            guard let kind = WeightsCommandParsing.transform(transform ?? defaultTransform) else {
                throw GeoVoteError.invalidArgument("unknown --transform '\(transform ?? "")'")
            }
            let w = try subset.restrict(weightsChoice.spec.build(table, file: file, geodesic: weightsChoice.geodesic).0).transformed(kind)
            var fields: [(String, Double)]
            switch stat {
            case "moran":
                let m = try MoranI(y, weights: w, permutations: permutations, seed: seed, draws: drawKind)
                fields = [("I", m.I), ("EI", m.expected), ("VI_norm", m.varianceNormal), ("z_norm", m.zNormal),
                          ("p_norm", m.pNormal), ("VI_rand", m.varianceRandomization), ("z_rand", m.zRandomization),
                          ("p_rand", m.pRandomization)] + (m.pseudoP.map { [("p_sim", $0)] } ?? [])
            case "geary":
                let g = try GearyC(y, weights: w, permutations: permutations, seed: seed, draws: drawKind)
                fields = [("C", g.C), ("EC", g.expected), ("VC_norm", g.varianceNormal), ("z_norm", g.zNormal),
                          ("p_norm", g.pNormal), ("VC_rand", g.varianceRandomization), ("z_rand", g.zRandomization),
                          ("p_rand", g.pRandomization)] + (g.pseudoP.map { [("p_sim", $0)] } ?? [])
            case "general-g":
                let g = try GeneralG(y, weights: w, permutations: permutations, seed: seed, draws: drawKind)
                fields = [("G", g.G), ("EG", g.expected), ("VG", g.variance), ("z_norm", g.z), ("p_norm", g.p)]
                    + (g.pseudoP.map { [("p_sim", $0)] } ?? [])
            default:
                throw GeoVoteError.invalidArgument("unknown --statistic '\(statistic)'; use moran, geary or general-g")
            }
            if json {
                print("{\"statistic\":\"\(stat)\"," + fields.map { "\"\($0.0)\":\($0.1)" }.joined(separator: ",")
                      + ",\"permutations\":\(permutations),\"n\":\(y.count),\"left_out\":\(table.count - y.count)}")
            } else {
                fields.forEach { print("\($0.0.padding(toLength: 8, withPad: " ", startingAt: 0)) \($0.1)") }
                print("n        \(y.count) (\(table.count - y.count) left out)")
            }
        }
    }
}
