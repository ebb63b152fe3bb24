import Foundation
import GeoVoteEngine
import TestSupport
import Testing

/// `geovote raster`: the spellings the issue names, the library's output,
/// and one clear line (exit 1 or 64) for bad input, with no file written.
@Suite struct RasterCommandTests {
    static func geovote(_ arguments: [String]) throws -> ToolRun { try CommandLineContractTests.geovote(arguments) }

    static let communes = Fixtures.path("morocco/communes_utm29n.shp")
    static let stations = Fixtures.path("reference/raster/stations.shp")

    static func descriptions(_ path: String) throws -> [String] {
        let run = try runToolCapturing("gdalinfo", ["-json", path])
        let info = try JSONSerialization.jsonObject(with: Data(run.output.utf8)) as! [String: Any]
        return (info["bands"] as! [[String: Any]]).map { $0["description"] as? String ?? "" }
    }

    @Test func coverageWritesTheLibrarysRasterAndAQuickLook() throws {
        let dir = Fixtures.scratch()
        let run = try Self.geovote(["raster", Self.communes, "--method", "coverage", "--fields", "MP,RNI", "--total", "valid", "--resolution", "5000",
                                    "--output", dir + "/mp.tif", "--png", dir + "/mp.png"])
        #expect(run.status == 0, "\(run.error)")
        #expect(try Self.descriptions(dir + "/mp.tif") == ["MP", "RNI", "winner", "margin"])
        #expect(FileManager.default.fileExists(atPath: dir + "/mp.png"))
        // The library's raster, value for value.
        let options = VoteSurfaceOptions(method: .coverage, fields: ["MP", "RNI"], total: "valid", resolution: 5000)
        let surface = try VoteSurface.make(try LayerIO.read(Self.communes), options: options)
        let library = surface.raster
        // The command prints the library's summary, conserved totals included.
        #expect(run.output.contains(surface.summary), "\(run.output)")
        let xyz = dir + "/b.xyz"
        #expect(try runTool("gdal_translate", ["-q", "-of", "XYZ", "-b", "2", dir + "/mp.tif", xyz]).status == 0)
        let values = try String(contentsOfFile: xyz, encoding: .utf8).split(separator: "\n").map { Float($0.split(separator: " ")[2])! }
        #expect(values == Array(library.bands[1].values))

        // --all-parties, turnout, --like the first output: the same grid.
        let all = try Self.geovote(["raster", Self.communes, "--method", "coverage", "--all-parties", "--turnout", "voters/registered",
                                    "--like", dir + "/mp.tif", "--output", dir + "/all.tif", "--png", dir + "/winner.png", "--png-band", "winner", "--threads", "1"])
        #expect(all.status == 0, "\(all.error)")
        #expect(try Self.descriptions(dir + "/all.tif") == ["RNI", "PAM", "PI", "USFP", "MP", "PPS", "UC", "PJD", "others", "turnout", "winner", "margin"])
        #expect(try GeoTIFF.readGrid(dir + "/all.tif") == GeoTIFF.readGrid(dir + "/mp.tif"))

        let asc = try Self.geovote(["raster", Self.communes, "--method", "coverage", "--fields", "PJD", "--resolution", "20000",
                                    "--extent", "0,3500000,400000,3900000", "--output", dir + "/pjd.asc"])
        #expect(asc.status == 0, "\(asc.error)")
        let header = try String(contentsOfFile: dir + "/pjd.asc", encoding: .utf8).split(separator: "\n").prefix(6).map(String.init)
        #expect(header == ["ncols 20", "nrows 20", "xllcorner 0.0", "yllcorner 3500000.0", "cellsize 20000.0", "NODATA_value -9999"])
        #expect(FileManager.default.fileExists(atPath: dir + "/pjd.prj"))
    }

