import Foundation

/// The null hypothesis of Moran's I z-scores.
public enum MoranAssumption: String, Sendable, Hashable, CaseIterable, Codable {
    /// Randomisation (ArcGIS's Spatial Autocorrelation; esda `z_rand`).
    case randomization
    /// Normality (esda `z_norm`).
    case normality
}

/// What a feature without a neighbour at a band does.
public enum BandIslands: String, Sendable, Hashable, CaseIterable, Codable {
    /// Left out of that band's statistic, the mean taken over the others
    /// (ArcGIS Pro's Incremental Spatial Autocorrelation).
    case exclude
    /// Kept with an empty row (esda `Moran` on libpysal weights with islands: n counts them).
    case keep
}

/// The series of distance bands of ``IncrementalAutocorrelation``.
public struct IncrementalOptions: Sendable, Hashable {
    /// The first band; nil: ``PointPattern/threshold``, the smallest band
    /// that gives every feature (but the locational outliers) a neighbour.
    public var start: Double?
    /// The increment; nil: ``PointPattern/averageDistance``, the mean
    /// nearest-neighbour distance.
    public var step: Double?
    /// Bands (ArcGIS's default 10).
    public var count: Int
    public var assumption: MoranAssumption
    /// Row-standardised weights (ArcGIS's default), else binary.
    public var rowStandardize: Bool
    /// Locational outliers kept out of the default start and step: 0 (none,
    /// Incremental Spatial Autocorrelation) or 3 (Optimized Hot Spot Analysis).
    public var outlierDeviations: Double
    /// Whether coincident points count in the nearest-neighbour mean and
    /// deviation (ISA: yes; Optimized Hot Spot Analysis: no).
    public var includeCoincident: Bool
    /// Whether points at one location are neighbours at every band (ArcGIS;
    /// libpysal's `DistanceBand` drops distance 0).
    public var colocatedNeighbours: Bool
    public var islands: BandIslands
    /// Features without a value: left out (ArcGIS), or an error.
    public var missing: MissingValuePolicy

    public init(start: Double? = nil, step: Double? = nil, count: Int = 10, assumption: MoranAssumption = .randomization,
                rowStandardize: Bool = true, outlierDeviations: Double = 0, includeCoincident: Bool = true,
                colocatedNeighbours: Bool = true, islands: BandIslands = .exclude, missing: MissingValuePolicy = .exclude) {
        self.start = start
        self.step = step
        self.count = count
        self.assumption = assumption
        self.rowStandardize = rowStandardize
        self.outlierDeviations = outlierDeviations
        self.includeCoincident = includeCoincident
        self.colocatedNeighbours = colocatedNeighbours
        self.islands = islands
        self.missing = missing
    }

    /// The largest band count a run takes.
    public static let maximumCount = 100

    public func validate() throws {
        guard (2...Self.maximumCount).contains(count) else {
            throw GeoVoteError.invalidArgument("the number of distance bands is \(count): give 2 to \(Self.maximumCount) (ArcGIS's default is 10)")
        }
        if let start, !(start.isFinite && start > 0) {
            throw GeoVoteError.invalidArgument("the beginning distance is \(start): give a positive distance in the layer's units")
        }
        if let step, !(step.isFinite && step > 0) {
            throw GeoVoteError.invalidArgument("the distance increment is \(step): give a positive distance in the layer's units")
        }
        guard outlierDeviations.isFinite, outlierDeviations >= 0 else {
            throw GeoVoteError.invalidArgument("the outlier cut-off is \(outlierDeviations) standard deviations: give 0 (none) or more")
        }
    }
}

/// Global Moran's I at one distance band.
public struct BandMoran: Sendable, Hashable {
    /// 1-based.
    public let band: Int
    public let distance: Double
    /// Mean neighbours per feature analysed (islands count 0).
    public let meanNeighbours: Double
    /// Features with no neighbour at this band.
    public let islands: Int
    public let I: Double
    public let expected: Double
    /// The variance under the chosen assumption.
    public let variance: Double
    public let z: Double
    /// Two-sided.
    public let p: Double
}

