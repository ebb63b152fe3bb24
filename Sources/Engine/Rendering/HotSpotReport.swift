import Foundation

/// One variable × statistic of a report.
public struct HotSpotReportSection: Sendable {
    /// The variable (e.g. PJD/valid).
    public var variable: VariableSpec
    public var statistic: HotSpotStatistic
    /// The class column drawn on the map (Gi_Bin −3…3, or cluster classes).
    public var classes: Column
    /// The variable's values (NaN where undefined).
    public var values: [Double]
    /// z and p (nil: not in the result).
    public var z: [Double]?
    public var p: [Double]?

    public init(variable: VariableSpec, statistic: HotSpotStatistic, classes: Column, values: [Double], z: [Double]? = nil, p: [Double]? = nil) {
        self.variable = variable
        self.statistic = statistic
        self.classes = classes
        self.values = values
        self.z = z
        self.p = p
    }

    public var title: String {
        let name = switch statistic {
        case .giStar: "Hot spots (Getis–Ord Gi*)"
        case .gi: "Hot spots (Getis–Ord Gi)"
        case .localMoran: "Clusters and outliers (Local Moran's I)"
        case .bivariateLocalMoran: "Bivariate Local Moran"
        case .localGeary: "Local Geary"
        case .joinCount: "Local join counts"
        }
        return "\(variable) — \(name)"
    }
}

/// A self-contained HTML report of hot-spot results: for each variable and
/// statistic, the map (inline SVG: a tooltip per commune with its name,
/// value, z, p and class; zoom with the wheel, pan by dragging, no script
/// library), the counts per class, GeoDa's Moran scatterplot, the global
/// Moran's I, the top zones with their totals; and the parameters used.
/// Nothing is fetched: styles, script and pictures are in the page, and its
/// Content-Security-Policy forbids any request.
public enum HotSpotReport {
    /// What the report is built from besides the sections.
    public struct Options: Sendable {
        /// A field naming each unit in tooltips and zone lists (nil: the first
        /// of name_ar, name_fr, name, code found; else the feature index).
        public var nameField: String?
        /// Shown as the report's parameter table (name, value).
        public var parameters: [(String, String)]
        /// Zones listed per section.
        public var topZones: Int
        /// The confidence (90, 95, 99) of a zone's members.
        public var zoneConfidence: Int
        public var title: String

        public init(nameField: String? = nil, parameters: [(String, String)] = [], topZones: Int = 5, zoneConfidence: Int = 95,
                    title: String = "GeoVote hot-spot report") {
            self.nameField = nameField
            self.parameters = parameters
            self.topZones = topZones
            self.zoneConfidence = zoneConfidence
            self.title = title
        }
    }

    /// The sections of an analysis run through the library (every
    /// variable × statistic whose classes can be mapped).
    public static func sections(of results: HotSpotResults, layer: FeatureTable, file: String) throws -> [HotSpotReportSection] {
        try results.results.compactMap { r -> HotSpotReportSection? in
            let classes: ColumnValues
            switch r.statistic {
            case .giStar, .gi:
                classes = .integer(r.classes.map { c -> Int64? in
                    switch c {
                    case .undefined: nil
                    case let .confidenceBin(b): Int64(b)
                    default: 0
                    }
                })
            case .localMoran, .bivariateLocalMoran:
                classes = .text(r.classes.map { c -> String? in
                    switch c {
                    case .undefined: nil
                    case let .quadrant(q): q.label
                    default: "ns"
                    }
                })
            default: return nil
            }
            let values = try layer.definedValues(of: r.variable, file: file).values
            return HotSpotReportSection(variable: r.variable, statistic: r.statistic, classes: Column(name: "class", values: classes),
                                        values: values, z: r.z ?? r.simulated?.zSim, p: r.simulated?.pseudoP ?? r.p)
        }
    }

