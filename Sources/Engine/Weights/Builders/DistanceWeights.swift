import Foundation

/// Distance-based weights: k nearest neighbours, distance bands, kernels.
extension SpatialWeights {
    /// The k nearest neighbours of every point (self excluded), binary.
    ///
    /// Ties at the k-th distance are broken by input index (lower first), so
    /// the result is deterministic; libpysal and spdep break them by their
    /// tree's order. - Complexity: O(n log n + n k) expected.
    /// Equivalent: libpysal `KNN(points, k)`, spdep `knn2nb(knearneigh(x, k))`.
    public static func kNearest(_ points: WeightsPoints, k: Int, workers: Int = Parallel.defaultWorkerCount) throws -> SpatialWeights {
        guard k >= 1 else { throw GeoVoteError.invalidArgument("k must be at least 1, not \(k)") }
        guard k < points.count else {
            throw GeoVoteError.invalidArgument("k = \(k) needs more than \(k) observations; the layer has \(points.count)")
        }
        let tree = points.tree()
        let rows = Parallel.map(count: points.count, grain: 512, workers: workers) { i in
            tree.nearest(to: i, k: k).map(\.index)
        }
        return SpatialWeights(neighborLists: rows)
    }

    /// The distance to the k-th nearest neighbour of every point.
    public static func kthNeighborDistances(_ points: WeightsPoints, k: Int, workers: Int = Parallel.defaultWorkerCount) -> [Double] {
        let tree = points.tree()
        return Parallel.map(count: points.count, grain: 512, workers: workers) { i in
            tree.nearest(to: i, k: k).last.map { points.distance(fromSquared: $0.squaredDistance) } ?? .infinity
        }
    }

    /// The smallest threshold that gives every observation at least one
    /// neighbour: the largest nearest-neighbour distance (ArcGIS's default
    /// distance band; libpysal `min_threshold_distance`).
    public static func minimumThreshold(_ points: WeightsPoints, workers: Int = Parallel.defaultWorkerCount) -> Double {
        kthNeighborDistances(points, k: 1, workers: workers).max() ?? 0
    }

    /// Neighbours at distance d ≤ threshold (inclusive).
    ///
    /// - Parameters:
    ///   - points: the features' points (``WeightsPoints``).
    ///   - threshold: the band, in CRS units (metres when geodesic).
    ///   - binary: weights 1; else inverse distance d^alpha.
    ///   - alpha: the power of the inverse distance (alpha < 0, libpysal's
    ///     `alpha=-1` default).
    ///   - includeColocated: keep neighbours at distance 0 (spdep
    ///     `dnearneigh` does; libpysal's sparse distance matrix drops them).
    ///     Inverse-distance weights cannot include them.
    ///   - workers: threads (the weights do not depend on it).
    ///
    /// Equivalent: libpysal `DistanceBand(points, threshold, binary, alpha)`,
    /// spdep `dnearneigh(x, 0, threshold)`.
    public static func distanceBand(
        _ points: WeightsPoints, threshold: Double, binary: Bool = true, alpha: Double = -1,
        includeColocated: Bool = false, workers: Int = Parallel.defaultWorkerCount
    ) throws -> SpatialWeights {
        guard threshold.isFinite, threshold > 0 else {
            throw GeoVoteError.invalidArgument("the distance threshold must be a positive number, not \(threshold)")
        }
        if !binary && includeColocated {
            throw GeoVoteError.invalidArgument("inverse-distance weights cannot include co-located points (distance 0)")
        }
        let tree = points.tree()
        let radius = points.treeRadius(for: threshold)
        let rows = Parallel.map(count: points.count, grain: 256, workers: workers) { i -> [(Int, Double)] in
            tree.within(radius: radius, of: i).compactMap { hit in
                let d = points.distance(fromSquared: hit.squaredDistance)
                guard d <= threshold, includeColocated || d > 0 else { return nil }
                return (hit.index, binary ? 1 : pow(d, alpha))
            }
        }
        return SpatialWeights(neighborLists: rows.map { $0.map(\.0) }, weightLists: binary ? nil : rows.map { $0.map(\.1) })
    }

