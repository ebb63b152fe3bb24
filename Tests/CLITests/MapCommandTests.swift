import GeoVoteEngine
import Foundation
import TestSupport
import Testing

/// `geovote map` and `geovote report`: the issue's spellings, the library's
/// drawing, clear refusals, and the report in a real (headless) browser.
@Suite struct MapCommandTests {
    static func geovote(_ arguments: [String]) throws -> ToolRun { try CommandLineContractTests.geovote(arguments) }

    static let communes = Fixtures.path("morocco/communes_utm29n.shp")

    static var nationalPJDShare: Double {
        let layer = try! LayerIO.read(communes)
        return try! layer.numericValues(of: "PJD").reduce(0, +) / layer.numericValues(of: "valid").reduce(0, +)
    }

    @Test func mapWritesSVGPNGAndPDFWithTheCounts() throws {
        let dir = Fixtures.scratch()
        let h = dir + "/h.gpkg"
        let hot = try Self.geovote(["hotspots", Self.communes, "--field", "PJD/valid", "--statistic", "gistar,local-moran", "--weights", "queen",
                                    "--id", "code", "--output", h])
        #expect(hot.status == 0, "\(hot.error)")
        let svg = try Self.geovote(["map", h, "--column", "PJD_valid_gistar_bin", "--output", dir + "/bins.svg"])
        #expect(svg.status == 0, "\(svg.error)")
        // The counts printed are the library's, and the SVG has one shape per commune.
        let layer = try LayerIO.read(h)
        let map = try ThematicMap(layer: layer, file: h, column: "PJD_valid_gistar_bin")
        for entry in map.legend { #expect(svg.output.contains("  \(entry.label): \(entry.count)\n"), "\(entry.label)") }
        let text = try String(contentsOfFile: dir + "/bins.svg", encoding: .utf8)
        #expect(text.components(separatedBy: "<path class=\"feature\"").count - 1 == 1500)
        #expect(text == MapRenderer.svg(map))
        let lisa = try Self.geovote(["map", h, "--column", "PJD_valid_local_moran_class", "--output", dir + "/lisa.png"])
        #expect(lisa.status == 0 && lisa.output.contains("High-High: "), "\(lisa.output) \(lisa.error)")
        let jenks = try Self.geovote(["map", Self.communes, "--column", "PJD", "--classes", "jenks", "--k", "7", "--label", "name_ar",
                                      "--title", "PJD", "--output", dir + "/pjd.pdf"])
        #expect(jenks.status == 0 && jenks.output.contains("7 classes"), "\(jenks.output) \(jenks.error)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: dir + "/pjd.pdf")).prefix(5) == Data("%PDF-".utf8))
        let zones = dir + "/zones.geojson"
        #expect(try Self.geovote(["zones", Self.communes, "--share", "PJD/valid", "--id", "code", "--output", zones]).status == 0)
        let outlined = try Self.geovote(["map", Self.communes, "--column", "PJD", "--zones", zones, "--output", dir + "/z.svg"])
        let outlinedSVG = try String(contentsOfFile: dir + "/z.svg", encoding: .utf8)
        #expect(outlined.status == 0 && outlinedSVG.contains("<path class=\"outline\""))
        let geographic = try Self.geovote(["map", Fixtures.path("morocco/communes.shp"), "--column", "PJD", "--output", dir + "/g.png"])
        #expect(geographic.status == 0 && geographic.error.contains("projected for display"), "\(geographic.error)")
    }

    @Test func mapRefusesBadInputClearly() throws {
        let dir = Fixtures.scratch()
        let unknown = try Self.geovote(["map", Self.communes, "--column", "PJDX", "--output", dir + "/m.svg"])
        #expect(unknown.status == 1 && unknown.error.contains("'PJDX'") && unknown.error.contains("communes_utm29n.shp"), "\(unknown.error)")
        let format = try Self.geovote(["map", Self.communes, "--column", "PJD", "--output", dir + "/m.jpg"])
        #expect(format.status == 64 && format.error.contains(".svg, .png or .pdf"), "\(format.error)")
        let k = try Self.geovote(["map", Self.communes, "--column", "PJD", "--classes", "jenks", "--k", "40", "--output", dir + "/m.svg"])
        #expect(k.status == 64 && k.error.contains("2 to 12"), "\(k.error)")
        let overwrite = try Self.geovote(["map", dir + "/x.shp", "--column", "a", "--output", dir + "/x.shp"])
        #expect(overwrite.status != 0)
        // All values undefined: a map that says "no data".
        let json = dir + "/none.geojson"
        let features = (0..<3).map { i in
            "{\"type\":\"Feature\",\"properties\":{\"code\":\(i),\"share\":null},\"geometry\":{\"type\":\"Polygon\",\"coordinates\":[[[\(i),0],[\(i + 1),0],[\(i + 1),1],[\(i),0]]]}}"
        }
        try "{\"type\":\"FeatureCollection\",\"features\":[\(features.joined(separator: ","))]}".write(toFile: json, atomically: true, encoding: .utf8)
        let none = try Self.geovote(["map", json, "--column", "share", "--output", dir + "/none.svg"])
        #expect(none.status == 0 && none.error.contains("no value"), "\(none.output) \(none.error)")
        let noneSVG = try String(contentsOfFile: dir + "/none.svg", encoding: .utf8)
        #expect(noneSVG.contains("id=\"nodata\""))
        #expect(!FileManager.default.fileExists(atPath: dir + "/m.svg"))
        // A CSV result without coordinates has nothing to draw.
        let table = dir + "/h.csv"
        #expect(try Self.geovote(["hotspots", Self.communes, "--field", "PJD/valid", "--statistic", "gistar", "--output", table]).status == 0)
        let flat = try Self.geovote(["map", table, "--column", "PJD_valid_gistar_bin", "--output", dir + "/flat.svg"])
        #expect(flat.status == 1 && flat.error.contains("no geometry"), "\(flat.error)")
        #expect(!FileManager.default.fileExists(atPath: dir + "/flat.svg"))
    }

    /// A batch job's map step (on an earlier step's output) writes what `geovote map` writes.
    @Test func batchMapStepWritesTheCommandsBytes() throws {
        let dir = Fixtures.scratch()
        let job = dir + "/job.json"
        try """
        {"jobs": [
          {"input": "\(Self.communes)", "field": "PJD/valid", "statistic": "gistar", "output": "h.gpkg"},
          {"command": "map", "input": "h.gpkg", "column": "PJD_valid_gistar_bin", "title": "PJD", "output": "batch.svg"}
        ]}
        """.write(toFile: job, atomically: true, encoding: .utf8)
        let batch = try Self.geovote(["batch", job])
        #expect(batch.status == 0, "\(batch.error)")
        let direct = try Self.geovote(["map", dir + "/h.gpkg", "--column", "PJD_valid_gistar_bin", "--title", "PJD", "--output", dir + "/direct.svg"])
        #expect(direct.status == 0, "\(direct.error)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: dir + "/batch.svg")) == Data(contentsOf: URL(fileURLWithPath: dir + "/direct.svg")))
        let bad = dir + "/bad.json"
        try #"{"jobs": [{"command": "map", "input": "h.gpkg", "output": "x.svg"}]}"#.write(toFile: bad, atomically: true, encoding: .utf8)
        let refused = try Self.geovote(["batch", bad])
        #expect(refused.status != 0 && refused.error.contains("'column'"), "\(refused.error)")
    }

    /// ArcGIS's and GeoDa's field names are reported too (one share per file).
    @Test func reportReadsArcGISAndGeoDaNames() throws {
        let dir = Fixtures.scratch()
        for (names, statistic, expected) in [("arcgis", "gistar", 1), ("arcgis", "local-moran", 1), ("geoda", "local-moran", 1)] {
            let convention = names == "geoda" ? ["--convention", "geoda"] : []
            let out = dir + "/\(names)-\(statistic).shp"
            let run = try Self.geovote(["hotspots", Self.communes, "--field", "PJD/valid", "--statistic", statistic, "--names", names,
                                        "--weights", "queen", "--output", out] + convention)
            #expect(run.status == 0, "\(run.error)")
            let report = try Self.geovote(["report", out, "--output", dir + "/r-\(names)-\(statistic)"])
            #expect(report.status == 0 && report.output.contains("\(expected) sections"), "\(names): \(report.output) \(report.error)")
            let page = try String(contentsOfFile: dir + "/r-\(names)-\(statistic)/index.html", encoding: .utf8)
            #expect(page.components(separatedBy: "<path class=\"feature\"").count - 1 == 1500 * expected)
            // The strongest hot zone's share is above the national share (its members are hot spots / High-High).
            let row = try #require(page.range(of: "<tr class=\"zone\"><td>hot 1</td>"), "\(names) \(statistic): no hot zone")
            let cells = page[row.upperBound...].prefix(400).components(separatedBy: "<td class=\"n\">").dropFirst().map { $0.prefix { $0 != "<" } }
            // units, km², PJD, valid, share
            let votes = try #require(Double(cells[2])), valid = try #require(Double(cells[3]))
            let share = try #require(Double(cells[4].replacingOccurrences(of: " %", with: "")))
            #expect(abs(share - 100 * votes / valid) < 0.051, "\(cells)")
            #expect(share > 100 * Self.nationalPJDShare, "\(names) \(statistic): \(share)")
        }
    }

    /// The browser used for the report check: `chromium` on PATH. Absent, the
    /// test is skipped unless GEOVOTE_BROWSER_TEST=required (make test sets it
    /// and installs chromium).
    static var chromium: String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin"
        return path.split(separator: ":").map { "\($0)/chromium" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    @Test func reportLoadsInABrowserWithTooltipsAndNoRequest() throws {
        let dir = Fixtures.scratch()
        let h = dir + "/h.gpkg"
        let hot = try Self.geovote(["hotspots", Self.communes, "--field", "PJD/valid,RNI/valid", "--statistic", "gistar,local-moran",
                                    "--weights", "queen", "--permutations", "99", "--seed", "1", "--id", "code", "--keep", "name_ar,name_fr,valid,PJD,RNI",
                                    "--output", h])
        #expect(hot.status == 0, "\(hot.error)")
        let report = try Self.geovote(["report", h, "--output", dir + "/report", "--name", "name_fr"])
        #expect(report.status == 0 && report.output.contains("4 sections"), "\(report.output) \(report.error)")
        let page = try String(contentsOfFile: dir + "/report/index.html", encoding: .utf8)
        #expect(page.components(separatedBy: "<section class=\"analysis\"").count - 1 == 4)
        #expect(page.contains("Global Moran's I") && page.contains("Top zones") && page.contains("class=\"scatterplot\""))
        // No address but the SVG namespace: nothing the page could fetch.
        #expect(!page.replacingOccurrences(of: "http://www.w3.org/2000/svg", with: "").contains("://"))
        // A job file reports its hot-spot steps.
        let notAReport = try Self.geovote(["report", Self.communes, "--output", dir + "/r2"])
        #expect(notAReport.status == 1 && notAReport.error.contains("no hot-spot result columns"), "\(notAReport.error)")

        guard let chromium = Self.chromium else {
            #expect(ProcessInfo.processInfo.environment["GEOVOTE_BROWSER_TEST"] != "required", "chromium is not installed")
            return
        }
        var flags = ["--headless", "--disable-gpu", "--no-first-run", "--enable-logging=stderr", "--v=0", "--virtual-time-budget=5000"]
        if getuid() == 0 { flags.append("--no-sandbox") }
        let url = "file://" + dir + "/report/index.html"
        let dom = try runToolCapturing(chromium, flags + ["--dump-dom", url + "#selftest"])
        #expect(dom.status == 0, "\(dom.error)")
        // No console message of level error (chromium logs them as CONSOLE lines).
        let console = dom.error.split(separator: "\n").filter { $0.contains("CONSOLE") }
        #expect(console.isEmpty, "\(console)")
        let attribute = try #require(dom.output.range(of: "data-selftest=\"")).upperBound
        let end = try #require(dom.output[attribute...].firstIndex(of: "\""))
        let json = String(dom.output[attribute..<end]).replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&amp;", with: "&")
        let result = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        #expect(result["maps"] as? [Int] == [1500, 1500, 1500, 1500], "\(result)")
        #expect(result["requests"] as? Int == 0 && (result["errors"] as? [Any])?.isEmpty == true, "\(result)")
        let layer = try LayerIO.read(h)
        let first = layer.column(named: "name_fr")!.values.displayValue(0)
        let tooltip = result["tooltip"] as? String ?? ""
        #expect(tooltip.hasPrefix(first) && tooltip.contains("z: ") && tooltip.contains("class: "), "\(tooltip)")
        // A screenshot for people to look at.
        let shot = FileManager.default.currentDirectoryPath + "/out/report-screenshot.png"
        try? FileManager.default.createDirectory(atPath: FileManager.default.currentDirectoryPath + "/out", withIntermediateDirectories: true)
        let screenshot = try runToolCapturing(chromium, flags + ["--hide-scrollbars", "--window-size=1400,1600", "--screenshot=" + shot, url])
        #expect(screenshot.status == 0 && FileManager.default.fileExists(atPath: shot), "\(screenshot.error)")
    }
}
