/// esda's conditional randomisation scheme (`esda.crand`): one table of R
/// rows, each m = (most links of any unit) distinct indices in 0..<n − 1,
/// shared by every unit. In permutation r unit i's t-th link takes the value
/// of unit x = table[r][t], or x + 1 when x ≥ i (esda indexes the values with
/// i removed). Each unit's draws are still uniform without replacement over
/// the other n − 1; what changes from GeoVote's default is that all units
/// use the same R index sets, so their simulations are correlated.
///
/// Two streams fill the table:
/// - `.esda`: esda's `np.random` calls — MT19937 seeded by
///   `np.random.seed(seed)` (init_genrand, in numba and in numpy's legacy
///   RandomState alike, so with or without numba), each row
///   the first m entries of `np.random.permutation(n − 1)` (a Fisher–Yates
///   shuffle from the last position down, `randint(0, i + 1)` by masked
///   rejection on the low bits). With esda's seed this gives esda's pseudo
///   p-values exactly, up to ties that floating-point order decides.
///   Serial, O(R·n) to make (as in esda).
/// - `.keyed`: each row drawn from GeoVote's stream keyed by (seed, row),
///   O(R·m), in parallel; the same table for any thread count.
///
/// The statistic over a row is the engine's affine or squared-difference
/// form (see `ConditionalPermutation`). The table is read in order and the
/// values gathered: close to the gather bound of a permutation statistic.
public struct SharedDraws: Sendable {
    public enum Stream: String, Sendable {
        case esda
        case keyed
    }

    let permutations: Int
    let seed: UInt64
    let alternative: Alternative
    let stream: Stream
    let keepSimulations: Bool

    /// R rows of `width` indices in 0..<count, row-major.
    public static func table(stream: Stream, count: Int, width: Int, rows: Int, seed: UInt64,
                             workers: Int = Parallel.defaultWorkerCount) -> [Int32] {
        precondition(width <= count && count < Int(Int32.max))
        switch stream {
        case .esda: return esdaTable(count: count, width: width, rows: rows, seed: UInt32(truncatingIfNeeded: seed))
        case .keyed: return keyedTable(count: count, width: width, rows: rows, seed: seed, workers: workers)
        }
    }

    static func esdaTable(count: Int, width: Int, rows: Int, seed: UInt32) -> [Int32] {
        let twister = NumbaMersenneTwister(seed: seed)
        var out = [Int32](repeating: 0, count: rows * width)
        let identity = (0..<Int32(count)).map { $0 }
        var a = identity
        a.withUnsafeMutableBufferPointer { ab in
            out.withUnsafeMutableBufferPointer { ob in
                for row in 0..<rows {
                    if row > 0 { _ = ab.update(fromContentsOf: identity) }
                    var i = count - 1
                    while i > 0 {
                        let j = twister.randint(below: i + 1)
                        ab.swapAt(i, j)
                        i -= 1
                    }
                    for t in 0..<width { ob[row * width + t] = ab[t] }
                }
            }
        }
        return out
    }

    static func keyedTable(count: Int, width: Int, rows: Int, seed: UInt64, workers: Int) -> [Int32] {
        var out = [Int32](repeating: 0, count: rows * width)
        out.withUnsafeMutableBufferPointer { ob in
            let o = UnsafeSendableBuffer(ob)
            Parallel.forEachChunk(count: rows, grain: 16, workers: workers) { _, _, range in
                var seen = Set<Int32>()
                for row in range {
                    var rng = RandomStream(seed: seed, key: UInt64(row))
                    let base = o.base + row * width
                    seen.removeAll(keepingCapacity: true)
                    var taken = 0
                    while taken < width {
                        let x = Int32(rng.below(count))
                        // A scan for the usual few links; a set for wide tables.
                        let drawn = width <= 32 ? UnsafeBufferPointer(start: base, count: taken).contains(x) : !seen.insert(x).inserted
                        if drawn { continue }
                        base[taken] = x
                        taken += 1
                    }
                }
            }
        }
        return out
    }

