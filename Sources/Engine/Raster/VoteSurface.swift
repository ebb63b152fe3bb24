import Foundation

/// Vote-share rasters: counts brought to the cells first, shares after.
///
/// For every cell the chosen method gives a weighted sum of each count field
/// (the parties, the total, turnout's votes and registered); the bands are
/// then ratios of those sums, so a share is never an average of shares:
///
/// - one band per field: field / total (the party's share of valid votes);
/// - `turnout`: votes / registered, when asked for;
/// - `winner` (with two fields or more): the 1-based index, in field order,
///   of the largest share (ties: the first); the dataset metadata maps
///   indices to fields (`WINNER_1=RNI`, …);
/// - `margin`: the largest share minus the second;
/// - with ``VoteSurfaceOptions/counts``, one `FIELD_count` band per summed field.
///
/// A cell is nodata where nothing reaches it (no polygon covers it, no
/// station is within the kernel's reach) or its total is 0; turnout is
/// nodata where the registered sum is 0. The files never hold NaN.
public enum VoteSurface {
    /// What ``make(_:file:options:workers:progress:)`` returns.
    public struct Result: Sendable {
        public var raster: Raster
        /// Per summed field: its total over the features inside the grid
        /// (coverage: each polygon's count × the share of its area inside;
        /// kernel: the stations whose kernel reaches a cell) and its sum over
        /// the cells (coverage: equal to the first, the counts are conserved;
        /// kernel: kernel-weighted sums, not counts).
        public var totals: [(field: String, features: Double, cells: Double)]
        /// Features that reach no cell (outside the grid, empty, or not polygons/points).
        public var featuresOutside: [Int]
        /// Polygons partly outside the grid.
        public var featuresPartlyOutside: Int
        /// The kernel's fixed bandwidth (given, or chosen by cross-validation).
        public var bandwidth: Double?
        /// Cross-validation's candidates and scores, when it chose the bandwidth.
        public var crossValidation: BandwidthSelection.Result?
        public var notes: [String]

        /// One line per fact a user checks first.
        public var summary: String {
            var lines = ["\(raster.grid.rows) × \(raster.grid.columns) cells, \(raster.bands.count) bands: \(raster.bands.map(\.name).joined(separator: ", "))"]
            let kernel = raster.metadata.contains { $0.key == "GEOVOTE_METHOD" && $0.value == VoteSurfaceOptions.Method.kernel.rawValue }
            if let total = totals.first(where: { $0.field == raster.metadata.first { $0.key == "GEOVOTE_TOTAL" }?.value }) {
                if kernel {
                    lines.append(String(format: "%@: %.10g in the stations that reach the grid", total.field, total.features))
                } else {
                    lines.append(String(format: "%@: %.10g in the features inside the grid, %.10g in the cells", total.field, total.features, total.cells))
                }
            }
            if !featuresOutside.isEmpty { lines.append("\(featuresOutside.count) features reach no cell (first: record \(featuresOutside[0]))") }
            if featuresPartlyOutside > 0 { lines.append("\(featuresPartlyOutside) polygons lie partly outside the grid: only their share inside is counted") }
            return lines.joined(separator: "\n")
        }
    }

    /// Builds the surfaces of a layer: polygons for `coverage`, points (or
    /// polygon centroids) for `kernel`.
    /// - Throws: a missing, non-numeric, negative or non-finite count (with its
    ///   record), a layer of the wrong kind, a grid that does not fit in
    ///   memory, a template in another CRS, a bandwidth in a geographic CRS.
    public static func make(_ layer: FeatureTable, file: String? = nil, options: VoteSurfaceOptions, workers: Int = Parallel.defaultWorkerCount,
                            progress: ((_ rows: Int) -> WorkProgress?)? = nil) throws -> Result {
        let prepared = try prepare(layer, file: file, options: options, workers: workers)
        let (raster, cellTotals) = derive(grid: prepared.grid, fields: prepared.fields, options: prepared.options, workers: workers,
                                          progress: progress?(prepared.grid.rows), accumulate: prepared.accumulate)
        return Result(raster: raster, totals: zip(prepared.fields, zip(prepared.featureTotals, cellTotals)).map { ($0.0, $0.1.0, $0.1.1) },
                      featuresOutside: prepared.outside, featuresPartlyOutside: prepared.partlyOutside,
                      bandwidth: prepared.options.bandwidth, crossValidation: prepared.crossValidation, notes: prepared.notes)
    }