/// Incremental spatial autocorrelation: global Moran's I for a series of
/// distance bands, and the bands where its z peaks — ArcGIS's Incremental
/// Spatial Autocorrelation, openly.
///
/// The decisions follow ArcGIS 10.1's published `MoransI_Increment.py`:
/// - start: the smallest band that gives every feature a neighbour (times
///   1.0001), step: the mean nearest-neighbour distance (both without the
///   locational outliers when ``IncrementalOptions/outlierDeviations`` > 0);
/// - the cap: with both defaults, the standard distance of the points;
///   with either given, 75 % of the longer side of their extent. When a
///   band passes the cap the bands are spread evenly from the start to the
///   cap (a start beyond the cap becomes 20 % of it); a start below 0.1 % of
///   the extent is refused;
/// - a peak is a band whose z is above 1.65, reached after z has risen and
///   followed by a fall (`returnPeakIndices`, including its treatment of
///   plateaus); the first such band, and the highest.
///
/// Each band's I, E[I], variance and z are esda's `Moran` on binary
/// distance-band weights, row-standardised by default (a feature at
/// distance d ≤ band is a neighbour). Coincident points are neighbours
/// (ArcGIS; libpysal's `DistanceBand` drops them, so compare on data
/// without them).
///
/// ```swift
/// let (layer, _) = try LayerIO.read("communes_utm29n.shp")
/// let isa = try IncrementalAutocorrelation.run(layer, file: "communes_utm29n.shp", variable: VariableSpec(parsing: "PJD/valid"))
/// print(isa.firstPeak.map { isa.bands[$0].distance } ?? .nan)
/// ```
public struct IncrementalAutocorrelation: Sendable {
    public let variable: VariableSpec
    public let bands: [BandMoran]
    /// Indices into ``bands``.
    public let firstPeak: Int?
    public let highestPeak: Int?
    public let start: Double
    public let step: Double
    /// Features analysed, and left out for a missing value.
    public let count: Int
    public let leftOut: Int
    /// The nearest-neighbour facts the defaults came from.
    public let pattern: PointPattern
    /// Each decision, in words (start, step, cap, peaks).
    public let decisions: [String]
    /// Remarks: features left out, bands with islands.
    public let notes: [String]

    /// Runs the bands on the points (polygon centroids) of a layer in a projected CRS.
    /// - Throws: `GeoVoteError` for a geographic CRS, fewer than 4 features,
    ///   a constant variable, bad options, a band where no feature has a neighbour.
    public static func run(_ table: FeatureTable, file: String, variable: VariableSpec, options: IncrementalOptions = IncrementalOptions(),
                           workers: Int = Parallel.defaultWorkerCount) throws -> IncrementalAutocorrelation {
        try options.validate()
        let (y, points, subset, _) = try definedPoints(table, file: file, variable: variable, missing: options.missing)
        guard y.count >= 4 else { throw GeoVoteError.unsupported("\(y.count) features with a value of \(variable): Moran's I needs at least 4") }
        guard y.contains(where: { $0 != y[0] }) else {
            throw GeoVoteError.unsupported("\(variable) is the same (\(y[0])) for every feature: Moran's I is undefined")
        }
        var notes = subset.leftOutSummary().map { ["\(variable): \($0)"] } ?? []
        var result = try run(y, points: points, variable: variable, options: options, workers: workers)
        notes += result.notes
        result = IncrementalAutocorrelation(variable: variable, bands: result.bands, firstPeak: result.firstPeak, highestPeak: result.highestPeak,
                                            start: result.start, step: result.step, count: y.count, leftOut: table.count - y.count,
                                            pattern: result.pattern, decisions: result.decisions, notes: notes)
        return result
    }

    /// The features with a value of `variable`: the values, their points
    /// (polygon centroids), which they are, and the points of every feature.
    static func definedPoints(_ table: FeatureTable, file: String, variable: VariableSpec, missing: MissingValuePolicy) throws
        -> (values: [Double], points: WeightsPoints, subset: DefinedSubset, allPoints: WeightsPoints) {
        let (all, subset) = try table.values(of: variable, missing: missing, file: file)
        let allPoints = try WeightsPoints(table: table, file: file)
        let points = try WeightsPoints(x: subset.kept.map { allPoints.x[$0] }, y: subset.kept.map { allPoints.y[$0] })
        return (subset.restrict(all), points, subset, allPoints)
    }

