import Foundation

/// One vote-share raster from a layer to a file: what `geovote raster` runs.
public struct RasterJob: Sendable, Hashable {
    /// The layer: communes (polygons) for `coverage`, stations (points) for `kernel`.
    public var input: String
    public var options: VoteSurfaceOptions
    /// Map every party: the integer fields after the total, in the layer's
    /// order (as `all/valid` elsewhere); `options.fields` is then ignored.
    public var allParties: Bool = false
    /// The total as given (nil: a field named "valid", any case).
    public var totalField: String?
    /// A GeoTIFF whose grid the raster takes (`--like`).
    public var templatePath: String?
    /// Coverage: a raster of cell weights (population) on the output grid
    /// (band ``weightBand``); without a template or resolution, its grid is the output's.
    public var weightRasterPath: String?
    public var weightBand: Int = 1
    /// The output: .tif / .tiff (GeoTIFF) or .asc (one ESRI ASCII grid per band).
    public var output: String
    /// A quick-look PNG of one band (``pngBand``, default the first).
    public var png: String?
    public var pngBand: String?
    /// GeoTIFF overview factors (e.g. [2, 4, 8]).
    public var overviews: [Int] = []
    public var encoding: TextEncoding?
    /// The command line recorded in the file's metadata (nil: none).
    public var commandLine: String?

    public init(input: String, options: VoteSurfaceOptions, output: String) {
        self.input = input
        self.options = options
        self.output = output
    }

    /// Hashes the files (equal jobs have equal files).
    public func hash(into hasher: inout Hasher) {
        hasher.combine(input)
        hasher.combine(output)
        hasher.combine(png)
    }

    public enum OutputFormat: Sendable { case geoTIFF, asciiGrid }

    /// The format an output path names.
    public static func format(of path: String) throws -> OutputFormat {
        let lower = path.lowercased()
        if lower.hasSuffix(".tif") || lower.hasSuffix(".tiff") { return .geoTIFF }
        if lower.hasSuffix(".asc") { return .asciiGrid }
        throw GeoVoteError.unsupported("\(path): a raster is written as GeoTIFF (.tif, .tiff) or ESRI ASCII grid (.asc)")
    }

    public struct Report: Sendable {
        public var result: VoteSurface.Result
        public var written: [String]
        public var notes: [String]
    }

    /// Checks the options, the formats, that the input is readable, that the
    /// outputs' folders are writable and that no output overwrites an input.
    public func validate(inputWrittenEarlier: Bool = false) throws {
        var check = options
        if allParties || check.fields.isEmpty { check.fields = ["(all parties)"] }
        if check.total.isEmpty { check.total = totalField ?? "valid" }
        if templatePath != nil || (weightRasterPath != nil && check.resolution == nil) {
            check.template = try RasterGrid(minX: 0, maxY: 1, cellWidth: 1, cellHeight: 1, columns: 1, rows: 1, crs: nil)
        }
        if let weightRasterPath {
            guard options.method == .coverage else { throw GeoVoteError.invalidArgument("a weight raster spreads polygons' counts: it is the coverage method's") }
            guard FileManager.default.isReadableFile(atPath: weightRasterPath) else { throw GeoVoteError.io(path: weightRasterPath, reason: "cannot be read: no such file, or not readable") }
        }
        try check.validate()
        _ = try LayerIO.Format(path: input)
        _ = try Self.format(of: output)
        guard inputWrittenEarlier || LayerIO.isReadable(input) else {
            throw GeoVoteError.io(path: input, reason: "cannot be read: no such file, or not readable")
        }
        if let png { guard png.lowercased().hasSuffix(".png") else { throw GeoVoteError.unsupported("\(png): the quick look is a PNG (.png)") } }
        let outputs = [output] + (png.map { [$0] } ?? [])
        let inputs = [input] + (templatePath.map { [$0] } ?? []) + (weightRasterPath.map { [$0] } ?? [])
        if Set(outputs.map(LayerIO.canonical)).count < outputs.count { throw GeoVoteError.invalidArgument("two outputs are the same file: \(outputs.joined(separator: ", "))") }
        for path in outputs {
            try AtomicFile.checkWritable(path)
            try LayerIO.checkOutput(path, doesNotOverwrite: inputs)
        }
        for f in overviews where f < 2 { throw GeoVoteError.invalidArgument("an overview factor is 2 or more, not \(f)") }
        if !overviews.isEmpty, try Self.format(of: output) != .geoTIFF { throw GeoVoteError.invalidArgument("overviews are a GeoTIFF's: write a .tif") }
    }