    /// The per-cell weighted sums behind the bands, in double precision: for
    /// each summed field (the fields, the total, turnout's; ``Sums/fields``)
    /// its sum in every cell (row-major), and the weight reaching each cell
    /// (coverage: the summed fractions; kernel: the summed kernel weights).
    public struct Sums: Sendable {
        public var grid: RasterGrid
        public var fields: [String]
        /// `values[f][cell]`.
        public var values: [[Double]]
        public var support: [Double]
    }

    /// The sums of ``make(_:file:options:workers:progress:)`` before they become shares.
    public static func sums(_ layer: FeatureTable, file: String? = nil, options: VoteSurfaceOptions, workers: Int = Parallel.defaultWorkerCount) throws -> Sums {
        let prepared = try prepare(layer, file: file, options: options, workers: workers)
        let grid = prepared.grid, F = prepared.fields.count, cols = grid.columns
        var values = [[Double]](repeating: [Double](repeating: 0, count: grid.cellCount), count: F)
        var support = [Double](repeating: 0, count: grid.cellCount)
        let bandCount = (grid.rows + CoverageFractions.bandRows - 1) / CoverageFractions.bandRows
        let slots = PerChunk<([Double], [Double])>(count: bandCount)
        Parallel.forEachChunk(count: bandCount, grain: 1, workers: workers) { _, b, _ in
            let rows = (b * CoverageFractions.bandRows)..<min(grid.rows, (b + 1) * CoverageFractions.bandRows)
            var sums = [Double](repeating: 0, count: rows.count * cols * F)
            var weight = [Double](repeating: 0, count: rows.count * cols)
            sums.withUnsafeMutableBufferPointer { s in weight.withUnsafeMutableBufferPointer { w in prepared.accumulate(b, rows, s.baseAddress!, w.baseAddress!) } }
            slots[b] = (sums, weight)
        }
        for b in 0..<bandCount {
            guard let (sums, weight) = slots[b] else { continue }
            let offset = b * CoverageFractions.bandRows * cols
            for c in weight.indices {
                support[offset + c] = weight[c]
                for f in 0..<F { values[f][offset + c] = sums[f * weight.count + c] }
            }
        }
        return Sums(grid: grid, fields: prepared.fields, values: values, support: support)
    }

    /// A layer checked and ready to be accumulated band by band.
    struct Prepared: Sendable {
        var grid: RasterGrid
        var fields: [String]
        var accumulate: Accumulator
        var featureTotals: [Double]
        var outside: [Int]
        var partlyOutside: Int
        var notes: [String]
        /// The options with a cross-validated bandwidth filled in.
        var options: VoteSurfaceOptions
        var crossValidation: BandwidthSelection.Result?
    }