    /// The bands on given values and points (no missing values).
    /// - Parameters:
    ///   - y: the variable, one value per point.
    ///   - points: the points (or polygon centroids), as many as `y`.
    ///   - variable: the variable's name, kept in the result.
    ///   - options: the bands, the assumption, the transform and the islands rule.
    ///   - known: the points' ``PointPattern`` under these options, when the caller has it (nil: computed here).
    ///   - workers: the number of threads (the result does not depend on it).
    public static func run(_ y: [Double], points: WeightsPoints, variable: VariableSpec, options: IncrementalOptions = IncrementalOptions(),
                           pattern known: PointPattern? = nil, workers: Int = Parallel.defaultWorkerCount) throws -> IncrementalAutocorrelation {
        try options.validate()
        precondition(y.count == points.count)
        let pattern = try known ?? PointPattern(points, standardDeviations: options.outlierDeviations, includeCoincident: options.includeCoincident, workers: workers)
        var decisions: [String] = []
        func text(_ d: Double) -> String { String(format: "%.4f", d) }
        if !pattern.outliers.isEmpty {
            decisions.append("\(pattern.outliers.count) locational outlier\(pattern.outliers.count == 1 ? "" : "s") (nearest neighbour \(text(options.outlierDeviations)) standard deviations or more above the mean) kept out of the default distances")
        }
        let allDefaults = options.start == nil && options.step == nil
        let cap = allDefaults ? pattern.standardDistance : 0.75 * pattern.maximumExtent
        var start = options.start ?? pattern.threshold
        if options.start != nil, start > cap {
            decisions.append("the beginning distance \(text(start)) is beyond the largest distance allowed (\(text(cap)), 75 % of the extent): the default is used")
            start = pattern.threshold
        }
        var step = options.step ?? pattern.averageDistance
        decisions.append(options.start == nil ? "start \(text(start)): the smallest band that gives every feature a neighbour" : "start \(text(start)) (given)")
        decisions.append(options.step == nil ? "step \(text(step)): the mean nearest-neighbour distance" : "step \(text(step)) (given)")
        if start < 0.001 * pattern.maximumExtent {
            throw GeoVoteError.invalidArgument("the beginning distance \(text(start)) is below 0.1 % of the extent (\(text(pattern.maximumExtent))): give a larger --start")
        }
        let n = options.count
        var cutoffs = (0..<n).map { start + Double($0) * step }
        if cutoffs.contains(where: { $0 > cap }) {
            if start > cap { start = 0.2 * cap }
            step = (cap - start) / Double(n)
            cutoffs = (0..<n).map { start + Double($0) * step }
            decisions.append("bands capped at \(text(cap)) (\(allDefaults ? "the standard distance" : "75 % of the extent")): step \(text(step))")
        }
        let bands = try bandStatistics(y, points: points, cutoffs: cutoffs, options: options, workers: workers)
        let (first, highest) = peaks(bands.map(\.z))
        var notes: [String] = []
        if let b = bands.first(where: { $0.islands > 0 }) {
            notes.append("band \(b.band) (\(text(b.distance))) leaves \(b.islands) feature\(b.islands == 1 ? "" : "s") without a neighbour: \(options.islands == .exclude ? "left out of that band" : "kept with no neighbours")")
        }
        if let first { decisions.append("first peak: band \(first + 1), distance \(text(bands[first].distance)), z \(text(bands[first].z))") }
        if let highest { decisions.append("highest peak: band \(highest + 1), distance \(text(bands[highest].distance)), z \(text(bands[highest].z))") }
        if first == nil { decisions.append("no peak: z does not rise above 1.65 and fall again") }
        return IncrementalAutocorrelation(variable: variable, bands: bands, firstPeak: first, highestPeak: highest, start: start, step: step,
                                          count: y.count, leftOut: 0, pattern: pattern, decisions: decisions, notes: notes)
    }

    /// ArcGIS's `returnPeakIndices` with its 1.65 filter: band c is a peak
    /// when z[c] > 1.65, z has risen at some band before it, and z[c+1] < z[c].
    public static func peaks(_ z: [Double], above level: Double = 1.65) -> (first: Int?, highest: Int?) {
        var found: [Int] = []
        var goneUp = false
        for c in 0..<max(0, z.count - 1) {
            let d = z[c + 1] - z[c]
            if d > 0 { goneUp = true }
            if d < 0, goneUp, z[c] > level { found.append(c) }
        }
        guard let first = found.first else { return (nil, nil) }
        // numpy's argmax: the first of equal maxima.
        var best = first
        for c in found where z[c] > z[best] { best = c }
        return (first, best)
    }

