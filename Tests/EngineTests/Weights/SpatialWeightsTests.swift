import GeoVoteEngine
import Foundation
import TestSupport
import Testing

@Suite struct SpatialWeightsTests {
    static func columbusQueen() throws -> SpatialWeights {
        try SpatialWeights.contiguity(WeightsReferenceTests.layer("columbus"), rule: .queen)
    }

    /// Transforms against libpysal (make_reference.py: columbus queen, R/D/V).
    @Test(arguments: [WeightsTransform.row, .doubly, .varianceStabilizing])
    func transformsMatchLibpysal(kind: WeightsTransform) throws {
        let w = try Self.columbusQueen().transformed(kind)
        WeightsReferenceTests.compare(w, try WeightsReferenceTests.reference("columbus_queen_\(kind.rawValue)"), "columbus \(kind)")
        #expect(w.transform == kind)
    }

    @Test func higherOrderMatchesLibpysal() throws {
        let w = try Self.columbusQueen()
        WeightsReferenceTests.compare(w.higherOrder(2), try WeightsReferenceTests.reference("columbus_queen_order2"), "order 2")
        WeightsReferenceTests.compare(w.higherOrder(2, cumulative: true), try WeightsReferenceTests.reference("columbus_queen_order2_cumulative"), "order ≤ 2")
    }

    /// GeoDa's own columbus.gal (shipped by libpysal, ids = POLYID) gives the
    /// same neighbours as GeoVote's queen contiguity.
    @Test func readsGeoDaGAL() throws {
        let table = try WeightsReferenceTests.layer("columbus")
        let ids = (0..<table.count).map { table.column(named: "POLYID")!.values.displayValue($0) }
        let gal = try WeightsFiles.read(Fixtures.path("reference/data/columbus.gal"), ids: ids)
        #expect(gal.neighbors == (try Self.columbusQueen()).neighbors)
        #expect(gal.offsets == (try Self.columbusQueen()).offsets)
    }

    @Test(arguments: ["gal", "gwt", "csv"])
    func filesRoundTrip(ext: String) throws {
        let table = try WeightsReferenceTests.layer("baltim")
        var planar = table
        planar.crs = nil
        let points = try WeightsPoints(table: planar)
        let w = ext == "gal" ? try SpatialWeights.kNearest(points, k: 4)
                             : try SpatialWeights.distanceBand(points, threshold: 20, binary: false)
        let path = Fixtures.scratch() + "/w.\(ext)"
        let ids = (0..<w.count).map { "id\($0)" }
        try WeightsFiles.write(w, to: path, ids: ext == "csv" ? nil : ids)
        let back = try WeightsFiles.read(path, ids: ext == "csv" ? (0..<w.count).map(String.init) : ids)
        #expect(back.offsets == w.offsets && back.neighbors == w.neighbors && back.weights == w.weights)
    }

    @Test func galWithUnknownIdIsAnError() throws {
        let path = Fixtures.scratch() + "/bad.gal"
        try "0 3 x ID\na 1\nb\nb 1\nzz\nc 0\n".write(toFile: path, atomically: true, encoding: .utf8)
        #expect(throws: GeoVoteError.self) { try WeightsFiles.read(path, ids: ["a", "b", "c"]) }
        try "0 4 x ID\n".write(toFile: path, atomically: true, encoding: .utf8)
        #expect(throws: GeoVoteError.self) { try WeightsFiles.read(path, ids: ["a", "b", "c"]) }
    }

    @Test func islandsAndComponentsAreExplicit() {
        // 0–1–2 chain, 3–4 pair, 5 alone.
        let w = SpatialWeights(neighborLists: [[1], [0, 2], [1], [4], [3], []])
        #expect(w.islands == [5])
        #expect(w.componentLabels == [0, 0, 0, 1, 1, 2])
        #expect(w.componentCount == 3)
        #expect(w.cardinalities == [1, 2, 1, 1, 1, 0])
        let r = w.transformed(.row)
        #expect(r.weights(of: 1).elementsEqual([0.5, 0.5]) && r.neighbors(of: 5).isEmpty)
        let star = w.withDiagonal()
        #expect(star.neighbors(of: 5).elementsEqual([5]) && star.islands == [5])
        #expect(star.withoutDiagonal() == w)
    }

    @Test func symmetrizeAddsMissingReverseLinks() {
        let w = SpatialWeights(neighborLists: [[1], [], [0]])
        #expect(!w.isSymmetric)
        let s = w.symmetrized()
        #expect(s.isSymmetric)
        #expect(s.neighbors(of: 0).elementsEqual([1, 2]) && s.neighbors(of: 1).elementsEqual([0]))
    }

