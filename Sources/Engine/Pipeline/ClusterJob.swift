import Foundation

/// One clustering from a file to a file: what `geovote cluster` runs.
public struct ClusterJob: Sendable, Hashable {
    /// The layer (.shp, .geojson, .csv with geometry): points, or polygons (their centroids).
    public var input: String
    public var options: ClusterOptions
    /// Fields copied to the output first; empty: every text field.
    public var idFields: [String]
    /// The output (.csv, .shp, .geojson): one row per input feature.
    public var output: String
    /// HDBSCAN: where to write the spanning tree (`a,b,distance` CSV); nil: nowhere.
    public var treeOutput: String?
    /// The clusters' outlines with their totals (``ClusterOutlines``); nil: none.
    public var zonesOutput: String?
    public var hull: ClusterOutlines.Hull = .concave
    public var hullRatio: Double = ClusterOutlines.defaultRatio
    public var encoding: TextEncoding?
    public var outputEncoding: TextEncoding
    public var keepCRS: Bool
    public var csvGeometry: LayerIO.CSVGeometry

    /// The command line that made this job, recorded with a GeoPackage
    /// output (nil: the job's options are recorded).
    public var commandLine: String?

    public init(input: String, options: ClusterOptions, idFields: [String] = [], output: String, treeOutput: String? = nil,
                encoding: TextEncoding? = nil, outputEncoding: TextEncoding = .utf8, keepCRS: Bool = false, csvGeometry: LayerIO.CSVGeometry = .none) {
        self.input = input
        self.options = options
        self.idFields = idFields
        self.output = output
        self.treeOutput = treeOutput
        self.encoding = encoding
        self.outputEncoding = outputEncoding
        self.keepCRS = keepCRS
        self.csvGeometry = csvGeometry
    }

    public struct Report: Sendable {
        public var result: ClusterResult
        /// The outlines, when ``zonesOutput`` asked for them.
        public var outlines: ClusterOutlines.Result?
        public var written: [String]
        public var notes: [String]
    }

    /// Checks the options, the formats, that the input is readable, that the
    /// outputs' folders are writable and that no output overwrites the input.
    /// - Parameter inputWrittenEarlier: the input is an earlier batch job's
    ///   output, not written yet: its readability is not checked.
    public func validate(inputWrittenEarlier: Bool = false) throws {
        try options.validate()
        _ = try LayerIO.Format(path: input)
        _ = try LayerIO.Format(path: output)
        guard inputWrittenEarlier || LayerIO.isReadable(input) else {
            throw GeoVoteError.io(path: input, reason: "cannot be read: no such file, or not readable")
        }
        if let zonesOutput { _ = try LayerIO.Format(path: zonesOutput) }
        guard hullRatio.isFinite, hullRatio >= 0, hullRatio <= 1 else { throw GeoVoteError.invalidArgument("the concave hull's ratio is between 0 and 1, not \(hullRatio)") }
        let outputs = [output] + (treeOutput.map { [$0] } ?? []) + (zonesOutput.map { [$0] } ?? [])
        if Set(outputs.map(LayerIO.canonical)).count < outputs.count { throw GeoVoteError.invalidArgument("two outputs are the same file: \(outputs.joined(separator: ", "))") }
        for path in outputs {
            try AtomicFile.checkWritable(path)
            try LayerIO.checkOutput(path, doesNotOverwrite: [input])
        }
        if treeOutput != nil, options.method != .hdbscan {
            throw GeoVoteError.invalidArgument("the spanning-tree output is HDBSCAN's spanning tree: ask for it with the hdbscan method")
        }
    }

    /// Reads, clusters and writes (each output whole, through a temporary file).
    public func run(layer given: FeatureTable? = nil, workers: Int = Parallel.defaultWorkerCount) throws -> Report {
        try validate()
        let (layer, readNotes) = try LayerIO.layer(given, orRead: input, encoding: encoding)
        var notes = readNotes
        let result = try ClusterAnalysis.run(layer, file: input, options: options, workers: workers)
        let format = try LayerIO.Format(path: output)
        let table = try result.table(from: layer, file: input, idFields: idFields, index: format == .csv)
        if format == .geoJSON { try GeoJSONWriter.check(table, file: output, keepCRS: keepCRS) }
        notes += try LayerIO.write(table, to: output, options: .init(encoding: outputEncoding, keepCRS: keepCRS, csvGeometry: csvGeometry, csvColumnTypes: true,
                                                                   provenance: Provenance(command: "cluster", parameters: commandLine ?? "\(options)", inputs: [input])))
        var written = [output]
        if format == .csv { written.append(CSVWriter.columnTypePath(output)) }
        if let treeOutput, let csv = result.spanningTreeCSV {
            try AtomicFile.write(Data(csv.utf8), to: treeOutput)
            written.append(treeOutput)
        }
        var outlines: ClusterOutlines.Result?
        if let zonesOutput {
            let made = try ClusterOutlines.make(layer, file: input, result: result, hull: hull, ratio: hullRatio, idField: idFields.first, workers: workers)
            notes += made.notes
            let zones = made.table()
            if try LayerIO.Format(path: zonesOutput) == .geoJSON { try GeoJSONWriter.check(zones, file: zonesOutput, keepCRS: keepCRS) }
            notes += try LayerIO.write(zones, to: zonesOutput, options: .init(encoding: outputEncoding, keepCRS: keepCRS, csvColumnTypes: true,
                                                                             provenance: Provenance(command: "cluster", parameters: commandLine ?? "\(options)", inputs: [input])))
            written.append(zonesOutput)
            outlines = made
        }
        return Report(result: result, outlines: outlines, written: written, notes: notes)
    }
}
