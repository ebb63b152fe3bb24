import Foundation

/// One hot-spot analysis from a file to a file: what `geovote hotspots`
/// runs, and what each entry of a batch job file becomes. The command and
/// the batch build the same value and call the same ``run(layer:workers:progress:weights:)``,
/// so their outputs are the same bytes.
public struct HotSpotJob: Sendable, Hashable {
    /// The layer to read (.shp, .geojson, .csv).
    public var input: String
    /// The variables as written: `PJD/valid`, `all/valid`, `eb:MP/valid`,
    /// fields; join counts: categories separated by ";".
    public var variables: String
    public var options: HotSpotOptions
    public var table: HotSpotTableOptions
    /// The output (.csv, .shp, .geojson).
    public var output: String
    /// Attribute encoding of the input; nil: from the file, else detected.
    public var encoding: TextEncoding?
    /// Shapefile output encoding.
    public var outputEncoding: TextEncoding
    /// GeoJSON output: keep a projected CRS instead of reprojecting to WGS 84.
    public var keepCRS: Bool
    /// CSV output: the geometry as WKT, or not at all.
    public var csvGeometry: LayerIO.CSVGeometry
    /// The folder relative weights-file paths are taken from (a job file's).
    public var weightsFolder: String?

    /// The command line that made this job, recorded with a GeoPackage
    /// output (nil: the job's options are recorded).
    public var commandLine: String?

    public init(input: String, variables: String, options: HotSpotOptions = HotSpotOptions(), table: HotSpotTableOptions = HotSpotTableOptions(),
                output: String, encoding: TextEncoding? = nil, outputEncoding: TextEncoding = .utf8, keepCRS: Bool = false,
                csvGeometry: LayerIO.CSVGeometry = .none, weightsFolder: String? = nil) {
        self.input = input
        self.variables = variables
        self.options = options
        self.table = table
        self.output = output
        self.encoding = encoding
        self.outputEncoding = outputEncoding
        self.keepCRS = keepCRS
        self.csvGeometry = csvGeometry
        self.weightsFolder = weightsFolder
    }

    /// What a run produced.
    public struct Report: Sendable {
        public var results: HotSpotResults
        /// The table written.
        public var table: HotSpotTable
        /// Files written, the output first.
        public var written: [String]
        /// Remarks for the user: left-out features, renamed fields, weights warnings.
        public var notes: [String]
    }

    /// The output's format, and the output's companion files.
    var outputFormat: LayerIO.Format { get throws { try LayerIO.Format(path: output) } }

    /// Where the shapefile short-name mapping goes: `out.shp` → `out.names.csv`.
    public var shortNameMappingPath: String {
        (output.lowercased().hasSuffix(".shp") ? String(output.dropLast(4)) : output) + ".names.csv"
    }

    /// The weights file, resolved against ``weightsFolder``; nil for built weights.
    var weightsFile: String? {
        guard case let .file(path, _) = options.weights else { return nil }
        return path.hasPrefix("/") || (weightsFolder ?? "").isEmpty ? path : weightsFolder! + "/" + path
    }

    /// Checks what can be checked without reading data: the options, the
    /// formats, that the input exists, that the output's folder is writable
    /// and that the output would not overwrite the input.
    public func validate() throws {
        try options.validate()
        _ = try LayerIO.Format(path: input)
        _ = try outputFormat
        guard LayerIO.isReadable(input) else {
            throw GeoVoteError.io(path: input, reason: "cannot be read: no such file, or not readable")
        }
        try AtomicFile.checkWritable(output)
        if let resolved = weightsFile {
            guard FileManager.default.isReadableFile(atPath: resolved) else {
                throw GeoVoteError.io(path: resolved, reason: "cannot be read: no such weights file, or not readable")
            }
        }
        try LayerIO.checkOutput(output, doesNotOverwrite: [input] + (weightsFile.map { [$0] } ?? []))
        try validateNaming()
    }

    /// The column naming asked for suits the statistics.
    func validateNaming() throws {
        if table.naming == .geoda, options.statistics != [.localMoran] || options.convention != .geoda {
            throw GeoVoteError.invalidArgument("GeoDa's names (LISA_I, LISA_CL, LISA_P) are for local-moran under the geoda convention")
        }
        if table.naming == .arcgis, options.statistics.count != 1 {
            throw GeoVoteError.invalidArgument("ArcGIS's names are for one statistic of one variable")
        }
    }

    /// Reads the input as this job reads it.
    public func read() throws -> (FeatureTable, [String]) {
        try LayerIO.read(input, options: .init(encoding: encoding))
    }

    /// The variables of the job on this layer.
    public func variableSpecs(in layer: FeatureTable) throws -> [VariableSpec] {
        if options.statistics == [.joinCount] {
            let specs = variables.split(separator: ";").map { VariableSpec(numerator: String($0).trimmingCharacters(in: .whitespaces)) }
            guard !specs.isEmpty else { throw GeoVoteError.invalidArgument("no variable given") }
            return specs
        }
        return try VariableSpec.list(variables, in: layer, file: input)
    }

