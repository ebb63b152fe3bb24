import GeoVoteEngine
import Foundation
import TestSupport
import Testing

/// Optimized hot-spot analysis against Fixtures/reference/scale/make_reference.py:
/// ArcGIS's published decisions (outliers, ISA peak or kNN fallback,
/// distance), Gi* z and two-sided p (Ord–Getis, 1e-10 relative) and Gi_Bin
/// with Benjamini–Hochberg per level (exact), on NY8, baltim and the
/// Morocco fixture; the aggregation by its invariants.
@Suite struct OptimizedHotSpotsTests {
    typealias T = IncrementalAutocorrelationTests

    @Test(arguments: T.sets)
    func decisionsAndBinsMatchTheReference(set: (String, String, Double, Double)) throws {
        let table = try T.layer(set.0)
        let ohsa = try OptimizedHotSpots.run(table, file: set.0, variable: VariableSpec(parsing: set.1))
        let decision = try Fixtures.csv("reference/scale/\(set.0)_ohsa.csv")[0]
        #expect(ohsa.outliers == Int(decision["outliers"]!)!)
        #expect(ohsa.source.rawValue == decision["source"]!)
        expectClose(ohsa.distance, Double(decision["distance"]!)!, .reference, "\(set.0) distance")
        let ref = try Fixtures.csv("reference/scale/\(set.0)_ohsa_gistar.csv")
        let gi = ohsa.hotSpots.results[0]
        expectClose(gi.z!, ref.map { Double($0["z"]!)! }, .reference, "\(set.0) Gi* z")
        expectClose(gi.p!, ref.map { Double($0["p"]!)! }, .reference, "\(set.0) Gi* p")
        let bins = gi.confidenceBins!, refBins = ref.map { Int($0["bin"]!)! }
        #expect(bins == refBins, "\(set.0): \(zip(bins, refBins).count { $0 != $1 }) bins differ")
        #expect(ohsa.decisions.count >= 4, "every decision is recorded: \(ohsa.decisions)")
    }

    @Test func cellSizeFollowsArcGISsRule() throws {
        let points = try WeightsPoints(table: try T.layer("baltim"))
        let ref = try Fixtures.csv("reference/scale/cell_size.csv").first { $0["set"] == "baltim" }!
        expectClose(try Tessellation.cellSize(for: points).size, Double(ref["cell_size"]!)!, .reference, "cell size")
    }

    /// Every point lies in the cell it is summed into; the sums and counts
    /// are the points' totals exactly; only occupied cells are made.
    @Test(arguments: TessellationShape.allCases)
    func cellsHoldTheirPointsAndConserveTotals(shape: TessellationShape) throws {
        let points = try T.layer("baltim")
        let size = try Tessellation.cellSize(for: try WeightsPoints(table: points)).size
        let cells = try Tessellation.occupiedCells(of: points, shape: shape, size: size)
        let sums = try Aggregation.run(points: points, pointsFile: "baltim", areas: cells, areasFile: "cells")
        #expect(sums.unassigned.isEmpty)
        let engine = try GeometryEngine()
        for (i, cell) in sums.assignment.enumerated() {
            let g = points.geometries[i]
            #expect(try PreparedPolygon(cells.geometries[cell!], engine: engine).covers(x: g.x[0], y: g.y[0]), "point \(i)")
        }
        let units = try sums.table.numericValues(of: "units")
        #expect(units.allSatisfy { $0 >= 1 } && units.reduce(0, +) == Double(points.count))
        // Reals are added in point order per cell, then over cells: equal to rounding.
        expectClose(try sums.table.numericValues(of: "PRICE").reduce(0, +), try points.numericValues(of: "PRICE").reduce(0, +), .reference, "PRICE total")
        if shape == .hexagon {   // a regular hexagon of centre spacing `size` has area √3/2 size²
            let area = try GeometryEngine().area(cells.geometries[0])
            expectClose(area, 3.0.squareRoot() / 2 * size * size, .reference, "hexagon area")
        }
    }

    @Test func aggregatedAnalysisRunsOnTheSums() throws {
        let points = try T.layer("baltim")
        let ohsa = try OptimizedHotSpots.run(points, file: "baltim", variable: VariableSpec(parsing: "units"),
                                             options: OptimizedHotSpotOptions(aggregation: .hexagon))
        #expect(try ohsa.layer.numericValues(of: "units").reduce(0, +) == Double(points.count))
        #expect(ohsa.hotSpots.results[0].z!.count == ohsa.layer.count)
    }

    @Test func refusesWhatArcGISRefuses() throws {
        let table = try T.layer("NY8")
        let few = FeatureTable(geometries: Array(table.geometries.prefix(29)), columns: table.columns.map {
            Column(name: $0.name, values: $0.values.gathered(Array(0..<29)))
        }, crs: table.crs)
        #expect(throws: GeoVoteError.self) { try OptimizedHotSpots.run(few, file: "few", variable: VariableSpec(parsing: "PROPCAS")) }
        let points = try T.layer("baltim")
        let fewPoints = FeatureTable(geometries: Array(points.geometries.prefix(59)), columns: [], crs: points.crs)
        #expect(throws: GeoVoteError.self) {
            try OptimizedHotSpots.run(fewPoints, file: "few", variable: VariableSpec(parsing: "units"), options: OptimizedHotSpotOptions(aggregation: .fishnet))
        }
        let constant = FeatureTable(geometries: table.geometries, columns: [Column(name: "c", values: .real([Double?](repeating: 1, count: table.count)))], crs: table.crs)
        #expect(throws: GeoVoteError.self) { try OptimizedHotSpots.run(constant, file: "constant", variable: VariableSpec(parsing: "c")) }
        #expect(throws: GeoVoteError.self) {   // polygons are not aggregated
            try OptimizedHotSpots.run(table, file: "NY8", variable: VariableSpec(parsing: "PROPCAS"), options: OptimizedHotSpotOptions(aggregation: .hexagon))
        }
    }
}
