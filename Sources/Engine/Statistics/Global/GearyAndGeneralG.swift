/// Checks shared by the global statistics: sizes, finite values, a variable
/// that varies, weights with links.
enum GlobalInput {
    static func validate(_ y: [Double], _ w: SpatialWeights, name: String) throws {
        let n = y.count
        guard w.count == n else { throw GeoVoteError.invalidArgument("the weights have \(w.count) observations, the variable \(n)") }
        guard n >= 4 else { throw GeoVoteError.invalidArgument("\(name) needs at least 4 observations, not \(n)") }
        if let bad = y.firstIndex(where: { !$0.isFinite }) {
            throw GeoVoteError.malformed(DataLocation(record: bad, value: "\(y[bad])"), reason: "is missing or not finite: \(name) is undefined")
        }
        guard y.contains(where: { $0 != y[0] }) else { throw GeoVoteError.unsupported("the variable is constant: \(name) is undefined") }
        guard w.s0 > 0 else { throw GeoVoteError.unsupported("the weights have no links: \(name) is undefined") }
    }
}

/// Geary's C with its moments under normality and randomisation and an
/// optional permutation test, as esda `Geary` defines them.
///
/// C = (n − 1) Σ_ij w_ij (y_i − y_j)² / (2 S0 Σ_i (y_i − ȳ)²); E[C] = 1.
/// Var under normality: ((2 S1 + S2)(n − 1) − 4 S0²) / (2 (n + 1) S0²);
/// under randomisation (Cliff and Ord) with the kurtosis k. The p-values are
/// one-sided in the direction of C − 1 (esda); C < 1 is positive
/// autocorrelation. esda's default weights are row-standardised.
/// Equivalent calls: esda `Geary(y, w)` (`C`, `EC`, `VC_norm`, `z_norm`,
/// `p_norm`, `VC_rand`, `z_rand`, `p_rand`, `p_sim`); spdep `geary.test`.
///
/// Reference: Geary, R. C. (1954) The contiguity ratio and statistical
/// mapping. The Incorporated Statistician 5(3), 115–145. doi:10.2307/2986645
public struct GearyC: Sendable {
    public let C: Double
    public let expected = 1.0
    public let varianceNormal: Double
    public let zNormal: Double
    public let pNormal: Double
    public let varianceRandomization: Double
    public let zRandomization: Double
    public let pRandomization: Double
    /// Permutation pseudo p-value (esda `p_sim`, directed), nil without permutations.
    public let pseudoP: Double?

    public init(_ y: [Double], weights w: SpatialWeights, permutations: Int = 0, seed: UInt64 = 12345,
                draws: GlobalDraws = .keyed, workers: Int = Parallel.defaultWorkerCount) throws {
        try GlobalInput.validate(y, w, name: "Geary's C")
        let n = y.count, nd = Double(n)
        let mean = y.reduce(0, +) / nd
        let z = y.map { $0 - mean }
        let m2 = z.reduce(0) { $0 + $1 * $1 }
        let (s0, s1, s2) = w.momentSums
        let statistic: @Sendable ([Double]) -> Double = { v in
            var sum = 0.0
            for i in 0..<n {
                for k in w.offsets[i]..<w.offsets[i + 1] {
                    let d = v[i] - v[Int(w.neighbors[k])]
                    sum += w.weights[k] * d * d
                }
            }
            return (nd - 1) * sum / (2 * s0 * m2)
        }
        C = statistic(z)
        let s02 = s0 * s0, n2 = nd * nd
        let m4 = z.reduce(0) { $0 + $1 * $1 * $1 * $1 }
        let k = (m4 / nd) / ((m2 / nd) * (m2 / nd))
        let a = (nd - 1) * s1 * (n2 - 3 * nd + 3 - (nd - 1) * k)
        let b = 0.25 * ((nd - 1) * s2 * (n2 + 3 * nd - 6 - (n2 - nd + 2) * k))
        let c = s02 * (n2 - 3 - (nd - 1) * (nd - 1) * k)
        varianceRandomization = (a - b + c) / (nd * (nd - 2) * (nd - 3) * s02)
        varianceNormal = ((2 * s1 + s2) * (nd - 1) - 4 * s02) / (2 * (nd + 1) * s02)
        zNormal = (C - 1) / varianceNormal.squareRoot()
        zRandomization = (C - 1) / varianceRandomization.squareRoot()
        let upper = C > 1
        pNormal = upper ? StandardNormal.survival(zNormal) : StandardNormal.cdf(zNormal)
        pRandomization = upper ? StandardNormal.survival(zRandomization) : StandardNormal.cdf(zRandomization)
        if permutations > 0 {
            let ge = GlobalPermutation.countAtLeast(z, observed: C, permutations: permutations, seed: seed, draws: draws, workers: workers, statistic: statistic)
            pseudoP = Alternative.directed(greaterOrEqual: ge, permutations: permutations)
        } else {
            pseudoP = nil
        }
    }
}

