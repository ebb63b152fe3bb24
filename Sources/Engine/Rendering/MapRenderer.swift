import Foundation

/// Draws a ``ThematicMap`` to SVG, PNG or PDF.
///
/// PNG and PDF are drawn by cairo, their text laid out by pango (HarfBuzz
/// shaping: Arabic letters joined, right to left; fonts from fontconfig —
/// Noto Sans, Noto Sans Arabic and DejaVu Sans are installed by the
/// Makefile). SVG is written by GeoVote itself rather than by cairo's SVG
/// surface: every feature stays one `<path>` with its class, colour and
/// `<title>` (cairo's SVG merges fills and turns text into glyph outlines),
/// so the file can be styled, searched and made interactive (the report
/// does); its text stays text, shaped by the browser. Both draw the same
/// ``MapLayout``.
public enum MapRenderer {
    public enum Format: String, Sendable, CaseIterable {
        case svg, png, pdf

        /// From the output's extension.
        public init(path: String) throws {
            let ext = (path as NSString).pathExtension.lowercased()
            guard let f = Format(rawValue: ext) else {
                throw GeoVoteError.invalidArgument("\(path): a map is written as .svg, .png or .pdf, not '.\(ext)'")
            }
            self = f
        }
    }

    /// What drawing found: glyphs no installed font has, per label.
    public struct Report: Sendable {
        public var format: Format
        /// Texts that pango drew with unknown glyphs (boxes), and how many.
        public var unknownGlyphs: [(text: String, count: Int)]
        public var warnings: [String] {
            unknownGlyphs.map { "no installed font has \($0.count) of the glyphs of '\($0.text)' (drawn as boxes)" }
        }
    }

    /// Writes `map` to `path` (format from the extension), whole or not at all.
    @discardableResult
    public static func write(_ map: ThematicMap, to path: String, workers: Int = Parallel.defaultWorkerCount) throws -> Report {
        let format = try Format(path: path)
        try AtomicFile.checkWritable(path)
        switch format {
        case .svg:
            try AtomicFile.write(Data(svg(map, workers: workers).utf8), to: path)
            return Report(format: .svg, unknownGlyphs: [])
        case .png, .pdf:
            return try CairoMapDrawing.write(map, to: path, format: format, workers: workers)
        }
    }

    /// The map as cairo draws it for PNG, in memory: `width × height`
    /// pixels row by row from the top, each 0xRRGGBB.
    public static func pixels(_ map: ThematicMap, workers: Int = Parallel.defaultWorkerCount) throws -> [UInt32] {
        try CairoMapDrawing.pixels(map, workers: workers)
    }

    /// The glyphs no installed font has for `text`, as pango counts them
    /// (0: every character can be drawn).
    public static func unknownGlyphs(_ text: String) -> Int { CairoMapDrawing.unknownGlyphs(text) }

    /// The legend's rows, colour and "label (count)", with a "no data" row
    /// when a feature has no value (or nothing has a class): one list for
    /// the SVG and the cairo legend.
    static func legendRows(_ map: ThematicMap) -> [(colour: RGBColour, text: String, entry: String, count: Int)] {
        var rows = map.legend.enumerated().map { (e, l) in (l.colour, "\(l.label) (\(l.count))", String(e), l.count) }
        if map.noDataCount > 0 || map.legend.isEmpty { rows.append((MapPalette.noData, "no data (\(map.noDataCount))", "none", map.noDataCount)) }
        return rows
    }

    /// Features' pixel rings, in parallel (the same for any thread count).
    static func pixelRings(_ map: ThematicMap, _ layout: MapLayout, workers: Int) -> [[[Double]]] {
        Parallel.map(count: map.geometries.count, grain: 256, workers: workers) { i in layout.pixelRings(map.geometries[i]) }
    }

    // MARK: SVG

