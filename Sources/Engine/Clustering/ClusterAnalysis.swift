/// Density clusters of a layer's features (polling stations, or polygon
/// centroids): DBSCAN or HDBSCAN* with scikit-learn's conventions.
///
/// ```swift
/// let stations = try LayerIO.read("stations_utm29n.shp")
/// let result = try ClusterAnalysis.run(stations, file: "stations_utm29n.shp",
///                                      options: ClusterOptions(method: .hdbscan, minClusterSize: 50))
/// print(result.summary)   // "hdbscan: 37 clusters, 15,937 noise points of 40,000"
/// ```
public enum ClusterAnalysis {
    /// Runs the clustering that `options` names.
    /// - Parameters:
    ///   - table: the layer (a projected CRS: distances are in its units).
    ///   - file: its path, named in errors.
    ///   - options: method and parameters.
    ///   - workers: threads (the result does not depend on it).
    /// - Throws: `GeoVoteError` for options out of range, a geographic CRS,
    ///   empty or non-finite geometries, a weight field that is missing or
    ///   holds a negative, missing or non-numeric value, fewer than 2 features.
    public static func run(_ table: FeatureTable, file: String, options: ClusterOptions,
                           workers: Int = Parallel.defaultWorkerCount) throws -> ClusterResult {
        try options.validate()
        guard table.count >= 2 else {
            throw GeoVoteError.invalidArgument("\(file) has \(table.count) feature\(table.count == 1 ? "" : "s"): clustering needs at least 2")
        }
        var points = try ClusterPoints(table: table, file: file)
        switch options.method {
        case .dbscan:
            var weights: [Double]?
            if let field = options.weightField {
                weights = try table.numericValues(of: field, file: file)
                points.weightField = field
            }
            let r = try DBSCAN.run(points, eps: options.eps!, minSamples: Double(options.minSamples!), weights: weights, workers: workers)
            return ClusterResult(options: options, labels: r.labels, core: r.core, probabilities: nil, outlierScores: nil,
                                 clusterCount: r.clusterCount, spanningTree: nil)
        case .hdbscan:
            let r = try HDBSCAN.run(points, options: options.hdbscanOptions, workers: workers)
            return ClusterResult(options: options, labels: r.labels, core: nil, probabilities: r.probabilities,
                                 outlierScores: r.outlierScores, clusterCount: r.clusterCount, spanningTree: r.spanningTree)
        }
    }
}

/// Which clustering, with which parameters.
public struct ClusterOptions: Sendable, Hashable {
    public enum Method: String, Sendable, Hashable, CaseIterable {
        case dbscan, hdbscan
    }

    public var method: Method
    /// DBSCAN: the neighbourhood radius, CRS units.
    public var eps: Double?
    /// DBSCAN: the neighbours (or summed weight) of a core point, itself
    /// included; HDBSCAN: the core neighbourhood (nil: `minClusterSize`).
    public var minSamples: Int?
    /// DBSCAN: a numeric field whose values weigh each point (votes, registered voters).
    public var weightField: String?
    /// HDBSCAN: the smallest cluster.
    public var minClusterSize: Int?
    /// HDBSCAN: excess of mass or leaves.
    public var selection: HDBSCAN.Selection
    /// HDBSCAN: `cluster_selection_epsilon`, CRS units.
    public var epsilon: Double

    public init(method: Method, eps: Double? = nil, minSamples: Int? = nil, weightField: String? = nil,
                minClusterSize: Int? = nil, selection: HDBSCAN.Selection = .excessOfMass, epsilon: Double = 0) {
        self.method = method
        self.eps = eps
        self.minSamples = minSamples
        self.weightField = weightField
        self.minClusterSize = minClusterSize
        self.selection = selection
        self.epsilon = epsilon
    }

    var hdbscanOptions: HDBSCAN.Options {
        HDBSCAN.Options(minClusterSize: minClusterSize ?? 5, minSamples: minSamples, selection: selection, clusterSelectionEpsilon: epsilon)
    }

    /// Checks what can be checked without the data.
    public func validate() throws {
        switch method {
        case .dbscan:
            guard let eps else { throw GeoVoteError.invalidArgument("dbscan needs eps (the neighbourhood radius, in the layer's CRS units)") }
            guard eps.isFinite, eps > 0 else { throw GeoVoteError.invalidArgument("eps must be a positive distance in the layer's units, not \(eps)") }
            guard let minSamples else { throw GeoVoteError.invalidArgument("dbscan needs min_samples (the points within eps of a core point, itself included)") }
            guard minSamples >= 1 else { throw GeoVoteError.invalidArgument("min_samples must be at least 1, not \(minSamples)") }
            if minClusterSize != nil || selection != .excessOfMass || epsilon != 0 {
                throw GeoVoteError.invalidArgument("min_cluster_size, selection and epsilon are HDBSCAN's: use the hdbscan method")
            }
        case .hdbscan:
            guard minClusterSize != nil else { throw GeoVoteError.invalidArgument("hdbscan needs min_cluster_size (the smallest cluster, at least 2)") }
            if eps != nil { throw GeoVoteError.invalidArgument("eps is DBSCAN's; HDBSCAN's distance threshold is epsilon (cluster_selection_epsilon)") }
            if weightField != nil { throw GeoVoteError.invalidArgument("a weight field is DBSCAN's (sample_weight); scikit-learn's HDBSCAN takes no weights") }
            try hdbscanOptions.validate(pointCount: Int.max)
        }
    }
}

