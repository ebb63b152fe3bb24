/// The permutation test of a global statistic: permutation r shuffles all
/// values with a stream keyed by (seed, r), so the counts are the same for
/// any thread count.
/// Which random stream shuffles the values of a global permutation test.
public enum GlobalDraws: String, Sendable {
    /// Permutation r from GeoVote's stream keyed by (seed, r): parallel.
    case keyed
    /// esda's: after `np.random.seed(seed)`, permutation r is
    /// `np.random.permutation` of the original values, the r-th call on
    /// numpy's legacy MT19937 (esda's global `p_sim` exactly). Drawn
    /// serially, evaluated in parallel.
    case esda
}

enum GlobalPermutation {
    static func countAtLeast(_ values: [Double], observed: Double, permutations: Int, seed: UInt64, draws: GlobalDraws,
                             workers: Int, statistic: @Sendable @escaping ([Double]) -> Double) -> Int {
        switch draws {
        case .keyed: countAtLeast(values, observed: observed, permutations: permutations, seed: seed, workers: workers, statistic: statistic)
        case .esda: esdaCountAtLeast(values, observed: observed, permutations: permutations, seed: seed, workers: workers, statistic: statistic)
        }
    }

    /// esda's stream: batches of permutations shuffled in stream order, their
    /// statistics computed in parallel; counts added in batch order.
    static func esdaCountAtLeast(_ values: [Double], observed: Double, permutations: Int, seed: UInt64, workers: Int,
                                 statistic: @Sendable @escaping ([Double]) -> Double) -> Int {
        let n = values.count, batch = 64
        let twister = NumbaMersenneTwister(seed: UInt32(truncatingIfNeeded: seed))
        var ge = 0, done = 0
        while done < permutations {
            let size = min(batch, permutations - done)
            var shuffled: [[Double]] = []
            shuffled.reserveCapacity(size)
            for _ in 0..<size {
                var v = values
                for i in stride(from: n - 1, to: 0, by: -1) { v.swapAt(i, twister.randint(below: i + 1)) }
                shuffled.append(v)
            }
            let permuted = shuffled
            ge += Parallel.map(count: size, grain: 1, workers: workers) { statistic(permuted[$0]) >= observed ? 1 : 0 }.reduce(0, +)
            done += size
        }
        return ge
    }

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
