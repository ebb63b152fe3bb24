import Foundation

/// How points are aggregated before an optimized hot-spot analysis.
public enum IncidentAggregation: Sendable, Hashable {
    /// Square cells (ArcGIS's `COUNT_INCIDENTS_WITHIN_FISHNET_POLYGONS`).
    case fishnet
    /// Hexagonal cells (ArcGIS Pro's hexagon grid).
    case hexagon
    /// Given polygons (communes; `COUNT_INCIDENTS_WITHIN_AGGREGATION_POLYGONS`), every polygon kept.
    case polygons(FeatureTable, file: String)

    public static func == (a: Self, b: Self) -> Bool {
        switch (a, b) {
        case (.fishnet, .fishnet), (.hexagon, .hexagon): true
        case let (.polygons(_, f), .polygons(_, g)): f == g
        default: false
        }
    }

    public func hash(into h: inout Hasher) {
        switch self {
        case .fishnet: h.combine(0)
        case .hexagon: h.combine(1)
        case let .polygons(_, file): h.combine(file)
        }
    }
}

/// What ``OptimizedHotSpots/run(_:file:variable:options:workers:)`` decides by itself, and what it is told.
public struct OptimizedHotSpotOptions: Sendable, Hashable {
    /// nil: the features are analysed as they are (weighted features).
    public var aggregation: IncidentAggregation?
    /// The fishnet or hexagon cell size; nil: ArcGIS's rule (``Tessellation/cellSize(for:workers:)``).
    public var cellSize: Double?
    /// The Gi* distance band; nil: chosen (the ISA peak, else the kNN rule).
    public var distance: Double?
    /// 0: analytic z (ArcGIS); else permutation pseudo p-values.
    public var permutations: Int
    public var seed: UInt64
    /// The false discovery rate of the Gi_Bin levels (ArcGIS: Benjamini–Hochberg).
    public var correction: MultipleTesting

    public init(aggregation: IncidentAggregation? = nil, cellSize: Double? = nil, distance: Double? = nil, permutations: Int = 0,
                seed: UInt64 = 12345, correction: MultipleTesting = .fdr) {
        self.aggregation = aggregation
        self.cellSize = cellSize
        self.distance = distance
        self.permutations = permutations
        self.seed = seed
        self.correction = correction
    }

    /// ArcGIS's minimum number of features analysed.
    public static let minimumFeatures = 30
    /// ArcGIS's minimum number of incidents for a fishnet or hexagon grid without a boundary.
    public static let minimumIncidents = 60

    public func validate() throws {
        if let cellSize, !(cellSize.isFinite && cellSize > 0) {
            throw GeoVoteError.invalidArgument("the cell size is \(cellSize): give a positive distance in the layer's units")
        }
        if let distance, !(distance.isFinite && distance > 0) {
            throw GeoVoteError.invalidArgument("the distance band is \(distance): give a positive distance in the layer's units")
        }
        if cellSize != nil, aggregation == nil || { if case .polygons = aggregation! { true } else { false } }() {
            throw GeoVoteError.invalidArgument("a cell size needs a fishnet or hexagon aggregation")
        }
        guard correction == .fdr || correction == .by || correction == .none else {
            throw GeoVoteError.invalidArgument("the correction of an optimized hot-spot analysis is fdr (ArcGIS), by or none, not \(correction.rawValue)")
        }
        guard (0...ConditionalPermutation.maximumPermutations).contains(permutations) else {
            throw GeoVoteError.invalidArgument("the number of permutations is \(permutations): give 0 (analytic, as ArcGIS) to \(ConditionalPermutation.maximumPermutations)")
        }
    }
}

/// Where the distance band came from.
public enum ScaleSource: String, Sendable, Hashable, Codable {
    case given
    case firstPeak = "first-peak"
    case highestPeak = "highest-peak"
    /// The mean distance to the k-th nearest neighbour.
    case nearestNeighbours = "knn"
    /// That mean capped by the standard distance.
    case standardDistance = "standard-distance"
}

