import Foundation

/// An optimized hot-spot analysis from a file to a file: what `geovote
/// ohsa` runs and a batch job `"command": "ohsa"` becomes.
public struct OptimizedHotSpotJob: Sendable, Hashable {
    /// Points or polygons in a projected CRS (.shp, .geojson, FILE.gpkg[:LAYER]).
    public var input: String
    /// The field or share, as written (`PJD/valid`, `units`).
    public var variable: String
    /// nil: none; `hexagon`, `fishnet`, or a polygon layer's path.
    public var aggregate: String?
    public var cellSize: Double?
    public var distance: Double?
    public var permutations: Int
    public var seed: UInt64
    public var correction: MultipleTesting
    /// `geovote` or `arcgis` (GiZScore GiPValue Gi_Bin NNeighbors).
    public var naming: ColumnNaming
    public var output: String
    public var encoding: TextEncoding?
    public var outputEncoding: TextEncoding
    public var keepCRS: Bool
    /// The command line that made this job, written with the decisions (nil: the job's options).
    public var commandLine: String?

    public init(input: String, variable: String, aggregate: String? = nil, cellSize: Double? = nil, distance: Double? = nil,
                permutations: Int = 0, seed: UInt64 = 12345, correction: MultipleTesting = .fdr, naming: ColumnNaming = .geovote,
                output: String, encoding: TextEncoding? = nil, outputEncoding: TextEncoding = .utf8, keepCRS: Bool = false) {
        self.input = input
        self.variable = variable
        self.aggregate = aggregate
        self.cellSize = cellSize
        self.distance = distance
        self.permutations = permutations
        self.seed = seed
        self.correction = correction
        self.naming = naming
        self.output = output
        self.encoding = encoding
        self.outputEncoding = outputEncoding
        self.keepCRS = keepCRS
    }

    public struct Report: Sendable {
        public var result: OptimizedHotSpots
        /// The output, then the decisions file.
        public var written: [String]
        public var notes: [String]
    }

    /// `h.shp` → `h.ohsa.txt`; `db.gpkg:layer` → `db.layer.ohsa.txt`.
    public var decisionsPath: String {
        var path = output
        var layer = ""
        if let colon = path.range(of: ".gpkg:", options: [.caseInsensitive, .backwards]) {
            layer = "." + path[colon.upperBound...]
            path = String(path[..<colon.lowerBound]) + ".gpkg"
        }
        if let dot = path.lastIndex(of: "."), !path[dot...].contains("/") { path = String(path[..<dot]) }
        return path + layer + ".ohsa.txt"
    }

    /// The options, before any file is read (the polygons of `aggregate` aside).
    func options(polygons: FeatureTable?) -> OptimizedHotSpotOptions {
        var aggregation: IncidentAggregation?
        switch aggregate?.lowercased() {
        case nil: aggregation = nil
        case "hexagon": aggregation = .hexagon
        case "fishnet": aggregation = .fishnet
        default: aggregation = polygons.map { .polygons($0, file: aggregate!) }
        }
        return OptimizedHotSpotOptions(aggregation: aggregation, cellSize: cellSize, distance: distance, permutations: permutations,
                                       seed: seed, correction: correction)
    }

    /// - Parameter inputWrittenEarlier: the input is an earlier batch job's output, not written yet.
    public func validate(inputWrittenEarlier: Bool = false) throws {
        if let aggregate, aggregate.isEmpty { throw GeoVoteError.invalidArgument("the aggregation is hexagon, fishnet or a polygon layer") }
        if cellSize != nil, !["hexagon", "fishnet"].contains(aggregate?.lowercased() ?? "") {
            throw GeoVoteError.invalidArgument("a cell size is the size of a hexagon or fishnet aggregation")
        }
        try options(polygons: nil).validate()
        guard naming != .geoda else { throw GeoVoteError.invalidArgument("the names of an optimized hot-spot output are geovote or arcgis") }
        _ = try LayerIO.Format(path: input)
        _ = try LayerIO.Format(path: output)
        guard inputWrittenEarlier || LayerIO.isReadable(input) else {
            throw GeoVoteError.io(path: input, reason: "cannot be read: no such file, or not readable")
        }
    }

    public func run(workers: Int = Parallel.defaultWorkerCount) throws -> Report {
        try validate(inputWrittenEarlier: true)
        var notes: [String] = []
        let (table, readNotes) = try LayerIO.read(input, options: .init(encoding: encoding))
        notes += readNotes
        var polygons: FeatureTable?
        if let aggregate, !["hexagon", "fishnet"].contains(aggregate.lowercased()) {
            let (p, polygonNotes) = try LayerIO.read(aggregate, options: .init(encoding: encoding))
            polygons = p
            notes += polygonNotes
        }
        let format = try LayerIO.Format(path: output)
        if format == .geoJSON { try GeoJSONWriter.check(table, file: output, keepCRS: keepCRS) }
        let result = try OptimizedHotSpots.run(table, file: input, variable: VariableSpec(parsing: variable), options: options(polygons: polygons),
                                               workers: workers)
        notes += result.notes
        let layout = HotSpotTableOptions(naming: naming, shortNames: format == .shapefile && naming == .geovote, keep: .all, index: format == .csv)
        let written = try result.hotSpots.table(from: result.layer, file: input, options: layout)
        let parameters = commandLine ?? "ohsa \(input) variable \(variable) aggregate \(aggregate ?? "none") cell_size \(cellSize.map { "\($0)" } ?? "rule") distance \(distance.map { "\($0)" } ?? "chosen") permutations \(permutations) seed \(seed) correction \(correction.rawValue)"
        var write = LayerIO.WriteOptions(encoding: outputEncoding, keepCRS: keepCRS, csvColumnTypes: true)
        write.provenance = Provenance(command: "ohsa", parameters: parameters + "\n" + result.decisions.joined(separator: "\n"), inputs: [input])
        notes += try LayerIO.write(written.table, to: output, options: write)
        try AtomicFile.write(Data((["# " + parameters] + result.decisions).joined(separator: "\n").appending("\n").utf8), to: decisionsPath)
        var files = [output]
        if format == .csv { files.append(CSVWriter.columnTypePath(output)) }
        return Report(result: result, written: files + [decisionsPath], notes: notes)
    }
}
