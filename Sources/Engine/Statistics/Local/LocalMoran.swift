/// Local Moran's I (Anselin 1995) with conditional permutation inference.
///
/// I_i = c · z_i Σ_j w_ij z_j with z = (y − ȳ)/σ (σ the population standard
/// deviation). Scale: `.esda` c = (n − 1)/n (esda `Moran_Local`, and GeoDa,
/// which standardises with the sample s instead: the same I_i), `.spdep`
/// c = 1 (spdep `localmoran`). Quadrants as esda's `q`: 1 HH, 2 LH,
/// 3 LL, 4 HL. Islands and a constant variable are undefined (NaN,
/// quadrant 0) and listed.
///
/// Local Moran is defined on row-standardised weights (esda, GeoDa, spdep's
/// default `style = "W"`): the statistic applies `transform` (default
/// `.row`) to the weights it is given. Equivalent calls: esda
/// `Moran_Local(y, w, transformation='r')`; spdep `localmoran(y,
/// nb2listw(nb, style = "W"))` (with `scale: .spdep`); GeoDa's Univariate
/// Local Moran.
///
/// Reference: Anselin, L. (1995) Local indicators of spatial association —
/// LISA. Geographical Analysis 27(2), 93–115.
/// doi:10.1111/j.1538-4632.1995.tb00338.x
///
/// - Complexity: O(n + links), plus O(R · links) with permutations.
public struct LocalMoran: Sendable {
    public enum Scale: String, Sendable, CaseIterable { case esda, spdep }

    /// I_i of each unit (esda `Is`); NaN where undefined.
    public let value: [Double]
    /// esda's and spdep's name for the values.
    public var I: [Double] { value }
    /// The Moran scatterplot quadrant of each unit (esda `q`).
    public let quadrant: [Quadrant]
    /// Conditional-permutation inference, when a permutation was given.
    public let simulated: PermutationInference?
    public let undefined: [Int]
    /// The weights the statistic used (after its transform).
    public let weightsUsed: SpatialWeights
    /// Analytic moments (univariate only; nil for the bivariate statistic).
    public private(set) var conditional: AnalyticMoments?
    public private(set) var total: AnalyticMoments?

    /// E[I_i], Var[I_i], z and its two-sided normal p, on the statistic's scale.
    public struct AnalyticMoments: Sendable {
        public var expected: [Double]
        public var variance: [Double]
        public var z: [Double]
        public var p: [Double]
    }

    /// - Parameters:
    ///   - y: the variable, finite, one value per unit.
    ///   - weights: the neighbour relation.
    ///   - transform: applied to `weights` unless they already carry
    ///     it (default `.row`, as every reference; `.none` uses them as given).
    ///   - scale: esda's (n − 1)/n factor, or spdep's none.
    ///   - permutation: conditional permutation inference; nil: none.
    ///   - workers: threads (the results do not depend on it).
    public init(_ y: [Double], weights: SpatialWeights, transform: WeightsTransform = .row, scale: Scale = .esda,
                permutation: ConditionalPermutation? = nil, workers: Int = Parallel.defaultWorkerCount) throws {
        let w = weights.applying(transform)
        let z = try LocalStatisticInput.standardized(y, weights: w)
        self.init(focal: z, neighbours: z, weights: w, scale: scale, permutation: permutation, workers: workers)
        (conditional, total) = Self.moments(z, weights: w, scale: scale, I: value)
    }

    /// The moments of I_i under conditional randomisation (Sokal, Oden and
    /// Thomson 1998; spdep `localmoran(conditional = TRUE)`, its default) and
    /// total randomisation (Anselin 1995; `conditional = FALSE`), with
    /// spdep's formulas (mlvar = TRUE), times c and c² on esda's scale.
    /// Self-weights are not part of either derivation: their units get NaN.
    static func moments(_ z: [Double], weights w: SpatialWeights, scale: Scale, I: [Double]) -> (AnalyticMoments, AnalyticMoments) {
        let n = z.count, nd = Double(n)
        let c = scale == .esda ? (nd - 1) / nd : 1
        let b2 = z.reduce(0) { $0 + $1 * $1 * $1 * $1 } / nd  // z has variance 1
        let a = (nd - b2) / (nd - 1), b = (2 * b2 - nd) / ((nd - 1) * (nd - 2))
        var cond = AnalyticMoments(expected: [], variance: [], z: [], p: []), tot = cond
        for i in 0..<n {
            let ws = w.weights(of: i)
            let wi = ws.reduce(0, +), wi2 = ws.reduce(0) { $0 + $1 * $1 }
            let defined = wi > 0 && w.weight(i, i) == 0 && I[i].isFinite
            let z2 = z[i] * z[i]
            let eCond = -z2 * wi / (nd - 1)
            let vCond = z2 * (nd / (nd - 2)) * (wi2 - wi * wi / (nd - 1)) * (1 - z2 / (nd - 1))
            let eTot = -wi / (nd - 1)
            let vTot = a * wi2 + b * (wi * wi - wi2) - eTot * eTot
            for (m, e, v) in [(0, eCond, vCond), (1, eTot, vTot)] {
                let expected = defined ? c * e : .nan, variance = defined ? c * c * v : .nan
                let zz = (I[i] - expected) / variance.squareRoot()
                let p = zz.isFinite ? StandardNormal.twoSidedP(zz) : .nan
                if m == 0 {
                    cond.expected.append(expected); cond.variance.append(variance); cond.z.append(zz); cond.p.append(p)
                } else {
                    tot.expected.append(expected); tot.variance.append(variance); tot.z.append(zz); tot.p.append(p)
                }
            }
        }
        return (cond, tot)
    }

