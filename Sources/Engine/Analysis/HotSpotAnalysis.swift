/// Hot and cold spots of one layer: every statistic of every variable, on
/// weights built once, with the conventions of ``HotSpotOptions``.
///
/// ```swift
/// let table = try LayerIO.read("communes_utm29n.shp")
/// let results = try HotSpotAnalysis.run(table, file: "communes_utm29n.shp",
///                                       variables: [VariableSpec(parsing: "PJD/valid")],
///                                       options: HotSpotOptions(statistics: [.giStar, .localMoran], permutations: 999))
/// let hot = results.results[0].classes.filter { if case .confidenceBin(let b) = $0 { b >= 2 } else { false } }.count
/// ```
///
/// What it does, per variable: features without a value are left out
/// (``MissingValuePolicy/exclude``, as GeoDa and ArcGIS), the raw weights are
/// restricted to the kept features and then derived for each statistic (Gi*
/// self-weights, the transform), the statistic and its inference run on the
/// kept features, and the results are put back in input order with the
/// reason for every undefined unit. The same options and seed give the same
/// numbers for any `workers`.
public enum HotSpotAnalysis {
    /// Called before each (variable, statistic) step with its number, the
    /// number of steps and a label; returns the progress to report the
    /// permutations to (nil: none).
    public typealias ProgressFactory = (_ step: Int, _ steps: Int, _ label: String) -> WorkProgress?

    /// Builds the weights that `options` names for `table` (read from
    /// `file`), and refuses those that Gi* cannot take.
    /// - Parameters:
    ///   - table: the layer.
    ///   - file: its path, named in errors.
    ///   - options: the weights specification and the statistics.
    ///   - folder: the folder a relative weights-file path is taken from.
    ///   - workers: threads to build them on (the result does not depend on it).
    public static func weights(for table: FeatureTable, file: String, options: HotSpotOptions, relativeTo folder: String? = nil,
                               workers: Int = Parallel.defaultWorkerCount) throws -> (SpatialWeights, WeightsSummary) {
        let (w, notes) = try options.weights.build(table, file: file, geodesic: options.geodesic, relativeTo: folder, workers: workers)
        if options.statistics.contains(.giStar), let i = (0..<w.count).first(where: { w.weight($0, $0) != 0 }) {
            throw GeoVoteError.invalidArgument("the weights \(options.weights) link unit \(i) to itself, and Gi* adds its own self-weights: use weights without self-links (or gi)")
        }
        return (w, WeightsSummary(w, threshold: notes.threshold))
    }

    /// Runs the analysis.
    /// - Parameters:
    ///   - table: the layer.
    ///   - file: its path, named in errors.
    ///   - options: statistics, inference and conventions.
    ///   - folder: the folder a relative weights-file path is taken from.
    ///   - workers: threads (the results do not depend on it).
    ///   - progress: asked for a progress receiver before each step.
    ///   - variables: numeric fields, shares or Empirical Bayes rates; for
    ///     join counts, categories (`VariableSpec(numerator: "winner(all/valid)=PJD")`).
    ///   - prebuilt: weights already built (e.g. by ``weights(for:file:options:relativeTo:workers:)``); nil: built here.
    /// - Throws: `GeoVoteError` for invalid options, missing fields, bad
    ///   values under ``MissingValuePolicy/error``, weights that cannot be built.
    public static func run(_ table: FeatureTable, file: String, variables: [VariableSpec], options: HotSpotOptions,
                           weights prebuilt: (SpatialWeights, WeightsSummary)? = nil, relativeTo folder: String? = nil,
                           workers: Int = Parallel.defaultWorkerCount, progress: ProgressFactory? = nil) throws -> HotSpotResults {
        try options.validate()
        guard !variables.isEmpty else { throw GeoVoteError.invalidArgument("no variable given") }
        let joinCount = options.statistics == [.joinCount]
        // Every value read before any statistic runs: a missing field fails now.
        func defined(_ spec: VariableSpec) throws -> ([Double], DefinedSubset) {
            if joinCount { return (try table.indicator(spec.numerator, file: file), .complete(count: table.count)) }
            return try table.values(of: spec, missing: options.missing, file: file)
        }
        let inputs = try variables.map { try defined($0) }
        let against = try options.against.map { try table.definedValues(of: $0, file: file) }
        let (base, summary) = try prebuilt ?? weights(for: table, file: file, options: options, relativeTo: folder, workers: workers)
        guard base.count == table.count else {
            throw GeoVoteError.invalidArgument("the weights have \(base.count) units, \(file) has \(table.count) features")
        }
        let derived = DerivedWeights(base: base)
        var results: [LocalHotSpotResult] = []
        let steps = variables.count * options.statistics.count
        for (v, spec) in variables.enumerated() {
            for statistic in options.statistics {
                var (y, subset) = inputs[v]
                if statistic == .bivariateLocalMoran, let against { subset = subset.merged(with: against.1) }
                let label = "[\(results.count + 1)/\(steps)] \(spec) \(statistic.rawValue)"
                var permutation = try options.permutation(for: statistic)
                permutation?.progress = progress?(results.count + 1, steps, label)
                let restricted = derived.restricted(to: subset)
                let kept = subset.restrict(y)
                let context = StepContext(options: options, statistic: statistic, spec: spec, weights: restricted, permutation: permutation,
                                          against: against.map { subset.restrict($0.0) }, workers: workers)
                let partial = try context.compute(kept)
                results.append(partial.expanded(subset, values: y, constant: kept.allSatisfy { $0 == kept.first }, full: base,
                                                restricted: restricted.base, context: context))
            }
        }
        return HotSpotResults(options: options, count: table.count, weights: base, weightsSummary: summary, results: results)
    }
}

