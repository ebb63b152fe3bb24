import Foundation
import GeoVoteEngine
import TestSupport
import Testing

/// Coverage fractions of awkward polygons — star shapes with many edges per
/// cell, vertices on cell corners, edges along grid lines, polygons past
/// the grid's edges, holes, parts, repaired bow ties — against GEOS's
/// intersection area with each cell, computed here in double precision.
@Suite struct CoveragePropertyTests {
    /// A deterministic generator (the same polygons on every run).
    struct Generator {
        var state: UInt64
        mutating func next() -> Double {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Double(state >> 11) / Double(1 << 53)
        }
    }

    static func star(_ g: inout Generator, centre: (Double, Double), radius: Double, points: Int) -> [Point] {
        var ring: [Point] = (0..<points).map { k in
            let angle = 2 * Double.pi * Double(k) / Double(points)
            let r = radius * (0.35 + 0.65 * g.next())
            return Point(x: centre.0 + r * cos(angle), y: centre.1 + r * sin(angle))
        }
        ring.append(ring[0])
        return ring
    }

    @Test func fractionsEqualGEOSIntersectionAreas() throws {
        let grid = try RasterGrid(minX: 0, maxY: 20, cellWidth: 1, cellHeight: 1, columns: 30, rows: 20, crs: nil)
        let engine = try GeometryEngine()
        var g = Generator(state: 2021)
        var polygons: [Geometry] = []
        for _ in 0..<25 {
            let centre = (-3 + 36 * g.next(), -3 + 26 * g.next())
            polygons.append(.polygon([Self.star(&g, centre: centre, radius: 1 + 6 * g.next(), points: 5 + Int(40 * g.next()))]))
        }
        // Vertices on cell corners and edges along grid lines.
        polygons.append(try engine.geometry(wkt: "POLYGON ((2 2, 7 2, 7 5, 4 5, 4 8, 2 8, 2 2))"))
        // A hole, and a part outside the grid.
        polygons.append(try engine.geometry(wkt: "MULTIPOLYGON (((10 10, 20 10, 20 18, 10 18, 10 10), (12.5 12.5, 17.25 12.5, 15 16.75, 12.5 12.5)), ((28 -2, 33 -2, 33 3, 28 3, 28 -2)))"))
        // Clockwise, as a shapefile stores it, and a sliver thinner than a cell.
        polygons.append(try engine.geometry(wkt: "POLYGON ((21 1, 21 6.5, 26.3 6.5, 26.3 1, 21 1))"))
        polygons.append(try engine.geometry(wkt: "POLYGON ((0.5 19.9, 29.5 19.95, 29.5 19.9, 0.5 19.9))"))
        // A bow tie, repaired as VoteSurface repairs it.
        polygons.append(try engine.makeValid(try engine.geometry(wkt: "POLYGON ((5 12, 9 16, 9 12, 5 16, 5 12))")))
        let coverage = CoverageFractions(polygons, grid: grid)
        var checked = 0
        for (p, polygon) in polygons.enumerated() {
            let ours = Dictionary(uniqueKeysWithValues: coverage.cells(ofPolygon: p).map { ("\($0.row),\($0.column)", $0.fraction) })
            for row in 0..<grid.rows {
                for column in 0..<grid.columns {
                    let x0 = grid.minX + Double(column), y1 = grid.maxY - Double(row)
                    let cell = Geometry.polygon([[Point(x: x0, y: y1 - 1), Point(x: x0 + 1, y: y1 - 1), Point(x: x0 + 1, y: y1), Point(x: x0, y: y1), Point(x: x0, y: y1 - 1)]])
                    let reference = try engine.area(try engine.intersection(polygon, cell)) / grid.cellArea
                    let mine = ours["\(row),\(column)"] ?? 0
                    if reference > 0 || mine > 0 { checked += 1 }
                    expectClose(mine, reference, Tolerance(absolute: 1e-9), "polygon \(p), cell \(row),\(column)")
                }
            }
            let inside = try engine.area(try engine.intersection(polygon, Geometry.polygon([[Point(x: 0, y: 0), Point(x: 30, y: 0), Point(x: 30, y: 20), Point(x: 0, y: 20), Point(x: 0, y: 0)]])))
            expectClose(coverage.coveredAreas[p], inside, Tolerance(absolute: 1e-9, relative: 1e-12), "polygon \(p): area inside the grid")
            expectClose(coverage.areas[p], try engine.area(polygon), Tolerance(absolute: 1e-12, relative: 1e-12), "polygon \(p): area")
        }
        #expect(checked > 500, "\(checked) cells compared")
    }

    @Test func emptyDegenerateAndNonPolygonalGeometriesCoverNothing() throws {
        let grid = try RasterGrid(minX: 0, maxY: 10, cellWidth: 1, cellHeight: 1, columns: 10, rows: 10, crs: nil)
        let engine = try GeometryEngine()
        let geometries: [Geometry] = [
            .empty(.polygon),
            .point(x: 3, y: 3),
            try engine.geometry(wkt: "LINESTRING (0 0, 5 5)"),
            try engine.geometry(wkt: "POLYGON ((1 1, 4 4, 7 7, 1 1))"),          // zero area
            try engine.geometry(wkt: "POLYGON ((100 100, 101 100, 101 101, 100 100))"),  // outside
        ]
        let coverage = CoverageFractions(geometries, grid: grid)
        #expect(coverage.entryCount == 0)
        #expect(coverage.coveredAreas.allSatisfy { $0 == 0 })
    }
}
