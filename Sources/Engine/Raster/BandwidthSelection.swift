import Foundation

/// A kernel bandwidth chosen by leave-one-out cross-validation of the
/// stations' shares.
///
/// For a candidate h, each station's share of each field is predicted from
/// the other stations, as the surface would predict it at the station:
/// p̂ᵢ = Σ_{j≠i} K(dᵢⱼ/h)·fieldⱼ / Σ_{j≠i} K(dᵢⱼ/h)·totalⱼ (the overall share
/// when no other station is within reach). The score is the squared error
/// weighted by each station's total, Σᵢ totalᵢ·(fieldᵢ/totalᵢ − p̂ᵢ)² summed
/// over the fields, divided by Σᵢ totalᵢ; the chosen bandwidth is the
/// candidate with the smallest score (ties: the smaller bandwidth).
/// Stations with a total of 0 predict but are not scored. Parallel over
/// stations with per-chunk partial scores combined in chunk order.
public enum BandwidthSelection {
    public struct Result: Sendable {
        public var bandwidth: Double
        /// Every candidate with its score, in increasing bandwidth.
        public var scores: [(bandwidth: Double, score: Double)]
    }

    /// The default candidates: 20 bandwidths in geometric progression from
    /// twice the median distance between a station and its nearest
    /// neighbour to a tenth of the longer side of the stations' extent.
    public static func candidates(_ points: ClusterPoints) -> [Double] {
        let tree = KDTree(x: points.x, y: points.y)
        let step = max(1, points.count / 2000)
        var nearest: [Double] = []
        for i in stride(from: 0, to: points.count, by: step) {
            if let d = tree.nearest(to: i, k: 2).last?.squaredDistance, d > 0 { nearest.append(d.squareRoot()) }
        }
        nearest.sort()
        let low = 2 * (nearest.isEmpty ? 1 : nearest[nearest.count / 2])
        let xs = points.x, ys = points.y
        let side = max((xs.max() ?? 0) - (xs.min() ?? 0), (ys.max() ?? 0) - (ys.min() ?? 0))
        let high = max(low * 2, side / 10)
        return (0..<20).map { low * pow(high / low, Double($0) / 19) }
    }

    /// Scores each candidate and returns the best.
    /// - Parameters:
    ///   - points: the stations.
    ///   - counts: feature-major counts, `fieldCount` per station.
    ///   - fieldCount: the counts per station.
    ///   - shareFields: the first `shareFields` counts are the shares' numerators.
    ///   - totalIndex: where the total (the shares' denominator) is among a station's counts.
    ///   - kernel: the kernel the surface uses.
    ///   - truncation: the Gaussian's cut in bandwidths (nil: none).
    ///   - candidates: the bandwidths to score (``candidates(_:)`` gives defaults).
    ///   - workers: worker threads; the scores do not depend on them.
    public static func crossValidate(_ points: ClusterPoints, counts: [Double], fieldCount: Int, shareFields: Int, totalIndex: Int,
                                     kernel: VoteSurfaceOptions.Kernel, truncation: Double?, candidates: [Double],
                                     workers: Int = Parallel.defaultWorkerCount) throws -> Result {
        guard points.count >= 2 else { throw GeoVoteError.invalidArgument("cross-validation needs at least two stations") }
        guard !candidates.isEmpty, candidates.allSatisfy({ $0.isFinite && $0 > 0 }) else {
            throw GeoVoteError.invalidArgument("cross-validation needs positive candidate bandwidths")
        }
        let tree = KDTree(x: points.x, y: points.y)
        let n = points.count, F = fieldCount
        var overall = [Double](repeating: 0, count: shareFields)
        var grand = 0.0
        for i in 0..<n {
            grand += counts[i * F + totalIndex]
            for f in 0..<shareFields { overall[f] += counts[i * F + f] }
        }
        let fallback = overall.map { grand > 0 ? $0 / grand : 0 }
        let reach = kernel == .quartic ? 1 : truncation
        var scores: [(bandwidth: Double, score: Double)] = []
        for h in candidates.sorted() {
            let grain = 512
            let partials = PerChunk<Double>(count: (n + grain - 1) / grain)
            Parallel.forEachChunk(count: n, grain: grain, workers: workers) { _, chunk, range in
                var sum = 0.0
                var numerator = [Double](repeating: 0, count: shareFields)
                for i in range {
                    let total = counts[i * F + totalIndex]
                    guard total > 0 else { continue }
                    let q = (points.x[i], points.y[i], 0.0)
                    let neighbours: [Int] = reach.map { r in tree.within(radius: r * h, of: q, excluding: i).map(\.index).sorted() }
                        ?? (0..<n).filter { $0 != i }
                    var denominator = 0.0
                    for f in 0..<shareFields { numerator[f] = 0 }
                    for j in neighbours {
                        let dx = points.x[j] - q.0, dy = points.y[j] - q.1
                        let d2 = dx * dx + dy * dy
                        let w: Double
                        if kernel == .gaussian { w = exp(-d2 / (2 * h * h)) } else { let t = 1 - d2 / (h * h); w = t > 0 ? t * t : 0 }
                        if w == 0 { continue }
                        denominator += w * counts[j * F + totalIndex]
                        for f in 0..<shareFields { numerator[f] += w * counts[j * F + f] }
                    }
                    for f in 0..<shareFields {
                        let predicted = denominator > 0 ? numerator[f] / denominator : fallback[f]
                        let error = counts[i * F + f] / total - predicted
                        sum += total * error * error
                    }
                }
                partials[chunk] = sum
            }
            let score = partials.inOrder.reduce(0, +) / max(grand, .leastNonzeroMagnitude)
            scores.append((h, score))
        }
        let best = scores.min { $0.score != $1.score ? $0.score < $1.score : $0.bandwidth < $1.bandwidth }!
        return Result(bandwidth: best.bandwidth, scores: scores)
    }
}
