import Foundation

/// A global spatial autocorrelation statistic.
public enum GlobalStatistic: String, Sendable, Hashable, CaseIterable {
    /// Moran's I (esda `Moran`, spdep `moran.test`).
    case moran
    /// Geary's C (esda `Geary`, spdep `geary.test`).
    case geary
    /// Getis–Ord General G (esda `G`, spdep `globalG.test`); values must be ≥ 0.
    case generalG = "general-g"

    /// The transform each statistic is defined with in esda: row for Moran
    /// and Geary, binary for General G.
    public var defaultTransform: WeightsTransform { self == .generalG ? .binary : .row }
}

/// What ``GlobalAnalysis/run(_:file:variable:options:relativeTo:workers:)`` computes.
public struct GlobalOptions: Sendable, Hashable {
    public var statistic: GlobalStatistic
    public var weights: WeightsSpec
    /// Great-circle metres for distance weights on a geographic CRS.
    public var geodesic: Bool
    /// nil: the statistic's ``GlobalStatistic/defaultTransform``.
    public var transform: WeightsTransform?
    /// Permutations for the pseudo p (0: none; at most ``ConditionalPermutation/maximumPermutations``).
    public var permutations: Int
    public var seed: UInt64
    /// GeoVote's keyed stream, or numpy's as esda draws it.
    public var draws: GlobalDraws
    /// Features without a value: left out (the weights restricted to the
    /// others before the transform, as GeoDa and ArcGIS), or an error.
    public var missing: MissingValuePolicy

    public init(statistic: GlobalStatistic = .moran, weights: WeightsSpec = .contiguity(.queen), geodesic: Bool = false,
                transform: WeightsTransform? = nil, permutations: Int = 999, seed: UInt64 = 12345, draws: GlobalDraws = .keyed,
                missing: MissingValuePolicy = .exclude) {
        self.statistic = statistic
        self.weights = weights
        self.geodesic = geodesic
        self.transform = transform
        self.permutations = permutations
        self.seed = seed
        self.draws = draws
        self.missing = missing
    }

    public var effectiveTransform: WeightsTransform { transform ?? statistic.defaultTransform }

    public func validate() throws {
        guard permutations >= 0 else {
            throw GeoVoteError.invalidArgument("permutations is \(permutations): it is negative; give 0 (none) or more")
        }
        guard permutations <= ConditionalPermutation.maximumPermutations else {
            throw GeoVoteError.invalidArgument("permutations is \(permutations): at most \(ConditionalPermutation.maximumPermutations)")
        }
    }
}

/// A global statistic's values, in esda's names.
public struct GlobalResult: Sendable {
    public let statistic: GlobalStatistic
    public let variable: VariableSpec
    /// (name, value) in esda's attribute names: `I, EI, VI_norm, z_norm,
    /// p_norm, VI_rand, z_rand, p_rand[, p_sim]`; `C, EC, VC_norm, …`;
    /// `G, EG, VG, z_norm, p_norm[, p_sim]`. A value may be NaN (e.g. a
    /// constant variable); JSON writes it as null.
    public let values: [(name: String, value: Double)]
    public let permutations: Int
    /// Features analysed, and left out for a missing value.
    public let count: Int
    public let leftOut: Int
    /// The base weights' summary (before restriction and transform), and
    /// their warnings.
    public let weights: WeightsSummary
    /// Remarks: features left out.
    public let notes: [String]

    public subscript(name: String) -> Double? { values.first { $0.name == name }?.value }

    /// One JSON object: statistic, the values (non-finite as null),
    /// permutations, n, left_out.
    public var json: String {
        func number(_ x: Double) -> String { x.isFinite ? "\(x)" : "null" }
        let body = values.map { "\"\($0.name)\":\(number($0.value))" }.joined(separator: ",")
        return "{\"statistic\":\"\(statistic.rawValue)\",\"variable\":\(JSONText.quoted(variable.description)),\(body)"
            + ",\"permutations\":\(permutations),\"n\":\(count),\"left_out\":\(leftOut)}"
    }