    @Test func aWeightRasterGivesTheGridAndTheSpreading() throws {
        let dir = Fixtures.scratch()
        let weights = Fixtures.path("reference/raster/weights_morocco.tif")
        let run = try Self.geovote(["raster", Self.communes, "--method", "coverage", "--fields", "RNI", "--weight-raster", weights, "--counts", "--output", dir + "/w.tif"])
        #expect(run.status == 0, "\(run.error)")
        #expect(try GeoTIFF.readGrid(dir + "/w.tif") == GeoTIFF.readGrid(weights))
        let (_, counts, _) = try GeoTIFF.readBand(dir + "/w.tif", band: 3)  // RNI, RNI_count, valid_count
        let reference = try Fixtures.csv("reference/raster/interpolation_weighted_morocco.csv")
        let columns = try GeoTIFF.readGrid(weights).columns
        for row in reference.prefix(200) {
            let cell = Int(row["row"]!)! * columns + Int(row["col"]!)!
            let value = counts[cell] == -9999 ? 0 : counts[cell]
            expectClose(value, Double(row["valid"]!)!, Tolerance(absolute: 1e-3, relative: 1e-6), "valid_count at \(cell)")
        }
        let kernel = try Self.geovote(["raster", Self.stations, "--method", "kernel", "--fields", "RNI", "--bandwidth", "30000", "--weight-raster", weights, "--output", dir + "/k.tif"])
        #expect(kernel.status != 0 && kernel.error.contains("coverage"), "\(kernel.error)")
    }

    @Test func kernelWithAFixedOrAdaptiveBandwidth() throws {
        let dir = Fixtures.scratch()
        for (name, extra) in [("fixed", ["--bandwidth", "30000"]), ("adaptive", ["--adaptive", "10"]), ("quartic", ["--bandwidth", "60000", "--kernel", "quartic"]),
                              ("exact", ["--bandwidth", "30000", "--truncation", "none"]), ("cv", ["--bandwidth", "cv"])] {
            let run = try Self.geovote(["raster", Self.stations, "--method", "kernel", "--fields", "RNI", "--resolution", "20000", "--output", dir + "/\(name).tif"] + extra)
            #expect(run.status == 0, "\(name): \(run.error)")
            #expect(try Self.descriptions(dir + "/\(name).tif") == ["RNI"])
        }
    }

    @Test func aBatchJobWritesWhatTheCommandWrites() throws {
        let dir = Fixtures.scratch()
        let job = """
        {"jobs": [{"command": "raster", "input": "\(Self.communes)", "method": "coverage", "fields": ["RNI", "PJD"], "turnout": "voters/registered",
                   "resolution": 10000, "output": "\(dir)/batch.tif", "png": "\(dir)/batch.png", "png_band": "winner"}]}
        """
        try job.write(toFile: dir + "/job.json", atomically: true, encoding: .utf8)
        let batch = try Self.geovote(["batch", dir + "/job.json"])
        #expect(batch.status == 0, "\(batch.error)")
        let cli = try Self.geovote(["raster", Self.communes, "--method", "coverage", "--fields", "RNI,PJD", "--turnout", "voters/registered",
                                    "--resolution", "10000", "--output", dir + "/cli.tif"])
        #expect(cli.status == 0, "\(cli.error)")
        #expect(try Self.descriptions(dir + "/batch.tif") == ["RNI", "PJD", "turnout", "winner", "margin"])
        for band in 1...5 {
            let a = try runTool("gdal_translate", ["-q", "-of", "XYZ", "-b", "\(band)", dir + "/batch.tif", dir + "/a.xyz"])
            let b = try runTool("gdal_translate", ["-q", "-of", "XYZ", "-b", "\(band)", dir + "/cli.tif", dir + "/b.xyz"])
            #expect(a.status == 0 && b.status == 0)
            #expect(try Data(contentsOf: URL(fileURLWithPath: dir + "/a.xyz")) == Data(contentsOf: URL(fileURLWithPath: dir + "/b.xyz")), "band \(band)")
        }
        #expect(FileManager.default.fileExists(atPath: dir + "/batch.png"))
        // A key the raster command does not know is refused with the ones it does.
        try job.replacingOccurrences(of: "\"png_band\"", with: "\"pngband\"").write(toFile: dir + "/bad.json", atomically: true, encoding: .utf8)
        let bad = try Self.geovote(["batch", dir + "/bad.json"])
        #expect(bad.status != 0 && bad.error.contains("pngband"), "\(bad.error)")
    }