    static func prepare(_ layer: FeatureTable, file: String?, options: VoteSurfaceOptions, workers: Int) throws -> Prepared {
        try options.validate()
        let name = file ?? "the layer"
        let fields = options.summedFields
        let counts = try countMatrix(layer, fields: fields, file: file)
        let grid = try makeGrid(layer, file: file, options: options)
        var outputBands = options.fields.count + (options.turnoutVotes != nil ? 1 : 0) + (options.fields.count >= 2 ? 2 : 0) + (options.counts ? fields.count : 0)
        outputBands = max(outputBands, 1)
        try grid.checkFits(bytesPerCell: 4 * outputBands + (options.method == .coverage ? 20 : 0))
        var notes: [String] = []
        let accumulate: Accumulator
        var outside: [Int] = []
        var partlyOutside = 0
        var featureTotals = [Double](repeating: 0, count: fields.count)
        var resolved = options
        var crossValidation: BandwidthSelection.Result?
        switch options.method {
        case .coverage:
            guard layer.geometries.contains(where: { $0.kind.isPolygonal && !$0.isEmpty }) else {
                throw GeoVoteError.invalidArgument("\(name) has no polygons: the coverage method spreads polygons' counts; use the kernel method for points")
            }
            var table = layer
            let (repaired, fixed) = try layer.repaired(file: file)
            if !fixed.isEmpty {
                table = repaired
                notes.append("\(fixed.count) invalid polygons repaired (GEOS MakeValid) before their coverage was computed; first: record \(fixed[0].record): \(fixed[0].reason)")
            }
            let coverage = CoverageFractions(table.geometries, grid: grid, workers: workers)
            for p in 0..<table.count {
                let area = coverage.areas[p], inside = coverage.coveredAreas[p]
                if !(area > 0) || !(inside > 0) { outside.append(p); continue }
                let share = min(1, inside / area)
                if share < 1 - 1e-9 { partlyOutside += 1 }
                for f in 0..<fields.count { featureTotals[f] += counts[p * fields.count + f] * share }
            }
            var weights: [Double]?
            if let cellWeights = options.cellWeights {
                let g = cellWeights.grid
                guard g.columns == grid.columns, g.rows == grid.rows, g.minX == grid.minX, g.maxY == grid.maxY, g.cellWidth == grid.cellWidth, g.cellHeight == grid.cellHeight else {
                    throw GeoVoteError.invalidArgument("the weight raster's grid (\(g)) is not the output grid (\(grid)): take its grid (--like the weight raster)")
                }
                if let a = g.crs, let b = grid.crs, a != b { throw GeoVoteError.invalidArgument("the weight raster is in \(a) and \(name) in \(b)") }
                let (scales, unweighted) = weightedScales(coverage, weights: cellWeights.values)
                weights = scales
                if unweighted > 0 { notes.append("\(unweighted) polygons cover only cells of weight 0: their counts are spread by area") }
            }
            accumulate = coverageAccumulator(coverage, counts: counts, fieldCount: fields.count, weights: options.cellWeights?.values, weightScales: weights)
        case .kernel:
            let points = try ClusterPoints(table: layer, file: file)
            if layer.geometryKinds.contains(where: \.isPolygonal) { notes.append("\(name) holds polygons: the kernel smooths their centroids") }
            if options.crossValidate {
                let chosen = try BandwidthSelection.crossValidate(points, counts: counts, fieldCount: fields.count, shareFields: options.fields.count,
                                                                  totalIndex: fields.firstIndex(of: options.total)!, kernel: options.kernel,
                                                                  truncation: options.truncation, candidates: options.bandwidthCandidates ?? BandwidthSelection.candidates(points),
                                                                  workers: workers)
                resolved.bandwidth = chosen.bandwidth
                crossValidation = chosen
                notes.append(String(format: "bandwidth %.6g chosen by leave-one-out cross-validation among %d candidates (%.6g to %.6g)", chosen.bandwidth,
                                    chosen.scores.count, chosen.scores.first!.bandwidth, chosen.scores.last!.bandwidth))
            }
            let kernel = try KernelSmoother(points: points, counts: counts, fieldCount: fields.count, grid: grid, options: resolved)
            for i in 0..<points.count {
                if !kernel.reachesGrid(i) { outside.append(i); continue }
                for f in 0..<fields.count { featureTotals[f] += counts[i * fields.count + f] }
            }
            accumulate = kernel.accumulate
        }
        return Prepared(grid: grid, fields: fields, accumulate: accumulate, featureTotals: featureTotals, outside: outside, partlyOutside: partlyOutside, notes: notes,
                        options: resolved, crossValidation: crossValidation)
    }

    /// The counts of every feature, feature-major (`counts[i × fields + f]`).
    static func countMatrix(_ layer: FeatureTable, fields: [String], file: String?) throws -> [Double] {
        var matrix = [Double](repeating: 0, count: layer.count * fields.count)
        for (f, field) in fields.enumerated() {
            let values = try layer.numericValues(of: field, file: file)
            for (i, v) in values.enumerated() {
                guard v.isFinite, v >= 0 else {
                    throw GeoVoteError.malformed(DataLocation(file: file, record: i, field: field, value: "\(v)"), reason: "is not a count (a count is a finite number ≥ 0)")
                }
                matrix[i * fields.count + f] = v
            }
        }
        return matrix
    }

