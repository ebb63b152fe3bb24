/// Global Moran's I with its moments under normality and randomisation and
/// an optional permutation test.
///
/// I = (n / S0) · Σ_i Σ_j w_ij z_i z_j / Σ_i z_i², z = y − ȳ.
/// E[I] = −1/(n − 1). Var under normality:
/// (n² S1 − n S2 + 3 S0²) / ((n² − 1) S0²) − E[I]²; under randomisation
/// (Cliff and Ord 1981) with kurtosis b2. Equivalent: esda `Moran(y, w)`
/// (`I`, `EI`, `VI_norm`, `z_norm`, `p_norm` (two-sided), `VI_rand`,
/// `z_rand`, `p_rand`, `p_sim`); spdep `moran.test(randomisation = TRUE/FALSE)`.
///
/// References: Moran, P. A. P. (1950) Notes on continuous stochastic
/// phenomena. Biometrika 37(1/2), 17–23. doi:10.2307/2332142. Cliff, A. D.
/// and Ord, J. K. (1981) Spatial Processes: Models and Applications. Pion.
public struct MoranI: Sendable {
    public let I: Double
    public let expected: Double
    public let varianceNormal: Double
    public let zNormal: Double
    public let pNormal: Double
    public let varianceRandomization: Double
    public let zRandomization: Double
    public let pRandomization: Double
    /// Permutation pseudo p-value (esda `p_sim`, directed), nil without permutations.
    public let pseudoP: Double?
    public let permutations: Int

    /// - Throws: on missing values, zero variance, fewer than 4 observations
    ///   or a weights matrix of another size.
    public init(_ y: [Double], weights w: SpatialWeights, permutations: Int = 0, seed: UInt64 = 12345,
                draws: GlobalDraws = .keyed, workers: Int = Parallel.defaultWorkerCount) throws {
        try GlobalInput.validate(y, w, name: "Moran's I")
        let n = y.count
        let mean = y.reduce(0, +) / Double(n)
        let z = y.map { $0 - mean }
        let m2 = z.reduce(0) { $0 + $1 * $1 }
        let s0 = w.s0
        let statistic: @Sendable ([Double]) -> Double = { v in
            Double(n) / s0 * SpatialLag.crossProduct(v, w) / m2
        }
        I = statistic(z)
        let (_, s1, s2) = w.momentSums
        var m4 = 0.0
        for v in z { m4 += v * v * v * v }
        let k: Double = (m4 / Double(n)) / ((m2 / Double(n)) * (m2 / Double(n)))
        (expected, varianceNormal, varianceRandomization) = Self.moments(n: n, s0: s0, s1: s1, s2: s2, kurtosis: k)
        zNormal = (I - expected) / varianceNormal.squareRoot()
        pNormal = StandardNormal.twoSidedP(zNormal)
        zRandomization = (I - expected) / varianceRandomization.squareRoot()
        pRandomization = StandardNormal.twoSidedP(zRandomization)
        self.permutations = permutations
        if permutations > 0 {
            let ge = GlobalPermutation.countAtLeast(z, observed: I, permutations: permutations, seed: seed, draws: draws, workers: workers, statistic: statistic)
            pseudoP = Alternative.directed(greaterOrEqual: ge, permutations: permutations)
        } else {
            pseudoP = nil
        }
    }

    /// E[I] and Var[I] under normality and randomisation from the weights'
    /// sums S0, S1, S2 and the variable's kurtosis b2 = (m4/n) / (m2/n)².
    static func moments(n: Int, s0: Double, s1: Double, s2: Double, kurtosis k: Double) -> (expected: Double, normal: Double, randomization: Double) {
        let nd = Double(n), n2 = nd * nd, s02 = s0 * s0
        let expected = -1 / (nd - 1)
        let normal = (n2 * s1 - nd * s2 + 3 * s02) / ((n2 - 1) * s02) - expected * expected
        let a: Double = nd * ((n2 - 3 * nd + 3) * s1 - nd * s2 + 3 * s02)
        let b: Double = k * ((n2 - nd) * s1 - 2 * nd * s2 + 6 * s02)
        let randomization = (a - b) / ((nd - 1) * (nd - 2) * (nd - 3) * s02) - expected * expected
        return (expected, normal, randomization)
    }
}
