/// Conditional randomisation for local statistics (Anselin 1995): hold
/// observation i's value fixed and draw its neighbours' values from the
/// other n − 1 observations, R times: without replacement within a draw
/// (esda, GeoDa), or with replacement (spdep's `localmoran_perm`, which
/// samples `z[-i]` with `replace = TRUE`).
///
/// Every local statistic handled here is affine in a permuted lag:
/// stat_i = a_i + b_i · Σ_{j ∈ N(i), j ≠ i} w_ij v_π(j) (Local Moran, uni-
/// and bivariate, Getis–Ord G), or a sum of weighted squared differences
/// stat_i = a_i + Σ_{j ≠ i} w_ij (f_i − v_π(j))² (Local Geary), computed as
/// esda computes it, so that ties round the same way. Draws for observation i come from a stream
/// keyed by (seed, i) (`PermutationStream`, wyrand): bit-identical results for any thread count.
/// A candidate is uniform over all n (Lemire's unbiased bounded integer on
/// each 32-bit half of a draw) with i marked as already drawn, so a draw
/// is uniform over the other n − 1 without an index shift. Memory
/// O(n) plus R values per worker; simulations are not kept.
public struct ConditionalPermutation: Sendable {
    /// The most permutations a run takes: 10,000,000 (a p-value resolved to
    /// 1e-7; memory for kept simulations is n × R values, checked apart).
    public static let maximumPermutations = 10_000_000

    public let permutations: Int
    public let seed: UInt64
    public var alternative: Alternative
    /// How the neighbours' values are drawn, and from which random stream.
    public let draws: DrawScheme
    /// Told the units done as chunks finish (a progress bar); never changes results.
    public var progress: WorkProgress?
    /// Keep every simulated statistic (n × R values, as esda's
    /// `keep_simulations`): memory grows from O(n) to O(n·R).
    public var keepSimulations = false

    /// - Throws: `GeoVoteError.invalidArgument` when `permutations` is not in
    ///   1…``maximumPermutations`` or GeoDa's thread count is below 1.
    public init(permutations: Int, seed: UInt64 = 12345, alternative: Alternative = .directed,
                draws: DrawScheme = .withoutReplacement) throws {
        guard (1...Self.maximumPermutations).contains(permutations) else {
            throw GeoVoteError.invalidArgument(permutations < 1
                ? "the number of permutations is \(permutations): it must be at least 1"
                : "\(permutations) permutations is more than the \(Self.maximumPermutations) a run takes")
        }
        if case let .geoda(threads) = draws, threads < 1 {
            throw GeoVoteError.invalidArgument("GeoDa's thread count is \(threads): it must be at least 1")
        }
        self.permutations = permutations
        self.seed = seed
        self.alternative = alternative
        self.draws = draws
    }

    /// The same draws under another alternative.
    public func with(alternative: Alternative) -> ConditionalPermutation {
        var copy = self
        copy.alternative = alternative
        return copy
    }

    /// Per observation: pseudo p, and the z of the observed statistic in the
    /// simulated distribution ((obs − mean)/sd, sd with divisor R as esda).
    /// NaN for units that were not simulated (undefined statistic, island).
    /// The names map to esda's: `pseudoP` = `p_sim`, `zSim` = `z_sim`,
    /// `meanSim` = `EI_sim`, `simulations` = `sim` (kept).
    public struct Result: Sendable {
        public var pseudoP: [Double]
        public var zSim: [Double]
        public var meanSim: [Double]
        /// With `keepSimulations`: unit i's R simulated statistics at
        /// [i·R, (i+1)·R), in draw order (NaN for units not simulated).
        public var simulations: [Double]?
    }

