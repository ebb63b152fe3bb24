import Foundation

/// How a column is turned into colours.
public enum MapSymbology: Sendable, Hashable {
    /// Chosen from the column: a `…bin` / `Gi_Bin` integer column in −3…3 →
    /// ``hotSpotBins``; a text column of cluster labels (HH, High-High, ns,
    /// …) → ``clusters``; other numbers → quantiles in 5 classes; other
    /// text → ``categories``.
    case automatic
    /// A choropleth of a number.
    case classes(ClassificationScheme)
    /// ArcGIS's Gi_Bin classes (−3 … 3).
    case hotSpotBins
    /// GeoDa's LISA cluster map classes.
    case clusters
    /// One colour per distinct text value (at most 12).
    case categories
}

/// What to draw and how (`geovote map`'s options).
public struct MapOptions: Sendable {
    public var symbology: MapSymbology
    /// The map's title (nil: the column's name).
    public var title: String?
    /// A field whose text labels each feature (Arabic or French, shaped by pango).
    public var labelField: String?
    /// Zones (or any polygons, in the layer's CRS or another) outlined over the map.
    public var outlines: FeatureTable?
    /// Size of the picture in pixels (points for PDF).
    public var width: Int
    public var height: Int

    public init(symbology: MapSymbology = .automatic, title: String? = nil, labelField: String? = nil,
                outlines: FeatureTable? = nil, width: Int = 1200, height: Int = 900) {
        self.symbology = symbology
        self.title = title
        self.labelField = labelField
        self.outlines = outlines
        self.width = width
        self.height = height
    }

    public func validate() throws {
        guard (200...20000).contains(width), (200...20000).contains(height) else {
            throw GeoVoteError.invalidArgument("a map is 200 to 20000 pixels wide and high, not \(width) × \(height)")
        }
    }
}

/// One class of a map's legend.
public struct MapLegendEntry: Sendable, Hashable {
    public var label: String
    public var colour: RGBColour
    /// Features in this class.
    public var count: Int
}

/// A map ready to draw: the features in a projected CRS, each with its
/// legend class, the legend with the count per class, labels and outlines.
/// Made once; drawn to SVG, PNG or PDF by ``MapRenderer``.
public struct ThematicMap: Sendable {
    public var title: String
    /// The symbology used (after `.automatic` was resolved).
    public var symbology: MapSymbology
    /// Features in the display CRS.
    public var geometries: [Geometry]
    /// The display CRS (nil: the layer had none; then no scale bar).
    public var crs: CoordinateReferenceSystem?
    /// Each feature's legend entry (nil: no data).
    public var classes: [Int?]
    public var legend: [MapLegendEntry]
    /// Features without a value (drawn in ``MapPalette/noData``).
    public var noDataCount: Int
    /// Each feature's label, when a label field was asked for.
    public var labels: [String?]?
    /// Outlined polygons (zones), in the display CRS.
    public var outlines: [Geometry]
    /// Said on the map and by the CLI (e.g. a geographic layer projected for display).
    public var notes: [String]
    public var width: Int
    public var height: Int

    /// Whether nothing can be coloured (no feature, or no value at all): the
    /// renderers write a map that says "no data".
    public var isEmpty: Bool { geometries.isEmpty || noDataCount == geometries.count }