    /// Checks the job against its layer before any statistic runs: every
    /// variable's fields, the id and kept fields, and the output's CRS.
    public func check(layer: FeatureTable) throws {
        for spec in try variableSpecs(in: layer) {
            if options.statistics == [.joinCount] {
                _ = try layer.indicator(spec.numerator, file: input)
            } else {
                for name in [spec.numerator] + (spec.denominator.map { [$0] } ?? []) where layer.column(named: name) == nil {
                    throw GeoVoteError.malformed(DataLocation(file: input, field: name), reason: "is not a field of the layer; fields: \(layer.columns.map(\.name).joined(separator: ", "))")
                }
            }
        }
        if let against = options.against {
            for name in [against.numerator] + (against.denominator.map { [$0] } ?? []) where layer.column(named: name) == nil {
                throw GeoVoteError.malformed(DataLocation(file: input, field: name), reason: "is not a field of the layer (against)")
            }
        }
        var fields = table.idFields
        if case let .fields(list) = table.keep { fields += list }
        for name in fields where layer.column(named: name) == nil {
            throw GeoVoteError.malformed(DataLocation(file: input, field: name), reason: "is not a field of the layer; fields: \(layer.columns.map(\.name).joined(separator: ", "))")
        }
        if try outputFormat == .geoJSON { try GeoJSONWriter.check(layer, file: output, keepCRS: keepCRS) }
    }

    /// Runs the analysis on a layer in memory and returns what the job would
    /// write, without touching a file: the results, and the table laid out as
    /// the job writes it in `format` (CSV: with the `index` column;
    /// shapefile: short names). ``input`` only names the layer in messages.
    /// What the C ABI (`gv_hotspots`) and the Python package call.
    /// - Parameters:
    ///   - layer: the input layer.
    ///   - format: the layout of the table: the output format it is for.
    ///   - workers: threads (the output does not depend on it).
    ///   - progress: asked for a progress receiver before each step.
    ///   - prebuilt: weights already built for this layer.
    public func analyse(_ layer: FeatureTable, as format: LayerIO.Format = .csv, workers: Int = Parallel.defaultWorkerCount,
                        progress: HotSpotAnalysis.ProgressFactory? = nil,
                        weights prebuilt: (SpatialWeights, WeightsSummary)? = nil) throws -> (results: HotSpotResults, table: HotSpotTable, notes: [String]) {
        try options.validate()
        try validateNaming()
        try check(layer: layer)
        let specs = try variableSpecs(in: layer)
        let weights = try prebuilt ?? HotSpotAnalysis.weights(for: layer, file: input, options: options, relativeTo: weightsFolder, workers: workers)
        var notes = weights.1.warnings.map { "weights: " + $0 }
        let results = try HotSpotAnalysis.run(layer, file: input, variables: specs, options: options, weights: weights,
                                              relativeTo: weightsFolder, workers: workers, progress: progress)
        notes += results.results.flatMap(\.notes)
        var layout = table
        layout.shortNames = format == .shapefile && table.naming == .geovote
        layout.index = format == .csv
        return (results, try results.table(from: layer, file: input, options: layout), notes)
    }

    /// Runs the analysis on `layer` (read with ``read()``, or given) and
    /// writes the output whole (CSV and GeoJSON through a temporary file
    /// renamed into place).
    /// - Parameters:
    ///   - given: the input layer, already read; nil: read here.
    ///   - workers: threads (the output does not depend on it).
    ///   - progress: asked for a progress receiver before each step.
    ///   - prebuilt: weights already built for this layer (the CLI prints their summary first).
    public func run(layer given: FeatureTable? = nil, workers: Int = Parallel.defaultWorkerCount,
                    progress: HotSpotAnalysis.ProgressFactory? = nil, weights prebuilt: (SpatialWeights, WeightsSummary)? = nil) throws -> Report {
        try validate()
        var notes: [String] = []
        let layer: FeatureTable
        if let given { layer = given } else {
            let (t, readNotes) = try read()
            layer = t
            notes += readNotes
        }
        let format = try outputFormat
        let analysis = try analyse(layer, as: format, workers: workers, progress: progress, weights: prebuilt)
        notes += analysis.notes
        let (results, out) = (analysis.results, analysis.table)
        var writeOptions = LayerIO.WriteOptions(encoding: outputEncoding, keepCRS: keepCRS, csvGeometry: csvGeometry, csvColumnTypes: true)
        writeOptions.provenance = Provenance(command: "hotspots", parameters: commandLine ?? "variables \(variables); \(options)", inputs: [input])
        notes += try LayerIO.write(out.table, to: output, options: writeOptions)
        var written = [output]
        if format == .csv { written.append(CSVWriter.columnTypePath(output)) }
        if format == .shapefile, table.naming == .geovote, !out.shortNames.isEmpty {
            try AtomicFile.write(Data(out.shortNameCSV.utf8), to: shortNameMappingPath)
            written.append(shortNameMappingPath)
        }
        return Report(results: results, table: out, written: written, notes: notes)
    }
}