    /// Bivariate Local Moran (esda `Moran_Local_BV`): I_i = c · zx_i Σ_j w_ij zy_j,
    /// x at the focal unit against the neighbours' y (e.g. a party's share
    /// against turnout). Quadrants from (zx_i, lag zy_i); the permutation
    /// holds x_i and draws the neighbours' y.
    public init(x: [Double], y: [Double], weights: SpatialWeights, transform: WeightsTransform = .row, scale: Scale = .esda,
                permutation: ConditionalPermutation? = nil, workers: Int = Parallel.defaultWorkerCount) throws {
        let w = weights.applying(transform)
        guard x.count == y.count else { throw GeoVoteError.invalidArgument("x has \(x.count) values, y \(y.count)") }
        let zx = try LocalStatisticInput.standardized(x, weights: w)
        let zy = try LocalStatisticInput.standardized(y, weights: w)
        self.init(focal: zx, neighbours: zy, weights: w, scale: scale, permutation: permutation, workers: workers)
    }

    init(focal z: [Double], neighbours zn: [Double], weights w: SpatialWeights, scale: Scale,
         permutation: ConditionalPermutation?, workers: Int) {
        let n = z.count
        let lag = SpatialLag.lag(zn, w)
        let c = scale == .esda ? Double(n - 1) / Double(n) : 1
        let islands = Set(w.islands)
        let values = (0..<n).map { islands.contains($0) ? .nan : c * z[$0] * lag[$0] }
        value = values
        weightsUsed = w
        quadrant = (0..<n).map { i in
            if !values[i].isFinite { return .undefined }
            switch (z[i] > 0, lag[i] > 0) {
            case (true, true): return .highHigh
            case (false, true): return .lowHigh
            case (false, false): return .lowLow
            case (true, false): return .highLow
            }
        }
        undefined = values.indices.filter { !values[$0].isFinite }
        if let permutation {
            // Self-weights (if any) stay with the fixed z_i.
            let a = (0..<n).map { i in c * z[i] * w.weight(i, i) * zn[i] }
            let b = (0..<n).map { c * z[$0] }
            simulated = permutation.run(observed: values, values: zn, weights: w, a: a, b: b, workers: workers)
        } else {
            simulated = nil
        }
    }
}

enum LocalStatisticInput {
    /// Checks the variable and returns (y − ȳ)/σ; all NaN (undefined, never
    /// a fake 0) when y is constant.
    static func standardized(_ y: [Double], weights w: SpatialWeights) throws -> [Double] {
        try check(y, weights: w)
        let n = Double(y.count)
        let mean = y.reduce(0, +) / n
        let variance = y.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / n
        guard variance > 0 else { return [Double](repeating: .nan, count: y.count) }
        let sd = variance.squareRoot()
        return y.map { ($0 - mean) / sd }
    }

    static func check(_ y: [Double], weights w: SpatialWeights) throws {
        guard w.count == y.count else { throw GeoVoteError.invalidArgument("the weights have \(w.count) observations, the variable \(y.count)") }
        guard y.count >= 3 else { throw GeoVoteError.invalidArgument("local statistics need at least 3 observations") }
        if let bad = y.firstIndex(where: { !$0.isFinite }) {
            throw GeoVoteError.malformed(DataLocation(record: bad, value: "\(y[bad])"), reason: "is missing or not finite; drop or fill it first")
        }
    }
}

/// A unit's quadrant in the Moran scatterplot (esda's `q` codes as raw values).
public enum Quadrant: Int, Sendable, CaseIterable {
    /// No value: an island, a constant variable, a left-out feature.
    case undefined = 0
    /// High value among high neighbours (a hot spot when significant).
    case highHigh = 1
    /// Low value among high neighbours (an outlier).
    case lowHigh = 2
    /// Low value among low neighbours (a cold spot when significant).
    case lowLow = 3
    /// High value among low neighbours (an outlier).
    case highLow = 4

    /// HH, LH, LL, HL (esda's and GeoDa's labels); "undefined".
    public var label: String {
        switch self {
        case .undefined: "undefined"
        case .highHigh: "HH"
        case .lowHigh: "LH"
        case .lowLow: "LL"
        case .highLow: "HL"
        }
    }
}
