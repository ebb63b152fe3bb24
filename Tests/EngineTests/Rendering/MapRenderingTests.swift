import GeoVoteEngine
import Foundation
import TestSupport
import Testing

/// Maps: class breaks against mapclassify, GeoDa's colours against pygeoda,
/// the Moran scatterplot against esda, and the drawings' structure and pixels.
@Suite struct MapRenderingTests {
    static var reference: [String: Any] {
        let data = FileManager.default.contents(atPath: Fixtures.path("reference/maps/classes.json"))!
        return try! JSONSerialization.jsonObject(with: data) as! [String: Any]
    }

    static let communes = Fixtures.path("morocco/communes_utm29n.shp")

    static func share(_ layer: FeatureTable, _ party: String) throws -> [Double] {
        try layer.definedValues(of: VariableSpec(parsing: "\(party)/valid")).values
    }

    /// mapclassify 2.10.0 Quantiles, EqualInterval and FisherJenks (k = 4, 5, 7)
    /// of every party's share: bounds to 1e-12 relative, counts exactly.
    /// mapclassify's Fisher–Jenks sums in float32; ours finds the exact
    /// optimum in float64. Where the two partitions differ (2 of the 24 here:
    /// PAM k = 5, PJD k = 4, one value moved across one break), ours must
    /// have the smaller within-class sum of squares (mapclassify's `ssd`,
    /// computed in float64 by the script).
    @Test func classBreaksEqualMapclassify() throws {
        let layer = try LayerIO.read(Self.communes)
        let cases = Self.reference["classes"] as! [[String: Any]]
        #expect(cases.count == 72)
        var better: [String] = []
        for c in cases {
            let party = c["party"] as! String, k = c["k"] as! Int, name = c["scheme"] as! String
            let scheme = try ClassificationScheme(parsing: name, classes: k)
            let y = try Self.share(layer, party)
            let ours = try MapClassification(y, scheme: scheme)
            let bins = c["bins"] as! [Double], counts = c["counts"] as! [Int]
            let label = "\(party) \(name) \(k)"
            if name == "jenks", ours.counts != counts {
                var ssd = 0.0
                for j in ours.counts.indices {
                    let members = y.indices.filter { ours.classes[$0] == j }.map { y[$0] }
                    let mean = members.reduce(0, +) / Double(members.count)
                    ssd += members.reduce(0) { $0 + ($1 - mean) * ($1 - mean) }
                }
                #expect(ssd < c["ssd"] as! Double, "\(label): ours \(ssd) vs mapclassify \(c["ssd"]!)")
                better.append(label)
                continue
            }
            expectClose(ours.upperBounds, bins, Tolerance(absolute: 1e-15, relative: 1e-12), "\(label) bounds")
            #expect(ours.counts == counts, "\(label) counts")
        }
        #expect(better == ["PAM jenks 5", "PJD jenks 4"], "\(better)")
    }

    @Test func classificationRefusesWhatMapclassifyRefuses() throws {
        #expect(throws: GeoVoteError.self) { try MapClassification([.nan, .nan], scheme: .quantiles(5)) }
        #expect(throws: GeoVoteError.self) { try MapClassification([1, 1, 1], scheme: .equalInterval(3)) }
        #expect(throws: GeoVoteError.self) { try MapClassification([1, 2, 2, 1], scheme: .fisherJenks(3)) }
        #expect(throws: GeoVoteError.self) { try ClassificationScheme(parsing: "jenks", classes: 1) }
        // Ties collapse quantiles (mapclassify warns and gives fewer classes).
        let tied = try MapClassification([1, 1, 1, 1, 2], scheme: .quantiles(4))
        #expect(tied.upperBounds == [1, 2] && tied.counts == [4, 1])
        // Values outside every class cannot happen; undefined values have no class.
        let c = try MapClassification([0.1, .nan, 0.5, 0.9], scheme: .equalInterval(2))
        #expect(c.classes == [0, nil, 0, 1] && c.counts == [2, 1])
    }

    @Test func geodaColoursArePygeodas() throws {
        let geoda = Self.reference["geoda"] as! [String: Any]
        let lm = geoda["local_moran"] as! [String: Any]
        #expect(MapPalette.geodaClusters.map(\.label) == lm["labels"] as! [String])
        #expect(MapPalette.geodaClusters.map(\.colour) == (lm["colours"] as! [String]).map { RGBColour(hex: $0)! })
    }

