import GeoVoteEngine
import TestSupport
import Testing

@Suite struct ProjectionTests {
    /// cs2cs reference values: Fixtures/reference/projection/make_cs2cs.sh.
    @Test func bulkTransformAgreesWithCs2csToOneMillimetre() throws {
        let rows = try Fixtures.csv("reference/projection/cs2cs_capitals.csv")
        #expect(rows.count == 48)
        for epsg in Set(rows.map { $0["epsg"]! }) {
            let subset = rows.filter { $0["epsg"] == epsg }
            var x = subset.map { Double($0["lon"]!)! }, y = subset.map { Double($0["lat"]!)! }
            let transformer = try CoordinateTransformer(from: .wgs84, to: CoordinateReferenceSystem(definition: "EPSG:\(epsg)"))
            try transformer.transform(x: &x, y: &y)
            for (i, row) in subset.enumerated() {
                #expect(abs(x[i] - Double(row["x"]!)!) <= 1e-3, "EPSG:\(epsg) x of \(row)")
                #expect(abs(y[i] - Double(row["y"]!)!) <= 1e-3, "EPSG:\(epsg) y of \(row)")
            }
        }
    }

    @Test func rabatInNordMaroc() throws {
        // ../shared/DESIGN.md: Rabat (-6.8498, 34.0209) → (365988.007, 381152.480), as cs2cs gives.
        let p = try CoordinateTransformer(from: .wgs84, to: CoordinateReferenceSystem(epsg: 26191)).transform(Point(x: -6.8498, y: 34.0209))
        #expect(abs(p.x - 365988.007) < 1e-3 && abs(p.y - 381152.480) < 1e-3)
    }

    @Test func resultsDoNotDependOnThreadCount() throws {
        let n = 50_000
        let x0 = (0..<n).map { -17.0 + 16.0 * Double($0) / Double(n) }, y0 = (0..<n).map { 21.0 + 14.0 * Double($0 % 977) / 977 }
        let t = try CoordinateTransformer(from: .wgs84, to: CoordinateReferenceSystem(epsg: 32629))
        var (x1, y1) = (x0, y0), (x2, y2) = (x0, y0)
        try t.transform(x: &x1, y: &y1, workers: 1)
        try t.transform(x: &x2, y: &y2, workers: 2)
        #expect(x1 == x2 && y1 == y2)
    }

    @Test func crsFacts() throws {
        let wgs = CoordinateReferenceSystem.wgs84
        #expect(wgs.isGeographic && wgs.identifier == "EPSG:4326")
        let nord = try CoordinateReferenceSystem(epsg: 26191)
        #expect(!nord.isGeographic && nord.unitName == "metre" && nord.name == "Merchich / Nord Maroc")
        let area = try #require(nord.areaOfUse)
        // Nord Maroc stops at 31°30'N (DESIGN.md): Rabat inside, Dakhla outside.
        #expect(area.contains(BoundingBox(minX: -6.85, minY: 34.02, maxX: -6.85, maxY: 34.02)))
        #expect(!area.contains(BoundingBox(minX: -15.96, minY: 23.68, maxX: -15.96, maxY: 23.68)))
    }

    @Test func esriPrjIsIdentified() throws {
        let crs = try CoordinateReferenceSystem(prjFile: Fixtures.path("sample/capitals.prj"))
        #expect(crs.identifier == "EPSG:4326" && crs.isGeographic)
    }

    @Test func suggestedCRSCoversTheData() throws {
        // Casablanca–Rabat fits UTM 29N.
        let north = try CoordinateReferenceSystem.suggestProjected(forLongitudeLatitude: BoundingBox(minX: -7.7, minY: 33.5, maxX: -6.8, maxY: 34.1))
        #expect(north.identifier == "EPSG:32629")
        // All of Morocco spans three UTM zones: an equal-area projection centred on it.
        let all = try CoordinateReferenceSystem.suggestProjected(forLongitudeLatitude: BoundingBox(minX: -17.1, minY: 20.8, maxX: -1.0, maxY: 35.9))
        #expect(!all.isGeographic && all.unitName == "metre" && all.name.contains("LAEA"))
    }

    @Test func badCRSInputIsAnError() {
        #expect(throws: GeoVoteError.self) { try CoordinateReferenceSystem(definition: "EPSG:999999") }
        #expect(throws: GeoVoteError.self) { try CoordinateReferenceSystem(definition: "not a crs") }
    }

    @Test func untransformablePointIsNamed() throws {
        var x = [0.0, 1.0, 200.0], y = [0.0, 1.0, 95.0]
        let t = try CoordinateTransformer(from: .wgs84, to: CoordinateReferenceSystem(epsg: 32629))
        #expect(throws: GeoVoteError.self) { try t.transform(x: &x, y: &y) }
    }
}