    /// Moran's I at each cutoff (ascending), in two neighbour searches at
    /// the largest: the first counts each feature's neighbours per band, the
    /// second adds the cross products and the weights' sums S0, S1, S2 of
    /// every band at once. Nothing per link is stored, so memory is
    /// O(n × bands) however many neighbours a band holds.
    static func bandStatistics(_ y: [Double], points: WeightsPoints, cutoffs: [Double], options: IncrementalOptions,
                               workers: Int) throws -> [BandMoran] {
        let n = y.count, bandCount = cutoffs.count
        let largest = cutoffs.last!
        let tree = points.tree()
        let radius = points.treeRadius(for: largest)
        let colocated = options.colocatedNeighbours
        /// The first band that holds a neighbour at squared tree distance d2 (nil: none).
        let firstBand: @Sendable (Double) -> Int? = { d2 in
            let d = points.distance(fromSquared: d2)
            guard d <= largest, colocated || d > 0 else { return nil }
            var lo = 0, hi = bandCount - 1
            while lo < hi { let mid = (lo + hi) / 2; if d <= cutoffs[mid] { hi = mid } else { lo = mid + 1 } }
            return lo
        }
        // k[i * bandCount + b]: neighbours of i within band b.
        let counts = Parallel.map(count: n, grain: 256, workers: workers) { i -> [Int32] in
            var c = [Int32](repeating: 0, count: bandCount)
            tree.forEach(within: radius, of: i) { _, d2 in if let b = firstBand(d2) { c[b] += 1 } }
            for b in 1..<max(1, bandCount) { c[b] += c[b - 1] }
            return c
        }
        let k = counts.flatMap { $0 }
        let row = options.rowStandardize, exclude = options.islands == .exclude
        // Each band's features (without islands when excluded), their mean and moments.
        var islands = [Int](repeating: 0, count: bandCount), members = islands
        var means = [Double](repeating: 0, count: bandCount), m2 = means, m4 = means
        for b in 0..<bandCount {
            var sum = 0.0
            for i in 0..<n where !(exclude && k[i * bandCount + b] == 0) { sum += y[i]; members[b] += 1 }
            islands[b] = (0..<n).count { k[$0 * bandCount + b] == 0 }
            guard islands[b] < n else {
                throw GeoVoteError.unsupported("no feature has a neighbour within \(String(format: "%.4f", cutoffs[b])) (band \(b + 1)): give a larger --start")
            }
            means[b] = sum / Double(members[b])
            for i in 0..<n where !(exclude && k[i * bandCount + b] == 0) {
                let d = y[i] - means[b]
                m2[b] += d * d
                m4[b] += d * d * d * d
            }
            guard members[b] >= 4, m2[b] > 0 else {
                throw GeoVoteError.unsupported("band \(b + 1) (\(String(format: "%.4f", cutoffs[b]))): fewer than 4 features with neighbours, or one value among them: Moran's I is undefined")
            }
        }
        let mean = means
        // w_jb of every neighbour j: 1/k_jb (row) or 1; 0 for an island (never read).
        let weightOf = k.map { row ? ($0 > 0 ? 1 / Double($0) : 0) : 1 }
        // Per band, in chunks fixed by n and added in chunk order:
        // Σ_i w_i z_i Σ_j z_j, S0, S1 = ½ Σ_ij (w_ij + w_ji)², S2 = Σ_i (w_i. + w_.i)²,
        // with w_ij = 1/k_i (row) or 1 (binary) on the symmetric band.
        let chunks = Parallel.chunks(count: n, grain: 512)
        let partial = Parallel.map(count: chunks.count, grain: 1, workers: workers) { c -> [Double] in
            var acc = [Double](repeating: 0, count: 4 * bandCount)
            var ySum = [Double](repeating: 0, count: bandCount), wSum = ySum, w2Sum = ySum
            for i in chunks[c] {
                for b in 0..<bandCount { ySum[b] = 0; wSum[b] = 0; w2Sum[b] = 0 }
                // The neighbours again, by the band that first holds them.
                tree.forEach(within: radius, of: i) { j, d2 in
                    guard let lo = firstBand(d2) else { return }
                    ySum[lo] += y[j]
                    let base = j * bandCount
                    for b in lo..<bandCount {
                        let wj = weightOf[base + b]
                        wSum[b] += wj
                        w2Sum[b] += wj * wj
                    }
                }
                var lagY = 0.0
                for b in 0..<bandCount {
                    lagY += ySum[b]
                    let ki = Double(k[i * bandCount + b])
                    guard ki > 0 else { continue }
                    let wi = row ? 1 / ki : 1
                    let lag = lagY - ki * mean[b]
                    acc[4 * b] += wi * (y[i] - mean[b]) * lag
                    acc[4 * b + 1] += wi * ki
                    acc[4 * b + 2] += ki * wi * wi + 2 * wi * wSum[b] + w2Sum[b]
                    acc[4 * b + 3] += (wi * ki + wSum[b]) * (wi * ki + wSum[b])
                }
            }
            return acc
        }
        var total = [Double](repeating: 0, count: 4 * bandCount)
        for p in partial { for e in 0..<total.count { total[e] += p[e] } }
        var bands: [BandMoran] = []
        for b in 0..<bandCount {
            let (cross, s0, s1, s2) = (total[4 * b], total[4 * b + 1], total[4 * b + 2] / 2, total[4 * b + 3])
            let count = Double(members[b])
            let I = count / s0 * cross / m2[b]
            let kurtosis = (m4[b] / count) / ((m2[b] / count) * (m2[b] / count))
            let moments = MoranI.moments(n: members[b], s0: s0, s1: s1, s2: s2, kurtosis: kurtosis)
            let variance = options.assumption == .normality ? moments.normal : moments.randomization
            guard variance > 0 else {
                throw GeoVoteError.unsupported("band \(b + 1) (\(String(format: "%.4f", cutoffs[b]))): the variance of Moran's I is not positive (\(variance)); the band is degenerate")
            }
            let z = (I - moments.expected) / variance.squareRoot()
            let links = (0..<n).reduce(0) { $0 + Int(k[$1 * bandCount + b]) }
            bands.append(BandMoran(band: b + 1, distance: cutoffs[b], meanNeighbours: Double(links) / Double(n), islands: islands[b],
                                   I: I, expected: moments.expected, variance: variance, z: z, p: StandardNormal.twoSidedP(z)))
        }
        return bands
    }

