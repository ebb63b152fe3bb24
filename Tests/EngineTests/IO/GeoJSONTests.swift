import GeoVoteEngine
import Foundation
import TestSupport
import Testing

@Suite struct GeoJSONTests {
    /// Shapefile → GeoJSON → Shapefile keeps every coordinate bit-exact and
    /// every value (the GeoJSON writer reorients rings; the shapefile writer
    /// turns them back).
    @Test(arguments: 0..<4)
    func shapefileGeoJSONShapefileIsExact(layer: Int) throws {
        let (name, geometries) = ShapefileRoundTripTests.layers[layer]
        let dir = Fixtures.scratch()
        let table = FeatureTable(geometries: geometries, columns: Array(ShapefileRoundTripTests.attributes(geometries.count).prefix(5)), crs: .wgs84)
        try LayerIO.write(table, to: dir + "/a.shp")
        let fromShapefile = try LayerIO.read(dir + "/a.shp")
        try LayerIO.write(fromShapefile, to: dir + "/b.geojson")
        let fromGeoJSON = try LayerIO.read(dir + "/b.geojson")
        #expect(fromGeoJSON.crs == .wgs84)
        try LayerIO.write(fromGeoJSON, to: dir + "/c.shp")
        let back = try LayerIO.read(dir + "/c.shp")
        for i in 0..<table.count {
            let g = fromShapefile.geometries[i], h = back.geometries[i]
            #expect(h.x.map(\.bitPattern) == g.x.map(\.bitPattern), "\(name) \(i)")
            #expect(h.y.map(\.bitPattern) == g.y.map(\.bitPattern), "\(name) \(i)")
            #expect(h.ringOffsets == g.ringOffsets && h.partOffsets == g.partOffsets)
        }
        #expect(back.columns == fromShapefile.columns)
        // GeoJSON keeps "" apart from missing, and dates as text "YYYY-MM-DD".
        #expect(fromGeoJSON.column(named: "NAME")?.values == fromShapefile.column(named: "NAME")?.values)
        #expect(fromGeoJSON.column(named: "SHARE_MP")?.values == fromShapefile.column(named: "SHARE_MP")?.values)
    }

    @Test func polygonsFollowTheRightHandRule() throws {
        let square = ShapefileRoundTripTests.square, hole = ShapefileRoundTripTests.hole  // clockwise, counter-clockwise
        let table = FeatureTable(geometries: [.polygon([square, hole])], crs: .wgs84)
        var writer = GeoJSONWriter()
        let text = String(decoding: try writer.encode(table, file: "t"), as: UTF8.self)
        // Exterior reversed to counter-clockwise, hole to clockwise.
        #expect(text.contains("[[[0,0],[10,0],[10,10],[0,10],[0,0]],[[4,4],[4,6],[6,6],[6,4],[4,4]]]"))
    }

    @Test func projectedLayerRoundTripsWithKeepCRSAndIsReprojectedWithout() throws {
        let dir = Fixtures.scratch()
        let capitals = try LayerIO.read(Fixtures.path("sample/capitals.shp"))
        let projected = try capitals.projected(to: try CoordinateReferenceSystem(epsg: 32629))
        try LayerIO.write(projected, to: dir + "/kept.geojson", options: .init(keepCRS: true))
        let kept = try LayerIO.read(dir + "/kept.geojson")
        #expect(kept.crs?.identifier == "EPSG:32629")
        #expect(kept.geometries.map { $0.x.map(\.bitPattern) } == projected.geometries.map { $0.x.map(\.bitPattern) })
        #expect(kept.geometries.map { $0.y.map(\.bitPattern) } == projected.geometries.map { $0.y.map(\.bitPattern) })

        let notes = try LayerIO.write(projected, to: dir + "/wgs84.geojson", options: .init())
        #expect(notes.count == 1 && notes[0].contains("reprojected"))
        let lonLat = try LayerIO.read(dir + "/wgs84.geojson")
        #expect(lonLat.crs == .wgs84)
        for (a, b) in zip(lonLat.geometries, capitals.geometries) {
            #expect(abs(a.x[0] - b.x[0]) < 1e-9 && abs(a.y[0] - b.y[0]) < 1e-9)
        }
    }