    /// - Parameters:
    ///   - observed: the observed statistic of each observation (NaN = undefined, skipped).
    ///   - values: the values drawn for the neighbours.
    ///   - w: the weights the statistic uses.
    ///   - a: the first affine coefficient of each observation (s_i = a_i + b_i · Σ w_ij v_j).
    ///   - b: the second.
    ///   - focal: f, for the squared-difference form s_i = a_i Σ w_ij (f_i − v_j)² (b unused).
    ///   - workers: threads (the result does not depend on it).
    public func run(observed: [Double], values: [Double], weights w: SpatialWeights, a: [Double], b: [Double],
                    squaredDifferenceFrom focal: [Double]? = nil,
                    workers: Int = Parallel.defaultWorkerCount) -> Result {
        let alternative = self.alternative
        let replace: Bool
        switch draws {
        case let .geoda(threads):
            return GeoDaDraws(permutations: permutations, seed: seed, alternative: alternative, streams: threads, keepSimulations: keepSimulations)
                .run(observed: observed, values: values, weights: w, a: a, b: b, squaredDifferenceFrom: focal, workers: workers)
        case .esda, .shared:
            return SharedDraws(permutations: permutations, seed: seed, alternative: alternative, stream: draws == .esda ? .esda : .keyed,
                               keepSimulations: keepSimulations)
                .run(observed: observed, values: values, weights: w, a: a, b: b, squaredDifferenceFrom: focal, workers: workers, progress: progress)
        case .withoutReplacement: replace = false
        case .withReplacement: replace = true
        }
        let n = values.count
        var p = [Double](repeating: .nan, count: n), z = p, m = p
        var kept = [Double](repeating: .nan, count: keepSimulations ? n * permutations : 0)
        let keep = keepSimulations
        let r = permutations, seed = self.seed, progress = self.progress
        let used = Parallel.workersUsed(count: n, grain: 64, workers: workers)
        let scratches = PerWorker(count: used) { _ in Scratch(n: n, permutations: r) }
        let squared = focal != nil
        let f = focal ?? []
        p.withUnsafeMutableBufferPointer { pb in
            z.withUnsafeMutableBufferPointer { zb in
                m.withUnsafeMutableBufferPointer { mb in
                    kept.withUnsafeMutableBufferPointer { kb in
                    let (po, zo, mo, ko) = (UnsafeSendableBuffer(pb), UnsafeSendableBuffer(zb), UnsafeSendableBuffer(mb), UnsafeSendableBuffer(kb))
                    Parallel.forEachChunk(count: n, grain: 64, workers: used) { worker, _, range in
                        // Raw pointers in the hot loop: no bounds or exclusivity checks.
                        let scratch = scratches[worker]
                        let stamp = scratch.stamp, sims = scratch.sims, linkWeights = scratch.linkWeights
                        var drawNumber = scratch.drawNumber
                        values.withUnsafeBufferPointer { vb in
                            let v = vb.baseAddress!
                            for i in range where observed[i].isFinite {
                                var k = 0
                                for e in w.offsets[i]..<w.offsets[i + 1] where Int(w.neighbors[e]) != i {
                                    linkWeights[k] = w.weights[e]
                                    k += 1
                                }
                                guard k > 0, k <= n - 1 else { continue }
                                var rng = PermutationStream(seed: seed, key: UInt64(i))
                                let unit = Unit(i: i, k: k, n: n, a: a[i], b: b[i], f: squared ? f[i] : 0)
                                // One loop per scheme, its flags constant: no per-draw tests of them.
                                let (sum, sumSquares) = switch (replace, squared) {
                                case (false, false): Self.simulate(Without.self, unit, r, &rng, stamp, &drawNumber, v, linkWeights, sims)
                                case (false, true): Self.simulate(WithoutSquared.self, unit, r, &rng, stamp, &drawNumber, v, linkWeights, sims)
                                case (true, false): Self.simulate(With.self, unit, r, &rng, stamp, &drawNumber, v, linkWeights, sims)
                                case (true, true): Self.simulate(WithSquared.self, unit, r, &rng, stamp, &drawNumber, v, linkWeights, sims)
                                }
                                // Kept before the p-value: two-sided sorts the simulations.
                                if keep { (ko.base + i * r).update(from: sims, count: r) }
                                (po[i], zo[i], mo[i]) = Self.summary(observed: observed[i], UnsafeMutableBufferPointer(start: sims, count: r),
                                                                     sum: sum, sumSquares: sumSquares, alternative: alternative)
                            }
                        }
                        scratch.drawNumber = drawNumber
                        progress?.advance(by: range.count)
                    }
                    }
                }
            }
        }
        return Result(pseudoP: p, zSim: z, meanSim: m, simulations: keep ? kept : nil)
    }