    /// The sections of a result layer written by `geovote hotspots` (GeoVote's
    /// column names `VAR_STAT_bin` / `VAR_STAT_class`, `_z`, `_p`, `_psim`;
    /// a shapefile's short names are read back from `OUT.names.csv`).
    /// The variable is recovered from its column (`PJD_valid` → PJD/valid
    /// when the layer has both fields).
    public static func sections(ofResultLayer layer: FeatureTable, file: String) throws -> [HotSpotReportSection] {
        var layer = layer
        let mapping = (file.lowercased().hasSuffix(".shp") ? String(file.dropLast(4)) : file) + ".names.csv"
        if let text = try? String(contentsOfFile: mapping, encoding: .utf8) {
            var longOf: [String: String] = [:]
            for line in text.split(separator: "\n").dropFirst() {
                let parts = line.split(separator: ",", maxSplits: 1).map(String.init)
                if parts.count == 2 { longOf[parts[1].uppercased()] = parts[0] }
            }
            for i in layer.columns.indices { if let long = longOf[layer.columns[i].name.uppercased()] { layer.columns[i].name = long } }
        }
        let statistics = HotSpotStatistic.allCases.sorted { $0.columnName.count > $1.columnName.count }
        var sections: [HotSpotReportSection] = []
        for column in layer.columns {
            let name = column.name
            let suffix = name.hasSuffix("_bin") ? "_bin" : name.hasSuffix("_class") ? "_class" : nil
            guard let suffix else { continue }
            let stem = String(name.dropLast(suffix.count))
            guard let statistic = statistics.first(where: { stem.hasSuffix("_" + $0.columnName) }) else { continue }
            // Gi*'s GeoDa-style "_class" beside its "_bin": the bin is mapped.
            if suffix == "_class", statistic == .giStar || statistic == .gi { continue }
            let variableColumn = String(stem.dropLast(statistic.columnName.count + 1))
            guard let spec = variable(named: variableColumn, in: layer) else { continue }
            var values = Self.numbers(variableColumn, of: layer)
            if values == nil { values = try? layer.definedValues(of: spec, file: file).values }
            guard let values else { continue }
            func numbers(_ field: String) -> [Double]? { Self.numbers(stem + "_" + field, of: layer) }
            sections.append(HotSpotReportSection(variable: spec, statistic: statistic, classes: column, values: values,
                                                 z: numbers("z") ?? numbers("zsim"), p: numbers("psim") ?? numbers("p")))
        }
        if sections.isEmpty, let share = layer.columns.lazy.compactMap({ c in variable(named: c.name, in: layer).flatMap { $0.denominator == nil ? nil : (c, $0) } }).first {
            // ArcGIS's (Gi_Bin, COType) and GeoDa's (LISA_CL) names, of the one variable such a file holds.
            func numbers(_ field: String) -> [Double]? { Self.numbers(field, of: layer) }
            let values = Self.numbers(share.0.name, of: layer)!
            if let bins = layer.column(named: "Gi_Bin") {
                sections.append(HotSpotReportSection(variable: share.1, statistic: .giStar, classes: bins, values: values,
                                                     z: numbers("GiZScore"), p: numbers("GiPValue")))
            }
            if let types = layer.column(named: "COType") {
                // ArcGIS leaves COType empty where the unit is not significant.
                let classes = Column(name: "COType", values: .text((0..<layer.count).map { i in
                    let t = types.values.displayValue(i)
                    return t.isEmpty ? (values[i].isFinite ? "ns" : nil) : t
                }))
                sections.append(HotSpotReportSection(variable: share.1, statistic: .localMoran, classes: classes, values: values,
                                                     z: numbers("LMiZScore"), p: numbers("LMiPValue")))
            }
            if let codes = layer.column(named: "LISA_CL") {
                sections.append(HotSpotReportSection(variable: share.1, statistic: .localMoran, classes: codes, values: values,
                                                     p: numbers("LISA_P")))
            }
        }
        guard !sections.isEmpty else {
            throw GeoVoteError.malformed(DataLocation(file: file),
                                         reason: "has no hot-spot result columns (VAR_gistar_bin, VAR_local_moran_class, …: geovote hotspots' output; or ArcGIS's Gi_Bin / COType, GeoDa's LISA_CL beside the share's field); fields: \(layer.columns.map(\.name).joined(separator: ", "))")
        }
        return sections
    }

