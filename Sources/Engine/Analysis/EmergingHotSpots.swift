import Foundation

/// ArcGIS's emerging hot-spot patterns (ArcGIS Pro, "How Emerging Hot Spot
/// Analysis works"), and GeoVote's answer where a trend cannot be tested.
public enum EmergingPattern: String, Sendable, Hashable, CaseIterable, Codable {
    case none = "no pattern"
    case newHot = "new hot spot", consecutiveHot = "consecutive hot spot", intensifyingHot = "intensifying hot spot"
    case persistentHot = "persistent hot spot", diminishingHot = "diminishing hot spot", sporadicHot = "sporadic hot spot"
    case oscillatingHot = "oscillating hot spot", historicalHot = "historical hot spot"
    case newCold = "new cold spot", consecutiveCold = "consecutive cold spot", intensifyingCold = "intensifying cold spot"
    case persistentCold = "persistent cold spot", diminishingCold = "diminishing cold spot", sporadicCold = "sporadic cold spot"
    case oscillatingCold = "oscillating cold spot", historicalCold = "historical cold spot"
    /// Significant in ≥ 90 % of the elections, the last included, but too few
    /// elections for the Mann–Kendall test to tell intensifying, persistent
    /// and diminishing apart (its smallest exact p is above the level).
    case hotTrendUntestable = "hot spot (trend untestable)"
    case coldTrendUntestable = "cold spot (trend untestable)"
}

/// What ``EmergingHotSpots/run(_:weights:options:workers:)`` takes besides the cube.
public struct EmergingOptions: Sendable, Hashable {
    /// Earlier elections in a unit's neighbourhood (ArcGIS's neighbourhood time step; 1 by default).
    public var timeLag: Int
    /// A bin is significant when its Gi_Bin reaches this confidence: 90, 95 (default) or 99.
    public var confidence: Int
    /// The Mann–Kendall test's level.
    public var trendAlpha: Double
    public var correction: MultipleTesting
    public var permutations: Int
    public var seed: UInt64
    /// How the permutations are drawn: each bin its own draws keyed by the
    /// bin (default), or esda's one shared table (``DrawScheme/shared``:
    /// about 2× faster on 450,000 bins, as esda's `crand`).
    public var draws: DrawScheme

    public init(timeLag: Int = 1, confidence: Int = 95, trendAlpha: Double = 0.05, correction: MultipleTesting = .fdr,
                permutations: Int = 0, seed: UInt64 = 12345, draws: DrawScheme = .withoutReplacement) {
        self.draws = draws
        self.timeLag = timeLag
        self.confidence = confidence
        self.trendAlpha = trendAlpha
        self.correction = correction
        self.permutations = permutations
        self.seed = seed
    }

    public func validate() throws {
        guard timeLag >= 0 else { throw GeoVoteError.invalidArgument("the time lag is \(timeLag): give 0 or more earlier elections") }
        guard [90, 95, 99].contains(confidence) else { throw GeoVoteError.invalidArgument("the confidence is \(confidence): 90, 95 or 99") }
        guard trendAlpha > 0, trendAlpha < 1 else { throw GeoVoteError.invalidArgument("the trend's level is \(trendAlpha): give one between 0 and 1") }
        guard (0...ConditionalPermutation.maximumPermutations).contains(permutations) else {
            throw GeoVoteError.invalidArgument("the number of permutations is \(permutations): 0 to \(ConditionalPermutation.maximumPermutations)")
        }
    }
}