    /// Builds the map of `column` of `layer`.
    /// - Parameters:
    ///   - layer: polygons (or points) with the column.
    ///   - file: the layer's path, named in errors.
    ///   - column: the field to map.
    ///   - options: symbology, title, labels, outlines, size.
    ///   - workers: threads for the projection (the map does not depend on it).
    /// - Throws: an unknown column or label field (naming the fields there are),
    ///   a column that cannot be classified as asked.
    public init(layer: FeatureTable, file: String, column: String, options: MapOptions = MapOptions(),
                workers: Int = Parallel.defaultWorkerCount) throws {
        try options.validate()
        guard let data = layer.column(named: column) else {
            throw GeoVoteError.malformed(DataLocation(file: file, field: column),
                                         reason: "is not a field of the layer; fields: \(layer.columns.map(\.name).joined(separator: ", "))")
        }
        if let field = options.labelField, layer.column(named: field) == nil {
            throw GeoVoteError.malformed(DataLocation(file: file, field: field),
                                         reason: "is not a field of the layer (--label); fields: \(layer.columns.map(\.name).joined(separator: ", "))")
        }
        if layer.count > 0, layer.geometries.allSatisfy(\.isEmpty) {
            throw GeoVoteError.malformed(DataLocation(file: file),
                                         reason: "has no geometry to draw (a CSV without coordinates?): map a .gpkg, .geojson or .shp, or a CSV with x/y or WKT")
        }
        var notes: [String] = []
        let (display, displayNote) = try Self.displayLayer(layer, file: file, workers: workers)
        if let displayNote { notes.append(displayNote) }
        geometries = display.geometries
        crs = display.crs
        title = options.title ?? column
        width = options.width
        height = options.height
        let symbology = Self.resolve(options.symbology, data)
        self.symbology = symbology
        (classes, legend) = try Self.symbolise(data, symbology: symbology, file: file)
        noDataCount = classes.count { $0 == nil }
        if noDataCount == layer.count, layer.count > 0 {
            notes.append("'\(column)' has no value in any feature: the map says \"no data\"")
        }
        labels = options.labelField.flatMap { display.column(named: $0) }.map { c in
            (0..<layer.count).map { i -> String? in
                let text = c.values.displayValue(i)
                return text.isEmpty ? nil : text
            }
        }
        if let zones = options.outlines {
            var projected = zones
            if let target = crs, let source = zones.crs, source != target {
                projected = try zones.projected(to: target, workers: workers)
            }
            outlines = projected.geometries
        } else {
            outlines = []
        }
        self.notes = notes
    }

    /// The layer in a projected CRS: as it is when projected; a geographic
    /// layer projected for display to ``CoordinateReferenceSystem/suggestProjected(forLongitudeLatitude:)``.
    static func displayLayer(_ layer: FeatureTable, file: String, workers: Int) throws -> (FeatureTable, String?) {
        guard let crs = layer.crs else {
            return (layer, "the layer has no CRS: drawn in its own coordinates, without a scale bar")
        }
        guard crs.isGeographic else { return (layer, nil) }
        let lonLat = crs == .wgs84 ? layer : try layer.projected(to: .wgs84, file: file, workers: workers)
        guard let lonLatBox = lonLat.boundingBox else { return (layer, nil) }
        let target = try CoordinateReferenceSystem.suggestProjected(forLongitudeLatitude: lonLatBox)
        return (try lonLat.projected(to: target, file: file, workers: workers),
                "the layer is in a geographic CRS (\(crs)): projected for display to \(target)")
    }

    static func resolve(_ symbology: MapSymbology, _ column: Column) -> MapSymbology {
        guard symbology == .automatic else { return symbology }
        switch column.values {
        case let .integer(v):
            let present = v.compactMap { $0 }
            // GeoDa's saved cluster codes (LISA_CL, …_cl): 0 not significant … 6 isolated.
            if !present.isEmpty, column.name.lowercased().hasSuffix("cl"), present.allSatisfy({ (0...6).contains($0) }) { return .clusters }
            if !present.isEmpty, present.allSatisfy({ (-3...3).contains($0) }) { return .hotSpotBins }
            return .classes(.quantiles(5))
        case .real, .logical:
            return .classes(.quantiles(5))
        case let .text(v), let .date(v):
            let present = v.compactMap { $0 }
            if !present.isEmpty, present.allSatisfy({ MapPalette.quadrantNames[$0] != nil }) { return .clusters }
            return .categories
        }
    }

    static func numbers(_ values: ColumnValues) -> [Double] {
        (0..<values.count).map { values.number($0) ?? .nan }
    }