    /// A field's values as numbers (NaN where missing or not a number); nil when the layer has no such field.
    static func numbers(_ name: String, of layer: FeatureTable) -> [Double]? {
        layer.column(named: name).map { c in (0..<layer.count).map { c.values.number($0) ?? .nan } }
    }

    /// `PJD_valid` → PJD/valid when both fields exist, else the column itself.
    static func variable(named column: String, in layer: FeatureTable) -> VariableSpec? {
        let parts = column.split(separator: "_").map(String.init)
        for cut in stride(from: parts.count - 1, to: 0, by: -1) {
            let num = parts[..<cut].joined(separator: "_"), den = parts[cut...].joined(separator: "_")
            if layer.column(named: num) != nil, layer.column(named: den) != nil { return VariableSpec(parsing: "\(num)/\(den)") }
        }
        return layer.column(named: column) != nil ? VariableSpec(parsing: column) : nil
    }

    public struct Written: Sendable {
        /// The page (DIR/index.html).
        public var page: String
        public var notes: [String]
    }

    /// Writes DIR/index.html (the folder is made; the page replaced whole or not at all).
    /// - Parameters:
    ///   - layer: the units (polygons or points), with the counts for zones.
    ///   - file: its path, named in errors.
    ///   - sections: what to show (``sections(of:layer:file:)`` or ``sections(ofResultLayer:file:)``).
    ///   - weights: the units' neighbours (the scatterplot, global Moran's I and zones use them).
    ///   - options: names, parameters, zones.
    ///   - folder: the output folder.
    ///   - workers: threads.
    public static func write(layer: FeatureTable, file: String, sections: [HotSpotReportSection], weights: SpatialWeights,
                             options: Options = Options(), to folder: String, workers: Int = Parallel.defaultWorkerCount) throws -> Written {
        guard weights.count == layer.count else {
            throw GeoVoteError.invalidArgument("the report's weights have \(weights.count) units for a layer of \(layer.count)")
        }
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let page = folder + "/index.html"
        try AtomicFile.checkWritable(page)
        var notes: [String] = []
        let nameField = options.nameField ?? ["name_ar", "name_fr", "name", "nom", "code"].first { layer.column(named: $0) != nil }
        if let nameField, layer.column(named: nameField) == nil {
            throw GeoVoteError.malformed(DataLocation(file: file, field: nameField), reason: "is not a field of the layer (--name)")
        }
        let names: [String] = nameField.flatMap { layer.column(named: $0) }.map { c in (0..<layer.count).map { c.values.displayValue($0) } }
            ?? (0..<layer.count).map { "unit \($0)" }
        var html = head(options.title)
        html += "<h1>\(MapRenderer.escape(options.title))</h1>\n<p class=\"meta\">\(MapRenderer.escape(file)) · \(layer.count) units · GeoVote \(GeoVoteVersion.number)</p>\n"
        html += "<nav><ul>" + sections.indices.map { "<li><a href=\"#s\($0)\">\(MapRenderer.escape(sections[$0].title))</a></li>" }.joined() + "</ul></nav>\n"
        for (k, section) in sections.enumerated() {
            html += "<section class=\"analysis\" id=\"s\(k)\">\n<h2>\(MapRenderer.escape(section.title))</h2>\n"
            let mapOptions = MapOptions(symbology: section.statistic == .giStar || section.statistic == .gi ? .hotSpotBins : .clusters,
                                        title: section.title, width: 960, height: 680)
            var single = layer
            single.columns = [section.classes]
            let map = try ThematicMap(layer: single, file: file, column: section.classes.name, options: mapOptions, workers: workers)
            if k == 0 { notes += map.notes }
            let classLabel = map.classes.map { $0.map { map.legend[$0].label } ?? "no data" }
            html += "<div class=\"map\">" + MapRenderer.svgFragment(map, workers: workers) { i in
                [("name", names[i]), ("value", number(section.values[i])), ("z", section.z.map { number($0[i]) } ?? ""),
                 ("p", section.p.map { number($0[i]) } ?? ""), ("label", classLabel[i])]
            } + "</div>\n"
            html += "<div class=\"side\">\n<h3>Units per class</h3>\n<table class=\"counts\"><tr><th>class</th><th>units</th></tr>"
            for entry in map.legend {
                html += "<tr><td><span class=\"swatch\" style=\"background:\(entry.colour.hex)\"></span>\(MapRenderer.escape(entry.label))</td><td class=\"n\">\(entry.count)</td></tr>"
            }
            if map.noDataCount > 0 { html += "<tr><td>no data</td><td class=\"n\">\(map.noDataCount)</td></tr>" }
            html += "</table>\n"
            // Global Moran's I and the scatterplot, on the units with a value.
            let subset = DefinedSubset(reasons: section.values.map { $0.isFinite ? nil : "undefined" })
            let y = subset.restrict(section.values), w = subset.restrict(weights)
            do {
                let moran = try MoranI(y, weights: w.transformed(.row), workers: workers)
                let plot = try MoranScatterplot(y, weights: w)
                html += "<h3>Global Moran's I</h3>\n<table class=\"moran\"><tr><td>I</td><td class=\"n\">\(String(format: "%.4f", moran.I))</td></tr><tr><td>E[I]</td><td class=\"n\">\(String(format: "%.4f", moran.expected))</td></tr><tr><td>z (randomisation)</td><td class=\"n\">\(String(format: "%.3f", moran.zRandomization))</td></tr><tr><td>p</td><td class=\"n\">\(String(format: "%.3g", moran.pRandomization))</td></tr><tr><td>units</td><td class=\"n\">\(y.count)</td></tr></table>\n"
                html += "<div class=\"scatter\">" + plot.svg(title: section.variable.description) + "</div>\n"
            } catch {
                html += "<p class=\"note\">No global Moran's I: \(MapRenderer.escape("\(error)"))</p>\n"
            }
            html += zonesTable(layer, file: file, section: section, weights: weights, nameField: nameField, options: options, workers: workers)
            html += "</div>\n</section>\n"
        }
        html += "<section class=\"parameters\"><h2>Parameters</h2><table>"
        for (name, value) in options.parameters + [("weights", "\(WeightsSummary(weights))")] {
            html += "<tr><th>\(MapRenderer.escape(name))</th><td>\(MapRenderer.escape(value))</td></tr>"
        }
        html += "</table>" + notes.map { "<p class=\"note\">\(MapRenderer.escape($0))</p>" }.joined() + "</section>\n"
        html += "<div id=\"tooltip\" role=\"tooltip\"></div>\n<script>\(script)</script>\n</body>\n</html>\n"
        try AtomicFile.write(Data(html.utf8), to: page)
        return Written(page: page, notes: notes)
    }