    func run(observed: [Double], values: [Double], weights w: SpatialWeights, a: [Double], b: [Double],
             squaredDifferenceFrom focal: [Double]?, workers: Int, progress: WorkProgress?) -> ConditionalPermutation.Result {
        let n = values.count, r = permutations
        // The links that are drawn: all but the self-link (esda sets the diagonal to 0).
        let links = w.withoutDiagonal()
        let linkOffsets = links.offsets, linkWeights = links.weights
        var result = ConditionalPermutation.Result(pseudoP: [Double](repeating: .nan, count: n),
                                                   zSim: [Double](repeating: .nan, count: n), meanSim: [Double](repeating: .nan, count: n),
                                                   simulations: keepSimulations ? [Double](repeating: .nan, count: n * r) : nil)
        // esda's table width: the most links of any unit (all units, as esda).
        let width = (0..<n).map { linkOffsets[$0 + 1] - linkOffsets[$0] }.max() ?? 0
        guard n >= 2, width > 0, width <= n - 1 else { return result }
        let table = Self.table(stream: stream, count: n - 1, width: width, rows: r, seed: seed, workers: workers)
        let keep = keepSimulations, alternative = self.alternative
        let squared = focal != nil, f = focal ?? []
        let used = Parallel.workersUsed(count: n, grain: 64, workers: workers)
        let scratches = PerWorker(count: used) { _ in UnsafeSendableBuffer(UnsafeMutableBufferPointer<Double>.allocate(capacity: r)) }
        defer { for worker in 0..<used { scratches[worker].base.deallocate() } }
        var kept = result.simulations ?? []
        result.pseudoP.withUnsafeMutableBufferPointer { pb in
            result.zSim.withUnsafeMutableBufferPointer { zb in
                result.meanSim.withUnsafeMutableBufferPointer { mb in
                    kept.withUnsafeMutableBufferPointer { kb in
                        let (po, zo, mo, ko) = (UnsafeSendableBuffer(pb), UnsafeSendableBuffer(zb), UnsafeSendableBuffer(mb), UnsafeSendableBuffer(kb))
                        Parallel.forEachChunk(count: n, grain: 64, workers: used) { worker, _, range in
                            let sims = UnsafeMutableBufferPointer(start: scratches[worker].base, count: r)
                            values.withUnsafeBufferPointer { vb in
                                linkWeights.withUnsafeBufferPointer { lwb in
                                    table.withUnsafeBufferPointer { tb in
                                        for i in range where observed[i].isFinite {
                                            let first = linkOffsets[i], k = linkOffsets[i + 1] - first
                                            guard k > 0 else { continue }
                                            let lw = lwb.baseAddress! + first
                                            let (sum, sumSquares) = squared
                                                ? Self.simulate(squared: true, i: i, k: k, a: a[i], b: 0, f: f[i], table: tb.baseAddress!, width: width,
                                                                rows: r, v: vb.baseAddress!, lw: lw, sims: sims.baseAddress!)
                                                : Self.simulate(squared: false, i: i, k: k, a: a[i], b: b[i], f: 0, table: tb.baseAddress!, width: width,
                                                                rows: r, v: vb.baseAddress!, lw: lw, sims: sims.baseAddress!)
                                            if keep { (ko.base + i * r).update(from: sims.baseAddress!, count: r) }
                                            (po[i], zo[i], mo[i]) = ConditionalPermutation.summary(observed: observed[i], sims, sum: sum,
                                                                                                   sumSquares: sumSquares, alternative: alternative)
                                        }
                                    }
                                }
                            }
                            progress?.advance(by: range.count)
                        }
                    }
                }
            }
        }
        if keep { result.simulations = kept }
        return result
    }