    static func symbolise(_ column: Column, symbology: MapSymbology, file: String) throws -> ([Int?], [MapLegendEntry]) {
        let values = column.values
        switch symbology {
        case .automatic:
            preconditionFailure("resolved before")
        case let .classes(scheme):
            if case .text = values {
                throw GeoVoteError.malformed(DataLocation(file: file, field: column.name), reason: "is text: a choropleth needs numbers (use --classes category)")
            }
            let x = numbers(values)
            guard x.contains(where: \.isFinite) else { return (x.map { _ in nil }, []) }
            let c = try MapClassification(x, scheme: scheme, name: "'\(column.name)'")
            let colours = MapPalette.sequential(c.upperBounds.count)
            let legend = c.counts.indices.map { MapLegendEntry(label: c.label($0), colour: colours[$0], count: c.counts[$0]) }
            return (c.classes, legend)
        case .hotSpotBins:
            let x = numbers(values)
            var classes: [Int?] = []
            classes.reserveCapacity(x.count)
            var counts = [Int](repeating: 0, count: 7)
            for (i, v) in x.enumerated() {
                guard v.isFinite else { classes.append(nil); continue }
                guard v == v.rounded(), (-3...3).contains(v) else {
                    throw GeoVoteError.malformed(DataLocation(file: file, record: i, field: column.name, value: String(v)),
                                                 reason: "is not a Gi_Bin class (−3 … 3)")
                }
                let entry = 3 - Int(v)  // 3 first, as ArcGIS's legend
                counts[entry] += 1
                classes.append(entry)
            }
            let legend = (0..<7).map { e in
                MapLegendEntry(label: MapPalette.hotSpotLabel(3 - e), colour: MapPalette.hotSpotBins[3 - e]!, count: counts[e])
            }
            return (classes, legend)
        case .clusters:
            let order = MapPalette.geodaClusters
            var counts = [Int](repeating: 0, count: order.count)
            var classes: [Int?] = []
            let codes: [Int64?]? = if case let .integer(v) = values { v } else { nil }
            for i in 0..<values.count {
                if let codes {
                    guard let code = codes[i] else { classes.append(nil); continue }
                    guard (0...6).contains(code) else {
                        throw GeoVoteError.malformed(DataLocation(file: file, record: i, field: column.name, value: String(code)),
                                                     reason: "is not a GeoDa cluster code (0 not significant, 1 High-High, 2 Low-Low, 3 Low-High, 4 High-Low, 5 undefined, 6 isolated)")
                    }
                    counts[Int(code)] += 1
                    classes.append(Int(code))
                    continue
                }
                let text = values.displayValue(i)
                guard !text.isEmpty else { classes.append(nil); continue }
                guard let label = MapPalette.quadrantNames[text], let e = order.firstIndex(where: { $0.label == label }) else {
                    throw GeoVoteError.malformed(DataLocation(file: file, record: i, field: column.name, value: text),
                                                 reason: "is not a cluster class (High-High, Low-Low, Low-High, High-Low, Not significant, HH, LL, LH, HL, ns)")
                }
                counts[e] += 1
                classes.append(e)
            }
            // GeoDa's legend lists every class with its count (0 included), "Isolated" only when there is one.
            let kept = order.indices.filter { counts[$0] > 0 || $0 < 5 }
            let position = Dictionary(uniqueKeysWithValues: kept.enumerated().map { ($1, $0) })
            let legend = kept.map { MapLegendEntry(label: order[$0].label, colour: order[$0].colour, count: counts[$0]) }
            return (classes.map { $0.flatMap { position[$0] } }, legend)
        case .categories:
            var seen: [String: Int] = [:]
            var names: [String] = []
            var classes: [Int?] = []
            for i in 0..<values.count {
                let text = values.displayValue(i)
                guard !text.isEmpty else { classes.append(nil); continue }
                if seen[text] == nil {
                    seen[text] = names.count
                    names.append(text)
                }
                classes.append(seen[text])
            }
            guard names.count <= 12 else {
                throw GeoVoteError.malformed(DataLocation(file: file, field: column.name),
                                             reason: "has \(names.count) distinct values: a category map shows at most 12 (map a number with --classes)")
            }
            // Categories in their natural (sorted) order.
            let sortedNames = names.sorted { $0.localizedStandardCompare($1) == .orderedAscending }
            let position = Dictionary(uniqueKeysWithValues: sortedNames.enumerated().map { ($1, $0) })
            let mapped = classes.map { $0.map { position[names[$0]]! } }
            var counts = [Int](repeating: 0, count: names.count)
            for c in mapped { if let c { counts[c] += 1 } }
            let colours = MapPalette.categorical(names.count)
            return (mapped, sortedNames.indices.map { MapLegendEntry(label: sortedNames[$0], colour: colours[$0], count: counts[$0]) })
        }
    }
}
