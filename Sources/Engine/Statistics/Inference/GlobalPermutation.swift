/// The permutation test of a global statistic: permutation r shuffles all
/// values with a stream keyed by (seed, r), so the counts are the same for
/// any thread count.
enum GlobalPermutation {
    /// The number of permuted statistics ≥ the observed one (esda's global
    /// `p_sim` needs no more).
    static func countAtLeast(_ values: [Double], observed: Double, permutations: Int, seed: UInt64, workers: Int,
                             statistic: @Sendable @escaping ([Double]) -> Double) -> Int {
        let n = values.count
        let tallies = PerChunk<Int>(count: (permutations + 63) / 64)
        Parallel.forEachChunk(count: permutations, grain: 64, workers: workers) { _, chunk, range in
            var ge = 0
            var v = values
            for r in range {
                var rng = RandomStream(seed: seed, key: UInt64(r))
                for i in stride(from: n - 1, to: 0, by: -1) { v.swapAt(i, rng.below(i + 1)) }
                if statistic(v) >= observed { ge += 1 }
            }
            tallies[chunk] = ge
        }
        return tallies.inOrder.reduce(0, +)
    }
}
