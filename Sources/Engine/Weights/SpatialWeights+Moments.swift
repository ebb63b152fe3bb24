extension SpatialWeights {
    /// The sums the moments of global statistics need (Cliff and Ord):
    /// S0 = Σ w_ij, S1 = ½ Σ_ij (w_ij + w_ji)², S2 = Σ_i (w_i. + w_.i)².
    public var momentSums: (s0: Double, s1: Double, s2: Double) {
        let n = count
        var s1 = 0.0
        var columnSums = [Double](repeating: 0, count: n)
        for i in 0..<n {
            for k in offsets[i]..<offsets[i + 1] {
                let j = Int(neighbors[k])
                let reverse: Double = weight(j, i)
                let both: Double = weights[k] + (j == i ? weights[k] : reverse)
                let term: Double = both * both
                // The ordered pair (j, i) has no link of its own to count it.
                s1 += (j != i && reverse == 0) ? 2 * term : term
                columnSums[j] += weights[k]
            }
        }
        s1 /= 2
        let rowSums = self.rowSums
        var s2 = 0.0
        for i in 0..<n {
            let t: Double = rowSums[i] + columnSums[i]
            s2 += t * t
        }
        return (s0, s1, s2)
    }
}

/// The permutation test of a global statistic: permutation r shuffles all
/// values with a stream keyed by (seed, r), so the counts are the same for
/// any thread count.
enum GlobalPermutation {
    /// Counts of permuted statistics ≥ and ≤ the observed one, with the
    /// mean of the permuted statistics.
    static func counts(_ values: [Double], observed: Double, permutations: Int, seed: UInt64, workers: Int,
                       statistic: @Sendable @escaping ([Double]) -> Double) -> (greaterOrEqual: Int, lessOrEqual: Int, mean: Double) {
        let n = values.count
        let tallies = PerChunk<(Int, Int, Double)>(count: (permutations + 63) / 64)
        Parallel.forEachChunk(count: permutations, grain: 64, workers: workers) { _, chunk, range in
            var ge = 0, le = 0, sum = 0.0
            var v = values
            for r in range {
                var rng = RandomStream(seed: seed, key: UInt64(r))
                for i in stride(from: n - 1, to: 0, by: -1) { v.swapAt(i, rng.below(i + 1)) }
                let s = statistic(v)
                if s >= observed { ge += 1 }
                if s <= observed { le += 1 }
                sum += s
            }
            tallies[chunk] = (ge, le, sum)
        }
        let t = tallies.inOrder.reduce((0, 0, 0.0)) { ($0.0 + $1.0, $0.1 + $1.1, $0.2 + $1.2) }
        return (t.0, t.1, t.2 / Double(permutations))
    }
}

extension SpatialWeights {
    /// True when some unit is its own neighbour (a diagonal weight, as Gi* uses).
    public var hasSelfLinks: Bool {
        (0..<count).contains { i in neighbors[offsets[i]..<offsets[i + 1]].contains(Int32(i)) }
    }
}