    static func number(_ v: Double) -> String { v.isFinite ? String(format: "%.4g", v) : "" }

    /// The top hot and cold zones of a section (members: Gi_Bin ≥ the level
    /// or High-High; ≤ −level or Low-Low), with their totals.
    static func zonesTable(_ layer: FeatureTable, file: String, section: HotSpotReportSection, weights: SpatialWeights,
                           nameField: String?, options: Options, workers: Int) -> String {
        guard section.variable.denominator != nil, !section.variable.empiricalBayes, options.topZones > 0 else { return "" }
        let level = options.zoneConfidence == 99 ? 3 : options.zoneConfidence == 90 ? 1 : 2
        let membership: [ZoneType?] = (0..<layer.count).map { i in
            let text = section.classes.values.displayValue(i)
            let isBin = section.statistic == .giStar || section.statistic == .gi
            if isBin, let b = Int(text) { return b >= level ? .hot : b <= -level ? .cold : nil }
            // GeoDa's codes: 1 High-High, 2 Low-Low.
            if !isBin, let code = Int(text) { return code == 1 ? .hot : code == 2 ? .cold : nil }
            switch MapPalette.quadrantNames[text] {
            case "High-High": return .hot
            case "Low-Low": return .cold
            default: return nil
            }
        }
        do {
            let result = try StrongholdZones.zones(layer, file: file, variables: [section.variable], membership: [membership],
                                                   weights: weights, idField: nameField, workers: workers)
            // The zones' totals (the party's votes and the share's denominator, summed over members).
            let shown = Set([section.variable.numerator] + (section.variable.denominator.map { [$0] } ?? []))
            let totalNames = result.zones.first?.totals.map(\.name).filter(shown.contains) ?? []
            var html = "<h3>Top zones</h3>\n<table class=\"zones\"><tr><th>zone</th><th>units</th><th>km²</th>"
            html += totalNames.map { "<th>\(MapRenderer.escape($0))</th>" }.joined() + "<th>share</th><th>members</th></tr>"
            for type in [ZoneType.hot, .cold] {
                for zone in result.zones.filter({ $0.type == type }).sorted(by: { $0.rank < $1.rank }).prefix(options.topZones) {
                    let members = zone.codes.prefix(6).joined(separator: "، ") + (zone.codes.count > 6 ? " …" : "")
                    html += "<tr class=\"zone\"><td>\(type.rawValue) \(zone.rank)</td><td class=\"n\">\(zone.members.count)</td><td class=\"n\">\(String(format: "%.0f", zone.areaKm2))</td>"
                    html += zone.totals.filter { shown.contains($0.name) }.map { "<td class=\"n\">\($0.value.map { String(format: "%.0f", $0) } ?? "")</td>" }.joined()
                    html += "<td class=\"n\">\(zone.share.map { String(format: "%.1f %%", 100 * $0) } ?? "")</td><td dir=\"auto\">\(MapRenderer.escape(members))</td></tr>"
                }
            }
            return html + "</table>\n"
        } catch {
            return "<p class=\"note\">No zones: \(MapRenderer.escape("\(error)"))</p>\n"
        }
    }

