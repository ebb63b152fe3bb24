/// HDBSCAN* (Campello, Moulavi & Sander 2013; McInnes & Healy 2017) on
/// planar points, with scikit-learn's conventions.
///
/// ```swift
/// let points = try ClusterPoints(table: stations, file: "stations_utm29n.shp")
/// let result = try HDBSCAN.run(points, options: .init(minClusterSize: 50))
/// result.labels         // -1 for noise
/// result.probabilities  // scikit-learn's probabilities_
/// result.outlierScores  // the hdbscan package's outlier_scores_ (GLOSH)
/// ```
///
/// Steps: core distances (the `minSamples`-th nearest point, itself
/// counted, as `sklearn.cluster.HDBSCAN`; the hdbscan package's
/// `min_samples` is one less), the minimum spanning tree of the
/// mutual-reachability graph by a parallel Borůvka over the k-d tree
/// (never the n × n matrix), the single-linkage
/// hierarchy, the condensed tree with `minClusterSize`, excess-of-mass or
/// leaf selection with `clusterSelectionEpsilon`, then labels,
/// membership probabilities and GLOSH outlier scores (Campello, Moulavi,
/// Zimek & Sander 2015).
///
/// Ties: equal mutual-reachability distances are common (many edges weigh
/// a core distance). The spanning tree is then not unique and a point can
/// join either of two clusters that merge at the same distance. GeoVote
/// orders edges by (distance, lower index, higher index), so its result is
/// a function of the input alone; scikit-learn's depends on the order of
/// Prim's algorithm and of an unstable sort, and changes when the input is
/// permuted. The reference tests list the points whose scikit-learn label
/// moves under permutation and compare every other point exactly.
public enum HDBSCAN {
    public enum Selection: String, Sendable, CaseIterable {
        /// Excess of mass (scikit-learn's and the hdbscan package's default).
        case excessOfMass = "eom"
        /// The leaves of the condensed tree: many small, homogeneous clusters.
        case leaf
    }

    public struct Options: Sendable, Equatable {
        /// Smallest cluster (≥ 2).
        public var minClusterSize: Int
        /// Points in a core neighbourhood, the point included; nil: `minClusterSize`.
        public var minSamples: Int?
        public var selection: Selection
        /// Clusters born below this distance are merged upwards
        /// (`cluster_selection_epsilon`, CRS units; 0: off).
        public var clusterSelectionEpsilon: Double
        /// Let the root be the one cluster (scikit-learn's `allow_single_cluster`).
        public var allowSingleCluster: Bool
        /// Largest cluster excess of mass may select (nil: no limit).
        public var maxClusterSize: Int?

        public init(minClusterSize: Int = 5, minSamples: Int? = nil, selection: Selection = .excessOfMass,
                    clusterSelectionEpsilon: Double = 0, allowSingleCluster: Bool = false, maxClusterSize: Int? = nil) {
            self.minClusterSize = minClusterSize
            self.minSamples = minSamples
            self.selection = selection
            self.clusterSelectionEpsilon = clusterSelectionEpsilon
            self.allowSingleCluster = allowSingleCluster
            self.maxClusterSize = maxClusterSize
        }

        /// The core neighbourhood actually used.
        public var effectiveMinSamples: Int { minSamples ?? minClusterSize }

        /// Refuses values no reference accepts.
        public func validate(pointCount n: Int) throws {
            guard minClusterSize >= 2 else { throw GeoVoteError.invalidArgument("min_cluster_size must be at least 2, not \(minClusterSize)") }
            if let minSamples, minSamples < 1 { throw GeoVoteError.invalidArgument("min_samples must be at least 1, not \(minSamples)") }
            guard effectiveMinSamples <= n else {
                throw GeoVoteError.invalidArgument("min_samples (\(effectiveMinSamples)\(minSamples == nil ? ", from min_cluster_size" : "")) is more than the \(n) points")
            }
            guard clusterSelectionEpsilon.isFinite, clusterSelectionEpsilon >= 0 else {
                throw GeoVoteError.invalidArgument("epsilon must be a distance of 0 or more, not \(clusterSelectionEpsilon)")
            }
            if let maxClusterSize, maxClusterSize < 1 { throw GeoVoteError.invalidArgument("max_cluster_size must be at least 1, not \(maxClusterSize)") }
        }
    }

    public struct Result: Sendable, Equatable {
        /// Cluster of each point, −1 for noise; clusters numbered in the
        /// order of the condensed tree, as scikit-learn.
        public var labels: [Int]
        /// Strength of each point's membership, 0 for noise (`probabilities_`).
        public var probabilities: [Double]
        /// GLOSH outlier score of each point (`outlier_scores_`).
        public var outlierScores: [Double]
        /// Core distance of each point.
        public var coreDistances: [Double]
        public var clusterCount: Int
        /// Excess of mass of each selected cluster, by label.
        public var stabilities: [Double]
        /// The mutual-reachability minimum spanning tree, sorted by (distance, a, b).
        public var spanningTree: [SpanningTreeEdge]
    }

    /// Runs HDBSCAN*.
    /// - Parameters:
    ///   - points: planar points.
    ///   - options: sizes, selection and epsilon.
    ///   - workers: threads (the result does not depend on it).
    /// - Throws: `GeoVoteError.invalidArgument` for options out of range.
    /// - Complexity: O(n log n) expected for points in the plane.
    public static func run(_ points: ClusterPoints, options: Options, workers: Int = Parallel.defaultWorkerCount) throws -> Result {
        let n = points.count
        try options.validate(pointCount: n)
        let mst = MutualReachabilityTree(points: points, minSamples: options.effectiveMinSamples, workers: workers)
        let tree = CondensedTree(mst, count: n, minClusterSize: options.minClusterSize)
        let flat = tree.flat(selection: options.selection, epsilon: options.clusterSelectionEpsilon,
                             allowSingleCluster: options.allowSingleCluster, maxClusterSize: options.maxClusterSize)
        let edges = (0..<mst.a.count).map { SpanningTreeEdge(a: Int(mst.a[$0]), b: Int(mst.b[$0]), distance: mst.weight[$0]) }
        return Result(labels: flat.labels, probabilities: flat.probabilities, outlierScores: flat.outlierScores,
                      coreDistances: mst.coreDistance, clusterCount: flat.clusterCount, stabilities: flat.stabilities, spanningTree: edges)
    }
}

