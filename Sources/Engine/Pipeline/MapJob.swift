import Foundation

/// `geovote map`: one column of a layer drawn as a map (SVG, PNG or PDF).
public struct MapJob: Sendable, Hashable {
    public var input: String
    public var column: String
    /// `auto` (default), `quantile`, `equal`, `jenks`, `bins` (Gi_Bin), `clusters` (LISA), `category`.
    public var classes: String
    /// Classes of a choropleth (2 … 12).
    public var k: Int
    public var title: String?
    public var labelField: String?
    /// A layer of zones (e.g. `geovote zones`' output) outlined over the map.
    public var zones: String?
    public var width: Int
    public var height: Int
    public var output: String
    public var encoding: TextEncoding?

    public init(input: String, column: String, classes: String = "auto", k: Int = 5, title: String? = nil, labelField: String? = nil,
                zones: String? = nil, width: Int = 1200, height: Int = 900, output: String, encoding: TextEncoding? = nil) {
        self.input = input
        self.column = column
        self.classes = classes
        self.k = k
        self.title = title
        self.labelField = labelField
        self.zones = zones
        self.width = width
        self.height = height
        self.output = output
        self.encoding = encoding
    }

    /// The symbology `classes` and `k` name.
    public func symbology() throws -> MapSymbology {
        switch classes.lowercased() {
        case "auto", "automatic": .automatic
        case "bins", "gi-bin", "gi_bin", "hotspots": .hotSpotBins
        case "clusters", "lisa", "cluster": .clusters
        case "category", "categories": .categories
        default: .classes(try ClassificationScheme(parsing: classes, classes: k))
        }
    }

    public struct Report: Sendable {
        public var map: ThematicMap
        public var drawing: MapRenderer.Report
        public var notes: [String]
    }

    /// Checks the options and the output before anything is read.
    public func validate() throws {
        _ = try symbology()
        _ = try MapRenderer.Format(path: output)
        try MapOptions(width: width, height: height).validate()
        try LayerIO.checkOutput(output, doesNotOverwrite: [input] + (zones.map { [$0] } ?? []))
        try AtomicFile.checkWritable(output)
    }

    public func run(workers: Int = Parallel.defaultWorkerCount) throws -> Report {
        try validate()
        let (layer, readNotes) = try LayerIO.read(input, options: .init(encoding: encoding))
        let outlines = try zones.map { try LayerIO.read($0, options: .init(encoding: encoding)).table }
        let options = MapOptions(symbology: try symbology(), title: title, labelField: labelField, outlines: outlines,
                                 width: width, height: height)
        let map = try ThematicMap(layer: layer, file: input, column: column, options: options, workers: workers)
        let drawing = try MapRenderer.write(map, to: output, workers: workers)
        return Report(map: map, drawing: drawing, notes: readNotes + map.notes + drawing.warnings)
    }
}