/// Optimized Hot Spot Analysis, openly: ArcGIS's decision path (ArcGIS Pro
/// help "How Optimized Hot Spot Analysis works"; ArcGIS 10.1.2's published
/// `OptimizedHotSpotAnalysis.py`), each decision recorded.
///
/// 1. Points may first be aggregated into a fishnet or hexagon grid (cells
///    without a point dropped; at least 60 incidents) or into given
///    polygons (all kept); every numeric field is summed per cell and
///    `units` counts the points, so a share is computed after aggregation.
/// 2. At least 30 features; a variable with variance.
/// 3. The scale: incremental spatial autocorrelation over 10 bands whose
///    start and step leave out the locational outliers (3 standard
///    distances) and coincident points; the first peak, else the highest
///    peak, else the mean distance to the k-th nearest neighbour with
///    k = clamp(⌊0.05 n⌋, 3, 30), capped by the standard distance.
/// 4. Gi* on binary weights of that fixed distance band (coincident points
///    are neighbours), analytic z, and Gi_Bin ±3/±2/±1 at 99/95/90 % with
///    the false discovery rate applied at each level (Benjamini–Hochberg).
///
/// Beyond ArcGIS: permutation pseudo p-values with a fixed seed, and
/// Benjamini–Yekutieli.
public struct OptimizedHotSpots: Sendable {
    /// The features analysed: the input, or the cells / polygons with their sums.
    public let layer: FeatureTable
    public let variable: VariableSpec
    public let distance: Double
    public let source: ScaleSource
    public let outliers: Int
    /// The bands behind the scale (nil when the distance was given, or when they could not be run).
    public let scale: IncrementalAutocorrelation?
    public let hotSpots: HotSpotResults
    /// Every decision, in words, in order (ArcGIS's messages).
    public let decisions: [String]
    public let notes: [String]