/// Emerging hot spots over a space-time cube of units × elections.
///
/// Space-time Gi* (ArcGIS's Emerging Hot Spot Analysis): each (unit,
/// election) bin's neighbours are its spatial neighbours in that election
/// and, in each of the ``EmergingOptions/timeLag`` elections before it,
/// the unit itself and its spatial neighbours; binary weights, the bin's
/// own value included (Gi*), the mean and deviation over the whole cube;
/// analytic z (or permutation pseudo p) and Gi_Bin ±3/±2/±1 with the false
/// discovery rate applied within each election. Each unit's z series is
/// tested for a trend by ``MannKendall`` — exactly for up to 20 elections,
/// where ArcGIS uses the normal approximation and refuses fewer than 10
/// time steps — and classified by ``classify(bins:trend:threshold:trendAlpha:)``.
public struct EmergingHotSpots: Sendable {
    /// [election][unit].
    public let z: [[Double]]
    public let p: [[Double]]
    public let bins: [[Int]]
    /// Per unit (nil where a z is undefined).
    public let trend: [MannKendall?]
    public let patterns: [EmergingPattern]
    /// Whether the trend test can reach `trendAlpha` with this many elections.
    public let trendTestable: Bool
    public let notes: [String]

    /// - Parameters:
    ///   - cube: [election][unit] values, elections in time order (≥ 3), every value finite.
    ///   - weights: the units' spatial neighbours (binary; self-links not allowed).
    ///   - options: the time lag, the confidence of a hot bin, the trend's level, the correction, permutations.
    ///   - workers: the number of threads (the result does not depend on it).
    public static func run(_ cube: [[Double]], weights: SpatialWeights, options: EmergingOptions = EmergingOptions(),
                           workers: Int = Parallel.defaultWorkerCount) throws -> EmergingHotSpots {
        try options.validate()
        let t = cube.count
        guard t >= 3 else { throw GeoVoteError.unsupported("\(t) election\(t == 1 ? "" : "s"): emerging hot spots need at least 3") }
        let n = weights.count
        guard cube.allSatisfy({ $0.count == n }) else { throw GeoVoteError.invalidArgument("every election needs a value for each of the \(n) units") }
        // The space-time neighbours of bin (i, k) = k·n + i, as sorted CSR
        // rows: the earlier elections' blocks (the unit and its neighbours)
        // come before election k's block (its neighbours).
        let spatial = (0..<n).map { i in weights.neighbors(of: i).map(Int.init).filter { $0 != i }.sorted() }
        let withSelf = (0..<n).map { i in (spatial[i] + [i]).sorted() }
        var offsets = [0], links = [Int32]()
        offsets.reserveCapacity(n * t + 1)
        for k in 0..<t {
            for i in 0..<n {
                if options.timeLag > 0 {
                    for back in stride(from: min(options.timeLag, k), through: 1, by: -1) {
                        let base = (k - back) * n
                        for j in withSelf[i] { links.append(Int32(base + j)) }
                    }
                }
                for j in spatial[i] { links.append(Int32(k * n + j)) }
                offsets.append(links.count)
            }
        }
        let w = SpatialWeights(offsets: offsets, neighbors: links, weights: [Double](repeating: 1, count: links.count), transform: .binary)
        let permutation = options.permutations > 0 ? try ConditionalPermutation(permutations: options.permutations, seed: options.seed, draws: options.draws) : nil
        let g = try GetisOrdG(cube.flatMap { $0 }, weights: w, star: true, transform: .binary, permutation: permutation, workers: workers)
        let pAll = g.simulated.map { $0.pseudoP.map { min(1, 2 * $0) } } ?? g.p
        var z = [[Double]](), p = [[Double]](), bins = [[Int]]()
        for k in 0..<t {
            let zs = Array(g.z[(k * n)..<((k + 1) * n)]), ps = Array(pAll[(k * n)..<((k + 1) * n)])
            let cuts = options.correction.cutoffs(ps, alphas: [0.01, 0.05, 0.10])
            bins.append(zs.indices.map { i in
                guard zs[i].isFinite, ps[i].isFinite else { return 0 }
                let level = ps[i] <= cuts[0] ? 3 : ps[i] <= cuts[1] ? 2 : ps[i] <= cuts[2] ? 1 : 0
                return zs[i] > 0 ? level : -level
            })
            z.append(zs)
            p.append(ps)
        }
        let threshold = options.confidence == 99 ? 3 : options.confidence == 95 ? 2 : 1
        var trend = [MannKendall?](), patterns = [EmergingPattern]()
        var testable = true
        for i in 0..<n {
            let series = (0..<t).map { z[$0][i] }
            let mk = series.allSatisfy(\.isFinite) ? try MannKendall(series) : nil
            trend.append(mk)
            if let mk, mk.smallestP > options.trendAlpha { testable = false }
            patterns.append(classify(bins: (0..<t).map { bins[$0][i] }, trend: mk, threshold: threshold, trendAlpha: options.trendAlpha))
        }
        var notes: [String] = []
        if !testable {
            let floor = trend.compactMap { $0?.smallestP }.min() ?? 1
            notes.append("with \(t) elections the Mann–Kendall test cannot reach p ≤ \(options.trendAlpha) (its smallest exact p is \(String(format: "%.4f", floor))): units significant in ≥ 90 % of them are 'trend untestable', not intensifying, persistent or diminishing")
        }
        let undefined = trend.count { $0 == nil }
        if undefined > 0 { notes.append("\(undefined) units have an undefined Gi* in some election (no neighbour): no pattern") }
        return EmergingHotSpots(z: z, p: p, bins: bins, trend: trend, patterns: patterns, trendTestable: testable, notes: notes)
    }