/// One edge of HDBSCAN's mutual-reachability spanning tree.
public struct SpanningTreeEdge: Sendable, Hashable {
    public var a: Int
    public var b: Int
    public var distance: Double
}

/// Labels (and the method's other columns) of every feature, in input order.
public struct ClusterResult: Sendable {
    public var options: ClusterOptions
    /// Cluster of each feature, −1 for noise.
    public var labels: [Int]
    /// DBSCAN: whether each feature is a core point.
    public var core: [Bool]?
    /// HDBSCAN: membership strength (scikit-learn's `probabilities_`).
    public var probabilities: [Double]?
    /// HDBSCAN: GLOSH outlier score (the hdbscan package's `outlier_scores_`).
    public var outlierScores: [Double]?
    public var clusterCount: Int
    /// HDBSCAN: the mutual-reachability minimum spanning tree, sorted by
    /// (distance, a, b) — the single-linkage hierarchy's input.
    public var spanningTree: [SpanningTreeEdge]?

    public init(options: ClusterOptions, labels: [Int], core: [Bool]?, probabilities: [Double]?, outlierScores: [Double]?,
                clusterCount: Int, spanningTree: [SpanningTreeEdge]?) {
        self.options = options
        self.labels = labels
        self.core = core
        self.probabilities = probabilities
        self.outlierScores = outlierScores
        self.clusterCount = clusterCount
        self.spanningTree = spanningTree
    }

    public var noiseCount: Int { labels.count { $0 < 0 } }

    /// Members of each cluster, by label.
    public var sizes: [Int] {
        var sizes = [Int](repeating: 0, count: clusterCount)
        for l in labels where l >= 0 { sizes[l] += 1 }
        return sizes
    }

    /// `hdbscan: 37 clusters (largest 1,204 points), 15,937 noise points of 40,000`.
    public var summary: String {
        var line = "\(options.method.rawValue): \(clusterCount) cluster\(clusterCount == 1 ? "" : "s")"
        if let largest = sizes.max() { line += " (largest \(largest) points)" }
        line += ", \(noiseCount) noise points of \(labels.count)"
        if let core { line += "; \(core.count { $0 }) core points" }
        return line
    }

    /// The results as a table of the layer's features, in input order, with
    /// the layer's geometry: the id fields, `cluster`, then `core` (DBSCAN,
    /// 1 or 0) or `probability` and `outlier_score` (HDBSCAN).
    /// - Parameters:
    ///   - layer: the clustered layer.
    ///   - file: its path, named in errors.
    ///   - idFields: fields copied first; empty: every text field of the layer.
    ///   - index: a first column `index`, the 0-based feature order (CSV).
    public func table(from layer: FeatureTable, file: String, idFields: [String], index: Bool) throws -> FeatureTable {
        precondition(layer.count == labels.count)
        var columns: [Column] = []
        if index { columns.append(Column(name: "index", values: .integer((0..<labels.count).map { Int64($0) }))) }
        if idFields.isEmpty {
            columns += layer.columns.filter { if case .text = $0.values { true } else { false } }
        } else {
            for name in idFields {
                guard let column = layer.column(named: name) else {
                    throw GeoVoteError.malformed(DataLocation(file: file, field: name), reason: "is not a field of the layer; fields: \(layer.columns.map(\.name).joined(separator: ", "))")
                }
                columns.append(column)
            }
        }
        columns.append(Column(name: "cluster", values: .integer(labels.map { Int64($0) })))
        if let core { columns.append(Column(name: "core", values: .integer(core.map { $0 ? 1 : 0 }))) }
        if let probabilities { columns.append(Column(name: "probability", values: .real(probabilities))) }
        if let outlierScores { columns.append(Column(name: "outlier_score", values: .real(outlierScores))) }
        return FeatureTable(geometries: layer.geometries, columns: columns, crs: layer.crs, sourceEncoding: layer.sourceEncoding)
    }

    /// The spanning tree as CSV: `a,b,distance`, one edge a line (the
    /// shortest decimal that reads back as the same double).
    public var spanningTreeCSV: String? {
        spanningTree.map { edges in
            "a,b,distance\n" + edges.map { "\($0.a),\($0.b),\($0.distance)\n" }.joined()
        }
    }
}