    static func head(_ title: String) -> String {
        """
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>\(MapRenderer.escape(title))</title>
        <style>
        body { font-family: "Noto Sans", "Noto Sans Arabic", "DejaVu Sans", sans-serif; margin: 24px; color: #222; }
        h1 { font-size: 24px; } h2 { font-size: 19px; border-bottom: 1px solid #ccc; padding-bottom: 4px; } h3 { font-size: 15px; margin: 14px 0 6px; }
        .meta, .note { color: #555; font-size: 13px; }
        section.analysis { display: flex; flex-wrap: wrap; gap: 20px; margin-bottom: 36px; }
        section.analysis h2 { flex-basis: 100%; }
        .map { border: 1px solid #ddd; overflow: hidden; cursor: grab; max-width: 100%; }
        .map svg { display: block; max-width: 100%; height: auto; }
        .side { min-width: 320px; }
        table { border-collapse: collapse; font-size: 13px; } td, th { padding: 2px 8px; text-align: left; } td.n { text-align: right; font-variant-numeric: tabular-nums; }
        .swatch { display: inline-block; width: 12px; height: 12px; margin-right: 6px; border: 1px solid #888; vertical-align: middle; }
        path.feature:hover, path.feature.active { stroke: #000; stroke-width: 1.5; }
        #tooltip { position: fixed; display: none; pointer-events: none; background: #fff; border: 1px solid #888; padding: 6px 8px; font-size: 13px; box-shadow: 0 2px 6px rgba(0,0,0,.2); unicode-bidi: plaintext; }
        #tooltip b { unicode-bidi: isolate; }
        </style>
        </head>
        <body>

        """
    }

