import GeoVoteEngine
import Testing

/// Shapes whose measures follow from their construction: a 10 × 10 square
/// with a 2 × 2 hole has area 100 − 4 = 96 and its centroid at (5, 5) by
/// symmetry of the hole placed at the centre.
@Suite struct GeometryEngineTests {
    static let square: [Point] = [.init(x: 0, y: 0), .init(x: 0, y: 10), .init(x: 10, y: 10), .init(x: 10, y: 0), .init(x: 0, y: 0)]
    static let hole: [Point] = [.init(x: 4, y: 4), .init(x: 6, y: 4), .init(x: 6, y: 6), .init(x: 4, y: 6), .init(x: 4, y: 4)]
    static let squareWithHole = Geometry.polygon([square, hole])

    @Test func areaCentroidAndPointOnSurface() throws {
        let geos = try GeometryEngine()
        #expect(try geos.area(Self.squareWithHole) == 96)
        #expect(try geos.centroid(Self.squareWithHole) == Point(x: 5, y: 5))
        let inside = try #require(try geos.pointOnSurface(Self.squareWithHole))
        #expect(inside.x > 0 && inside.x < 10 && inside.y > 0 && inside.y < 10)
        #expect(!(inside.x > 4 && inside.x < 6 && inside.y > 4 && inside.y < 6), "point on surface fell in the hole")
        #expect(try geos.centroid(.empty(.polygon)) == nil)
        #expect(try geos.length(Self.squareWithHole) == 48)
    }

    @Test func multiPolygonAreaAddsParts() throws {
        let geos = try GeometryEngine()
        let shifted = Self.square.map { Point(x: $0.x + 20, y: $0.y) }
        let mp = Geometry.multiPolygon([[Self.square, Self.hole], [shifted]])
        #expect(try geos.area(mp) == 196)
    }

    @Test func bowtieIsInvalidAndRepairedIntoTwoTriangles() throws {
        let geos = try GeometryEngine()
        let bowtie = Geometry.polygon([[.init(x: 0, y: 0), .init(x: 2, y: 2), .init(x: 2, y: 0), .init(x: 0, y: 2), .init(x: 0, y: 0)]])
        let reason = try #require(try geos.validityReason(bowtie))
        #expect(reason.contains("Self-intersection"))
        #expect(reason.contains("(1.0, 1.0)"))
        let fixed = try geos.makeValid(bowtie)
        #expect(fixed.kind == .multiPolygon)
        #expect(fixed.partCount == 2)
        #expect(try geos.isValid(fixed))
        #expect(try geos.area(fixed) == 2)  // two triangles of base 2, height 1
    }

    @Test func unclosedRingIsReportedNotCrashed() throws {
        let geos = try GeometryEngine()
        let open = Geometry.polygon([[.init(x: 0, y: 0), .init(x: 1, y: 0), .init(x: 1, y: 1), .init(x: 0, y: 1)]])
        #expect(try geos.validityReason(open) != nil)
        #expect(throws: GeoVoteError.self) { try geos.area(open) }
    }

    @Test(arguments: [
        Geometry.point(x: -6.8498, y: 34.0209),
        .multiPoint([.init(x: 0.1, y: 0.2), .init(x: 1234567.891, y: -3.5e6)]),
        .lineString([.init(x: 0, y: 0), .init(x: 1.0 / 3.0, y: 2.0 / 3.0)]),
        .multiLineString([[.init(x: 0, y: 0), .init(x: 1, y: 1)], [.init(x: 2, y: 2), .init(x: 3, y: 0.1)]]),
        squareWithHole,
        .multiPolygon([[square, hole], [square.map { Point(x: $0.x + 0.1, y: $0.y * 1.7) }]]),
    ])
    func wkbAndWktRoundTripsAreBitExact(g: Geometry) throws {
        let geos = try GeometryEngine()
        #expect(try geos.geometry(wkb: geos.wkb(g)) == g)
        #expect(try geos.geometry(wkt: geos.wkt(g)) == g)
    }

    @Test func wkbKeepsExtremeValues() throws {
        // WKT is written in fixed notation by GEOS 3.11; WKB carries any double.
        let geos = try GeometryEngine()
        let g = Geometry.multiPoint([.init(x: 1e-300, y: -3.5e15), .init(x: .leastNonzeroMagnitude, y: .greatestFiniteMagnitude)])
        #expect(try geos.geometry(wkb: geos.wkb(g)) == g)
    }

    @Test func badWKTIsAnError() throws {
        let geos = try GeometryEngine()
        #expect(throws: GeoVoteError.self) { try geos.geometry(wkt: "POLYGON ((0 0, 1") }
        #expect(throws: GeoVoteError.self) { try geos.geometry(wkb: [1, 2, 3]) }
    }

    @Test(arguments: [1, 2])
    func parallelMapKeepsOrderAndNamesTheFailingRecord(workers: Int) throws {
        let shapes = (0..<1000).map { i in
            Geometry.polygon([Self.square.map { Point(x: $0.x * Double(i + 1), y: $0.y) }])
        }
        let areas = try GeometryEngine.map(shapes, workers: workers) { try $0.area($1) }
        #expect(areas == (0..<1000).map { 100 * Double($0 + 1) })
        var broken = shapes
        broken[700] = .polygon([[.init(x: 0, y: 0), .init(x: 1, y: 0), .init(x: 1, y: 1), .init(x: 0, y: 1)]])
        broken[900] = broken[700]
        do {
            _ = try GeometryEngine.map(broken, workers: workers, file: "x.shp") { try $0.area($1) }
            Issue.record("expected an error")
        } catch let GeoVoteError.malformed(location, _) {
            #expect(location == DataLocation(file: "x.shp", record: 700))
        }
    }

    /// Polygons that overlap in an area and also touch along an edge: GEOS
    /// returns a collection of a polygon and a line; the intersection keeps
    /// the polygon, whichever member comes first (it threw "mixed types"
    /// when the line came after the polygon).
    @Test func polygonalIntersectionDropsTouchingEdges() throws {
        func box(_ x0: Double, _ x1: Double) -> [[Point]] {
            [[.init(x: x0, y: 0), .init(x: x1, y: 0), .init(x: x1, y: 1), .init(x: x0, y: 1), .init(x: x0, y: 0)]]
        }
        let a = Geometry.multiPolygon([box(0, 1), box(2, 3)])
        let b = Geometry.polygon(box(0.5, 2))
        let engine = try GeometryEngine()
        for (first, second) in [(a, b), (b, a)] {
            let overlap = try engine.intersection(first, second)
            #expect(overlap.kind.isPolygonal)
            #expect(abs(try engine.area(overlap) - 0.5) < 1e-12)
        }
    }
}
