import ArgumentParser
import Engine
import Foundation

/// Options that choose the weights of a statistics command.
struct WeightsChoice: ParsableArguments {
    @Option(name: .long, help: "queen | rook | knn:K | distance:T | distance:auto | FILE.gal|.gwt|.csv")
    var weights: String = "queen"

    @Flag(name: .long, help: "Great-circle distances (metres) for knn/distance on a geographic CRS.")
    var geodesic = false

    func build(_ table: FeatureTable, file: String) throws -> SpatialWeights {
        let spec = weights.lowercased()
        if spec == "queen" { return try SpatialWeights.contiguity(table, rule: .queen, file: file) }
        if spec == "rook" { return try SpatialWeights.contiguity(table, rule: .rook, file: file) }
        if spec.hasPrefix("knn:"), let k = Int(spec.dropFirst(4)) {
            return try SpatialWeights.kNearest(WeightsPoints(table: table, geodesic: geodesic, file: file), k: k)
        }
        if spec.hasPrefix("distance:") {
            let points = try WeightsPoints(table: table, geodesic: geodesic, file: file)
            let value = spec.dropFirst(9)
            let t = value == "auto" ? SpatialWeights.minimumThreshold(points) : Double(value)
            guard let t else { throw GeoVoteError.invalidArgument("--weights \(weights): the threshold is not a number") }
            return try SpatialWeights.distanceBand(points, threshold: t)
        }
        if [".gal", ".gwt", ".csv"].contains(where: { spec.hasSuffix($0) }) {
            return try WeightsFiles.read(weights, ids: (0..<table.count).map(String.init))
        }
        throw GeoVoteError.invalidArgument("unknown --weights '\(weights)'; use queen, rook, knn:K, distance:T, distance:auto or a .gal/.gwt/.csv file")
    }
}

struct Hotspots: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Hot and cold spots: local Getis-Ord Gi*/Gi and Local Moran for one or more fields.",
        discussion: """
        Defaults follow ArcGIS's Hot Spot Analysis: Gi* with binary weights (self \
        included), the Ord-Getis z, two-sided normal p, and Gi_Bin classes (+-3, \
        +-2, +-1 at 99/95/90 %). --variance esda gives esda's G_Local z instead \
        (identical for binary weights). With --permutations R, a pseudo p from \
        conditional randomisation (esda's 'directed' alternative by default) is \
        added, with a seed; results are identical for any --threads. Local Moran \
        uses esda's scale ((n-1)/n z_i lag_i) unless --scale spdep; classes HH, \
        LH, LL, HL where the p-value (pseudo p when permuting) is at most --alpha.
        Output: one row per feature in input order (CSV), columns \
        FIELD_STAT_{value,z,p,psim,class}.
        """)

    @Argument(help: "The layer (.shp).")
    var file: String

    @Option(name: .long, help: "Variables, comma-separated: numeric fields, or shares NUM/DEN (e.g. MP/valid; RNI,PAM/valid; all/valid = every integer field after valid).")
    var field: String

    @Option(name: .long, help: "gistar | gi | local-moran, comma-separated.")
    var statistic: String = "gistar"

    @OptionGroup var weightsChoice: WeightsChoice

    @Option(name: .long, help: "binary | row (default: binary for Gi*, row for Local Moran).")
    var transform: String?

    @Option(name: .long, help: "Permutations for pseudo p-values (0 = none).")
    var permutations: Int = 0

    @Option(name: .long, help: "Random seed for the permutations.")
    var seed: UInt64 = 12345

    @Option(name: .long, help: "directed | two-sided | greater | lesser")
    var alternative: String = "directed"

    @Option(name: .long, help: "ordgetis (ArcGIS) | esda — Gi z-score variance.")
    var variance: String = "ordgetis"

    @Option(name: .long, help: "esda | spdep — Local Moran scale.")
    var scale: String = "esda"

    @Option(name: .long, help: "Significance level for Local Moran classes.")
    var alpha: Double = 0.05

    @Option(name: .shortAndLong, help: "Output .csv")
    var output: String

    @OptionGroup var common: CommonOptions

    func run() throws {
        try common.withLayer(file) { table in
            guard output.lowercased().hasSuffix(".csv") else { throw GeoVoteError.unsupported("--output must be a .csv for now") }
            guard let alt = Alternative(rawValue: alternative) else { throw GeoVoteError.invalidArgument("unknown --alternative '\(alternative)'") }
            let base = try weightsChoice.build(table, file: file)
            let permutation = permutations > 0 ? ConditionalPermutation(permutations: permutations, seed: seed, alternative: alt) : nil
            var header = ["index"]
            var columns: [[String]] = []
            var summary: [String] = []
            for spec in try VariableSpec.list(field, in: table, file: file) {
                let fieldName = spec.name
                let y = try table.values(of: spec, file: file)
                for stat in statistic.split(separator: ",").map({ $0.lowercased() }) {
                    let prefix = "\(fieldName)_\(stat)"
                    switch stat {
                    case "gistar", "gi":
                        let star = stat == "gistar"
                        let kind = try transformKind(default: .binary)
                        let w = (star ? base.withDiagonal(1) : base).transformed(kind)
                        let g = try GetisOrdG(y, weights: w, star: star, variance: variance.lowercased() == "esda" ? .esda : .ordGetis, permutation: permutation)
                        let p = g.pseudoP ?? g.p
                        let bins = (0..<y.count).map { GetisOrdG.confidenceBin(z: g.z[$0], p: p[$0]) }
                        header += ["\(prefix)_value", "\(prefix)_z", "\(prefix)_p"] + (g.pseudoP != nil ? ["\(prefix)_psim"] : []) + ["\(prefix)_bin"]
                        columns += [g.G.map(fmt), g.z.map(fmt), g.p.map(fmt)] + (g.pseudoP.map { [$0.map(fmt)] } ?? []) + [bins.map(String.init)]
                        summary.append("\(prefix): hot \(bins.count { $0 > 1 }), cold \(bins.count { $0 < -1 }) at 95 %+, undefined \(g.undefined.count)")
                    case "local-moran":
                        let w = base.transformed(try transformKind(default: .row))
                        let lm = try LocalMoran(y, weights: w, scale: scale.lowercased() == "spdep" ? .spdep : .esda, permutation: permutation)
                        let names = ["", "HH", "LH", "LL", "HL"]
                        let classes = (0..<y.count).map { i -> String in
                            guard lm.quadrant[i] > 0 else { return "undefined" }
                            guard let p = lm.pseudoP?[i] else { return names[lm.quadrant[i]] }
                            return p <= alpha ? names[lm.quadrant[i]] : "ns"
                        }
                        header += ["\(prefix)_value"] + (lm.pseudoP != nil ? ["\(prefix)_z", "\(prefix)_psim"] : []) + ["\(prefix)_class"]
                        columns += [lm.I.map(fmt)] + (lm.pseudoP != nil ? [lm.zSim!.map(fmt), lm.pseudoP!.map(fmt)] : []) + [classes]
                        summary.append("\(prefix): " + ["HH", "LH", "LL", "HL", "ns", "undefined"].map { c in "\(c) \(classes.count { $0 == c })" }.joined(separator: ", "))
                    default:
                        throw GeoVoteError.invalidArgument("unknown --statistic '\(stat)'; use gistar, gi or local-moran")
                    }
                }
            }
            var text = header.joined(separator: ",") + "\n"
            for i in 0..<table.count {
                text += ([String(i)] + columns.map { $0[i] }).joined(separator: ",") + "\n"
            }
            do { try text.write(toFile: output, atomically: true, encoding: .utf8) } catch {
                throw GeoVoteError.io(path: output, reason: "cannot be written")
            }
            summary.forEach { print($0) }
            print("wrote \(table.count) rows to \(output)")
        }
    }

    func transformKind(default value: WeightsTransform) throws -> WeightsTransform {
        guard let transform else { return value }
        guard let kind = WeightsCommandParsing.transform(transform) else { throw GeoVoteError.invalidArgument("unknown --transform '\(transform)'") }
        return kind
    }

    func fmt(_ v: Double) -> String { v.isFinite ? "\(v)" : "" }
}

