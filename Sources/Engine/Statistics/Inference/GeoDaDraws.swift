/// GeoDa's conditional permutation draws (libgeoda `LISA::CalcPseudoP_range`),
/// reproduced so that GeoDa's pseudo p-values come out exactly, given its
/// seed (123456789 by default) and its number of threads.
///
/// GeoDa reads one stream of uniform numbers u_t = h(key_t) · 2⁻⁶⁴, h Thomas
/// Wang's 64-bit integer hash, key_t = seed, seed + 1, … consumed in unit
/// order; with T threads the units are cut into T contiguous blocks (the
/// first n mod T one unit longer) and block b starts its keys at seed + its
/// first unit (so the blocks' streams overlap). A candidate is
/// round(u · (n − 1)) — the first and last unit half as likely as the
/// others — rejected when it is the unit itself, already drawn in this
/// permutation, or a unit without neighbours. Units skipped (undefined
/// observed statistic, no neighbour) consume no keys. Sequential within a
/// block: parallel over GeoDa's blocks only.
public struct GeoDaDraws: Sendable {
    let permutations: Int
    let seed: UInt64
    let alternative: Alternative
    let streams: Int
    let keepSimulations: Bool

    @inline(__always)
    static func hash(_ k0: UInt64) -> UInt64 {
        var k = ~k0 &+ (k0 << 21)
        k ^= k >> 24
        k = k &+ (k << 3) &+ (k << 8)
        k ^= k >> 14
        k = k &+ (k << 2) &+ (k << 4)
        k ^= k >> 28
        return k &+ (k << 31)
    }

    /// The blocks GeoDa gives its threads: (first unit, last unit + 1).
    public static func blocks(count n: Int, threads t: Int) -> [Range<Int>] {
        let quotient = n / t, remainder = n % t
        let used = quotient > 0 ? t : remainder
        return (0..<used).map { b in
            let start = b < remainder ? b * (quotient + 1) : remainder * (quotient + 1) + (b - remainder) * quotient
            return start..<(start + quotient + (b < remainder ? 1 : 0))
        }
    }

    func run(observed: [Double], values v: [Double], weights w: SpatialWeights, a: [Double], b: [Double],
             squaredDifferenceFrom focal: [Double]?, workers: Int) -> ConditionalPermutation.Result {
        let n = v.count, r = permutations
        // Links other than the self-link: GeoDa's neighbours.
        let links = w.withoutDiagonal()
        let offsets = links.offsets, linkWeights = links.weights
        let hasNeighbours = (0..<n).map { offsets[$0 + 1] > offsets[$0] }
        let blocks = Self.blocks(count: n, threads: streams)
        let scale = Double(n - 1)
        let keep = keepSimulations
        let results = Parallel.map(count: blocks.count, grain: 1, workers: workers) { block -> [(Int, Double, Double, Double, [Double])] in
            var key = seed &+ UInt64(blocks[block].lowerBound)
            // stamp[j] == mark: j drawn in the current permutation; .max: j
            // has no neighbour and is never drawn (one load tests both).
            let stamp = UnsafeMutablePointer<UInt32>.allocate(capacity: n)
            let picks = UnsafeMutablePointer<Int>.allocate(capacity: n)
            defer { stamp.deallocate(); picks.deallocate() }
            for j in 0..<n { stamp[j] = hasNeighbours[j] ? 0 : .max }
            var mark: UInt32 = 0
            var sims = [Double](repeating: 0, count: r)
            var out: [(Int, Double, Double, Double, [Double])] = []
            v.withUnsafeBufferPointer { vb in
                linkWeights.withUnsafeBufferPointer { lw in
                    for i in blocks[block] where observed[i].isFinite && hasNeighbours[i] {
                        let first = offsets[i], k = offsets[i + 1] - first
                        guard k <= n - 1 else { continue }
                        let fi = focal?[i] ?? 0, ai = a[i], bi = b[i], squared = focal != nil
                        var sum = 0.0, sumSquares = 0.0
                        for t in 0..<r {
                            mark &+= 1
                            if mark == .max {
                                for j in 0..<n where stamp[j] != .max { stamp[j] = 0 }
                                mark = 1
                            }
                            var taken = 0
                            while taken < k {
                                let u = 5.42101086242752217E-20 * Double(Self.hash(key)) * scale
                                key &+= 1
                                let j = Int((u + 0.5).rounded(.down))
                                guard j != i, stamp[j] < mark else { continue }
                                stamp[j] = mark
                                picks[taken] = j
                                taken += 1
                            }
                            var lag = 0.0
                            if squared {
                                for m in 0..<k {
                                    let d = fi - vb[picks[m]]
                                    lag += lw[first + m] * (d * d)
                                }
                            } else {
                                for m in 0..<k { lag += lw[first + m] * vb[picks[m]] }
                            }
                            let s = squared ? ai + lag : ai + bi * lag
                            sims[t] = s
                            sum += s
                            sumSquares += s * s
                        }
                        let kept = keep ? sims : []  // before the p-value: two-sided sorts them
                        let (p, z, mean) = sims.withUnsafeMutableBufferPointer {
                            ConditionalPermutation.summary(observed: observed[i], $0, sum: sum, sumSquares: sumSquares, alternative: alternative)
                        }
                        out.append((i, p, z, mean, kept))
                    }
                }
            }
            return out
        }
        var result = ConditionalPermutation.Result(pseudoP: [Double](repeating: .nan, count: n),
                                                   zSim: [Double](repeating: .nan, count: n), meanSim: [Double](repeating: .nan, count: n),
                                                   simulations: keep ? [Double](repeating: .nan, count: n * r) : nil)
        for (i, p, z, m, kept) in results.joined() {
            result.pseudoP[i] = p
            result.zSim[i] = z
            result.meanSim[i] = m
            if keep { result.simulations!.replaceSubrange((i * r)..<((i + 1) * r), with: kept) }
        }
        return result
    }
}