    /// Tooltips, wheel zoom and drag pan on every map; `#selftest` in the
    /// address hovers the first feature and writes what happened into
    /// `body[data-selftest]` (shapes per map, the tooltip's text, requests
    /// made, errors) for the headless-browser test.
    static let script = """
    (function () {
      var errors = [];
      window.addEventListener('error', function (e) { errors.push(String(e.message)); });
      document.addEventListener('securitypolicyviolation', function (e) { errors.push('blocked ' + e.blockedURI); });
      var tip = document.getElementById('tooltip');
      function show(el, x, y) {
        var d = el.dataset;
        tip.innerHTML = '';
        var name = document.createElement('b'); name.textContent = d.name || ''; tip.appendChild(name);
        [['value', d.value], ['z', d.z], ['p', d.p], ['class', d.label]].forEach(function (r) {
          if (r[1] === undefined || r[1] === '') return;
          var line = document.createElement('div'); line.textContent = r[0] + ': ' + r[1]; tip.appendChild(line);
        });
        tip.style.left = (x + 14) + 'px'; tip.style.top = (y + 14) + 'px'; tip.style.display = 'block';
      }
      document.querySelectorAll('.map svg').forEach(function (svg) {
        var vb = svg.viewBox.baseVal, start = null;
        svg.addEventListener('mouseover', function (e) { if (e.target.classList.contains('feature')) show(e.target, e.clientX, e.clientY); });
        svg.addEventListener('mousemove', function (e) {
          if (start) {
            var k = vb.width / svg.clientWidth;
            vb.x = start.x - (e.clientX - start.cx) * k; vb.y = start.y - (e.clientY - start.cy) * k;
          } else if (e.target.classList.contains('feature')) show(e.target, e.clientX, e.clientY);
        });
        svg.addEventListener('mouseout', function (e) { if (e.target.classList.contains('feature')) tip.style.display = 'none'; });
        svg.addEventListener('wheel', function (e) {
          e.preventDefault();
          var r = svg.getBoundingClientRect(), f = e.deltaY < 0 ? 0.8 : 1.25;
          var mx = vb.x + (e.clientX - r.left) / r.width * vb.width, my = vb.y + (e.clientY - r.top) / r.height * vb.height;
          vb.x = mx - (mx - vb.x) * f; vb.y = my - (my - vb.y) * f; vb.width *= f; vb.height *= f;
        }, { passive: false });
        svg.addEventListener('mousedown', function (e) { start = { x: vb.x, y: vb.y, cx: e.clientX, cy: e.clientY }; });
        window.addEventListener('mouseup', function () { start = null; });
        svg.addEventListener('dblclick', function () { vb.x = 0; vb.y = 0; vb.width = svg.width.baseVal.value; vb.height = svg.height.baseVal.value; });
      });
      if (location.hash === '#selftest') {
        window.addEventListener('load', function () {
          var maps = Array.prototype.map.call(document.querySelectorAll('.map svg'), function (s) { return s.querySelectorAll('.feature').length; });
          var first = document.querySelector('.map .feature'), shown = '';
          if (first) {
            var box = first.getBoundingClientRect();
            first.dispatchEvent(new MouseEvent('mouseover', { bubbles: true, clientX: box.left + 1, clientY: box.top + 1 }));
            shown = tip.style.display === 'block' ? tip.textContent : '';
          }
          var requests = performance.getEntriesByType('resource').length;
          document.body.setAttribute('data-selftest', JSON.stringify({ maps: maps, tooltip: shown, requests: requests, errors: errors }));
        });
      }
    })();
    """
}