    /// GDAL (test-time oracle) reads GeoVote's GeoJSON with the same values.
    @Test func ogrReadsWhatGeoVoteWrites() throws {
        let dir = Fixtures.scratch()
        let capitals = try LayerIO.read(Fixtures.path("sample/capitals.shp"))
        try LayerIO.write(capitals, to: dir + "/capitals.geojson")
        let (out, status) = try runTool("ogrinfo", ["-al", "-q", dir + "/capitals.geojson"])
        #expect(status == 0)
        #expect(out.components(separatedBy: "OGRFeature(").count - 1 == 12)
        #expect(out.contains("region_ar (String) = الرباط سلا القنيطرة"))
        #expect(out.contains("POINT (-6.8498 34.0209)"))
    }

    @Test func propertiesAreTypedFromEveryFeature() throws {
        let text = """
        {"type":"FeatureCollection","features":[
        {"type":"Feature","id":7,"properties":{"n":1,"x":1,"b":true,"code":"01001","mixed":3,"obj":{"a":[1,2]}},"geometry":{"type":"Point","coordinates":[1,2,30]}},
        {"type":"Feature","id":8,"properties":{"n":null,"x":2.5,"b":false,"code":"01002","mixed":"n/a"},"geometry":null}
        ]}
        """
        var reader = GeoJSONReader()
        let t = try reader.read(bytes: Array(text.utf8), file: "t.geojson")
        #expect(t.columns.map(\.name) == ["id", "n", "x", "b", "code", "mixed", "obj"])
        #expect(t.column(named: "id")?.values == .integer([7, 8]))
        #expect(t.column(named: "n")?.values == .integer([1, nil]))
        #expect(t.column(named: "x")?.values == .real([1, 2.5]))
        #expect(t.column(named: "b")?.values == .logical([true, false]))
        #expect(t.column(named: "code")?.values == .text(["01001", "01002"]))
        #expect(t.column(named: "mixed")?.values == .text(["3", "n/a"]))
        #expect(t.column(named: "obj")?.values == .text(["{\"a\":[1,2]}", nil]))
        #expect(t.geometries[1].isEmpty)
        #expect(reader.notes.count == 1 && reader.notes[0].contains("height"))
    }

    @Test func stringEscapesAndSurrogatesDecode() throws {
        let text = #"{"type":"Feature","properties":{"s":"a\"b\\c\u00e9\ud83d\uddf3\n"},"geometry":{"type":"Point","coordinates":[-1e-7,5E+2]}}"#
        var reader = GeoJSONReader()
        let t = try reader.read(bytes: Array(text.utf8), file: "t")
        #expect(t.column(named: "s")?.values == .text(["a\"b\\cé🗳\n"]))
        #expect(t.geometries[0].x[0] == -1e-7 && t.geometries[0].y[0] == 500)
    }

    func message(_ name: String) -> String? {
        do { _ = try LayerIO.read(Fixtures.path("bad/\(name)")); return nil } catch { return "\(error)" }
    }

    @Test func notRFC7946IsAnErrorNamingTheFeature() throws {
        #expect(message("open_ring.geojson")?.contains("record 0: ring 0 is not closed") == true)
        #expect(message("geometry_collection.geojson")?.contains("record 1: GeometryCollection is not supported") == true)
        #expect(message("bad_nesting.geojson")?.contains("record 0: Polygon coordinates must be nested 2 deep, found 1") == true)
        #expect(message("no_geometry.geojson")?.contains("record 0: Feature has no 'geometry' member") == true)
        #expect(message("truncated.geojson")?.contains("truncated.geojson") == true)
    }

    @Test func layerWithoutCRSOutsideLonLatIsRefused() throws {
        let table = FeatureTable(geometries: [.point(x: 365988, y: 381152)])
        var writer = GeoJSONWriter()
        #expect(throws: GeoVoteError.self) { _ = try writer.encode(table, file: "t.geojson") }
    }
}
