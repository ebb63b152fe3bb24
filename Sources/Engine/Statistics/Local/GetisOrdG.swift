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
public struct GetisOrdG: Sendable {
    public enum Variance: String, Sendable { case esda, ordGetis }

    public let star: Bool
    public let G: [Double]
    public let expected: [Double]
    public let z: [Double]
    /// Two-sided normal p-value of z.
    public let p: [Double]
    public let pseudoP: [Double]?
    public let zSim: [Double]?
    /// The simulated statistics when the permutation keeps them (n × R, unit-major).
    public let simulations: [Double]?
    /// Observations whose z is undefined (NaN): no neighbour other than
    /// themselves, or a constant variable.
    public let undefined: [Int]

    public init(_ y: [Double], weights input: SpatialWeights, star: Bool, variance: Variance = .ordGetis,
                permutation: ConditionalPermutation? = nil, workers: Int = Parallel.defaultWorkerCount) throws {
        try LocalStatisticInput.check(y, weights: input)
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
        G = g
        expected = e
        z = zs
        p = zs.map { $0.isFinite ? StandardNormal.twoSidedP($0) : .nan }
        undefined = zs.indices.filter { !zs[$0].isFinite }
        if let permutation {
            let result = permutation.run(observed: g, values: y, weights: w, a: a, b: b, workers: workers)
            pseudoP = result.pseudoP
            zSim = result.zSim
            simulations = result.simulations
        } else {
            pseudoP = nil
            zSim = nil
            simulations = nil
        }
    }

    /// ArcGIS's Gi_Bin: ±3, ±2, ±1 for hot/cold spots at 99, 95 and 90 %
    /// confidence from z and p (or pseudo p); 0 not significant.
    public static func confidenceBin(z: Double, p: Double) -> Int {
        guard z.isFinite, p.isFinite else { return 0 }
        let level = p <= 0.01 ? 3 : p <= 0.05 ? 2 : p <= 0.10 ? 1 : 0
        return z > 0 ? level : -level
    }
}
