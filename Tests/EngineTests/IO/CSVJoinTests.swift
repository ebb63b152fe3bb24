import GeoVoteEngine
import Foundation
import TestSupport
import Testing

@Suite struct CSVJoinTests {
    /// A French-locale export: BOM, ';', decimal comma, CRLF, quoted field with
    /// the separator and a line break (Fixtures/encodings/make.sh).
    @Test func frenchSpreadsheetExportIsTyped() throws {
        var reader = CSVReader()
        let t = try reader.read(Fixtures.path("encodings/results_fr.csv"))
        #expect(reader.detectedSeparator == UInt8(ascii: ";"))
        #expect(t.columns.map(\.name) == ["code", "nom_fr", "nom_ar", "inscrits", "participation", "votes_rni"])
        #expect(t.count == 12)
        #expect(t.column(named: "code")?.values.displayValue(0) == "01")
        if case .text = t.column(named: "code")!.values {} else { Issue.record("codes with leading zeros must stay text") }
        #expect(t.column(named: "participation")?.values == .real([41.2, 38.75, 45.1, 39.9, 52.3, 36.05, 48.6, 57.4, 46.2, 63.8, 66.9, 50]))
        #expect(t.column(named: "inscrits")?.values.number(5) == 3634567)
        #expect(t.column(named: "nom_fr")?.values.displayValue(11) == "Inconnue; \"test\"\nligne 2")
        #expect(t.column(named: "nom_ar")?.values.displayValue(1) == "الشرق")
    }

    @Test func typingRules() throws {
        var reader = CSVReader()
        let csv = "a,b,c,d,e,f\n1,007,1.5,x,,1e3\n-2,010,2,n/a,,2\n"
        let t = try reader.read(bytes: Array(csv.utf8), file: "t.csv")
        #expect(t.column(named: "a")?.values == .integer([1, -2]))
        #expect(t.column(named: "b")?.values == .text(["007", "010"]))
        #expect(t.column(named: "c")?.values == .real([1.5, 2]))
        #expect(t.column(named: "d")?.values == .text(["x", "n/a"]))
        #expect(t.column(named: "e")?.values == .text([nil, nil]))
        #expect(t.column(named: "f")?.values == .real([1000, 2]))
        // A comma-separated file cannot hold decimal commas unquoted; quoted ones stay text.
        let t2 = try reader.read(bytes: Array("x,y\n\"1,5\",1\n".utf8), file: "t.csv")
        #expect(t2.column(named: "x")?.values == .text(["1,5"]))
        var forced = CSVReader(textFields: ["a"])
        #expect(try forced.read(bytes: Array(csv.utf8), file: "t.csv").column(named: "a")?.values == .text(["1", "-2"]))
        let tabs = try reader.read(bytes: Array("k\tv\n1\t2,5\n".utf8), file: "t.tsv")
        #expect(reader.detectedSeparator == 9 && tabs.column(named: "v")?.values == .real([2.5]))
    }

    func message(_ name: String) -> String? {
        do { _ = try LayerIO.read(Fixtures.path("bad/\(name)")); return nil } catch { return "\(error)" }
    }

    @Test func badCSVIsAnErrorNamingTheLine() throws {
        #expect(message("ragged.csv") == "\(Fixtures.path("bad/ragged.csv")): record 1: line 3 has 2 fields but the header has 3 (separator ';')")
        #expect(message("unclosed_quote.csv")?.hasSuffix("a quoted field that opens on line 2 is never closed") == true)
        #expect(message("undeclared_cp1256.csv")?.contains("\"\\xC7\\xE1\\xD1\\xC8\\xC7\\xD8\" on line 2 holds bytes that are not valid UTF-8; name the file's encoding") == true)
        do {
            _ = try LayerIO.read(Fixtures.path("bad/undeclared_cp1256.csv"))
            Issue.record("expected an encoding error")
        } catch let GeoVoteError.textEncoding(location, problem) {
            #expect(location.field == "name_ar" && problem == .invalidBytes(.utf8, line: 2))
        }
        let decoded = try LayerIO.read(Fixtures.path("bad/undeclared_cp1256.csv"), encoding: .windows1256)
        #expect(decoded.column(named: "name_ar")?.values == .text(["الرباط"]))
    }