    /// Unit i's R statistics over the table's rows; their sum and sum of squares.
    @inline(__always)
    static func simulate(squared: Bool, i: Int, k: Int, a: Double, b: Double, f: Double,
                         table: UnsafePointer<Int32>, width: Int, rows: Int,
                         v: UnsafePointer<Double>, lw: UnsafePointer<Double>, sims: UnsafeMutablePointer<Double>) -> (Double, Double) {
        let focal = Int32(truncatingIfNeeded: i)
        // The term of a table index: values with i removed, so indices from i on are shifted by one.
        @inline(__always) func term(_ x: Int32) -> Double {
            let value = v[Int(x) &+ (x >= focal ? 1 : 0)]
            if squared {
                let d = f - value
                return d * d
            }
            return value
        }
        @inline(__always) func statistic(_ lag: Double) -> Double { squared ? a + lag : a + b * lag }
        var sum = 0.0, sumSquares = 0.0
        var t = 0
        // Four rows at a time: four independent chains of adds instead of one
        // (each row's lag still summed link by link, so the same bits).
        while t + 4 <= rows {
            let r0 = table + t * width, r1 = r0 + width, r2 = r1 + width, r3 = r2 + width
            var l0 = 0.0, l1 = 0.0, l2 = 0.0, l3 = 0.0
            for q in 0..<k {
                let w = lw[q]
                l0 += w * term(r0[q])
                l1 += w * term(r1[q])
                l2 += w * term(r2[q])
                l3 += w * term(r3[q])
            }
            for (offset, lag) in [(0, l0), (1, l1), (2, l2), (3, l3)] {
                let s = statistic(lag)
                sims[t + offset] = s
                sum += s
                sumSquares += s * s
            }
            t += 4
        }
        while t < rows {
            let row = table + t * width
            var lag = 0.0
            for q in 0..<k { lag += lw[q] * term(row[q]) }
            let s = statistic(lag)
            sims[t] = s
            sum += s
            sumSquares += s * s
            t += 1
        }
        return (sum, sumSquares)
    }
}

/// numba's MT19937 (`numba/_random.c`), as its `np.random` functions use it
/// in compiled code: seeded by init_genrand with the seed's low 32 bits, as
/// numpy's legacy `np.random.seed(int)` also does.
final class NumbaMersenneTwister {
    private let mt = UnsafeMutablePointer<UInt32>.allocate(capacity: 624)
    private var index = 624

    init(seed: UInt32) {
        var s = seed
        for position in 0..<624 {
            mt[position] = s
            s = 1_812_433_253 &* (s ^ (s >> 30)) &+ UInt32(position + 1)
        }
    }

    deinit { mt.deallocate() }

    @inline(__always)
    private static func mix(_ a: UInt32, _ b: UInt32, _ c: UInt32) -> UInt32 {
        let y = (a & 0x8000_0000) | (b & 0x7fff_ffff)
        return c ^ (y >> 1) ^ ((0 &- (y & 1)) & 0x9908_b0df)
    }

    private func twist() {
        for i in 0..<227 { mt[i] = Self.mix(mt[i], mt[i + 1], mt[i + 397]) }
        for i in 227..<623 { mt[i] = Self.mix(mt[i], mt[i + 1], mt[i - 227]) }
        mt[623] = Self.mix(mt[623], mt[0], mt[396])
        index = 0
    }

    @inline(__always)
    func next32() -> UInt32 {
        if index >= 624 { twist() }
        var y = mt[index]
        index += 1
        y ^= y >> 11
        y ^= (y << 7) & 0x9d2c_5680
        y ^= (y << 15) & 0xefc6_0000
        y ^= y >> 18
        return y
    }

    /// numba's `np.random.randint(0, n)`: the low bits of one 32-bit word
    /// (two words, high first, past 32 bits) masked to n − 1's bit length,
    /// redrawn while ≥ n.
    @inline(__always)
    func randint(below n: Int) -> Int {
        if n == 1 { return 0 }
        let bits = Int.bitWidth - (n - 1).leadingZeroBitCount
        while true {
            let value: Int
            if bits <= 32 {
                value = Int(next32() & (UInt32.max >> UInt32(32 - bits)))
            } else {
                let high = Int(next32() & (UInt32.max >> UInt32(64 - bits)))
                value = high << 32 | Int(next32())
            }
            if value < n { return value }
        }
    }
}
