/// A counter-based random stream keyed by (seed, key): the same key gives
/// the same numbers on any thread and any machine (SplitMix64 over a keyed
/// state). Used so that permutation draws belong to an observation (or a
/// permutation number), never to a thread.
public struct RandomStream: RandomNumberGenerator {
    private var state: UInt64

    public init(seed: UInt64, key: UInt64) {
        state = RandomStream.mix(seed ^ RandomStream.mix(key &+ 0x9E37_79B9_7F4A_7C15))
    }

    @inline(__always)
    static func mix(_ z0: UInt64) -> UInt64 {
        var z = z0
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    @inline(__always)
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        return RandomStream.mix(state)
    }

    /// A uniform integer in 0..<bound without modulo bias (Lemire's method).
    @inline(__always)
    public mutating func below(_ bound: Int) -> Int {
        let b = UInt64(bound)
        var m = next().multipliedFullWidth(by: b)
        if m.low < b {
            let threshold = (0 &- b) % b
            while m.low < threshold { m = next().multipliedFullWidth(by: b) }
        }
        return Int(m.high)
    }
}

/// The alternative hypothesis of a permutation test, exactly as esda's
/// `calculate_significance` defines them. With R simulated statistics s_r,
/// the observed statistic o, M = #{s_r ≥ o} and L = #{s_r ≤ o}:
/// - `directed` (esda's default for local statistics): p = (min(M, R − M) + 1)/(R + 1),
///   the tail the observation falls in (esda advises against it: too small);
/// - `twoSided`: q = 100·L/R, q' = min(q, 100 − q); lo and hi are the q'-th
///   and (100 − q')-th percentiles of the s_r (linear interpolation, numpy's
///   default); p = (#{s_r ≤ lo} + #{s_r ≥ hi} + 1)/(R + 1);
/// - `folded`: m = mean(s_r); p = (#{|s_r − m| ≥ |o − m|} + 1)/(R + 1);
/// - `greater`: p = (M + 1)/(R + 1);
/// - `lesser`: p = (L + 1)/(R + 1);
/// - `meanSide` (not esda's: GeoDa's rule for Local Geary): the tail on the
///   observation's side of the simulated mean m, p = (L + 1)/(R + 1) when
///   o ≤ m, else (#{s_r > o} + 1)/(R + 1) — above 0.5 when o is between
///   the mean and the median.
/// The permutation engine's generator: wyrand (Wang Yi), one 64×64→128-bit
/// multiply per 64 bits, seeded per (seed, key) as `RandomStream`.
public struct PermutationStream {
    private var state: UInt64

    public init(seed: UInt64, key: UInt64) {
        state = RandomStream.mix(seed ^ RandomStream.mix(key &+ 0x9E37_79B9_7F4A_7C15))
    }

    @inline(__always)
    public mutating func next() -> UInt64 {
        state &+= 0xA076_1D64_78BD_642F
        let m = (state ^ 0xE703_7ED1_A0B4_28DB).multipliedFullWidth(by: state)
        return m.high ^ m.low
    }
}

public enum Alternative: String, Sendable, CaseIterable {
    case directed
    case twoSided = "two-sided"
    case folded
    case greater
    case lesser
    case meanSide = "mean-side"

    /// The pseudo p-value of `observed` among the simulated statistics
    /// (which may be reordered: two-sided sorts them).
    public func pseudoP(observed o: Double, simulated s: inout [Double]) -> Double {
        s.withUnsafeMutableBufferPointer { pseudoP(observed: o, simulated: $0) }
    }

    /// As above, on raw memory (the permutation engine's buffer).
    public func pseudoP(observed o: Double, simulated s: UnsafeMutableBufferPointer<Double>) -> Double {
        let r = s.count
        let denominator = Double(r + 1)
        switch self {
        case .directed:
            let m = s.count { $0 >= o }
            return Double(min(m, r - m) + 1) / denominator
        case .greater:
            return Double(s.count { $0 >= o } + 1) / denominator
        case .lesser:
            return Double(s.count { $0 <= o } + 1) / denominator
        case .meanSide:
            let mean = s.reduce(0, +) / Double(r)
            return Double((o <= mean ? s.count { $0 <= o } : s.count { $0 > o }) + 1) / denominator
        case .folded:
            let mean = s.reduce(0, +) / Double(r)
            let d = abs(o - mean)
            return Double(s.count { abs($0 - mean) >= d } + 1) / denominator
        case .twoSided:
            let q = Double(s.count { $0 <= o }) / Double(r) * 100
            let qLow = min(q, 100 - q)
            var sorted = s
            sorted.sort()
            let lo = Self.percentile(sorted: UnsafeBufferPointer(s), qLow), hi = Self.percentile(sorted: UnsafeBufferPointer(s), 100 - qLow)
            let outside = s.count { $0 <= lo } + s.count { $0 >= hi }
            return Double(outside + 1) / denominator
        }
    }

    /// numpy's default ("linear") percentile of sorted values.
    static func percentile(sorted a: UnsafeBufferPointer<Double>, _ q: Double) -> Double {
        let h = Double(a.count - 1) * q / 100
        let lower = Int(h.rounded(.down))
        guard lower + 1 < a.count else { return a[a.count - 1] }
        let t = h - Double(lower)
        return a[lower] + (a[lower + 1] - a[lower]) * t
    }

    /// The directed pseudo p-value from counts, for global statistics
    /// (esda's global `p_sim`).
    public static func directed(greaterOrEqual m: Int, permutations r: Int) -> Double {
        Double(min(m, r - m) + 1) / Double(r + 1)
    }
}