/// One (variable, statistic) step.
struct StepContext {
    let options: HotSpotOptions
    let statistic: HotSpotStatistic
    let spec: VariableSpec
    let weights: DerivedWeights
    let permutation: ConditionalPermutation?
    let against: [Double]?
    let workers: Int

    var geoda: Bool { options.convention == .geoda }
    var prefix: String { "\(spec.columnName)_\(statistic.columnName)" }
    /// How the summary line names the step: `PJD/valid local-moran`.
    var label: String { "\(spec) \(statistic.rawValue)" }
    var sidedness: String { options.effectiveSignificance == .twoSided ? "two-sided" : "directed" }

    func cutoff(_ p: [Double]) -> Double { options.correction.cutoff(p, alpha: options.alpha) }

    /// The p each level tests, from the pseudo p when permuting, else the analytic p.
    func levels(pseudo: [Double]?, analytic: [Double]?) -> [Double]? {
        if let pseudo {
            let alternative = permutation?.alternative ?? .directed
            return pseudo.map { options.levelP($0, permuted: true, alternative: alternative) }
        }
        return analytic
    }

    /// The results over the kept units.
    struct Partial {
        var value: [Double]
        var z: [Double]?
        var p: [Double]?
        var simulated: PermutationInference?
        var levelP: [Double]?
        var cutoff: Double
        var classes: [LocalClass]
        var geodaCodes: [Int]?
        var geodaLabels: [String]?
        var undefined: [Int]
        var summary: String
    }