    /// - Parameters:
    ///   - table: points or polygons in a projected CRS.
    ///   - file: its path, named in errors.
    ///   - variable: the analysis field or share, evaluated after aggregation (`units` counts the points).
    ///   - options: aggregation, cell size, distance, inference.
    ///   - workers: threads (the result does not depend on it).
    /// - Throws: `GeoVoteError` for fewer than 30 features or 60 incidents,
    ///   a constant variable, all points at one location, a geographic CRS.
    public static func run(_ table: FeatureTable, file: String, variable: VariableSpec, options: OptimizedHotSpotOptions = OptimizedHotSpotOptions(),
                           workers: Int = Parallel.defaultWorkerCount) throws -> OptimizedHotSpots {
        try options.validate()
        var decisions: [String] = [], notes: [String] = []
        func text(_ d: Double) -> String { String(format: "%.4f", d) }
        var layer = table
        if let aggregation = options.aggregation {
            guard table.geometries.allSatisfy({ $0.kind == .point || $0.isEmpty }) else {
                throw GeoVoteError.invalidArgument("\(file) is not a point layer: only points (stations, incidents) are aggregated")
            }
            let minimum: Int
            if case .polygons = aggregation { minimum = OptimizedHotSpotOptions.minimumFeatures } else { minimum = OptimizedHotSpotOptions.minimumIncidents }
            guard table.count >= minimum else {
                throw GeoVoteError.unsupported("\(file) has \(table.count) points: ArcGIS's Optimized Hot Spot Analysis needs at least \(minimum) incidents to aggregate")
            }
            decisions.append("\(table.count) incidents")
            let areas: FeatureTable, areasFile: String
            switch aggregation {
            case .fishnet, .hexagon:
                let shape: TessellationShape = aggregation == .fishnet ? .fishnet : .hexagon
                var size = options.cellSize ?? 0
                if options.cellSize == nil {
                    let rule = try Tessellation.cellSize(for: try WeightsPoints(table: table, file: file), workers: workers)
                    size = rule.size
                    decisions.append(rule.decision)
                } else {
                    decisions.append("cell size \(text(size)) (given)")
                }
                areas = try Tessellation.occupiedCells(of: table, shape: shape, size: size, file: file, workers: workers)
                areasFile = "the \(shape.rawValue) grid"
                decisions.append("\(areas.count) \(shape.rawValue) cells hold at least one incident (empty cells dropped)")
            case let .polygons(polygons, polygonsFile):
                areas = polygons
                areasFile = polygonsFile
            }
            let sums = try Aggregation.run(points: table, pointsFile: file, areas: areas, areasFile: areasFile, workers: workers)
            notes += sums.notes
            layer = sums.table
            if case .polygons = aggregation {
                decisions.append("\(layer.count) polygons of \(areasFile), every one kept (\(sums.unassigned.count) incidents in none)")
            }
        }
        guard layer.count >= OptimizedHotSpotOptions.minimumFeatures else {
            throw GeoVoteError.unsupported("\(layer.count) features to analyse: ArcGIS's Optimized Hot Spot Analysis needs at least \(OptimizedHotSpotOptions.minimumFeatures)")
        }
        let (y, points, subset, allPoints) = try IncrementalAutocorrelation.definedPoints(layer, file: file, variable: variable, missing: .exclude)
        notes += subset.leftOutSummary().map { ["\(variable): \($0)"] } ?? []
        guard y.count >= OptimizedHotSpotOptions.minimumFeatures else {
            throw GeoVoteError.unsupported("\(y.count) features with a value of \(variable): ArcGIS's Optimized Hot Spot Analysis needs at least \(OptimizedHotSpotOptions.minimumFeatures)")
        }
        let mean = y.reduce(0, +) / Double(y.count)
        guard y.contains(where: { $0 != y[0] }) else {
            throw GeoVoteError.unsupported("\(variable) is \(y[0]) for every feature (no variance): there is nothing to find hot or cold spots in")
        }
        let sd = (y.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(y.count)).squareRoot()
        decisions.append("\(y.count) features with \(variable): min \(text(y.min()!)), max \(text(y.max()!)), mean \(text(mean)), std \(text(sd))")

        let pattern = try PointPattern(points, standardDeviations: 3, includeCoincident: false, workers: workers)
        decisions.append("\(pattern.outliers.count) locational outlier\(pattern.outliers.count == 1 ? "" : "s") (nearest neighbour 3 standard deviations or more above the mean)")

        let distance: Double, source: ScaleSource
        var scale: IncrementalAutocorrelation?
        if let given = options.distance {
            (distance, source) = (given, .given)
            decisions.append("distance band \(text(given)) (given)")
        } else {
            do {
                scale = try IncrementalAutocorrelation.run(y, points: points, variable: variable,
                                                           options: IncrementalOptions(outlierDeviations: 3, includeCoincident: false), pattern: pattern,
                                                           workers: workers)
            } catch let error as GeoVoteError {
                decisions.append("incremental spatial autocorrelation could not run (\(error)); the nearest-neighbour rule decides")
            }
            if let scale, let first = scale.firstPeak {
                (distance, source) = (scale.bands[first].distance, .firstPeak)
                decisions.append("distance band \(text(distance)): the first peak of z (\(text(scale.bands[first].z))) over 10 bands from \(text(scale.start)) by \(text(scale.step))")
            } else if let scale, let highest = scale.highestPeak {
                (distance, source) = (scale.bands[highest].distance, .highestPeak)
                decisions.append("distance band \(text(distance)): the highest peak of z (\(text(scale.bands[highest].z)))")
            } else {
                let k = min(max(Int(Double(y.count) * 0.05), 3), 30)
                let kth = SpatialWeights.kthNeighborDistances(points, k: k, workers: workers)
                let average = kth.reduce(0, +) / Double(kth.count)
                if scale != nil { decisions.append("no peak of z over the 10 bands") }
                if average > pattern.standardDistance {
                    (distance, source) = (pattern.standardDistance, .standardDistance)
                    decisions.append("distance band \(text(distance)): the standard distance (the mean distance to the \(k)th neighbour, \(text(average)), is larger)")
                } else {
                    (distance, source) = (average, .nearestNeighbours)
                    decisions.append("distance band \(text(distance)): the mean distance to the \(k)th nearest neighbour (k = clamp(0.05 n, 3, 30))")
                }
            }
        }
        // Gi* on the band, coincident points neighbours (ArcGIS).
        let w = try SpatialWeights.distanceBand(allPoints, threshold: distance, includeColocated: true, workers: workers)
        let alone = subset.kept.count { w.offsets[$0 + 1] == w.offsets[$0] }
        guard alone < subset.kept.count else {
            throw GeoVoteError.unsupported("no feature has a neighbour within the distance band \(text(distance)): every Gi* would be undefined; give a larger --distance")
        }
        if alone > 0 {
            decisions.append("\(alone) feature\(alone == 1 ? " has" : "s have") no neighbour within \(text(distance)): no Gi* for \(alone == 1 ? "it" : "them") (left out of the false discovery rate)")
        }
        let hotOptions = HotSpotOptions(statistics: [.giStar], weights: .distanceBand(threshold: distance), transform: .binary,
                                        permutations: options.permutations, seed: options.seed, correction: options.correction, convention: .arcgis)
        let results = try HotSpotAnalysis.run(layer, file: file, variables: [variable], options: hotOptions,
                                              weights: (w, WeightsSummary(w, threshold: distance)), workers: workers)
        let bins = results.results[0].confidenceBins ?? []
        let inference = options.permutations > 0 ? "\(options.permutations) permutations (seed \(options.seed))" : "analytic z"
        decisions.append("Gi* with \(inference), \(options.correction == .none ? "no correction" : options.correction == .by ? "Benjamini–Yekutieli" : "false discovery rate (Benjamini–Hochberg)") at 90/95/99 %: \(bins.count { $0 != 0 }) significant features (hot \(bins.count { $0 > 0 }), cold \(bins.count { $0 < 0 }))")
        notes += results.results.flatMap(\.notes)
        return OptimizedHotSpots(layer: layer, variable: variable, distance: distance, source: source, outliers: pattern.outliers.count,
                                 scale: scale, hotSpots: results, decisions: decisions, notes: notes)
    }
}
