import Foundation
import GeoVoteEngine
import TestSupport
import Testing

/// Coverage fractions, areal interpolation and kernel surfaces against the
/// references of Fixtures/reference/raster/make_reference.py (exactextract
/// 0.3.0, GEOS intersection areas through shapely, direct numpy sums).
@Suite struct RasterReferenceTests {
    /// exactextract writes float32 fractions.
    static let exactextract = Tolerance(absolute: 1e-6)
    /// GEOS's double-precision intersection areas, and the numpy sums.
    static let double = Tolerance(absolute: 1e-9)
    static let relative = Tolerance(absolute: 1e-12, relative: 1e-9)

    static var settings: [String: Any] {
        let data = FileManager.default.contents(atPath: Fixtures.path("reference/raster/settings.json"))!
        return try! JSONSerialization.jsonObject(with: data) as! [String: Any]
    }

    static func grid(_ spec: [String: Any], crs: CoordinateReferenceSystem?) throws -> RasterGrid {
        let res = spec["resolution"] as! Double
        return try RasterGrid(minX: spec["minX"] as! Double, maxY: spec["maxY"] as! Double, cellWidth: res, cellHeight: res,
                              columns: spec["columns"] as! Int, rows: spec["rows"] as! Int, crs: crs)
    }

    @Test(arguments: ["virginia", "world"])
    func coverageFractionsEqualExactextractAndGEOS(set: String) throws {
        let layer = try LayerIO.read(Fixtures.path("reference/data/\(set).shp"))
        let spec = (Self.settings["coverage"] as! [String: Any])[set] as! [String: Any]
        let grid = try Self.grid(spec, crs: layer.crs)
        // The snapped grid is GeoVote's own: the same as the reference's.
        let resolution = spec["resolution"] as! Double
        #expect(try RasterGrid(extent: layer.boundingBox!, resolution: resolution, crs: layer.crs) == grid)
        let coverage = CoverageFractions(layer.geometries, grid: grid)
        var ours: [String: Double] = [:]
        for p in 0..<layer.count {
            for cell in coverage.cells(ofPolygon: p) { ours["\(p),\(cell.row),\(cell.column)"] = cell.fraction }
        }
        let reference = try Fixtures.csv("reference/raster/coverage_\(set).csv")
        var seen = Set<String>()
        var worstEE = 0.0, worstGEOS = 0.0
        for row in reference {
            let key = "\(row["feature"]!),\(row["row"]!),\(row["col"]!)"
            seen.insert(key)
            let mine = ours[key] ?? 0
            let ee = Double(row["exactextract"]!)!, geos = Double(row["geos"]!)!
            worstEE = max(worstEE, abs(mine - ee))
            worstGEOS = max(worstGEOS, abs(mine - geos))
            expectClose(mine, ee, Self.exactextract, "\(set) \(key) against exactextract")
            expectClose(mine, geos, Self.double, "\(set) \(key) against GEOS")
        }
        // Every cell GeoVote covers is a reference cell (or a rounding sliver).
        let extra = ours.filter { !seen.contains($0.key) && $0.value > 1e-9 }
        #expect(extra.isEmpty, "\(set): \(extra.count) cells covered that neither reference covers, first \(extra.first.map { "\($0.key)=\($0.value)" } ?? "")")
        #expect(worstGEOS < 1e-9 && worstEE < 1e-6)
        // Totals conserved: the fractions add up to each polygon's area inside the grid.
        for p in 0..<layer.count where coverage.areas[p] > 0 {
            expectClose(coverage.coveredAreas[p], coverage.areas[p], Self.relative, "\(set) feature \(p): covered area")
        }
    }