    func compute(_ y: [Double]) throws -> Partial {
        switch statistic {
        case .giStar, .gi:
            let star = statistic == .giStar
            let w = weights.get(star: star, transform: options.effectiveTransform(for: statistic))
            let g = try GetisOrdG(prepared: y, weights: w, star: star, variance: options.effectiveVariance, permutation: permutation, workers: workers)
            let lp = levels(pseudo: g.simulated?.pseudoP, analytic: g.p)!
            // ArcGIS's bins: ±3, ±2, ±1 when p is within the cut-off at 0.01,
            // 0.05, 0.10 (each corrected when asked, as ArcGIS's FDR option does).
            let cuts = [0.01, 0.05, 0.10].map { options.correction.cutoff(lp, alpha: $0) }
            let classes = (0..<y.count).map { i -> LocalClass in
                guard g.z[i].isFinite else { return .undefined }
                guard lp[i].isFinite else { return .notSignificant }
                let level = lp[i] <= cuts[0] ? 3 : lp[i] <= cuts[1] ? 2 : lp[i] <= cuts[2] ? 1 : 0
                return level == 0 ? .notSignificant : .confidenceBin(g.z[i] > 0 ? level : -level)
            }
            let bins = classes.map { if case let .confidenceBin(b) = $0 { b } else { 0 } }
            var codes: [Int]?
            if geoda, g.simulated != nil { codes = GeoDaClusters.getisOrd(g, weights: w, p: lp, cutoff: cutoff(lp)) }
            return Partial(value: g.value, z: g.z, p: g.p, simulated: g.simulated, levelP: lp, cutoff: cuts[1], classes: classes,
                           geodaCodes: codes, geodaLabels: codes.map { $0.map { GeoDaClusters.getisOrdLabels[$0] } }, undefined: g.undefined,
                           summary: "\(label): hot \(bins.count { $0 >= 2 }), cold \(bins.count { $0 <= -2 }) at 95 %+; hot \(bins.count { $0 >= 1 }), cold \(bins.count { $0 <= -1 }) at 90 %+ (\(sidedness))")
        case .localMoran, .bivariateLocalMoran:
            let w = weights.get(star: false, transform: options.effectiveTransform(for: statistic))
            let scale = options.effectiveLocalMoranScale
            let lm: LocalMoran
            if statistic == .bivariateLocalMoran, let against {
                lm = try LocalMoran(x: y, y: against, weights: w, transform: .none, scale: scale, permutation: permutation, workers: workers)
            } else {
                lm = try LocalMoran(y, weights: w, transform: .none, scale: scale, permutation: permutation, workers: workers)
            }
            // Analytic moments (univariate only: the bivariate statistic has none).
            let analytic = options.moments == .total ? lm.total : lm.conditional
            // Classes from the pseudo p when permuting, else the analytic p; with
            // neither (bivariate, no permutations) nothing is significant.
            let lp = levels(pseudo: lm.simulated?.pseudoP, analytic: analytic?.p)
            let cut = lp.map(cutoff) ?? options.alpha
            let classes = (0..<y.count).map { i -> LocalClass in
                guard lm.quadrant[i] != .undefined else { return .undefined }
                guard let lp, lp[i].isFinite else { return .notSignificant }
                return lp[i] <= cut ? .quadrant(lm.quadrant[i]) : .notSignificant
            }
            var codes: [Int]?
            if geoda, let lp { codes = GeoDaClusters.localMoran(lm, weights: w, p: lp, cutoff: cut) }
            let label = statistic == .bivariateLocalMoran ? "\(self.label) against \(options.against.map(\.description) ?? "")" : self.label
            return Partial(value: lm.value, z: analytic?.z, p: analytic?.p, simulated: lm.simulated, levelP: lp, cutoff: cut, classes: classes,
                           geodaCodes: codes, geodaLabels: codes.map { $0.map { GeoDaClusters.localMoranLabels[$0] } }, undefined: lm.undefined,
                           summary: "\(label): " + ["HH", "LH", "LL", "HL", "ns"].map { c in "\(c) \(classes.count { $0.description == c })" }.joined(separator: ", ")
                               + (lp == nil ? "" : " (\(sidedness))"))
        case .localGeary:
            let w = weights.get(star: false, transform: options.effectiveTransform(for: statistic))
            let lg = try LocalGeary(y, weights: w, transform: .none, scale: options.effectiveLocalGearyScale, permutation: permutation, workers: workers)
            let lp = levels(pseudo: lg.simulated?.pseudoP, analytic: nil)
            let cut = lp.map(cutoff) ?? options.alpha
            let classes: [LocalClass] = lp == nil
                ? lg.value.map { $0.isFinite ? .notSignificant : .undefined }
                : lg.classes(p: lp, cutoff: cut).map { $0 == .undefined ? .undefined : $0 == .notSignificant ? .notSignificant : .geary($0) }
            var codes: [Int]?
            if geoda, let lp { codes = GeoDaClusters.localGeary(lg, weights: w, p: lp, cutoff: cut) }
            return Partial(value: lg.value, z: nil, p: nil, simulated: lg.simulated, levelP: lp, cutoff: cut, classes: classes,
                           geodaCodes: codes, geodaLabels: codes.map { $0.map { GeoDaClusters.localGearyLabels[$0] } }, undefined: lg.undefined,
                           summary: "\(label): " + ["HH", "LL", "other", "ns"].map { c in "\(c) \(classes.count { $0.description == c })" }.joined(separator: ", ")
                               + (lp == nil ? "" : " (\(sidedness))"))
        case .joinCount:
            let lj = try LocalJoinCount(y, weights: weights.base, permutation: permutation, workers: workers)
            // One-sided by definition: it tests clustering of 1s only (esda).
            let lp = lj.simulated?.pseudoP
            let cut = lp.map(cutoff) ?? options.alpha
            let classes = (0..<y.count).map { i -> LocalClass in
                guard lj.value[i].isFinite else { return .undefined }
                guard let lp, lp[i].isFinite else { return lj.value[i] > 0 && lp == nil ? .joinCluster : .notSignificant }
                return lp[i] <= cut ? .joinCluster : .notSignificant
            }
            var codes: [Int]?
            if geoda, let lp { codes = GeoDaClusters.joinCount(lj, weights: weights.base, p: lp, cutoff: cut) }
            return Partial(value: lj.value, z: nil, p: nil, simulated: lj.simulated, levelP: lp, cutoff: cut, classes: classes,
                           geodaCodes: codes, geodaLabels: codes.map { $0.map { GeoDaClusters.joinCountLabels[$0] } }, undefined: lj.undefined,
                           summary: "\(label): units \(y.count { $0 == 1 }), significant BB clusters \(classes.count { $0 == .joinCluster })")
        }
    }