    /// Aligned lines: each value, then n.
    public var text: String {
        (values.map { $0.name.padding(toLength: 8, withPad: " ", startingAt: 0) + " \($0.value)" }
            + ["n        \(count) (\(leftOut) left out)"]).joined(separator: "\n")
    }
}

/// Global spatial autocorrelation of one variable of a layer: what
/// `geovote moran` runs.
///
/// ```swift
/// let (layer, _) = try LayerIO.read("communes_utm29n.shp")
/// let result = try GlobalAnalysis.run(layer, file: "communes_utm29n.shp",
///                                     variable: VariableSpec(parsing: "PJD/valid"),
///                                     options: GlobalOptions(statistic: .moran, permutations: 999))
/// print(result["I"]!, result["p_sim"]!)
/// ```
public enum GlobalAnalysis {
    /// Builds the weights, leaves out features without a value (restricting
    /// the raw weights, then transforming), and computes the statistic.
    /// - Throws: `GeoVoteError` for invalid options, a missing field, a bad
    ///   value under ``MissingValuePolicy/error``, weights that cannot be built.
    public static func run(_ table: FeatureTable, file: String, variable: VariableSpec, options: GlobalOptions,
                           relativeTo folder: String? = nil, workers: Int = Parallel.defaultWorkerCount) throws -> GlobalResult {
        try options.validate()
        let (all, subset) = try table.values(of: variable, missing: options.missing, file: file)
        let y = subset.restrict(all)
        let (base, notes) = try options.weights.build(table, file: file, geodesic: options.geodesic, relativeTo: folder, workers: workers)
        let summary = WeightsSummary(base, threshold: notes.threshold)
        let w = subset.restrict(base).transformed(options.effectiveTransform)
        let (p, seed, draws) = (options.permutations, options.seed, options.draws)
        let values: [(name: String, value: Double)]
        switch options.statistic {
        case .moran:
            let m = try MoranI(y, weights: w, permutations: p, seed: seed, draws: draws, workers: workers)
            values = [("I", m.I), ("EI", m.expected), ("VI_norm", m.varianceNormal), ("z_norm", m.zNormal),
                      ("p_norm", m.pNormal), ("VI_rand", m.varianceRandomization), ("z_rand", m.zRandomization),
                      ("p_rand", m.pRandomization)] + (m.pseudoP.map { [("p_sim", $0)] } ?? [])
        case .geary:
            let g = try GearyC(y, weights: w, permutations: p, seed: seed, draws: draws, workers: workers)
            values = [("C", g.C), ("EC", g.expected), ("VC_norm", g.varianceNormal), ("z_norm", g.zNormal),
                      ("p_norm", g.pNormal), ("VC_rand", g.varianceRandomization), ("z_rand", g.zRandomization),
                      ("p_rand", g.pRandomization)] + (g.pseudoP.map { [("p_sim", $0)] } ?? [])
        case .generalG:
            let g = try GeneralG(y, weights: w, permutations: p, seed: seed, draws: draws, workers: workers)
            values = [("G", g.G), ("EG", g.expected), ("VG", g.variance), ("z_norm", g.z), ("p_norm", g.p)]
                + (g.pseudoP.map { [("p_sim", $0)] } ?? [])
        }
        let leftOut = subset.leftOutSummary().map { ["\(variable): \($0)"] } ?? []
        return GlobalResult(statistic: options.statistic, variable: variable, values: values, permutations: p,
                            count: y.count, leftOut: table.count - y.count, weights: summary, notes: leftOut)
    }
}

/// JSON string quoting, through the GeoJSON writer's escaping.
enum JSONText {
    static func quoted(_ s: String) -> String {
        var out = JSONOutput()
        out.string(s)
        return String(decoding: out.bytes, as: UTF8.self)
    }
}