    /// The slope is esda's Moran's I (row-standardised queen), z and its lag
    /// equal numpy's (population sd) to 1e-12.
    @Test func scatterplotSlopeIsMoransI() throws {
        let layer = try LayerIO.read(Self.communes)
        let w = try SpatialWeights.contiguity(layer, rule: .queen)
        for r in Self.reference["scatterplot"] as! [[String: Any]] {
            let plot = try MoranScatterplot(try Self.share(layer, r["party"] as! String), weights: w)
            expectClose(plot.slope, r["I"] as! Double, .reference, "slope")
            expectClose(Array(plot.z.prefix(5)), r["z_first"] as! [Double], .reference, "z")
            expectClose(Array(plot.lag.prefix(5)), r["lag_first"] as! [Double], .reference, "lag")
            let svg = plot.svg(title: "t")
            #expect(svg.components(separatedBy: "class=\"point\"").count - 1 == layer.count)
            #expect(svg.contains("data-q=\"HH\" ") && svg.contains("fill=\"#ff0000\""))
        }
        let four = DefinedSubset(reasons: (0..<layer.count).map { $0 < 4 ? nil : "left out" }).restrict(w)
        #expect(throws: GeoVoteError.self) { try MoranScatterplot([1, 1, 1, 1], weights: four) }
    }

    /// Six 10 km squares in UTM 29N, three values per row.
    static func grid(values: [Double?]) throws -> FeatureTable {
        var geometries: [Geometry] = []
        for r in 0..<2 {
            for c in 0..<3 {
                let x = 500_000 + Double(c) * 10_000, y = 3_700_000 + Double(r) * 10_000
                geometries.append(.polygon([[Point(x: x, y: y), Point(x: x + 10_000, y: y), Point(x: x + 10_000, y: y + 10_000),
                                             Point(x: x, y: y + 10_000), Point(x: x, y: y)]]))
            }
        }
        return FeatureTable(geometries: geometries,
                            columns: [Column(name: "share", values: .real(values)),
                                      Column(name: "bin", values: .integer([3, 2, 0, 0, -1, -3])),
                                      Column(name: "name", values: .text(["خميس منصور", "Aït Ourir", "سيدي علي", "Tiznit", "أكادير", "Fès"]))],
                            crs: try CoordinateReferenceSystem(epsg: 32629))
    }

    @Test func svgHasOneShapePerFeatureColouredByClassWithCountsAndScale() throws {
        let layer = try Self.grid(values: [0.1, 0.2, 0.3, 0.4, 0.5, nil])
        let map = try ThematicMap(layer: layer, file: "grid", column: "share", options: MapOptions(symbology: .classes(.equalInterval(2)), labelField: "name"))
        #expect(map.classes == [0, 0, 0, 1, 1, nil] && map.noDataCount == 1)
        let svg = MapRenderer.svg(map)
        #expect(svg.components(separatedBy: "<path class=\"feature\"").count - 1 == 6)
        let colours = MapPalette.sequential(2)
        #expect(svg.components(separatedBy: "fill=\"\(colours[0].hex)\" d=").count - 1 == 3)
        #expect(svg.components(separatedBy: "fill=\"\(colours[1].hex)\" d=").count - 1 == 2)
        #expect(svg.components(separatedBy: "fill=\"\(MapPalette.noData.hex)\" d=").count - 1 == 1)
        #expect(svg.contains("data-class=\"0\" data-count=\"3\"") && svg.contains("data-class=\"1\" data-count=\"2\"") && svg.contains("data-class=\"none\" data-count=\"1\""))
        // The scale bar: its drawn length is its length in metres times the map's scale.
        let layout = MapLayout(map)
        let units = try #require(layout.scaleBar?.units), pixels = try #require(layout.scaleBar?.pixels)
        #expect(svg.contains("data-units=\"\(units)\""))
        #expect(abs(pixels - units * layout.scale) < 1e-9 && [1.0, 2, 5].contains(units / pow(10, floor(log10(units)))))
        // 30 km of squares across the frame: the bar is a quarter of the frame or less.
        #expect(pixels <= (layout.frame.x1 - layout.frame.x0) / 4 + 1e-9)
        #expect(svg.contains("direction=\"rtl\">خميس منصور</text>"))
        #expect(svg.contains("id=\"north\""))
    }

    @Test func hotSpotBinsUseArcGISColoursAndPNGPixelsMatch() throws {
        let layer = try Self.grid(values: [0.1, 0.2, 0.3, 0.4, 0.5, 0.6])
        let map = try ThematicMap(layer: layer, file: "grid", column: "bin", options: MapOptions(width: 600, height: 400))
        #expect(map.symbology == .hotSpotBins && map.legend.map(\.count) == [1, 1, 0, 2, 1, 0, 1])
        let dir = Fixtures.scratch()
        let report = try MapRenderer.write(map, to: dir + "/bins.png")
        #expect(report.unknownGlyphs.isEmpty)
        let png = try #require(FileManager.default.contents(atPath: dir + "/bins.png"))
        #expect(png.prefix(8) == Data([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))
        func be32(_ at: Int) -> Int { png[at..<at + 4].reduce(0) { $0 << 8 | Int($1) } }
        #expect(be32(16) == 600 && be32(20) == 400)
        let pixels = try MapRenderer.pixels(map)
        let layout = MapLayout(map)
        for (i, bin) in [3, 2, 0, 0, -1, -3].enumerated() {
            let x = 500_000 + Double(i % 3) * 10_000 + 5_000, y = 3_700_000 + Double(i / 3) * 10_000 + 5_000
            let p = layout.pixel(x, y)
            let c = MapPalette.hotSpotBins[bin]!
            #expect(pixels[Int(p.y) * 600 + Int(p.x)] == UInt32(c.red) << 16 | UInt32(c.green) << 8 | UInt32(c.blue), "feature \(i)")
        }
        // The background is white.
        #expect(pixels[599] == 0xffffff)
        // A PDF too.
        try MapRenderer.write(map, to: dir + "/bins.pdf")
        #expect(FileManager.default.contents(atPath: dir + "/bins.pdf")!.prefix(5) == Data("%PDF-".utf8))
    }