    @Test func badParametersAreErrors() throws {
        let p = try WeightsPoints(x: [0, 1, 2], y: [0, 0, 0])
        #expect(throws: GeoVoteError.self) { try SpatialWeights.kNearest(p, k: 3) }
        #expect(throws: GeoVoteError.self) { try SpatialWeights.kNearest(p, k: 0) }
        #expect(throws: GeoVoteError.self) { try SpatialWeights.distanceBand(p, threshold: 0) }
        #expect(throws: GeoVoteError.self) { try SpatialWeights.distanceBand(p, threshold: .nan) }
        #expect(throws: GeoVoteError.self) { try WeightsPoints(x: [0, .nan], y: [0, 0]) }
    }

    /// An empty layer, an empty geometry, a repeated vertex and a
    /// self-intersecting ring: a documented result or a clear error.
    @Test func awkwardPolygonsGiveDocumentedResults() throws {
        let empty = FeatureTable(geometries: [])
        #expect(try SpatialWeights.contiguity(empty, rule: .queen).count == 0)
        let square: (Double) -> [Point] = { x in [.init(x: x, y: 0), .init(x: x, y: 1), .init(x: x + 1, y: 1), .init(x: x + 1, y: 0), .init(x: x, y: 0)] }
        // Repeated vertex on the shared edge of 0 and 1; an empty geometry (an island); a bow tie touching 1.
        var first = square(0)
        first.insert(.init(x: 1, y: 1), at: 2)
        let bowtie: [Point] = [.init(x: 2, y: 0), .init(x: 2, y: 1), .init(x: 3, y: 0), .init(x: 3, y: 1), .init(x: 2, y: 0)]
        let table = FeatureTable(geometries: [.polygon([first]), .polygon([square(1)]), .empty(.polygon), .polygon([bowtie])])
        let queen = try SpatialWeights.contiguity(table, rule: .queen)
        let rook = try SpatialWeights.contiguity(table, rule: .rook)
        #expect(queen.neighbors(of: 0) == [1] && rook.neighbors(of: 0) == [1], "a repeated vertex adds no edge and loses none")
        #expect(queen.islands == [2] && rook.islands == [2])
        #expect(queen.neighbors(of: 3) == [1], "the bow tie shares vertices (2,0) and (2,1) with square 1")
        #expect(try table.invalidGeometries().map(\.record) == [3])
        // Distance-based weights need a point per feature: an empty geometry is an error naming it.
        #expect(throws: GeoVoteError.self) { try WeightsPoints(table: table) }
        #expect(throws: GeoVoteError.self) { try SpatialWeights.kNearest(WeightsPoints(x: [], y: []), k: 1) }
    }

    @Test func geographicLayerIsRefusedWithAProposal() throws {
        let table = try LayerIO.read(Fixtures.path("sample/capitals.shp"))
        do {
            _ = try WeightsPoints(table: table)
            Issue.record("expected a refusal")
        } catch let GeoVoteError.geographicCRS(file, crs, proposed) {
            // A typed error: the CLI turns it into flag advice; the library's text names no flag.
            #expect(file == nil && crs.contains("EPSG:4326") && proposed != nil)
            #expect(!GeoVoteError.geographicCRS(file: file, crs: crs, proposed: proposed).description.contains("--"))
        }
        // Great-circle metres against libpysal's arcdist (make_geodesic.py), to 1e-9 relative.
        let points = try WeightsPoints(table: table, geodesic: true)
        let band = try SpatialWeights.distanceBand(points, threshold: 5_000_000, binary: false, alpha: 1)
        let rows = try Fixtures.csv("reference/weights/capitals_arcdist.csv")
        #expect(rows.count == 132)
        for row in rows {
            let (i, j, want) = (Int(row["focal"]!)!, Int(row["neighbor"]!)!, Double(row["distance_m"]!)!)
            #expect(abs(band.weight(i, j) - want) <= 1e-9 * want, "\(i)–\(j)")
        }
    }

    @Test func colocatedPointsFollowTheChosenConvention() throws {
        let p = try WeightsPoints(x: [0, 0, 1], y: [0, 0, 0])
        let libpysal = try SpatialWeights.distanceBand(p, threshold: 1)
        #expect(libpysal.neighbors(of: 0).elementsEqual([2]))
        let spdep = try SpatialWeights.distanceBand(p, threshold: 1, includeColocated: true)
        #expect(spdep.neighbors(of: 0).elementsEqual([1, 2]))
    }

    @Test(arguments: [1, 2, 8])
    func buildersDoNotDependOnThreadCount(workers: Int) throws {
        let table = try WeightsReferenceTests.layer("NY8")
        var planar = table
        planar.crs = nil
        let p = try WeightsPoints(table: planar)
        let one = try SpatialWeights.kernel(p, function: .quartic, bandwidth: .adaptive(k: 7), workers: 1)
        let many = try SpatialWeights.kernel(p, function: .quartic, bandwidth: .adaptive(k: 7), workers: workers)
        #expect(one == many)
    }
}
