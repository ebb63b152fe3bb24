import Foundation

/// Nearest-neighbour facts of a point set that ArcGIS's scale decisions
/// are made from (its `SSUtilities.LocationInfo`): each point's distance to
/// its nearest other point, the locational outliers, the default distance
/// band and the mean nearest-neighbour distance.
///
/// A point is a locational outlier when its nearest-neighbour distance is
/// at least `standardDeviations` standard deviations (population) above the
/// mean. Without coincident points the mean and deviation are those of the
/// non-zero distances (ArcGIS's `includeCoincident = False`, Optimized Hot
/// Spot Analysis); with them, of all distances (Incremental Spatial
/// Autocorrelation's default). `standardDeviations = 0` finds no outliers.
public struct PointPattern: Sendable {
    /// The distance from each point to its nearest other point (0 for a
    /// point that shares its location).
    public let nearestDistances: [Double]
    /// The locational outliers, in input order.
    public let outliers: [Int]
    /// The largest nearest-neighbour distance of the points that are not
    /// outliers, times 1.0001 (ArcGIS's allowance for rounding): the
    /// smallest band that gives each of them a neighbour.
    public let threshold: Double
    /// The mean nearest-neighbour distance of the points that are not outliers.
    public let averageDistance: Double
    /// The mean and median of the non-zero nearest-neighbour distances.
    public let nonZeroAverage: Double
    public let nonZeroMedian: Double
    /// The standard distance: √(mean (x − x̄)² + mean (y − ȳ)²), of every point.
    public let standardDistance: Double
    /// The longer side of the points' bounding box.
    public let maximumExtent: Double

    /// - Throws: for fewer than 2 points, or when every point is at one location.
    public init(_ points: WeightsPoints, standardDeviations: Double = 3, includeCoincident: Bool = false,
                workers: Int = Parallel.defaultWorkerCount) throws {
        let n = points.count
        guard n >= 2 else { throw GeoVoteError.unsupported("\(n) feature\(n == 1 ? "" : "s"): nearest-neighbour distances need at least 2") }
        let d = SpatialWeights.kthNeighborDistances(points, k: 1, workers: workers)
        let nonZero = d.filter { $0 > 0 }
        guard !nonZero.isEmpty else {
            throw GeoVoteError.unsupported("all \(n) features are at one location: there is no distance to choose a scale from")
        }
        func mean(_ v: [Double]) -> Double { v.reduce(0, +) / Double(v.count) }
        func deviation(_ v: [Double], _ m: Double) -> Double { (v.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(v.count)).squareRoot() }
        let nonZeroMean = mean(nonZero)
        let (centre, spread) = includeCoincident ? (mean(d), deviation(d, mean(d))) : (nonZeroMean, deviation(nonZero, nonZeroMean))
        var kept = [Double](), outliers = [Int]()
        if standardDeviations > 0, spread > 0 {
            for i in 0..<n {
                if (d[i] - centre) / spread < standardDeviations { kept.append(d[i]) } else { outliers.append(i) }
            }
        } else {
            kept = d
        }
        nearestDistances = d
        self.outliers = outliers
        threshold = kept.max()! * 1.0001
        averageDistance = mean(kept)
        nonZeroAverage = nonZeroMean
        let sorted = nonZero.sorted(), m = sorted.count
        nonZeroMedian = m % 2 == 1 ? sorted[m / 2] : (sorted[m / 2 - 1] + sorted[m / 2]) / 2
        let mx = mean(points.x), my = mean(points.y)
        standardDistance = (points.x.reduce(0) { $0 + ($1 - mx) * ($1 - mx) } / Double(n)
            + points.y.reduce(0) { $0 + ($1 - my) * ($1 - my) } / Double(n)).squareRoot()
        maximumExtent = max(points.x.max()! - points.x.min()!, points.y.max()! - points.y.min()!)
    }
}