    /// ArcGIS's definitions on one unit's Gi_Bin series (a bin counts as
    /// hot when ≥ `threshold`, cold when ≤ −`threshold`), in this order:
    /// with the last election hot — in ≥ 90 % of the elections: intensifying
    /// or diminishing (a significant Mann–Kendall trend of z up or down),
    /// else persistent (or, when the test cannot reach `trendAlpha`, trend
    /// untestable); otherwise new (the only significant election is the
    /// last), consecutive (a run of ≥ 2 hot elections at the end, nothing
    /// significant before it), oscillating (cold in an earlier election),
    /// sporadic (hot before, with gaps, never cold). With the last election
    /// not hot: historical (hot in ≥ 90 % of them). Cold patterns mirror
    /// these.
    public static func classify(bins: [Int], trend: MannKendall?, threshold: Int, trendAlpha: Double) -> EmergingPattern {
        guard let trend else { return .none }
        let t = bins.count
        func patterns(_ hot: [Bool], _ cold: [Bool], up: Bool) -> EmergingPattern? {
            let count = hot.count { $0 }
            let mostly = Double(count) >= 0.9 * Double(t)
            if hot[t - 1] {
                if mostly {
                    if trend.smallestP > trendAlpha { return up ? .hotTrendUntestable : .coldTrendUntestable }
                    if trend.p <= trendAlpha, (trend.S > 0) == up { return up ? .intensifyingHot : .intensifyingCold }
                    if trend.p <= trendAlpha { return up ? .diminishingHot : .diminishingCold }
                    return up ? .persistentHot : .persistentCold
                }
                let significantBefore = (0..<(t - 1)).contains { hot[$0] || cold[$0] }
                if !significantBefore { return up ? .newHot : .newCold }
                var start = t - 1
                while start > 0, hot[start - 1] { start -= 1 }
                if t - start >= 2, !(0..<start).contains(where: { hot[$0] || cold[$0] }) { return up ? .consecutiveHot : .consecutiveCold }
                if (0..<(t - 1)).contains(where: { cold[$0] }) { return up ? .oscillatingHot : .oscillatingCold }
                return up ? .sporadicHot : .sporadicCold
            }
            return mostly ? (up ? .historicalHot : .historicalCold) : nil
        }
        let hot = bins.map { $0 >= threshold }, cold = bins.map { $0 <= -threshold }
        if hot[t - 1] { return patterns(hot, cold, up: true) ?? .none }
        if cold[t - 1] { return patterns(cold, hot, up: false) ?? .none }
        return patterns(hot, cold, up: true) ?? patterns(cold, hot, up: false) ?? .none
    }
}