    /// A unit's pseudo p under `alternative`, the z of the observed
    /// statistic among its R simulations ((o − mean)/sd, sd with divisor R
    /// as esda) and their mean. May reorder `sims` (two-sided sorts them).
    static func summary(observed o: Double, _ sims: UnsafeMutableBufferPointer<Double>, sum: Double, sumSquares: Double,
                        alternative: Alternative) -> (p: Double, z: Double, mean: Double) {
        let r = Double(sims.count)
        let mean = sum / r
        let sd = max(0, sumSquares / r - mean * mean).squareRoot()
        return (alternative.pseudoP(observed: o, simulated: sims), (o - mean) / sd, mean)
    }

    /// A draw scheme, as types so that each gets its own specialised loop.
    protocol Scheme {
        static var withReplacement: Bool { get }
        static var squaredDifference: Bool { get }
    }
    enum Without: Scheme { static let withReplacement = false, squaredDifference = false }
    enum WithoutSquared: Scheme { static let withReplacement = false, squaredDifference = true }
    enum With: Scheme { static let withReplacement = true, squaredDifference = false }
    enum WithSquared: Scheme { static let withReplacement = true, squaredDifference = true }

    /// The focal unit: its index, number of (non-self) links, n, and its
    /// affine coefficients a, b or focal value f.
    struct Unit {
        let i: Int, k: Int, n: Int
        let a: Double, b: Double, f: Double
    }

    /// Writes unit i's R simulated statistics to `sims`; returns their sum
    /// and sum of squares. A candidate is uniform over all n (Lemire's
    /// bounded integer on each 32-bit half of a draw); i is marked drawn
    /// before each simulation, so draws are uniform over the other n − 1.
    @inline(__always)
    static func simulate<S: Scheme>(_: S.Type, _ u: Unit, _ r: Int, _ rng: inout PermutationStream,
                                    _ stamp: UnsafeMutablePointer<UInt32>, _ drawNumber: inout UInt32,
                                    _ v: UnsafePointer<Double>, _ linkWeights: UnsafeMutablePointer<Double>,
                                    _ sims: UnsafeMutablePointer<Double>) -> (Double, Double) {
        let bound = UInt32(u.n), threshold = (0 &- bound) % bound
        var spare: UInt32 = 0, haveSpare = false
        var sum = 0.0, sumSquares = 0.0
        for t in 0..<r {
            drawNumber &+= 1
            if drawNumber == 0 {
                // After 2³² − 1 simulations a worker's old marks could equal new numbers.
                stamp.update(repeating: 0, count: u.n)
                drawNumber = 1
            }
            if !S.withReplacement { stamp[u.i] = drawNumber }
            var lag = 0.0
            var taken = 0
            // The half left from the last draw first, then both halves of each
            // new draw, low then high (the same order as one at a time).
            if haveSpare {
                haveSpare = false
                Self.offer(S.self, spare, u, bound, threshold, stamp, drawNumber, v, linkWeights, &lag, &taken)
            }
            while taken < u.k {
                let bits = rng.next()
                Self.offer(S.self, UInt32(truncatingIfNeeded: bits), u, bound, threshold, stamp, drawNumber, v, linkWeights, &lag, &taken)
                if taken == u.k {
                    spare = UInt32(truncatingIfNeeded: bits >> 32)
                    haveSpare = true
                    break
                }
                Self.offer(S.self, UInt32(truncatingIfNeeded: bits >> 32), u, bound, threshold, stamp, drawNumber, v, linkWeights, &lag, &taken)
            }
            let s = S.squaredDifference ? u.a + lag : u.a + u.b * lag
            sims[t] = s
            sum += s
            sumSquares += s * s
        }
        return (sum, sumSquares)
    }