    /// The map as an SVG document (see ``svgFragment(_:workers:attributes:)``).
    public static func svg(_ map: ThematicMap, workers: Int = Parallel.defaultWorkerCount) -> String {
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" + svgFragment(map, workers: workers)
    }

    /// The map as an `<svg>` element: `g#features` holds one
    /// `path.feature` per feature (`data-i` its index, `data-class` its
    /// legend entry or `none`, `fill` its colour, a `<title>` naming it),
    /// `g#outlines` the zones, `g#legend` one `g.legend-entry` per class
    /// (`data-count`), `g#scalebar` (`data-units` the length in CRS units,
    /// `data-pixels` its drawn length) and `g#north`.
    /// - Parameters:
    ///   - map: the map.
    ///   - workers: threads for the paths.
    ///   - attributes: extra `data-` attributes per feature (name, value),
    ///     e.g. the report's tooltip fields.
    public static func svgFragment(_ map: ThematicMap, workers: Int = Parallel.defaultWorkerCount,
                                   attributes: ((Int) -> [(String, String)])? = nil) -> String {
        let layout = MapLayout(map)
        let rings = pixelRings(map, layout, workers: workers)
        var s = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(map.width)\" height=\"\(map.height)\" viewBox=\"0 0 \(map.width) \(map.height)\" font-family=\"Noto Sans, Noto Sans Arabic, DejaVu Sans, sans-serif\">\n"
        s += "<rect width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>\n"
        s += "<text x=\"\(MapLayout.margin)\" y=\"32\" font-size=\"22\" font-weight=\"bold\">\(escape(map.title))</text>\n"
        s += "<g id=\"features\" stroke=\"#666666\" stroke-width=\"\(map.geometries.count > 5000 ? "0.15" : "0.4")\" fill-rule=\"evenodd\">\n"
        for i in map.geometries.indices {
            let c = map.classes[i]
            let colour = c.map { map.legend[$0].colour } ?? MapPalette.noData
            var tip = map.labels?[i] ?? "feature \(i)"
            tip += " — " + (c.map { map.legend[$0].label } ?? "no data")
            var extra = ""
            for (k, v) in attributes?(i) ?? [] { extra += " data-\(k)=\"\(escape(v))\"" }
            if map.geometries[i].kind.isPuntal {
                for r in rings[i] where r.count >= 2 {
                    s += "<circle class=\"feature\" data-i=\"\(i)\" data-class=\"\(c.map(String.init) ?? "none")\"\(extra) cx=\"\(fmt(r[0]))\" cy=\"\(fmt(r[1]))\" r=\"\(fmt(pointRadius(map)))\" fill=\"\(colour.hex)\"><title>\(escape(tip))</title></circle>\n"
                }
                continue
            }
            s += "<path class=\"feature\" data-i=\"\(i)\" data-class=\"\(c.map(String.init) ?? "none")\"\(extra) fill=\"\(colour.hex)\" d=\"\(pathData(rings[i]))\"><title>\(escape(tip))</title></path>\n"
        }
        s += "</g>\n"
        if !map.outlines.isEmpty {
            s += "<g id=\"outlines\" fill=\"none\" stroke=\"#000000\" stroke-width=\"1.6\">\n"
            for g in map.outlines { s += "<path class=\"outline\" d=\"\(pathData(layout.pixelRings(g)))\"/>\n" }
            s += "</g>\n"
        }
        if map.labels != nil {
            s += "<g id=\"labels\" font-size=\"11\" text-anchor=\"middle\" dominant-baseline=\"central\" fill=\"#222222\">\n"
            for label in layout.placedLabels(map, fontSize: 11) {
                let rtl = label.text.unicodeScalars.contains { (0x0590...0x08FF).contains($0.value) }
                s += "<text x=\"\(fmt(label.x))\" y=\"\(fmt(label.y))\"\(rtl ? " direction=\"rtl\"" : "")>\(escape(label.text))</text>\n"
            }
            s += "</g>\n"
        }
        if map.isEmpty {
            let cx = (layout.frame.x0 + layout.frame.x1) / 2, cy = (layout.frame.y0 + layout.frame.y1) / 2
            s += "<text id=\"nodata\" x=\"\(fmt(cx))\" y=\"\(fmt(cy))\" font-size=\"28\" text-anchor=\"middle\" fill=\"#888888\">no data</text>\n"
        }
        // Legend.
        let lx = layout.legendX + 8
        s += "<g id=\"legend\" font-size=\"13\">\n"
        var y = 70.0
        for row in legendRows(map) {
            s += "<g class=\"legend-entry\" data-class=\"\(row.entry)\" data-count=\"\(row.count)\"><rect x=\"\(fmt(lx))\" y=\"\(fmt(y))\" width=\"18\" height=\"14\" fill=\"\(row.colour.hex)\" stroke=\"#666666\" stroke-width=\"0.5\"/><text x=\"\(fmt(lx + 26))\" y=\"\(fmt(y + 12))\">\(escape(row.text))</text></g>\n"
            y += 22
        }
        s += "</g>\n"
        if !map.notes.isEmpty {
            s += "<g id=\"notes\" font-size=\"10\" fill=\"#555555\">\n"
            for note in map.notes {
                y += 16
                s += "<text x=\"\(fmt(lx))\" y=\"\(fmt(y))\">\(escape(note))</text>\n"
            }
            s += "</g>\n"
        }
        if let bar = layout.scaleBar {
            let x0 = layout.frame.x0 + 8, yb = layout.frame.y1 - 14
            s += "<g id=\"scalebar\" data-units=\"\(bar.units)\" data-pixels=\"\(fmt(bar.pixels))\"><rect x=\"\(fmt(x0))\" y=\"\(fmt(yb))\" width=\"\(fmt(bar.pixels))\" height=\"5\" fill=\"#000000\"/><text x=\"\(fmt(x0))\" y=\"\(fmt(yb - 4))\" font-size=\"12\">\(bar.label)</text></g>\n"
        }
        let (nx, ny) = northArrow(layout)
        s += "<g id=\"north\"><path d=\"M\(fmt(nx)) \(fmt(ny))L\(fmt(nx - 8)) \(fmt(ny + 24))L\(fmt(nx)) \(fmt(ny + 18))L\(fmt(nx + 8)) \(fmt(ny + 24))Z\" fill=\"#000000\"/><text x=\"\(fmt(nx))\" y=\"\(fmt(ny + 40))\" font-size=\"13\" text-anchor=\"middle\">N</text></g>\n"
        s += "</svg>\n"
        return s
    }

    /// Points are drawn as discs of 3 pixels, 1.5 beyond 10,000 points.
    static func pointRadius(_ map: ThematicMap) -> Double { map.geometries.count > 10_000 ? 1.5 : 3 }

    /// The north arrow's tip (top right of the frame).
    static func northArrow(_ layout: MapLayout) -> (Double, Double) { (layout.frame.x1 - 20, layout.frame.y0 + 6) }

    static func pathData(_ rings: [[Double]]) -> String {
        var d = ""
        d.reserveCapacity(rings.reduce(0) { $0 + $1.count * 4 })
        for r in rings where r.count >= 4 {
            d += "M" + fmt(r[0]) + " " + fmt(r[1])
            var k = 2
            while k < r.count {
                d += "L" + fmt(r[k]) + " " + fmt(r[k + 1])
                k += 2
            }
            d += "Z"
        }
        return d
    }

    /// One decimal (a tenth of a pixel).
    static func fmt(_ v: Double) -> String {
        let t = (v * 10).rounded() / 10
        return t == t.rounded() ? String(Int(t)) : String(t)
    }

    static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.count)
        for ch in text {
            switch ch {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            default: out.append(ch)
            }
        }
        return out
    }
}
