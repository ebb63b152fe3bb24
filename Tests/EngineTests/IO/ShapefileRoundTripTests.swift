import GeoVoteEngine
import Foundation
import TestSupport
import Testing

@Suite struct ShapefileRoundTripTests {
    static let square: [Point] = [.init(x: 0, y: 0), .init(x: 0, y: 10), .init(x: 10, y: 10), .init(x: 10, y: 0), .init(x: 0, y: 0)]
    static let hole: [Point] = [.init(x: 4, y: 4), .init(x: 6, y: 4), .init(x: 6, y: 6), .init(x: 4, y: 6), .init(x: 4, y: 4)]
    static func shifted(_ ring: [Point], _ dx: Double, _ dy: Double) -> [Point] {
        ring.map { Point(x: $0.x + dx + 0.1 / 3, y: $0.y + dy - 1e-9) }
    }

    /// Geometries already in shapefile ring order (exteriors clockwise,
    /// holes counter-clockwise), so that a round trip gives the same value.
    static let layers: [(String, [Geometry])] = [
        ("points", [.point(x: -6.8498, y: 34.0209), .point(x: 1.0 / 3.0, y: -2e-7), .empty(.point)]),
        ("multipoints", [.multiPoint([.init(x: 1, y: 2), .init(x: 3.25, y: 4.5)]), .multiPoint([.init(x: -1e6, y: 7e-3)])]),
        ("lines", [.lineString([.init(x: 0, y: 0), .init(x: 1.5, y: 2.25)]),
                   .multiLineString([[.init(x: 0, y: 0), .init(x: 1, y: 1)], [.init(x: 5, y: 5), .init(x: 6, y: 0.1)]])]),
        ("polygons", [.polygon([square]), .polygon([square, hole]),
                      .multiPolygon([[square, hole], [shifted(square, 20, 0)], [shifted(square, 0, 30), shifted(hole, 0, 30)]]),
                      .empty(.polygon)]),
    ]

    static func attributes(_ n: Int) -> [Column] {
        let shares: [Double] = [0.1, 1.0 / 3.0, 123456.789, 1e-7, -2.5]
        let names = ["الرباط", "Fès-Meknès", "Laâyoune العيون", "الحركة الشعبية", "", "x"]
        return [
            Column(name: "NAME", values: .text((0..<n).map { (i: Int) -> String? in i == 1 ? nil : names[i % names.count] })),
            Column(name: "VOTES_MP", values: .integer((0..<n).map { (i: Int) -> Int64? in i == 2 ? nil : Int64(i * 1000 - 7) })),
            Column(name: "SHARE_MP", values: .real((0..<n).map { (i: Int) -> Double? in i == 1 ? nil : shares[i % shares.count] })),
            Column(name: "URBAN", values: .logical((0..<n).map { (i: Int) -> Bool? in i == 0 ? nil : i % 2 == 0 })),
            Column(name: "DAY", values: .date((0..<n).map { (i: Int) -> String? in i == 0 ? nil : "2021090\(1 + i % 8)" })),
            Column(name: "LONG_FIELD_NAME", values: .integer((0..<n).map { (i: Int) -> Int64? in Int64(i) })),
        ]
    }

    @Test(arguments: 0..<4)
    func writeThenReadIsExact(layer: Int) throws {
        let (name, geometries) = Self.layers[layer]
        let table = FeatureTable(geometries: geometries, columns: Self.attributes(geometries.count), crs: try CoordinateReferenceSystem(epsg: 26191))
        let path = Fixtures.scratch() + "/\(name).shp"
        var writer = ShapefileWriter()
        try writer.write(table, to: path)
        #expect(writer.renamedFields.map(\.1) == ["LONG_FIELD"])
        let back = try ShapefileReader().read(path)
        #expect(back.count == table.count)
        for i in 0..<table.count {
            let g = table.geometries[i], h = back.geometries[i]
            #expect(h.x.map(\.bitPattern) == g.x.map(\.bitPattern), "coordinates of \(name) \(i)")
            #expect(h.y.map(\.bitPattern) == g.y.map(\.bitPattern))
            #expect(h.ringOffsets == g.ringOffsets && h.partOffsets == g.partOffsets && (h.isEmpty || h.kind == g.kind))
        }
        #expect(back.crs?.identifier == "EPSG:26191")
        #expect(back.sourceEncoding == .utf8)
        var expected = table.columns
        expected[5].name = "LONG_FIELD"
        // DBF cannot tell "" from missing text.
        if case let .text(values) = expected[0].values { expected[0].values = .text(values.map { $0 == "" ? nil : $0 }) }
        #expect(back.columns == expected)
    }