    /// GeoDa's code for an undefined unit, per statistic.
    var geodaUndefinedCode: Int {
        switch statistic {
        case .giStar, .gi: 3
        case .localMoran, .bivariateLocalMoran, .localGeary: 5
        case .joinCount: 2
        }
    }
}

extension StepContext.Partial {
    /// The results back at the input's places, undefined at left-out
    /// features, with the reason for each undefined unit; no p-value where
    /// the statistic is undefined.
    func expanded(_ subset: DefinedSubset, values: [Double], constant: Bool, full: SpatialWeights, restricted: SpatialWeights,
                  context: StepContext) -> LocalHotSpotResult {
        var reasons: [UndefinedReason?] = subset.reasons.map { $0.map(UndefinedReason.leftOut) }
        let fullIslands = Set(full.islands), restrictedIslands = Set(restricted.islands)
        for k in undefined {
            let i = subset.kept[k]
            reasons[i] = fullIslands.contains(i) ? .noNeighbours
                : restrictedIslands.contains(k) ? .noNeighbourWithValue
                : constant ? .constantVariable : .undefinedRatio
        }
        let undefinedKept = Set(undefined)
        func place(_ v: [Double]?) -> [Double]? {
            guard let v else { return nil }
            var out = v
            for k in undefinedKept { out[k] = .nan }
            return subset.expand(out)
        }
        let simulatedFull = simulated.map { s in
            PermutationInference(pseudoP: place(s.pseudoP)!, zSim: place(s.zSim)!, meanSim: place(s.meanSim)!, simulations: s.simulations)
        }
        var classesFull = [LocalClass](repeating: .undefined, count: subset.count)
        for (k, i) in subset.kept.enumerated() { classesFull[i] = classes[k] }
        var neighbours = [Int?](repeating: nil, count: subset.count)
        for (k, i) in subset.kept.enumerated() { neighbours[i] = restricted.offsets[k + 1] - restricted.offsets[k] }
        var codes: [Int]?, labels: [String]?
        if let geodaCodes, let geodaLabels {
            var c = [Int](repeating: context.geodaUndefinedCode, count: subset.count), l = [String](repeating: "Undefined", count: subset.count)
            for (k, i) in subset.kept.enumerated() { (c[i], l[i]) = (geodaCodes[k], geodaLabels[k]) }
            (codes, labels) = (c, l)
        }
        var tally: [String: Int] = [:]
        for case let reason? in reasons { tally[reason.description, default: 0] += 1 }
        let counts = tally.sorted { $0.value > $1.value || ($0.value == $1.value && $0.key < $1.key) }
        var line = summary
        if !counts.isEmpty {
            line += "; undefined \(counts.reduce(0) { $0 + $1.value }): " + counts.prefix(4).map { "\($0.key) \($0.value)" }.joined(separator: ", ")
                + (counts.count > 4 ? ", …" : "")
        }
        var notes: [String] = []
        if let leftOut = subset.leftOutSummary() { notes.append("\(context.spec) \(context.statistic.rawValue): \(leftOut), undefined in the output") }
        return LocalHotSpotResult(variable: context.spec, statistic: context.statistic, values: values.indices.map { subset.reasons[$0] == nil ? values[$0] : .nan },
                                  value: place(value)!, z: place(z), p: place(p), simulated: simulatedFull,
                                  levelP: place(levelP) ?? [Double](repeating: .nan, count: subset.count), cutoff: cutoff,
                                  classes: classesFull, geodaCodes: codes, geodaLabels: labels, undefined: reasons, neighbours: neighbours,
                                  summary: line, notes: notes)
    }
}

/// The weights each statistic needs, derived from the base weights once and
/// shared by all variables (Gi* with esda's self-weights, each transform).
final class DerivedWeights {
    let base: SpatialWeights
    private var cache: [String: SpatialWeights] = [:]
    private var restriction: (DefinedSubset, DerivedWeights)?

    init(base: SpatialWeights) { self.base = base }

    /// The same derivations over the features of a subset (the last subset
    /// asked for is kept: the variables of a results table usually miss the
    /// same features).
    func restricted(to subset: DefinedSubset) -> DerivedWeights {
        if subset.isComplete { return self }
        if let (s, w) = restriction, s == subset { return w }
        let w = DerivedWeights(base: subset.restrict(base))
        restriction = (subset, w)
        return w
    }

    func get(star: Bool, transform: WeightsTransform) -> SpatialWeights {
        let key = "\(star) \(transform.rawValue)"
        if let w = cache[key] { return w }
        let w = (star ? base.withGiStarSelfWeights() : base).transformed(transform)
        cache[key] = w
        return w
    }
}