    /// Kernel functions of libpysal's `Kernel` (Anselin and Rey 2010, table
    /// 5.4), of z = d / bandwidth for d within the bandwidth.
    public enum KernelFunction: String, Sendable, CaseIterable {
        case triangular      // 1 − z
        case uniform         // 1/2
        case epanechnikov = "quadratic"   // 3/4 (1 − z²)
        case quartic         // 15/16 (1 − z²)²  (bisquare)
        case gaussian        // exp(−z²/2) / √(2π)

        public init?(name: String) {
            switch name.lowercased() {
            case "triangular": self = .triangular
            case "uniform": self = .uniform
            case "epanechnikov", "quadratic": self = .epanechnikov
            case "quartic", "bisquare": self = .quartic
            case "gaussian": self = .gaussian
            default: return nil
            }
        }

        public func callAsFunction(_ z: Double) -> Double {
            switch self {
            case .triangular: 1 - z
            case .uniform: 0.5
            case .epanechnikov: 0.75 * (1 - z * z)
            case .quartic: (15.0 / 16.0) * (1 - z * z) * (1 - z * z)
            case .gaussian: exp(-z * z / 2) / (2 * Double.pi).squareRoot()
            }
        }
    }

    /// How kernel bandwidths are chosen.
    public enum KernelBandwidth: Sendable, Hashable {
        /// One bandwidth for all, in distance units.
        case fixed(Double)
        /// libpysal's default fixed bandwidth: the largest distance to the
        /// k-th nearest neighbour, times 1.0000001.
        case fixedFromNeighbors(k: Int)
        /// Each point's own: the distance to its k-th nearest neighbour,
        /// times 1.0000001; neighbours are exactly those k (libpysal
        /// `fixed=False`).
        case adaptive(k: Int)
    }

    /// Kernel weights, as libpysal's `Kernel` builds them: every point
    /// within the bandwidth, itself included (z = 0), weighted by the kernel
    /// of d / bandwidth_i. With `diagonal`, the self-weight is set to 1.
    public static func kernel(
        _ points: WeightsPoints, function: KernelFunction, bandwidth: KernelBandwidth,
        diagonal: Bool = false, workers: Int = Parallel.defaultWorkerCount
    ) throws -> SpatialWeights {
        let n = points.count
        let eps = 1.0000001
        let tree = points.tree()
        var bandwidths: [Double]
        var adaptiveK: Int?
        switch bandwidth {
        case let .fixed(b):
            guard b.isFinite, b > 0 else { throw GeoVoteError.invalidArgument("the bandwidth must be a positive number, not \(b)") }
            bandwidths = [Double](repeating: b, count: n)
        case let .fixedFromNeighbors(k):
            guard k >= 1, k < n else { throw GeoVoteError.invalidArgument("k = \(k) must be in 1..<\(n)") }
            let b = (kthNeighborDistances(points, k: k, workers: workers).max() ?? 0) * eps
            bandwidths = [Double](repeating: b, count: n)
        case let .adaptive(k):
            guard k >= 1, k < n else { throw GeoVoteError.invalidArgument("k = \(k) must be in 1..<\(n)") }
            bandwidths = kthNeighborDistances(points, k: k, workers: workers).map { $0 * eps }
            adaptiveK = k
        }
        let (bandwidthOf, kAdaptive) = (bandwidths, adaptiveK)
        let rows = Parallel.map(count: n, grain: 256, workers: workers) { i -> [(Int, Double)] in
            let b = bandwidthOf[i]
            let hits: [(index: Int, squaredDistance: Double)]
            if let k = kAdaptive {
                hits = tree.nearest(to: i, k: k)
            } else {
                hits = tree.within(radius: points.treeRadius(for: b), of: i).filter { points.distance(fromSquared: $0.squaredDistance) <= b }
            }
            var row = hits.map { ($0.index, function(points.distance(fromSquared: $0.squaredDistance) / b)) }
            row.append((i, diagonal ? 1 : function(0)))
            return row
        }
        return SpatialWeights(neighborLists: rows.map { $0.map(\.0) }, weightLists: rows.map { $0.map(\.1) })
    }
}
