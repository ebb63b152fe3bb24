import Foundation
import GeoVoteEngine
import TestSupport
import Testing

/// GeoTIFF, ASCII grid and PNG outputs, read back by GDAL (gdalinfo,
/// gdal_translate: test-time oracles only) and by GeoVote's template reader.
@Suite struct GeoTIFFTests {
    static let communes = Fixtures.path("morocco/communes_utm29n.shp")

    static func surface(resolution: Double = 10000, counts: Bool = false) throws -> VoteSurface.Result {
        let layer = try LayerIO.read(communes)
        var options = VoteSurfaceOptions(method: .coverage, fields: ["RNI", "PAM", "PJD"], total: "valid", resolution: resolution)
        options.turnoutVotes = "voters"
        options.turnoutRegistered = "registered"
        options.counts = counts
        return try VoteSurface.make(layer, file: communes, options: options)
    }

    static func gdalinfo(_ path: String) throws -> [String: Any] {
        let run = try runToolCapturing("gdalinfo", ["-json", "-stats", path])
        #expect(run.status == 0, "gdalinfo: \(run.error)")
        return try JSONSerialization.jsonObject(with: Data(run.output.utf8)) as! [String: Any]
    }

    /// One band's values as GDAL reads them (XYZ text, row by row from the top).
    static func values(_ path: String, band: Int) throws -> [Float] {
        let dir = Fixtures.scratch()
        let run = try runToolCapturing("gdal_translate", ["-q", "-of", "XYZ", "-b", "\(band)", path, dir + "/b.xyz"])
        #expect(run.status == 0, "gdal_translate: \(run.error)")
        let text = try String(contentsOfFile: dir + "/b.xyz", encoding: .utf8)
        return text.split(separator: "\n").map { Float($0.split(separator: " ")[2])! }
    }

    @Test func gdalReadsTheCRSGridBandNamesNodataAndValues() throws {
        let result = try Self.surface(counts: true)
        let raster = result.raster
        #expect(raster.bands.map(\.name) == ["RNI", "PAM", "PJD", "turnout", "winner", "margin", "RNI_count", "PAM_count", "PJD_count", "valid_count", "voters_count", "registered_count"])
        let dir = Fixtures.scratch()
        try GeoTIFF.write(raster, to: dir + "/shares.tif")
        let info = try Self.gdalinfo(dir + "/shares.tif")
        #expect(info["driverShortName"] as? String == "GTiff")
        #expect((info["size"] as! [Int]) == [raster.grid.columns, raster.grid.rows])
        #expect((info["geoTransform"] as! [Double]) == raster.grid.geoTransform)
        let wkt = (info["coordinateSystem"] as! [String: Any])["wkt"] as! String
        #expect(wkt.hasSuffix("ID[\"EPSG\",32629]]"))
        let bands = info["bands"] as! [[String: Any]]
        #expect(bands.map { $0["description"] as? String ?? "" } == raster.bands.map(\.name))
        #expect(bands.allSatisfy { $0["noDataValue"] as? Double == -9999 && $0["type"] as? String == "Float32" && ($0["block"] as! [Int]) == [256, 256] })
        let structure = (info["metadata"] as! [String: Any])["IMAGE_STRUCTURE"] as! [String: String]
        #expect(structure["COMPRESSION"] == "DEFLATE" && structure["PREDICTOR"] == "3" && structure["INTERLEAVE"] == "BAND")
        let items = (info["metadata"] as! [String: Any])[""] as! [String: String]
        #expect(items["WINNER_1"] == "RNI" && items["WINNER_3"] == "PJD" && items["GEOVOTE_METHOD"] == "coverage")
        for (b, band) in raster.bands.enumerated() {
            #expect(try Self.values(dir + "/shares.tif", band: b + 1) == Array(band.values), "band \(band.name)")
        }
        // No NaN or infinity anywhere: nodata where the total is 0.
        #expect(raster.bands.allSatisfy { $0.values.allSatisfy(\.isFinite) })
        #expect(try GeoTIFF.readGrid(dir + "/shares.tif") == raster.grid)
    }

    @Test func overviewsAreReducedCopiesGDALSees() throws {
        let raster = try Self.surface().raster
        let dir = Fixtures.scratch()
        try GeoTIFF.write(raster, to: dir + "/o.tif", options: .init(overviews: [2, 4]))
        let bands = try Self.gdalinfo(dir + "/o.tif")["bands"] as! [[String: Any]]
        let overviews = bands[0]["overviews"] as! [[String: Any]]
        #expect(overviews.map { $0["size"] as! [Int] } == [[(raster.grid.columns + 1) / 2, (raster.grid.rows + 1) / 2], [(raster.grid.columns + 3) / 4, (raster.grid.rows + 3) / 4]])
    }