    /// The template's grid, else the extent (or the layer's) at the resolution.
    static func makeGrid(_ layer: FeatureTable, file: String?, options: VoteSurfaceOptions) throws -> RasterGrid {
        let name = file ?? "the layer"
        if let template = options.template {
            if let a = template.crs, let b = layer.crs, a != b {
                throw GeoVoteError.invalidArgument("the template grid is in \(a) and \(name) in \(b): project the layer first (geovote project --to \(a.identifier ?? "the template's CRS"))")
            }
            return try RasterGrid(minX: template.minX, maxY: template.maxY, cellWidth: template.cellWidth, cellHeight: template.cellHeight,
                                  columns: template.columns, rows: template.rows, crs: layer.crs ?? template.crs)
        }
        guard let extent = options.extent ?? layer.boundingBox else {
            throw GeoVoteError.invalidArgument("\(name) has no geometry to take an extent from: give one")
        }
        return try RasterGrid(extent: extent, resolution: options.resolution!, crs: layer.crs)
    }

    /// Adds, for the cells of a band of rows, each summed field's weighted
    /// sum into `sums[f × cells + (row − rows.lowerBound) × columns + column]`
    /// (field-major, cells the band's `rows.count × columns`)
    /// and the weight reaching the cell into `support[...]` (both zeroed).
    typealias Accumulator = @Sendable (_ band: Int, _ rows: Range<Int>, _ sums: UnsafeMutablePointer<Double>, _ support: UnsafeMutablePointer<Double>) -> Void

    /// Per polygon, the factor of fraction × cell weight that spreads its
    /// share inside the grid over its cells by weight (nil: no weighted cell,
    /// spread by area), and how many polygons have none.
    static func weightedScales(_ coverage: CoverageFractions, weights: [Double]) -> ([Double], Int) {
        var denominator = [Double](repeating: 0, count: coverage.areas.count)
        let cols = coverage.grid.columns
        for band in coverage.bands {
            let offset = band.rows.lowerBound * cols
            for k in band.cell.indices { denominator[Int(band.polygon[k])] += band.fraction[k] * weights[offset + Int(band.cell[k])] }
        }
        var unweighted = 0
        let scales = (0..<denominator.count).map { p -> Double in
            guard coverage.areas[p] > 0, coverage.coveredAreas[p] > 0 else { return 0 }
            guard denominator[p] > 0 else { unweighted += 1; return -1 }
            return min(1, coverage.coveredAreas[p] / coverage.areas[p]) / denominator[p]
        }
        return (scales, unweighted)
    }

    /// - Parameters:
    ///   - weights, weightScales: dasymetric spreading (``weightedScales(_:weights:)``);
    ///     a scale of −1 spreads that polygon by area.
    static func coverageAccumulator(_ coverage: CoverageFractions, counts: [Double], fieldCount: Int, weights: [Double]? = nil, weightScales: [Double]? = nil) -> Accumulator {
        let cellArea = coverage.grid.cellArea
        // Per polygon: its counts per unit of covered fraction.
        let scale = coverage.areas.map { $0 > 0 ? cellArea / $0 : 0 }
        let bands = coverage.bands
        let cols = coverage.grid.columns
        return { b, rows, sums, support in
            let band = bands[b]
            let bandCells = rows.count * cols
            let offset = rows.lowerBound * cols
            counts.withUnsafeBufferPointer { counts in
                for k in band.cell.indices {
                    let p = Int(band.polygon[k]), c = Int(band.cell[k])
                    let fraction = band.fraction[k]
                    var w = fraction * scale[p]
                    if let weights, let weightScales, weightScales[p] >= 0 { w = fraction * weights[offset + c] * weightScales[p] }
                    support[c] += fraction
                    let row = counts.baseAddress! + p * fieldCount
                    for f in 0..<fieldCount { sums[f * bandCells + c] += w * row[f] }
                }
            }
        }
    }

    /// One cell's sums in a field-major band: `s[f]` is field f's.
    struct FieldColumn {
        let base: UnsafeMutablePointer<Double>
        let stride: Int
        @inline(__always) subscript(f: Int) -> Double { base[f * stride] }
    }

    /// Runs the accumulator band by band and turns the sums into the output bands.
    static func derive(grid: RasterGrid, fields: [String], options: VoteSurfaceOptions, workers: Int, progress: WorkProgress?,
                       accumulate: Accumulator) -> (Raster, [Double]) {
        let F = fields.count
        let k = options.fields.count
        let totalIndex = fields.firstIndex(of: options.total)!
        let turnout = options.turnoutVotes != nil
        let votesIndex = options.turnoutVotes.flatMap { fields.firstIndex(of: $0) } ?? 0
        let registeredIndex = options.turnoutRegistered.flatMap { fields.firstIndex(of: $0) } ?? 0
        let withCounts = options.counts
        var bandNames = options.fields
        if turnout { bandNames.append("turnout") }
        if k >= 2 { bandNames += ["winner", "margin"] }
        if options.counts { bandNames += fields.map { "\($0)_count" } }
        let names = bandNames
        let bandTotal = names.count
        let nodata = Raster.defaultNodata
        let cells = grid.cellCount, cols = grid.columns
        // Every cell of every band is written once below (a value or nodata), by the worker of its rows.
        let storage = names.map { _ in RasterValues(uninitializedCount: cells) }
        let pointers = storage.map { UnsafeSendableBuffer(UnsafeMutableBufferPointer(start: $0.base, count: cells)) }
        let bandCount = (grid.rows + CoverageFractions.bandRows - 1) / CoverageFractions.bandRows
        let partials = PerChunk<[Double]>(count: bandCount)
        Parallel.forEachChunk(count: bandCount, grain: 1, workers: workers) { _, b, _ in
            let rows = (b * CoverageFractions.bandRows)..<min(grid.rows, (b + 1) * CoverageFractions.bandRows)
            let bandCells = rows.count * cols
            let sums = UnsafeMutablePointer<Double>.allocate(capacity: bandCells * F)
            let support = UnsafeMutablePointer<Double>.allocate(capacity: bandCells)
            defer { sums.deallocate(); support.deallocate() }
            sums.initialize(repeating: 0, count: bandCells * F)
            support.initialize(repeating: 0, count: bandCells)
            accumulate(b, rows, sums, support)
            var cellTotals = [Double](repeating: 0, count: F)
            let offset = rows.lowerBound * cols
            // The bands' rows of this band of work, as plain pointers.
            let out = UnsafeMutablePointer<UnsafeMutablePointer<Float>>.allocate(capacity: bandTotal)
            defer { out.deallocate() }
            for j in 0..<bandTotal { out[j] = pointers[j].base + offset }
            let shareBands = bandTotal - (withCounts ? F : 0)
            cellTotals.withUnsafeMutableBufferPointer { totals in
                for c in 0..<bandCells {
                    let s = FieldColumn(base: sums + c, stride: bandCells)
                    for f in 0..<F { totals[f] += s[f] }
                    let reached = support[c] > 0
                    if withCounts {
                        for f in 0..<F { out[shareBands + f][c] = reached ? Float(s[f]) : nodata }
                    }
                    let total = s[totalIndex]
                    guard reached, total > 0 else {
                        for j in 0..<shareBands { out[j][c] = nodata }
                        continue
                    }
                    var best = -1.0, second = -1.0, winner = 0
                    for f in 0..<k {
                        let share = s[f] / total
                        out[f][c] = Float(share)
                        if share > best { second = best; best = share; winner = f } else if share > second { second = share }
                    }
                    var j = k
                    if turnout {
                        out[j][c] = s[registeredIndex] > 0 ? Float(s[votesIndex] / s[registeredIndex]) : nodata
                        j += 1
                    }
                    if k >= 2 {
                        out[j][c] = Float(winner + 1)
                        out[j + 1][c] = Float(best - second)
                    }
                }
            }
            partials[b] = cellTotals
            progress?.advance(by: rows.count)
        }
        var cellTotals = [Double](repeating: 0, count: F)
        for part in partials.inOrder { for f in 0..<F { cellTotals[f] += part[f] } }
        var bands = zip(names, storage).map { RasterBand(name: $0.0, values: $0.1) }
        if k >= 2, let w = names.firstIndex(of: "winner") {
            bands[w].metadata = options.fields.enumerated().map { ("WINNER_\($0.offset + 1)", $0.element) }
        }
        var metadata: [(key: String, value: String)] = [("GEOVOTE_METHOD", options.method.rawValue), ("GEOVOTE_TOTAL", options.total)]
        if options.method == .kernel {
            metadata.append(("GEOVOTE_KERNEL", options.kernel.rawValue))
            if let b = options.bandwidth { metadata.append(("GEOVOTE_BANDWIDTH", "\(b)")) }
            if options.crossValidate { metadata.append(("GEOVOTE_BANDWIDTH_CHOSEN_BY", "leave-one-out cross-validation")) }
            if let a = options.adaptiveNeighbours { metadata.append(("GEOVOTE_ADAPTIVE_NEIGHBOURS", "\(a)")) }
            metadata.append(("GEOVOTE_TRUNCATION", options.kernel == .quartic ? "1" : options.truncation.map { "\($0)" } ?? "none"))
        }
        metadata += options.fields.enumerated().map { ("WINNER_\($0.offset + 1)", $0.element) }
        metadata.append(("GEOVOTE_VERSION", GeoVoteVersion.string))
        return (Raster(grid: grid, bands: bands, nodata: nodata, metadata: metadata), cellTotals)
    }
}