    @Test func joinReportsEveryUnmatchedKeyAndKeepsGeometryOrder() throws {
        let regions = try LayerIO.read(Fixtures.path("encodings/capitals_cp1256.shp"))
        let results = try LayerIO.read(Fixtures.path("encodings/results_fr.csv"))
        let joined = try regions.joined(with: results, key: "code")
        #expect(joined.unmatchedGeometries.map(\.key) == ["12"] && joined.unmatchedGeometries.map(\.record) == [11])
        #expect(joined.unmatchedResults.map(\.key) == ["13"] && joined.unmatchedResults.map(\.record) == [11])
        let t = joined.table
        #expect(t.geometries == regions.geometries)
        #expect(t.columns.map(\.name) == ["code", "region_fr", "region_ar", "capital", "nom_fr", "nom_ar", "inscrits", "participation", "votes_rni"])
        // Each row got its own region's results: the names agree.
        for i in 0..<11 {
            #expect(t.column(named: "region_ar")?.values.displayValue(i) == t.column(named: "nom_ar")?.values.displayValue(i))
        }
        #expect(t.column(named: "votes_rni")?.values.number(11) == nil)

        // The same join from the results as an attribute table (no geometry
        // made up), and the unmatched-key report as one, written as CSV.
        var reader = CSVReader()
        let attributes = try reader.readAttributes(Fixtures.path("encodings/results_fr.csv"))
        #expect(attributes.count == 12 && attributes == results.attributes)
        let same = try regions.joined(with: attributes, key: "code")
        #expect(same.table == t)
        let report = same.unmatchedReport
        let path = Fixtures.scratch() + "/unmatched.csv"
        try CSVWriter(columnTypes: true).write(report, to: path)
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "side,record,key\ngeometries,11,12\nresults,11,13\n")
        #expect(try String(contentsOfFile: path + "t", encoding: .utf8) == "\"String\",\"Integer64\",\"String\"\n")
    }

    @Test func duplicateKeysAreAnError() throws {
        let results = try LayerIO.read(Fixtures.path("bad/duplicate_keys.csv"))
        let layer = FeatureTable(geometries: [.point(x: 0, y: 0)], columns: [Column(name: "code", values: .text(["001"]))])
        #expect(throws: GeoVoteError.malformed(DataLocation(file: "r.csv", record: 2, field: "code", value: "001"),
                                               reason: "is a duplicate key (also record 0); a join needs unique keys")) {
            try layer.joined(with: results, key: "code", resultsFile: "r.csv")
        }
    }

    @Test func leadingZerosLostOnOneSideAreExplained() throws {
        let layer = FeatureTable(geometries: [.point(x: 0, y: 0), .point(x: 1, y: 1)], columns: [Column(name: "code", values: .integer([1001, 1002]))])
        let results = FeatureTable(geometries: [.empty(.point), .empty(.point)],
                                   columns: [Column(name: "CODE", values: .text(["01001", "01002"])), Column(name: "v", values: .integer([5, 6]))])
        let joined = try layer.joined(with: results, key: "code", resultsKey: "CODE")
        #expect(joined.unmatchedGeometries.count == 2 && joined.unmatchedResults.count == 2)
        #expect(joined.notes.first?.contains("2 unmatched keys would match if leading zeros were ignored") == true)
    }

    /// Windows-1256 and ISO-8859-6 shapefiles written by ogr2ogr read with
    /// the same Arabic text as the UTF-8 original.
    @Test func arabicCodePagesFromGDALRead() throws {
        let utf8 = try LayerIO.read(Fixtures.path("sample/capitals.shp"))
        let cp1256 = try LayerIO.read(Fixtures.path("encodings/capitals_cp1256.shp"))
        let iso = try LayerIO.read(Fixtures.path("encodings/capitals_iso8859_6.shp"))
        #expect(cp1256.sourceEncoding == .windows1256 && iso.sourceEncoding == .iso8859_6)
        #expect(cp1256.columns == utf8.columns)
        #expect(iso.column(named: "region_ar") == utf8.column(named: "region_ar"))
    }

    /// GeoVote writes Windows-1256; GDAL reads the Arabic back.
    @Test func ogrReadsGeoVoteWindows1256() throws {
        let dir = Fixtures.scratch()
        let utf8 = try LayerIO.read(Fixtures.path("sample/capitals.shp"))
        try LayerIO.write(utf8, to: dir + "/c.shp", encoding: .windows1256)
        let (out, status) = try runTool("ogrinfo", ["-al", "-q", dir + "/c.shp"])
        #expect(status == 0)
        #expect(out.contains("region_ar (String) = الدار البيضاء سطات"))
        #expect(out.contains("region_fr (String) = Laâyoune-Sakia El Hamra"))
        #expect(try String(contentsOfFile: dir + "/c.cpg", encoding: .utf8).hasPrefix("1256"))
    }

    @Test func selfIntersectionIsReportedAndRepairedOnlyWhenAsked() throws {
        let t = try LayerIO.read(Fixtures.path("bad/self_intersecting.shp"))
        let invalid = try t.invalidGeometries()
        #expect(invalid == [InvalidGeometry(record: 1, reason: "Self-intersection at (2.5, 0.5)")])
        let (fixed, repaired) = try t.repaired()
        #expect(repaired.map(\.record) == [1])
        #expect(try fixed.invalidGeometries().isEmpty)
        #expect(fixed.geometries[1].kind == .multiPolygon && fixed.geometries[1].partCount == 2)
        #expect(fixed.geometries[0] == t.geometries[0] && fixed.geometries[2] == t.geometries[2])
        let engine = try GeometryEngine()
        #expect(abs(try engine.area(fixed.geometries[1]) - 0.5) < 1e-12)
    }

    /// The French-locale results of the Morocco fixture's communes join to
    /// the commune polygons: 1,495 matched, the 5 communes without results
    /// and the 2 unknown codes reported, the shares intact.
    @Test func frenchResultsJoinToCommunePolygons() throws {
        let communes = try LayerIO.read(Fixtures.path("morocco/communes.shp"))
        let results = try LayerIO.read(Fixtures.path("encodings/communes_results_fr.csv"))
        let joined = try communes.joined(with: results, key: "code")
        #expect(joined.unmatchedGeometries.map(\.record) == Array(1495..<1500))
        #expect(joined.unmatchedResults.map(\.key) == ["990001", "990002"])
        let t = joined.table
        #expect(t.count == 1500 && t.geometries == communes.geometries)
        #expect(t.column(named: "PJD_2")?.values.number(0) == t.column(named: "PJD")?.values.number(0))
        let rate = try #require(t.column(named: "participation")?.values.number(0))
        let voters = try #require(t.column(named: "voters")?.values.number(0)), registered = try #require(t.column(named: "registered")?.values.number(0))
        #expect(abs(rate - 100 * voters / registered) < 0.005)
        #expect(t.column(named: "inscrits")?.values.number(1499) == nil)
    }

    /// Windows-1256 text survives Shapefile → GeoJSON → Shapefile (CP1256) exactly.
    @Test func windows1256RoundTripsThroughGeoJSON() throws {
        let dir = Fixtures.scratch()
        let cp1256 = try LayerIO.read(Fixtures.path("encodings/capitals_cp1256.shp"))
        try LayerIO.write(cp1256, to: dir + "/c.geojson")
        let json = try LayerIO.read(dir + "/c.geojson")
        try LayerIO.write(json, to: dir + "/c.shp", encoding: .windows1256)
        let back = try LayerIO.read(dir + "/c.shp")
        #expect(back.sourceEncoding == .windows1256)
        #expect(back.columns == cp1256.columns)
        #expect(back.geometries.map { $0.x.map(\.bitPattern) } == cp1256.geometries.map { $0.x.map(\.bitPattern) })
        #expect(back.geometries.map { $0.y.map(\.bitPattern) } == cp1256.geometries.map { $0.y.map(\.bitPattern) })
    }
}