    /// Each bad input: a nonzero exit, one line naming the problem, nothing written.
    @Test func badInputIsRefusedClearlyAndWritesNothing() throws {
        let dir = Fixtures.scratch()
        let out = dir + "/x.tif"
        let cases: [([String], String)] = [
            (["--method", "coverage", "--fields", "RNI", "--resolution", "0"], "resolution"),
            (["--method", "coverage", "--fields", "RNI", "--resolution", "nan"], "resolution"),
            (["--method", "coverage", "--fields", "RNI", "--resolution", "-5"], "resolution"),
            (["--method", "coverage", "--fields", "NOPE", "--resolution", "5000"], "'NOPE'"),
            (["--method", "coverage", "--fields", "RNI", "--total", "nothing", "--resolution", "5000"], "'nothing'"),
            (["--method", "coverage", "--resolution", "5000"], "--fields"),
            (["--method", "coverage", "--fields", "RNI", "--resolution", "0.5"], "GiB"),
            (["--method", "coverage", "--fields", "RNI", "--resolution", "20"], "this machine has"),
            (["--method", "kernel", "--fields", "RNI", "--resolution", "5000"], "bandwidth"),
            (["--method", "kernel", "--fields", "RNI", "--resolution", "5000", "--bandwidth", "0"], "bandwidth"),
            (["--method", "coverage", "--fields", "RNI", "--resolution", "5000", "--bandwidth", "1000"], "bandwidth"),
            (["--method", "coverage", "--fields", "RNI", "--resolution", "5000", "--extent", "1,2,3"], "--extent"),
            (["--method", "coverage", "--fields", "RNI", "--like", dir + "/missing.tif"], "missing.tif"),
        ]
        for (arguments, expected) in cases {
            let run = try Self.geovote(["raster", Self.communes] + arguments + ["--output", out])
            #expect(run.status != 0, "\(arguments) succeeded")
            #expect(run.error.contains(expected), "\(arguments): \(run.error)")
            #expect(!FileManager.default.fileExists(atPath: out), "\(arguments) wrote \(out)")
        }
        // A bandwidth in metres on longitude/latitude: refused with a projection to use.
        let geographic = try Self.geovote(["raster", Fixtures.path("morocco/communes.shp"), "--method", "kernel", "--fields", "RNI", "--resolution", "0.1",
                                           "--bandwidth", "20000", "--output", out])
        #expect(geographic.status == 1 && geographic.error.contains("project"), "\(geographic.error)")
        // Points have no area to spread.
        let points = try Self.geovote(["raster", Self.stations, "--method", "coverage", "--fields", "RNI", "--resolution", "20000", "--output", out])
        #expect(points.status == 1 && points.error.contains("kernel"), "\(points.error)")
        // Not a raster format; not over the input.
        let png = try Self.geovote(["raster", Self.communes, "--method", "coverage", "--fields", "RNI", "--resolution", "5000", "--output", dir + "/x.png"])
        #expect(png.status != 0 && png.error.contains(".tif"))
        #expect(!FileManager.default.fileExists(atPath: out))
    }

    @Test func negativeOrMissingCountsNameTheRecord() throws {
        let dir = Fixtures.scratch()
        var table = try LayerIO.read(Self.communes)
        let index = table.columns.firstIndex { $0.name == "RNI" }!
        guard case var .integer(values) = table.columns[index].values else { Issue.record("RNI is not an integer field"); return }
        values[41] = -3
        table.columns[index].values = .integer(values)
        try LayerIO.write(table, to: dir + "/bad.shp")
        let run = try Self.geovote(["raster", dir + "/bad.shp", "--method", "coverage", "--fields", "RNI", "--resolution", "5000", "--output", dir + "/x.tif"])
        #expect(run.status == 1)
        #expect(run.error.contains("record 41") || run.error.contains("record 42"), "\(run.error)")
        #expect(run.error.contains("RNI") && run.error.contains("-3"), "\(run.error)")
    }
}
