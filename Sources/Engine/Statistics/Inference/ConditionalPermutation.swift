/// Conditional randomisation for local statistics (Anselin 1995): hold
/// observation i's value fixed and draw its neighbours' values without
/// replacement from the other n − 1 observations, R times.
///
/// Every local statistic handled here is affine in the permuted lag:
/// stat_i = a_i + b_i · Σ_{j ∈ N(i), j ≠ i} w_ij v_π(j), so one engine serves
/// Local Moran and Getis–Ord G. Draws for observation i come from a stream
/// keyed by (seed, i): bit-identical results for any thread count. Memory
/// O(n); simulations are not kept.
public struct ConditionalPermutation: Sendable {
    public let permutations: Int
    public let seed: UInt64
    public let alternative: Alternative

    public init(permutations: Int, seed: UInt64 = 12345, alternative: Alternative = .directed) {
        precondition(permutations >= 1)
        self.permutations = permutations
        self.seed = seed
        self.alternative = alternative
    }

    /// Per observation: pseudo p, and the z of the observed statistic in the
    /// simulated distribution ((obs − mean)/sd, sd with divisor R as esda).
    public struct Result: Sendable {
        public var pseudoP: [Double]
        public var zSim: [Double]
        public var meanSim: [Double]
    }

    /// - Parameters:
    ///   - observed: the observed statistic of each observation (NaN = undefined, skipped).
    ///   - values: the values drawn for the neighbours.
    ///   - a, b: the affine coefficients of each observation.
    public func run(observed: [Double], values: [Double], weights w: SpatialWeights, a: [Double], b: [Double],
                    workers: Int = Parallel.defaultWorkerCount) -> Result {
        let n = values.count
        var p = [Double](repeating: .nan, count: n), z = p, m = p
        let r = permutations, seed = self.seed, alternative = self.alternative
        p.withUnsafeMutableBufferPointer { pb in
            z.withUnsafeMutableBufferPointer { zb in
                m.withUnsafeMutableBufferPointer { mb in
                    let (po, zo, mo) = (UnsafeSendableBuffer(pb), UnsafeSendableBuffer(zb), UnsafeSendableBuffer(mb))
                    Parallel.forEachChunk(count: n, grain: 64, workers: workers) { _, _, range in
                        var drawn: [Int] = []
                        var links: [(Int32, Double)] = []
                        for i in range where observed[i].isFinite {
                            links.removeAll(keepingCapacity: true)
                            for k in w.offsets[i]..<w.offsets[i + 1] where Int(w.neighbors[k]) != i {
                                links.append((w.neighbors[k], w.weights[k]))
                            }
                            let k = links.count
                            guard k > 0, k <= n - 1 else { continue }
                            var rng = RandomStream(seed: seed, key: UInt64(i))
                            var ge = 0, le = 0
                            var sum = 0.0, sumSquares = 0.0
                            let obs = observed[i]
                            for _ in 0..<r {
                                // k distinct indices from 0..<n without i.
                                drawn.removeAll(keepingCapacity: true)
                                var lag = 0.0
                                while drawn.count < k {
                                    var j = rng.below(n - 1)
                                    if j >= i { j += 1 }
                                    if drawn.contains(j) { continue }
                                    lag += links[drawn.count].1 * values[j]
                                    drawn.append(j)
                                }
                                let s = a[i] + b[i] * lag
                                if s >= obs { ge += 1 }
                                if s <= obs { le += 1 }
                                sum += s
                                sumSquares += s * s
                            }
                            let mean = sum / Double(r)
                            let sd = max(0, sumSquares / Double(r) - mean * mean).squareRoot()
                            po[i] = alternative.pseudoP(greaterOrEqual: ge, lessOrEqual: le, permutations: r)
                            zo[i] = (obs - mean) / sd
                            mo[i] = mean
                        }
                    }
                }
            }
        }
        return Result(pseudoP: p, zSim: z, meanSim: m)
    }
}
