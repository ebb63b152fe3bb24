/// Global Moran's I with its moments under normality and randomisation and
/// an optional permutation test.
///
/// I = (n / S0) · Σ_i Σ_j w_ij z_i z_j / Σ_i z_i², z = y − ȳ.
/// E[I] = −1/(n − 1). Var under normality:
/// (n² S1 − n S2 + 3 S0²) / ((n² − 1) S0²) − E[I]²; under randomisation
/// (Cliff and Ord 1981) with kurtosis b2. Equivalent: esda `Moran(y, w)`
/// (`I`, `EI`, `VI_norm`, `z_norm`, `p_norm` (two-sided), `VI_rand`,
/// `z_rand`, `p_rand`, `p_sim`); spdep `moran.test(randomisation = TRUE/FALSE)`.
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
                workers: Int = Parallel.defaultWorkerCount) throws {
        let n = y.count
        guard w.count == n else { throw GeoVoteError.invalidArgument("the weights have \(w.count) observations, the variable \(n)") }
        guard n >= 4 else { throw GeoVoteError.invalidArgument("Moran's I needs at least 4 observations, not \(n)") }
        if let bad = y.firstIndex(where: { !$0.isFinite }) {
            throw GeoVoteError.malformed(DataLocation(record: bad, value: "\(y[bad])"), reason: "is missing or not finite: Moran's I is undefined")
        }
        let mean = y.reduce(0, +) / Double(n)
        let z = y.map { $0 - mean }
        let m2 = z.reduce(0) { $0 + $1 * $1 }
        guard m2 > 0 else { throw GeoVoteError.unsupported("the variable is constant: Moran's I is undefined") }
        let s0 = w.s0
        guard s0 > 0 else { throw GeoVoteError.unsupported("the weights have no links: Moran's I is undefined") }
        let statistic: @Sendable ([Double]) -> Double = { v in
            Double(n) / s0 * SpatialLag.crossProduct(v, w) / m2
        }
        I = statistic(z)
        // S1 = ½ Σ (w_ij + w_ji)², S2 = Σ_i (w_i. + w_.i)².
        var s1 = 0.0
        var columnSums = [Double](repeating: 0, count: n)
        for i in 0..<n {
            for k in w.offsets[i]..<w.offsets[i + 1] {
                let j = Int(w.neighbors[k])
                let reverse: Double = w.weight(j, i)
                let both: Double = w.weights[k] + (j == i ? w.weights[k] : reverse)
                let term: Double = both * both
                // The ordered pair (j, i) has no link of its own to count it.
                s1 += (j != i && reverse == 0) ? 2 * term : term
                columnSums[j] += w.weights[k]
            }
        }
        s1 /= 2
        let rowSums = w.rowSums
        var s2 = 0.0
        for i in 0..<n {
            let t: Double = rowSums[i] + columnSums[i]
            s2 += t * t
        }
        let nd = Double(n), n2 = nd * nd, s02 = s0 * s0
        expected = -1 / (nd - 1)
        varianceNormal = (n2 * s1 - nd * s2 + 3 * s02) / ((n2 - 1) * s02) - expected * expected
        var m4 = 0.0
        for v in z { m4 += v * v * v * v }
        let k: Double = (m4 / nd) / ((m2 / nd) * (m2 / nd))
        let a: Double = nd * ((n2 - 3 * nd + 3) * s1 - nd * s2 + 3 * s02)
        let b: Double = k * ((n2 - nd) * s1 - 2 * nd * s2 + 6 * s02)
        var vRand = a - b
        vRand /= (nd - 1) * (nd - 2) * (nd - 3) * s02
        varianceRandomization = vRand - expected * expected
        zNormal = (I - expected) / varianceNormal.squareRoot()
        pNormal = StandardNormal.twoSidedP(zNormal)
        zRandomization = (I - expected) / varianceRandomization.squareRoot()
        pRandomization = StandardNormal.twoSidedP(zRandomization)
        self.permutations = permutations
        if permutations > 0 {
            // Permutation r shuffles all values with a stream keyed by r.
            let observed = I
            let above = PerChunk<(Int, Int)>(count: (permutations + 63) / 64)
            Parallel.forEachChunk(count: permutations, grain: 64, workers: workers) { _, chunk, range in
                var ge = 0, le = 0
                var v = z
                for r in range {
                    var rng = RandomStream(seed: seed, key: UInt64(r))
                    for i in stride(from: n - 1, to: 0, by: -1) { v.swapAt(i, rng.below(i + 1)) }
                    let s = statistic(v)
                    if s >= observed { ge += 1 }
                    if s <= observed { le += 1 }
                }
                above[chunk] = (ge, le)
            }
            let totals = above.inOrder.reduce((0, 0)) { ($0.0 + $1.0, $0.1 + $1.1) }
            pseudoP = Alternative.directed.pseudoP(greaterOrEqual: totals.0, lessOrEqual: totals.1, permutations: permutations)
        } else {
            pseudoP = nil
        }
    }
}
