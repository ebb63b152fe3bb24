/// Local Getis–Ord G_i and G_i* (Ord and Getis 1995) with analytic z and
/// conditional permutation inference.
///
/// G_i = Σ_j w_ij y_j / Σ_{j≠i} y_j (Gi: no self-weight), G_i* = Σ_j w_ij y_j
/// / Σ_j y_j with w_ii included. Variance formulas:
/// - `.esda` (esda `G_Local`): Var = W_i (N − W_i) / ((N − 1) N²) · s²/ȳ²,
///   W_i = Σ_j w_ij, N = n (Gi*) or n − 1 (Gi), moments over the N values.
/// - `.ordGetis` (ArcGIS Hot Spot Analysis, Getis-Ord 1995 z-form):
///   z = (Σ_j w_ij y_j − ȳ W_i) / (s √((N Σ_j w_ij² − W_i²)/(N − 1))).
/// For binary weights the two give the same z; for other weights they differ
/// (Σ w² ≠ W_i). p-values: two-sided 2·P(Z ≥ |z|) (ArcGIS); esda's `p_norm`
/// is the one-sided half of it.
///
/// The weights passed are the neighbour relation without self-links (as
/// built: queen, kNN, a file); the statistic derives what its definition
/// needs: Gi* adds the self-weight (`SelfWeight`) and then applies
/// `transform`; Gi drops any self-link. Equivalent calls: esda
/// `G_Local(y, w, transform='B', star=True)`; spdep `localG(y,
/// nb2listw(include.self(nb), style = "B"))`; ArcGIS Hot Spot Analysis
/// (Fixed distance or contiguity, no standardisation).
///
/// Reference: Ord, J. K. and Getis, A. (1995) Local spatial autocorrelation
/// statistics: distributional issues and an application. Geographical
/// Analysis 27(4), 286–306. doi:10.1111/j.1538-4632.1995.tb00912.x
///
/// - Complexity: O(n + links), plus O(R · links) with permutations.
public struct GetisOrdG: Sendable {
    public enum Variance: String, Sendable, CaseIterable { case esda, ordGetis = "ordgetis" }

    /// The self-weight Gi* gives each unit.
    public enum SelfWeight: Sendable, Hashable {
        /// esda's `G_Local(star=True)`: 1 for binary weights, else the row's
        /// largest weight (kernel, inverse distance); added before the transform.
        case esda
        /// The weights already carry their diagonal (e.g. a kernel built with
        /// its self-weight): used as given.
        case given
    }

    public let star: Bool
    /// G_i or G_i* of each unit (esda `Gs`); NaN where undefined.
    public let value: [Double]
    /// esda's name for the values.
    public var G: [Double] { value }
    public let expected: [Double]
    public let z: [Double]
    /// Two-sided normal p-value of z.
    public let p: [Double]
    /// Conditional-permutation inference, when a permutation was given.
    public let simulated: PermutationInference?
    /// Observations whose z is undefined (NaN): no neighbour other than
    /// themselves, or a constant variable.
    public let undefined: [Int]
    /// The weights the statistic used (self-weights added for Gi*, transformed).
    public let weightsUsed: SpatialWeights

    /// - Parameters:
    ///   - y: the variable, finite, one value per unit.
    ///   - weights: the neighbour relation; for Gi* it must have no
    ///     self-links unless `selfWeight` is `.given`.
    ///   - star: Gi* (the unit's own value included) or Gi.
    ///   - selfWeight: Gi*'s self-weight rule.
    ///   - variance: the variance the analytic z uses.
    ///   - permutation: conditional permutation inference; nil: none.
    ///   - workers: threads (the results do not depend on it).
    ///   - transform: applied after the self-weights (ArcGIS: binary; esda's
    ///     and GeoDa's G_Local: row); nil: the weights' own transform, re-applied.
    /// - Throws: when sizes differ, there are fewer than 3 values, a value
    ///   is not finite, or Gi* gets weights that already have self-links
    ///   without `selfWeight: .given`.
    public init(_ y: [Double], weights: SpatialWeights, star: Bool, transform: WeightsTransform? = nil,
                selfWeight: SelfWeight = .esda, variance: Variance = .ordGetis,
                permutation: ConditionalPermutation? = nil, workers: Int = Parallel.defaultWorkerCount) throws {
        try LocalStatisticInput.check(y, weights: weights)
        let prepared: SpatialWeights
        if star {
            switch selfWeight {
            case .esda:
                if let i = (0..<weights.count).first(where: { weights.weight($0, $0) != 0 }) {
                    throw GeoVoteError.invalidArgument("Gi* adds its own self-weights, but the weights already link unit \(i) to itself: pass weights without self-links, or selfWeight: .given to use them as they are")
                }
                prepared = weights.withGiStarSelfWeights().transformed(transform ?? weights.transform)
            case .given:
                prepared = weights.transformed(transform ?? weights.transform)
            }
        } else {
            prepared = weights.withoutDiagonal().transformed(transform ?? weights.transform)
        }
        try self.init(prepared: y, weights: prepared, star: star, variance: variance, permutation: permutation, workers: workers)
    }

    /// On weights already prepared for the statistic (self-weights and
    /// transform applied), as the hot-spot analysis caches them.
    init(prepared y: [Double], weights input: SpatialWeights, star: Bool, variance: Variance,
         permutation: ConditionalPermutation?, workers: Int) throws {
        try LocalStatisticInput.check(y, weights: input)
        weightsUsed = input
        let n = y.count
        let w = star ? input : input.withoutDiagonal()
        self.star = star
        let total = y.reduce(0, +), totalSquares = y.reduce(0) { $0 + $1 * $1 }
        let islands = Set(input.islands)
        var g = [Double](repeating: .nan, count: n), e = g, zs = g
        var a = [Double](repeating: 0, count: n), b = a
        let lag = SpatialLag.lag(y, w)
        let N = Double(star ? n : n - 1)
        for i in 0..<n where !islands.contains(i) {
            let sum = star ? total : total - y[i]
            let sumSquares = star ? totalSquares : totalSquares - y[i] * y[i]
            let mean = sum / N
            let s2 = sumSquares / N - mean * mean
            let wi = w.weights(of: i).reduce(0, +)
            let wi2 = w.weights(of: i).reduce(0) { $0 + $1 * $1 }
            g[i] = lag[i] / sum
            e[i] = wi / N
            switch variance {
            case .esda:
                let v = wi * (N - wi) / (N - 1) / (N * N) * s2 / (mean * mean)
                zs[i] = (g[i] - e[i]) / v.squareRoot()
            case .ordGetis:
                zs[i] = (lag[i] - mean * wi) / (s2.squareRoot() * ((N * wi2 - wi * wi) / (N - 1)).squareRoot())
            }
            a[i] = star ? w.weight(i, i) * y[i] / sum : 0
            b[i] = 1 / sum
        }
        value = g
        expected = e
        z = zs
        p = zs.map { $0.isFinite ? StandardNormal.twoSidedP($0) : .nan }
        undefined = zs.indices.filter { !zs[$0].isFinite }
        simulated = permutation?.run(observed: g, values: y, weights: w, a: a, b: b, workers: workers)
    }
}
