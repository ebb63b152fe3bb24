/// Local Geary (Anselin 1995) with conditional permutation inference, as
/// esda `Geary_Local` defines it.
///
/// c_i = Σ_j w_ij (z_i − z_j)², z = (y − ȳ)/σ (population σ); esda turns
/// the weights row-standardised. `.geoda` scale: z with the sample s, as
/// GeoDa's Local Geary, so c_i is (n − 1)/n times esda's. Small c_i: similar neighbours (a cluster),
/// large: dissimilar (an outlier). Classes as esda's `labs`, with
/// significance from the pseudo p-value: `HH` (c_i below the mean of all
/// c and y_i above its mean: a high cluster), `LL` (below, below),
/// `other` (c_i above the mean: negative association), `ns`.
/// Islands and a constant variable are undefined (NaN).
///
/// The statistic applies `transform` (default `.row`, as esda's
/// `Geary_Local` and GeoDa) to the weights it is given. Equivalent calls:
/// esda `Geary_Local(connectivity=w).fit(y)`; GeoDa's Univariate Local Geary
/// (with `scale: .geoda`); spdep `localC_perm`.
///
/// Reference: Anselin, L. (2019) A local indicator of multivariate spatial
/// association: extending Geary's c. Geographical Analysis 51(2), 133–150.
/// doi:10.1111/gean.12164
///
/// - Complexity: O(n + links), plus O(R · links) with permutations.
public struct LocalGeary: Sendable {
    /// c_i of each unit (esda `localG`); NaN where undefined.
    public let value: [Double]
    /// The conventional name for the values.
    public var c: [Double] { value }
    /// Conditional-permutation inference (its `meanSim` is GeoDa's side of a
    /// cluster), when a permutation was given.
    public let simulated: PermutationInference?
    public let undefined: [Int]
    /// The weights the statistic used (after its transform).
    public let weightsUsed: SpatialWeights
    /// The standardised values and their spatial lag (self-link left out).
    public let z: [Double], lag: [Double]
    /// Above (true) or below the mean of y, for the classes.
    let aboveMean: [Bool]

    public enum Scale: String, Sendable { case esda, geoda }

    public init(_ y: [Double], weights: SpatialWeights, transform: WeightsTransform = .row, scale: Scale = .esda,
                permutation: ConditionalPermutation? = nil, workers: Int = Parallel.defaultWorkerCount) throws {
        let w = weights.applying(transform)
        weightsUsed = w
        let n = y.count
        let sampleFactor = scale == .geoda ? (Double(n - 1) / Double(n)).squareRoot() : 1
        let z = try LocalStatisticInput.standardized(y, weights: w).map { $0 * sampleFactor }
        self.z = z
        lag = SpatialLag.lag(z, w.withoutDiagonal())
        let islands = Set(w.islands)
        // Σ_j w_ij (z_i − z_j)², a self-weight adding 0.
        var values = [Double](repeating: .nan, count: n)
        for i in 0..<n where !islands.contains(i) {
            var sum = 0.0
            for k in w.offsets[i]..<w.offsets[i + 1] where Int(w.neighbors[k]) != i {
                let d = z[i] - z[Int(w.neighbors[k])]
                sum += w.weights[k] * (d * d)
            }
            values[i] = sum
        }
        let zeros = [Double](repeating: 0, count: n)
        value = values
        undefined = values.indices.filter { !values[$0].isFinite }
        aboveMean = z.map { $0 > 0 }
        simulated = permutation?.run(observed: values, values: z, weights: w, a: zeros, b: zeros, squaredDifferenceFrom: z, workers: workers)
    }

    /// esda's labels (`labs`) with significance from `p` (p ≤ cutoff; nil:
    /// every defined unit labelled, as without inference).
    public func classes(p: [Double]?, cutoff: Double) -> [LocalGearyClass] {
        let defined = value.filter { $0.isFinite }
        let mean = defined.reduce(0, +) / Double(max(1, defined.count))
        return value.indices.map { i in
            guard value[i].isFinite else { return .undefined }
            if let p, !(p[i] <= cutoff) { return .notSignificant }
            if value[i] < mean { return aboveMean[i] ? .highHigh : .lowLow }
            return value[i] > mean ? .other : .notSignificant
        }
    }
}

/// esda's Local Geary labels.
public enum LocalGearyClass: String, Sendable, CaseIterable {
    /// Small c_i (similar neighbours) at a high value: a high cluster.
    case highHigh = "HH"
    /// Small c_i at a low value: a low cluster.
    case lowLow = "LL"
    /// Large c_i: dissimilar neighbours (negative association).
    case other
    case notSignificant = "ns"
    case undefined
}

/// Empirical Bayes standardisation of rates (Assunção and Reis 1999), as
/// esda's `assuncao_rate`: for events e_i (votes for a party) out of a
/// population b_i (valid ballots), with r_i = e_i/b_i, β = Σe/Σb,
/// α = Σ b_i (r_i − β)² / Σb − β/(Σb/n), v_i = α + β/b_i (β/b_i when that is
/// negative): z_i = (r_i − β)/√v_i. Small communes' noisy shares are pulled
/// in; esda's `Moran_Rate` and `Moran_Local_Rate` are Moran's I of z.
/// Equivalent call: esda `esda.assuncao_rate(e, b)`.
///
/// Reference: Assunção, R. M. and Reis, E. A. (1999) A new proposal to
/// adjust Moran's I for population density. Statistics in Medicine 18(16),
/// 2147–2162. doi:10.1002/(SICI)1097-0258(19990830)18:16<2147::AID-SIM179>3.0.CO;2-I
public enum EmpiricalBayes {
    public static func assuncaoReis(events e: [Double], population b: [Double], file: String? = nil) throws -> [Double] {
        guard e.count == b.count, !e.isEmpty else { throw GeoVoteError.invalidArgument("events and population differ in length") }
        if let bad = b.firstIndex(where: { !($0 > 0) }) {
            throw GeoVoteError.malformed(DataLocation(file: file, record: bad, value: "\(b[bad])"), reason: "is not a positive population: the rate is undefined")
        }
        let n = Double(e.count)
        let eSum = e.reduce(0, +), bSum = b.reduce(0, +)
        let beta = eSum / bSum
        var s2 = 0.0
        for i in e.indices {
            let r = e[i] / b[i] - beta
            s2 += b[i] * r * r
        }
        s2 /= bSum
        let alpha = s2 - beta / (bSum / n)
        return e.indices.map { i in
            let raw = alpha + beta / b[i]
            let v = raw < 0 ? beta / b[i] : raw
            return (e[i] / b[i] - beta) / v.squareRoot()
        }
    }
}
