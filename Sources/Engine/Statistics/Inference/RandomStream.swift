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

/// The alternative hypothesis of a permutation test, as esda defines them.
/// With M the number of simulated statistics ≥ the observed one, R
/// permutations:
/// - `directed` (esda's default for local statistics): M' = min(M, R − M),
///   p = (M' + 1)/(R + 1) — the tail the observation falls in;
/// - `twoSided`: 2 × directed, at most 1;
/// - `greater`: p = (M + 1)/(R + 1);
/// - `lesser`: p = (R − M + 1)/(R + 1), with ≤ in place of ≥.
public enum Alternative: String, Sendable, CaseIterable {
    case directed
    case twoSided = "two-sided"
    case greater
    case lesser

    /// The pseudo p-value from the counts of simulated statistics at least
    /// (`greaterOrEqual`) and at most (`lessOrEqual`) the observed one.
    public func pseudoP(greaterOrEqual: Int, lessOrEqual: Int, permutations r: Int) -> Double {
        let denominator = Double(r + 1)
        switch self {
        case .greater: return Double(greaterOrEqual + 1) / denominator
        case .lesser: return Double(lessOrEqual + 1) / denominator
        case .directed:
            let m = min(greaterOrEqual, r - greaterOrEqual)
            return Double(m + 1) / denominator
        case .twoSided:
            let m = min(greaterOrEqual, r - greaterOrEqual)
            return min(1, 2 * Double(m + 1) / denominator)
        }
    }
}
