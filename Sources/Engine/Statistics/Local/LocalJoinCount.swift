/// Local join counts for a binary variable (Anselin and Li 2019), as esda
/// `Join_Counts_Local` defines them: BB_i = y_i Σ_j w_ij y_j with binary
/// weights and no self-link, y ∈ {0, 1} — for a winning party, how many of
/// a commune's neighbours that party also won, where it won itself.
/// Inference by conditional permutation; as esda, the pseudo p is
/// undefined (NaN) where BB_i = 0.
///
/// Equivalent calls: esda `Join_Counts_Local(connectivity=w).fit(y)`; GeoDa's
/// Univariate Local Join Count.
///
/// Reference: Anselin, L. and Li, X. (2019) Operational local join count
/// statistics for cluster detection. Journal of Geographical Systems 21,
/// 189–210. doi:10.1007/s10109-019-00299-x
public struct LocalJoinCount: Sendable {
    /// BB_i of each unit (esda `LJC`); NaN for islands.
    public let value: [Double]
    /// The conventional name for the values.
    public var count: [Double] { value }
    /// Conditional-permutation inference, when a permutation was given (p
    /// NaN where BB_i = 0, as esda).
    public let simulated: PermutationInference?
    public let undefined: [Int]

    /// - Throws: when a value is not 0 or 1, or the sizes differ.
    public init(_ y: [Double], weights input: SpatialWeights, permutation: ConditionalPermutation? = nil,
                workers: Int = Parallel.defaultWorkerCount) throws {
        try LocalStatisticInput.check(y, weights: input)
        if let bad = y.firstIndex(where: { $0 != 0 && $0 != 1 }) {
            throw GeoVoteError.malformed(DataLocation(record: bad, value: "\(y[bad])"), reason: "is not 0 or 1: local join counts need a binary variable")
        }
        let w = input.withoutDiagonal().transformed(.binary)
        let islands = Set(w.islands)
        let lag = SpatialLag.lag(y, w)
        let n = y.count
        let joins = (0..<n).map { islands.contains($0) ? Double.nan : y[$0] * lag[$0] }
        value = joins
        undefined = islands.sorted()
        if let permutation {
            // Units with BB_i = 0 are not permuted: their p is undefined (esda),
            // and GeoDa draws nothing for them.
            let permuted = joins.map { $0 == 0 ? Double.nan : $0 }
            // NaN where BB_i = 0: those units were skipped.
            simulated = permutation.run(observed: permuted, values: y, weights: w, a: [Double](repeating: 0, count: n), b: y, workers: workers)
        } else {
            simulated = nil
        }
    }
}