    /// Offers one 32-bit candidate to unit u's current draw: accepted (its
    /// value added to the lag) unless Lemire's method rejects it, it is unit
    /// i (with replacement) or it is already drawn (without). Transparent:
    /// inlined in debug builds too (as a call it made the debug build's
    /// permutation tests 2.5× slower); optimised builds are the same.
    @_transparent
    static func offer<S: Scheme>(_: S.Type, _ x: UInt32, _ u: Unit, _ bound: UInt32, _ threshold: UInt32,
                                 _ stamp: UnsafeMutablePointer<UInt32>, _ drawNumber: UInt32, _ v: UnsafePointer<Double>,
                                 _ linkWeights: UnsafeMutablePointer<Double>, _ lag: inout Double, _ taken: inout Int) {
        let product = UInt64(x) &* UInt64(bound)
        if UInt32(truncatingIfNeeded: product) < threshold { return }
        let j = Int(product >> 32)
        if S.withReplacement {
            if j == u.i { return }
        } else {
            if stamp[j] == drawNumber { return }
            stamp[j] = drawNumber
        }
        if S.squaredDifference {
            let d = u.f - v[j]
            lag += linkWeights[taken] * (d * d)
        } else {
            lag += linkWeights[taken] * v[j]
        }
        taken += 1
    }

    /// One worker's buffers, as raw memory: `stamp[j] == drawNumber` marks
    /// j as drawn in the current draw (an O(1) test; cleared when the
    /// number wraps),
    /// the R simulated statistics, and the focal unit's link weights.
    final class Scratch {
        let stamp: UnsafeMutablePointer<UInt32>
        var drawNumber: UInt32 = 0
        let sims: UnsafeMutablePointer<Double>
        let linkWeights: UnsafeMutablePointer<Double>

        init(n: Int, permutations: Int) {
            stamp = .allocate(capacity: n)
            stamp.initialize(repeating: 0, count: n)
            sims = .allocate(capacity: permutations)
            linkWeights = .allocate(capacity: n)
        }

        deinit {
            stamp.deallocate()
            sims.deallocate()
            linkWeights.deallocate()
        }
    }
}

/// How conditional randomisation draws a unit's neighbours' values: one
/// choice instead of flags, each matching a reference tool's scheme.
///
/// | scheme | draws | stream | reproduces |
/// |---|---|---|---|
/// | `withoutReplacement` | each unit its own, without replacement | GeoVote's, keyed by (seed, unit) | esda's and GeoDa's scheme (not their numbers) |
/// | `withReplacement` | each unit its own, with replacement | GeoVote's, keyed by (seed, unit) | spdep `localmoran_perm` |
/// | `esda` | one table shared by all units | esda's MT19937 after `np.random.seed(seed)` | esda `crand`'s p-values exactly |
/// | `shared` | one table shared by all units | GeoVote's, keyed by (seed, row) | esda's scheme, fastest |
/// | `geoda(threads:)` | each unit its own | GeoDa's, split over its `cpu_threads` | pygeoda's p-values exactly |
public enum DrawScheme: Sendable, Hashable {
    case withoutReplacement
    case withReplacement
    case esda
    case shared
    case geoda(threads: Int)

    /// The command-line and job-file spelling: without, with, esda, shared, geoda.
    public var name: String {
        switch self {
        case .withoutReplacement: "without"
        case .withReplacement: "with"
        case .esda: "esda"
        case .shared: "shared"
        case .geoda: "geoda"
        }
    }
}

/// What a permutation run tells about each unit (``ConditionalPermutation/Result``).
public typealias PermutationInference = ConditionalPermutation.Result