    /// One row per band: `band, distance, mean_neighbours, I, z, p, peak`
    /// (`first`, `highest`, `first;highest` or empty), then `EI`, `VI`, `islands`.
    public var table: AttributeTable {
        let peak = bands.indices.map { b -> String? in
            let marks = [b == firstPeak ? "first" : nil, b == highestPeak ? "highest" : nil].compactMap { $0 }
            return marks.isEmpty ? nil : marks.joined(separator: ";")
        }
        return AttributeTable(count: bands.count, columns: [
            Column(name: "band", values: .integer(bands.map { Int64($0.band) })),
            Column(name: "distance", values: .real(bands.map(\.distance))),
            Column(name: "mean_neighbours", values: .real(bands.map(\.meanNeighbours))),
            Column(name: "I", values: .real(bands.map(\.I))),
            Column(name: "z", values: .real(bands.map(\.z))),
            Column(name: "p", values: .real(bands.map(\.p))),
            Column(name: "peak", values: .text(peak)),
            Column(name: "EI", values: .real(bands.map(\.expected))),
            Column(name: "VI", values: .real(bands.map(\.variance))),
            Column(name: "islands", values: .integer(bands.map { Int64($0.islands) })),
        ])
    }

    /// Aligned lines: one per band, then n.
    public var text: String {
        func f(_ x: Double, _ digits: Int = 6) -> String { String(format: "%.\(digits)f", x) }
        var lines = ["band    distance  neighbours           I           z           p  peak"]
        let marks = table.columns[6]
        for (k, b) in bands.enumerated() {
            lines.append([String(b.band).leftPad(4), f(b.distance, 2).leftPad(12), f(b.meanNeighbours, 2).leftPad(11), f(b.I).leftPad(11),
                          f(b.z).leftPad(11), f(b.p).leftPad(11), " " + marks.values.displayValue(k)].joined(separator: " "))
        }
        lines.append("n \(count) (\(leftOut) left out)")
        return lines.joined(separator: "\n")
    }

    /// One JSON object: the variable, start, step, n, the peaks (1-based band or null) and the bands.
    public var json: String {
        func number(_ x: Double) -> String { x.isFinite ? "\(x)" : "null" }
        let rows = bands.map { b in
            "{\"band\":\(b.band),\"distance\":\(number(b.distance)),\"mean_neighbours\":\(number(b.meanNeighbours)),\"I\":\(number(b.I)),"
                + "\"EI\":\(number(b.expected)),\"VI\":\(number(b.variance)),\"z\":\(number(b.z)),\"p\":\(number(b.p)),\"islands\":\(b.islands)}"
        }
        return "{\"variable\":\(JSONText.quoted(variable.description)),\"start\":\(number(start)),\"step\":\(number(step)),\"n\":\(count),"
            + "\"left_out\":\(leftOut),\"first_peak\":\(firstPeak.map { String($0 + 1) } ?? "null"),\"highest_peak\":\(highestPeak.map { String($0 + 1) } ?? "null"),"
            + "\"bands\":[\(rows.joined(separator: ","))]}"
    }
}

extension String {
    func leftPad(_ width: Int) -> String { count >= width ? self : String(repeating: " ", count: width - count) + self }
}