    @Test func coverageIsTheSameForAnyThreadCount() throws {
        let layer = try LayerIO.read(Fixtures.path("reference/data/virginia.shp"))
        let grid = try RasterGrid(extent: layer.boundingBox!, resolution: 2500, crs: layer.crs)
        let one = CoverageFractions(layer.geometries, grid: grid, workers: 1)
        for workers in [2, 8] {
            let many = CoverageFractions(layer.geometries, grid: grid, workers: workers)
            #expect(many.entryCount == one.entryCount)
            for p in [0, 17, 135] { #expect(many.cells(ofPolygon: p).map { $0.fraction } == one.cells(ofPolygon: p).map { $0.fraction }) }
            #expect(many.coveredAreas == one.coveredAreas)
        }
    }

    @Test func arealInterpolationEqualsGEOSIntersectionsAndConservesTotals() throws {
        let layer = try LayerIO.read(Fixtures.path("morocco/communes_utm29n.shp"))
        let settings = Self.settings["interpolation"] as! [String: Any]
        let spec = settings["grid"] as! [String: Any]
        var options = VoteSurfaceOptions(method: .coverage, fields: ["RNI"], total: "valid", resolution: spec["resolution"] as? Double)
        options.counts = true
        let sums = try VoteSurface.sums(layer, file: "communes_utm29n.shp", options: options)
        #expect(sums.grid == (try Self.grid(spec, crs: layer.crs)))
        #expect(sums.fields == ["RNI", "valid"])
        let reference = try Fixtures.csv("reference/raster/interpolation_morocco.csv")
        var expected = [[Double]](repeating: [Double](repeating: 0, count: sums.grid.cellCount), count: 2)
        for row in reference {
            let cell = Int(row["row"]!)! * sums.grid.columns + Int(row["col"]!)!
            expected[0][cell] = Double(row["RNI"]!)!
            expected[1][cell] = Double(row["valid"]!)!
        }
        // Per cell within 1e-9 of the largest cell's count (GEOS areas and ours round differently).
        for f in 0..<2 {
            let scale = expected[f].max()!
            expectClose(sums.values[f], expected[f], Tolerance(absolute: 1e-9 * scale), "\(sums.fields[f]) per cell")
        }
        // Every commune lies inside the grid: the cells hold the country's totals.
        expectClose(sums.values[0].reduce(0, +), settings["RNI"] as! Double, Self.relative, "RNI total")
        expectClose(sums.values[1].reduce(0, +), settings["valid"] as! Double, Self.relative, "valid total")

        // The bands: shares of the interpolated counts, nodata outside the communes.
        let surface = try VoteSurface.make(layer, options: options)
        let share = surface.raster.band(named: "RNI")!.values
        let count = surface.raster.band(named: "RNI_count")!.values
        for cell in 0..<sums.grid.cellCount {
            if expected[1][cell] > 0 {
                expectClose(Double(share[cell]), expected[0][cell] / expected[1][cell], Tolerance(absolute: 1e-7, relative: 1e-6), "share at \(cell)")
                expectClose(Double(count[cell]), expected[0][cell], Tolerance(absolute: 1e-3, relative: 1e-6), "count at \(cell)")
            } else if sums.support[cell] == 0 {
                #expect(share[cell] == surface.raster.nodata)
            }
        }
        #expect(surface.totals.map { $0.field } == ["RNI", "valid"])
        for total in surface.totals { expectClose(total.cells, total.features, Self.relative, "\(total.field) conserved") }
        #expect(surface.featuresOutside.isEmpty && surface.featuresPartlyOutside == 0)
    }

    @Test func dasymetricInterpolationSpreadsByTheWeightRaster() throws {
        let layer = try LayerIO.read(Fixtures.path("morocco/communes_utm29n.shp"))
        let settings = Self.settings["interpolation"] as! [String: Any]
        let path = Fixtures.path("reference/raster/weights_morocco.tif")
        let (grid, values, nodata) = try GeoTIFF.readBand(path)
        #expect(grid == (try Self.grid(settings["grid"] as! [String: Any], crs: layer.crs)))
        #expect(nodata == -1)
        var options = VoteSurfaceOptions(method: .coverage, fields: ["RNI"], total: "valid", template: grid)
        options.cellWeights = try CellWeights(grid: grid, values: values, nodata: nodata, file: path)
        let sums = try VoteSurface.sums(layer, options: options)
        var expected = [[Double]](repeating: [Double](repeating: 0, count: grid.cellCount), count: 2)
        for row in try Fixtures.csv("reference/raster/interpolation_weighted_morocco.csv") {
            let cell = Int(row["row"]!)! * grid.columns + Int(row["col"]!)!
            expected[0][cell] = Double(row["RNI"]!)!
            expected[1][cell] = Double(row["valid"]!)!
        }
        for f in 0..<2 { expectClose(sums.values[f], expected[f], Tolerance(absolute: 1e-9 * expected[f].max()!), "\(sums.fields[f]) per cell, by weight") }
        expectClose(sums.values[1].reduce(0, +), settings["valid"] as! Double, Self.relative, "valid conserved")
        // Zero-weight cells get nothing, and differ from the areal result.
        let areal = try VoteSurface.sums(layer, options: VoteSurfaceOptions(method: .coverage, fields: ["RNI"], total: "valid", template: grid))
        #expect((0..<grid.cellCount).contains { values[$0] == 0 && areal.values[1][$0] > 0 })
        #expect((0..<grid.cellCount).allSatisfy { values[$0] > 0 || values[$0] == nodata || sums.values[1][$0] == 0 || expected[1][$0] > 0 })
        // A weight raster on another grid, or with a negative weight, is refused.
        var other = options
        other.template = try RasterGrid(minX: grid.minX, maxY: grid.maxY, cellWidth: 10_000, cellHeight: 10_000, columns: 10, rows: 10, crs: grid.crs)
        #expect(throws: GeoVoteError.self) { try VoteSurface.sums(layer, options: other) }
        var negative = values
        negative[100] = -3
        #expect(throws: GeoVoteError.self) { try CellWeights(grid: grid, values: negative, nodata: nodata) }
    }

    @Test func polygonsPartlyOutsideTheGridCountForTheirPartInside() throws {
        let layer = try LayerIO.read(Fixtures.path("reference/data/virginia.shp"))
        let box = layer.boundingBox!
        // The western half of the state: counties cut by the grid's edge.
        let half = BoundingBox(minX: box.minX, minY: box.minY, maxX: (box.minX + box.maxX) / 2, maxY: box.maxY)
        var table = layer
        table.columns.append(Column(name: "votes", values: .real((0..<layer.count).map { Double(100 + 7 * $0) })))
        table.columns.append(Column(name: "valid", values: .real((0..<layer.count).map { Double(300 + 11 * $0) })))
        var options = VoteSurfaceOptions(method: .coverage, fields: ["votes"], total: "valid", resolution: 5000, extent: half)
        options.counts = true
        let surface = try VoteSurface.make(table, options: options)
        #expect(surface.featuresPartlyOutside > 0 && !surface.featuresOutside.isEmpty)
        let coverage = CoverageFractions(table.geometries, grid: surface.raster.grid)
        var inside = 0.0
        for p in 0..<table.count {
            let share: Double = min(1, coverage.coveredAreas[p] / coverage.areas[p])
            inside += Double(300 + 11 * p) * share
        }
        let cells = surface.raster.band(named: "valid_count")!.values.filter { $0 != surface.raster.nodata }.reduce(0.0) { $0 + Double($1) }
        // Float32 cells: their sum is within float rounding of the part inside.
        expectClose(cells, inside, Tolerance(absolute: 0, relative: 1e-5), "valid counted inside the grid")
        for total in surface.totals { expectClose(total.cells, total.features, Self.relative, "\(total.field) conserved inside the grid") }
    }

    static let kernelCases = ["gaussian", "gaussian_exact", "quartic", "adaptive", "adaptive_quartic"]

    @Test(arguments: kernelCases)
    func kernelSumsEqualADirectSumOverEveryStation(name: String) throws {
        let layer = try LayerIO.read(Fixtures.path("reference/raster/stations.shp"))
        let kernel = Self.settings["kernel"] as! [String: Any]
        let spec = kernel["grid"] as! [String: Any]
        let c = (kernel["cases"] as! [String: Any])[name] as! [String: Any]
        var options = VoteSurfaceOptions(method: .kernel, fields: ["RNI"], total: "valid", resolution: spec["resolution"] as? Double,
                                         bandwidth: c["bandwidth"] as? Double, adaptiveNeighbours: c["adaptive"] as? Int)
        options.kernel = VoteSurfaceOptions.Kernel(rawValue: c["kernel"] as! String)!
        options.truncation = c["truncation"] as? Double
        let sums = try VoteSurface.sums(layer, options: options)
        #expect(sums.grid == (try Self.grid(spec, crs: layer.crs)))
        let reference = try Fixtures.csv("reference/raster/kernel_\(name).csv")
        var expectedRNI = [Double](repeating: 0, count: sums.grid.cellCount), expectedValid = expectedRNI
        var share = [Double](repeating: .nan, count: sums.grid.cellCount)
        for row in reference {
            let cell = Int(row["row"]!)! * sums.grid.columns + Int(row["col"]!)!
            expectedRNI[cell] = Double(row["sum_RNI"]!)!
            expectedValid[cell] = Double(row["sum_valid"]!)!
            share[cell] = Double(row["share"]!)!
        }
        expectClose(sums.values[0], expectedRNI, Self.relative, "\(name): Σ K·RNI")
        expectClose(sums.values[1], expectedValid, Self.relative, "\(name): Σ K·valid")
        let surface = try VoteSurface.make(layer, options: options)
        let band = surface.raster.band(named: "RNI")!.values
        let reached = (0..<band.count).filter { band[$0] != surface.raster.nodata }
        #expect(Set(reached) == Set((0..<share.count).filter { !share[$0].isNaN }), "\(name): the cells with data")
        for cell in reached { expectClose(Double(band[cell]), share[cell], Tolerance(absolute: 1e-7, relative: 1e-6), "\(name): share at \(cell)") }
    }

    @Test func crossValidatedBandwidthEqualsADirectLeaveOneOutComputation() throws {
        let layer = try LayerIO.read(Fixtures.path("reference/raster/stations.shp"))
        let cv = Self.settings["cross_validation"] as! [String: Any]
        let candidates = cv["candidates"] as! [Double]
        let points = try ClusterPoints(table: layer)
        let counts = zip(try layer.numericValues(of: "RNI"), try layer.numericValues(of: "valid")).flatMap { [$0.0, $0.1] }
        let result = try BandwidthSelection.crossValidate(points, counts: counts, fieldCount: 2, shareFields: 1, totalIndex: 1,
                                                          kernel: .gaussian, truncation: 4, candidates: candidates)
        expectClose(result.scores.map(\.score), cv["scores"] as! [Double], Self.relative, "leave-one-out scores")
        #expect(result.bandwidth == cv["bandwidth"] as! Double)
        // Through the surface: the chosen bandwidth is used and said.
        var options = VoteSurfaceOptions(method: .kernel, fields: ["RNI"], total: "valid", resolution: 20000)
        options.crossValidate = true
        options.bandwidthCandidates = candidates
        let surface = try VoteSurface.make(layer, options: options)
        #expect(surface.bandwidth == cv["bandwidth"] as? Double)
        #expect(surface.notes.contains { $0.contains("cross-validation") })
        var fixed = options
        fixed.crossValidate = false
        fixed.bandwidth = surface.bandwidth
        #expect(try VoteSurface.make(layer, options: fixed).raster.bands == surface.raster.bands)
        #expect(BandwidthSelection.candidates(points).count == 20)
    }

    @Test func kernelIsTheSameForAnyThreadCount() throws {
        let layer = try LayerIO.read(Fixtures.path("reference/raster/stations.shp"))
        let options = VoteSurfaceOptions(method: .kernel, fields: ["RNI"], total: "valid", resolution: 5000, bandwidth: 25000)
        let one = try VoteSurface.make(layer, options: options, workers: 1)
        for workers in [2, 8] { #expect(try VoteSurface.make(layer, options: options, workers: workers).raster == one.raster) }
        var adaptive = options
        adaptive.bandwidth = nil
        adaptive.adaptiveNeighbours = 8
        adaptive.resolution = 20000
        let a1 = try VoteSurface.make(layer, options: adaptive, workers: 1)
        #expect(try VoteSurface.make(layer, options: adaptive, workers: 3).raster == a1.raster)
    }
}