struct Moran: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Global Moran's I with normal and randomisation inference (esda Moran).")

    @Argument(help: "The layer (.shp).")
    var file: String

    @Option(name: .long, help: "A numeric field, or a share NUM/DEN (e.g. MP/valid).")
    var field: String

    @OptionGroup var weightsChoice: WeightsChoice

    @Option(name: .long, help: "binary | row")
    var transform: String = "row"

    @Option(name: .long, help: "Permutations for a pseudo p-value.")
    var permutations: Int = 999

    @Option(name: .long, help: "Random seed.")
    var seed: UInt64 = 12345

    @Flag(name: .long, help: "Print JSON.")
    var json = false

    @OptionGroup var common: CommonOptions

    func run() throws {
        try common.withLayer(file) { table in
            let y = try table.values(of: VariableSpec(parsing: field), file: file)
            guard let kind = WeightsCommandParsing.transform(transform) else { throw GeoVoteError.invalidArgument("unknown --transform '\(transform)'") }
            let w = try weightsChoice.build(table, file: file).transformed(kind)
            let m = try MoranI(y, weights: w, permutations: permutations, seed: seed)
            let fields: [(String, Double)] = [("I", m.I), ("EI", m.expected), ("VI_norm", m.varianceNormal), ("z_norm", m.zNormal),
                                              ("p_norm", m.pNormal), ("VI_rand", m.varianceRandomization), ("z_rand", m.zRandomization),
                                              ("p_rand", m.pRandomization)] + (m.pseudoP.map { [("p_sim", $0)] } ?? [])
            if json {
                print("{" + fields.map { "\"\($0.0)\":\($0.1)" }.joined(separator: ",") + ",\"permutations\":\(permutations)}")
            } else {
                fields.forEach { print("\($0.0.padding(toLength: 8, withPad: " ", startingAt: 0)) \($0.1)") }
            }
        }
    }
}