    @Test func geographicGridsGetAGeographicKeyAndOthersAreRefused() throws {
        let layer = try LayerIO.read(Fixtures.path("morocco/communes.shp"))
        let options = VoteSurfaceOptions(method: .coverage, fields: ["RNI"], total: "valid", resolution: 0.25)
        let raster = try VoteSurface.make(layer, options: options).raster
        let dir = Fixtures.scratch()
        try GeoTIFF.write(raster, to: dir + "/wgs84.tif")
        let wkt = ((try Self.gdalinfo(dir + "/wgs84.tif"))["coordinateSystem"] as! [String: Any])["wkt"] as! String
        #expect(wkt.hasPrefix("GEOGCRS[\"WGS 84\"") && wkt.hasSuffix("ID[\"EPSG\",4326]]"))

        var custom = raster
        custom.grid = try RasterGrid(minX: 0, maxY: 10, cellWidth: 10, cellHeight: 10, columns: raster.grid.columns, rows: raster.grid.rows,
                                     crs: try CoordinateReferenceSystem(definition: "+proj=tmerc +lat_0=0 +lon_0=-7.5 +k=0.9996 +x_0=500000 +y_0=0 +ellps=GRS80 +units=m +no_defs +type=crs"))
        #expect(throws: GeoVoteError.self) { try GeoTIFF.write(custom, to: dir + "/custom.tif") }
        custom.grid = try RasterGrid(minX: 0, maxY: 10, cellWidth: 10, cellHeight: 10, columns: raster.grid.columns, rows: raster.grid.rows, crs: nil)
        #expect(throws: GeoVoteError.self) { try GeoTIFF.write(custom, to: dir + "/none.tif") }
        #expect(!FileManager.default.fileExists(atPath: dir + "/custom.tif") && !FileManager.default.fileExists(atPath: dir + "/none.tif"))
        #expect((try FileManager.default.contentsOfDirectory(atPath: dir)).filter { $0.contains("geovote-tmp") }.isEmpty, "no temporary file left")
    }

    @Test func asciiGridsAreOnePerBandAndGDALReadsThem() throws {
        let raster = try Self.surface(resolution: 20000).raster
        let dir = Fixtures.scratch()
        try ASCIIGrid.write(raster, to: dir + "/s.asc")
        let paths = ASCIIGrid.paths(for: raster, path: dir + "/s.asc")
        #expect(paths.map { AtomicFile.name(of: $0) } == ["s_RNI.asc", "s_PAM.asc", "s_PJD.asc", "s_turnout.asc", "s_winner.asc", "s_margin.asc"])
        let info = try Self.gdalinfo(paths[0])
        #expect(info["driverShortName"] as? String == "AAIGrid")
        #expect((info["geoTransform"] as! [Double]) == raster.grid.geoTransform)
        #expect(try Self.values(paths[0], band: 1) == Array(raster.bands[0].values))
        #expect(try Self.values(paths[4], band: 1) == Array(raster.band(named: "winner")!.values))
    }

    @Test func quickLookIsAPNGWithTheLegendBeside() throws {
        let raster = try Self.surface().raster
        let dir = Fixtures.scratch()
        try QuickLook.write(raster, band: "winner", to: dir + "/w.png")
        try QuickLook.write(raster, band: "RNI", to: dir + "/s.png")
        try QuickLook.write(raster, band: "margin", to: dir + "/m.png")
        for name in ["w", "s", "m"] {
            let data = FileManager.default.contents(atPath: dir + "/\(name).png")!
            #expect(data.prefix(8) == Data([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))
            let width = data[16..<20].reduce(0) { $0 << 8 | Int($1) }
            #expect(width == raster.grid.columns + QuickLook.legendWidth)
        }
        #expect(QuickLook.ramp(for: raster.band(named: "winner")!, nodata: raster.nodata) == .categorical)
        #expect(QuickLook.ramp(for: raster.band(named: "margin")!, nodata: raster.nodata) == .diverging)
        #expect(QuickLook.ramp(for: raster.band(named: "RNI")!, nodata: raster.nodata) == .sequential)
        #expect(throws: GeoVoteError.self) { try QuickLook.write(raster, band: "nope", to: dir + "/x.png") }
    }
}