    @Test func clockwiseOrderIsWrittenWhateverTheInputOrder() throws {
        // A GeoJSON-ordered polygon (exterior counter-clockwise) comes back in
        // shapefile order: same coordinates, the ring reversed.
        let ccw = Array(Self.square.reversed()), cwHole = Array(Self.hole.reversed())
        let table = FeatureTable(geometries: [.polygon([ccw, cwHole])])
        let path = Fixtures.scratch() + "/ccw.shp"
        var writer = ShapefileWriter()
        try writer.write(table, to: path)
        let back = try ShapefileReader().read(path)
        #expect(back.geometries[0] == .polygon([Self.square, Self.hole]))
        #expect(try GeometryEngine().area(back.geometries[0]) == 96)
    }

    /// GDAL (a test-time oracle) reads GeoVote's output with the same
    /// features, fields and values.
    @Test func ogrReadsWhatGeoVoteWrites() throws {
        let geometries = Self.layers[3].1
        let table = FeatureTable(geometries: geometries, columns: Self.attributes(geometries.count), crs: .wgs84)
        let path = Fixtures.scratch() + "/ogr.shp"
        var writer = ShapefileWriter()
        try writer.write(table, to: path)
        let (json, status) = try runTool("ogr2ogr", ["-f", "GeoJSON", "-lco", "SIGNIFICANT_FIGURES=17", "/vsistdout/", path])
        try #require(status == 0, "ogr2ogr failed; is gdal-bin installed (make setup)?")
        let root = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        let features = try #require(root["features"] as? [[String: Any]])
        #expect(features.count == table.count)
        for (i, feature) in features.enumerated() {
            let props = try #require(feature["properties"] as? [String: Any])
            #expect(Set(props.keys) == ["NAME", "VOTES_MP", "SHARE_MP", "URBAN", "DAY", "LONG_FIELD"])
            let columns = table.columns
            if case let .text(v) = columns[0].values { #expect(props["NAME"] as? String == (v[i] == "" ? nil : v[i])) }
            if case let .integer(v) = columns[1].values { #expect((props["VOTES_MP"] as? NSNumber)?.int64Value == v[i]) }
            if case let .real(v) = columns[2].values {
                // GDAL's own decimal conversion (CPLAtof, then 17 figures of
                // GeoJSON) may move the last bit: compare to 1 ulp-ish.
                let read = (props["SHARE_MP"] as? NSNumber)?.doubleValue
                #expect((read == nil) == (v[i] == nil))
                if let read, let want = v[i] { #expect(abs(read - want) <= 4 * want.ulp) }
            }
            if case let .logical(v) = columns[3].values {
                // GDAL 3.6 reads DBF logicals as the strings "T" and "F".
                let text = props["URBAN"] as? String
                #expect(text == (v[i].map { $0 ? "T" : "F" } ?? "?"))
            }
            if case let .date(v) = columns[4].values {
                #expect((props["DAY"] as? String)?.replacingOccurrences(of: "-", with: "") == v[i])
            }
            let geometry = feature["geometry"] as? [String: Any]
            #expect((geometry == nil) == table.geometries[i].isEmpty)
        }
    }

    @Test func textWiderThanTheFieldLimitIsAnErrorNotACut() throws {
        let long = String(repeating: "ب", count: 128)  // 256 bytes in UTF-8
        let table = FeatureTable(geometries: [.point(x: 0, y: 0)], columns: [Column(name: "NAME", values: .text([long]))])
        var writer = ShapefileWriter()
        #expect(throws: GeoVoteError.self) { try writer.write(table, to: Fixtures.scratch() + "/long.shp") }
    }

    @Test func nonFiniteValuesAreRefused() throws {
        var writer = ShapefileWriter()
        let badValue = FeatureTable(geometries: [.point(x: 0, y: 0)], columns: [Column(name: "V", values: .real([.nan]))])
        #expect(throws: GeoVoteError.self) { try writer.write(badValue, to: Fixtures.scratch() + "/nan.shp") }
        let badPoint = FeatureTable(geometries: [.point(x: .nan, y: 0)])
        #expect(throws: GeoVoteError.self) { try writer.write(badPoint, to: Fixtures.scratch() + "/nanpt.shp") }
    }

    @Test func sampleReadsWithArabicText() throws {
        let table = try LayerIO.read(Fixtures.path("sample/capitals.shp"))
        #expect(table.count == 12)
        #expect(table.column(named: "region_ar")?.values.displayValue(3) == "الرباط سلا القنيطرة")
        #expect(table.column(named: "code")?.values.displayValue(0) == "01")
    }
}