    /// Points are discs; two overlapping ones of a class stay filled where they overlap.
    @Test func overlappingPointsStayFilled() throws {
        let layer = FeatureTable(geometries: [.point(x: 500_000, y: 3_700_000), .point(x: 500_001, y: 3_700_000), .point(x: 510_000, y: 3_710_000)],
                                 columns: [Column(name: "bin", values: .integer([3, 3, 0]))], crs: try CoordinateReferenceSystem(epsg: 32629))
        let map = try ThematicMap(layer: layer, file: "points", column: "bin", options: MapOptions(width: 400, height: 300))
        let pixels = try MapRenderer.pixels(map)
        let p = MapLayout(map).pixel(500_000.5, 3_700_000)
        let c = MapPalette.hotSpotBins[3]!
        #expect(pixels[Int(p.y) * 400 + Int(p.x)] == UInt32(c.red) << 16 | UInt32(c.green) << 8 | UInt32(c.blue))
        #expect(MapRenderer.svg(map).components(separatedBy: "<circle class=\"feature\"").count - 1 == 3)
    }

    @Test func arabicLabelsHaveEveryGlyphAndAMissingGlyphIsSaid() throws {
        #expect(MapRenderer.unknownGlyphs("خميس منصور") == 0)
        #expect(MapRenderer.unknownGlyphs("الحركة الشعبية") == 0)
        #expect(MapRenderer.unknownGlyphs("Aït Ourir, Fès") == 0)
        #expect(MapRenderer.unknownGlyphs("\u{E000}\u{E001}") == 2)
        var layer = try Self.grid(values: [0.1, 0.2, 0.3, 0.4, 0.5, 0.6])
        layer.columns[2] = Column(name: "name", values: .text(["\u{E000}", "a", "b", "c", "d", "e"]))
        let map = try ThematicMap(layer: layer, file: "grid", column: "share", options: MapOptions(labelField: "name"))
        let report = try MapRenderer.write(map, to: Fixtures.scratch() + "/m.png")
        #expect(report.warnings.count == 1 && report.warnings[0].contains("no installed font"), "\(report.warnings)")
    }

    @Test func badInputGivesClearErrorsOrANoDataMap() throws {
        let layer = try Self.grid(values: [nil, nil, nil, nil, nil, nil])
        #expect { try ThematicMap(layer: layer, file: "grid.shp", column: "nope") } throws: { "\($0)".contains("grid.shp") && "\($0)".contains("'nope'") && "\($0)".contains("share") }
        #expect { try ThematicMap(layer: layer, file: "grid.shp", column: "share", options: MapOptions(labelField: "nom")) } throws: { "\($0)".contains("nom") }
        let empty = try ThematicMap(layer: layer, file: "grid.shp", column: "share")
        #expect(empty.isEmpty && empty.noDataCount == 6 && empty.notes.contains { $0.contains("no value") })
        #expect(MapRenderer.svg(empty).contains("id=\"nodata\""))
        let none = try ThematicMap(layer: FeatureTable(geometries: [], columns: [Column(name: "share", values: .real([]))], crs: layer.crs), file: "e", column: "share")
        #expect(none.isEmpty && MapRenderer.svg(none).contains(">no data</text>"))
        try MapRenderer.write(none, to: Fixtures.scratch() + "/none.png")
        #expect { try ThematicMap(layer: layer, file: "g", column: "name", options: MapOptions(symbology: .classes(.quantiles(5)))) } throws: { "\($0)".contains("text") }
        #expect { try ThematicMap(layer: layer, file: "g", column: "bin", options: MapOptions(symbology: .clusters)) } throws: { "\($0)".contains("cluster code") }
        #expect(throws: GeoVoteError.self) { try MapRenderer.write(empty, to: Fixtures.scratch() + "/m.jpg") }
    }

    @Test func geographicLayersAreProjectedForDisplayAndSaidSo() throws {
        let layer = try LayerIO.read(Fixtures.path("morocco/communes.shp"))
        let map = try ThematicMap(layer: layer, file: "communes.shp", column: "PJD", options: MapOptions(symbology: .classes(.fisherJenks(5))))
        #expect(map.notes.contains { $0.contains("geographic") && $0.contains("projected for display") })
        #expect(map.crs.map { !$0.isGeographic } == true && MapLayout(map).scaleBar != nil)
    }
}