/// Getis and Ord's (1992) General G with its moments under randomisation
/// and an optional permutation test, as esda `G` defines them.
///
/// G = Σ_i Σ_j≠i w_ij y_i y_j / Σ_i Σ_j≠i y_i y_j, for y ≥ 0.
/// E[G] = S0 / (n (n − 1)); Var[G] from the b0…b4 terms of Getis and Ord.
/// p_norm is one-sided of |z| (esda). esda always turns the weights binary;
/// pass binary weights to reproduce it (GeoVote uses the weights given, as
/// the 1992 paper allows, e.g. for distance weights). Equivalent calls: esda
/// `G(y, w)` (`G`, `EG`, `VG`, `z_norm`, `p_norm`, `p_sim`); spdep
/// `globalG.test(y, nb2listw(nb, style = "B"))`.
///
/// Reference: Getis, A. and Ord, J. K. (1992) The analysis of spatial
/// association by use of distance statistics. Geographical Analysis 24(3),
/// 189–206. doi:10.1111/j.1538-4632.1992.tb00261.x
public struct GeneralG: Sendable {
    public let G: Double
    public let expected: Double
    public let variance: Double
    public let z: Double
    public let p: Double
    /// Permutation pseudo p-value (esda `p_sim`, directed), nil without permutations.
    public let pseudoP: Double?

    public init(_ y: [Double], weights w: SpatialWeights, permutations: Int = 0, seed: UInt64 = 12345,
                draws: GlobalDraws = .keyed, workers: Int = Parallel.defaultWorkerCount) throws {
        try GlobalInput.validate(y, w, name: "General G")
        if let bad = y.firstIndex(where: { $0 < 0 }) {
            throw GeoVoteError.malformed(DataLocation(record: bad, value: "\(y[bad])"), reason: "is negative: General G needs values ≥ 0")
        }
        guard !w.hasSelfLinks else { throw GeoVoteError.invalidArgument("General G takes weights without self-links") }
        let n = y.count, nd = Double(n)
        let sum = y.reduce(0, +), sum2 = y.reduce(0) { $0 + $1 * $1 }
        let sum3 = y.reduce(0) { $0 + $1 * $1 * $1 }, sum4 = y.reduce(0) { $0 + $1 * $1 * $1 * $1 }
        let denominator = sum * sum - sum2
        let statistic: @Sendable ([Double]) -> Double = { v in SpatialLag.crossProduct(v, w) / denominator }
        G = statistic(y)
        let (s0, s1, s2) = w.momentSums
        let n2 = nd * nd, s02 = s0 * s0
        expected = s0 / (nd * (nd - 1))
        let b0 = (n2 - 3 * nd + 3) * s1 - nd * s2 + 3 * s02
        let b1 = -((n2 - nd) * s1 - 2 * nd * s2 + 6 * s02)
        let b2 = -(2 * nd * s1 - (nd + 3) * s2 + 6 * s02)
        let b3 = 4 * (nd - 1) * s1 - 2 * (nd + 1) * s2 + 8 * s02
        let b4 = s1 - s2 + s02
        var eg2 = b0 * sum2 * sum2 + b1 * sum4 + b2 * sum * sum * sum2
        eg2 += b3 * sum * sum3 + b4 * sum * sum * sum * sum
        eg2 /= denominator * denominator * nd * (nd - 1) * (nd - 2) * (nd - 3)
        variance = eg2 - expected * expected
        z = (G - expected) / variance.squareRoot()
        p = StandardNormal.survival(abs(z))
        if permutations > 0 {
            let ge = GlobalPermutation.countAtLeast(y, observed: G, permutations: permutations, seed: seed, draws: draws, workers: workers, statistic: statistic)
            pseudoP = Alternative.directed(greaterOrEqual: ge, permutations: permutations)
        } else {
            pseudoP = nil
        }
    }
}