    /// The options with the fields, the total and the template resolved against the layer.
    public func resolvedOptions(for layer: FeatureTable) throws -> VoteSurfaceOptions {
        var resolved = options
        let total: String
        if let given = totalField ?? (options.total.isEmpty ? nil : options.total) {
            guard let column = layer.column(named: given) ?? layer.columns.first(where: { $0.name.lowercased() == given.lowercased() }) else {
                throw GeoVoteError.invalidArgument("\(input) has no field '\(given)'; fields: \(layer.columns.map(\.name).joined(separator: ", "))")
            }
            total = column.name
        } else {
            guard let column = layer.columns.first(where: { $0.name.lowercased() == "valid" }) else {
                throw GeoVoteError.invalidArgument("\(input) has no field 'valid': name the valid votes' field (--total FIELD)")
            }
            total = column.name
        }
        resolved.total = total
        if allParties {
            resolved.fields = try VariableSpec.list("all/\(total)", in: layer, file: input).map(\.numerator)
        }
        if let templatePath { resolved.template = try GeoTIFF.readGrid(templatePath) }
        if let weightRasterPath {
            let (grid, values, nodata) = try GeoTIFF.readBand(weightRasterPath, band: weightBand)
            resolved.cellWeights = try CellWeights(grid: grid, values: values, nodata: nodata, file: weightRasterPath)
            if resolved.template == nil, resolved.resolution == nil { resolved.template = grid }
        }
        return resolved
    }

    /// Reads, computes and writes (each output whole, through a temporary file).
    public func run(layer given: FeatureTable? = nil, workers: Int = Parallel.defaultWorkerCount, progress: ((_ rows: Int) -> WorkProgress?)? = nil) throws -> Report {
        try validate()
        let (layer, readNotes) = try LayerIO.layer(given, orRead: input, encoding: encoding)
        var notes = readNotes
        let resolved = try resolvedOptions(for: layer)
        // A GeoTIFF needs an EPSG-coded CRS: refused before the work, not after.
        if try Self.format(of: output) == .geoTIFF { _ = try GeoTIFF.epsg(of: resolved.template?.crs ?? layer.crs, path: output) }
        var result = try VoteSurface.make(layer, file: input, options: resolved, workers: workers, progress: progress)
        notes += result.notes
        if let commandLine { result.raster.metadata.append(("GEOVOTE_COMMAND", commandLine)) }
        result.raster.metadata.append(("GEOVOTE_INPUT", input))
        if let pngBand, result.raster.band(named: pngBand) == nil {
            throw GeoVoteError.invalidArgument("the quick look's band '\(pngBand)' is not among the bands: \(result.raster.bands.map(\.name).joined(separator: ", "))")
        }
        var written: [String] = []
        switch try Self.format(of: output) {
        case .geoTIFF:
            try GeoTIFF.write(result.raster, to: output, options: .init(overviews: overviews))
            written.append(output)
        case .asciiGrid:
            try ASCIIGrid.write(result.raster, to: output)
            written += ASCIIGrid.paths(for: result.raster, path: output)
        }
        if let png {
            try QuickLook.write(result.raster, band: pngBand, to: png)
            written.append(png)
        }
        return Report(result: result, written: written, notes: notes)
    }
}
