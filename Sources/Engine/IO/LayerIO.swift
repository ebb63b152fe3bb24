import Foundation

/// Reads and writes layers by file extension; the one entry point the CLI
/// and the pipelines use.
public enum LayerIO {
    /// The file formats GeoVote reads and writes.
    public enum Format: String, Sendable {
        case shapefile
        case geoJSON
        /// Attributes only (results tables); geometry is neither read nor written.
        case csv
        /// A GeoPackage layer: `file.gpkg:layer`, or `file.gpkg` (its only
        /// layer when read; a layer named after the file when written).
        case geoPackage

        public init(path: String) throws {
            switch (LayerIO.split(path).file as NSString).pathExtension.lowercased() {
            case "shp", "dbf", "shx": self = .shapefile
            case "geojson", "json": self = .geoJSON
            case "csv", "tsv", "txt": self = .csv
            case "gpkg": self = .geoPackage
            default:
                throw GeoVoteError.unsupported("\(path): unknown format; GeoVote reads and writes .shp, .geojson, .gpkg (FILE.gpkg:LAYER) and .csv")
            }
        }
    }

    /// `file.gpkg:layer` as its file and layer; any other path as itself.
    public static func split(_ path: String) -> (file: String, layer: String?) {
        guard let range = path.range(of: ".gpkg:", options: [.caseInsensitive, .backwards]) else { return (path, nil) }
        let layer = String(path[range.upperBound...])
        return layer.isEmpty ? (String(path[..<path.index(before: range.upperBound)]), nil) : (String(path[..<path.index(before: range.upperBound)]), layer)
    }

    /// The layer a GeoPackage output is written as: the one named, else the file's stem.
    public static func outputLayer(_ path: String) -> String {
        let (file, layer) = split(path)
        return layer ?? String(AtomicFile.name(of: file).dropLast(5))
    }

    /// Whether the file a layer path stands for exists and can be read.
    public static func isReadable(_ path: String) -> Bool {
        FileManager.default.isReadableFile(atPath: split(path).file)
    }

    /// How to read a layer.
    public struct ReadOptions: Sendable {
        /// Attribute text encoding (shapefile, CSV); nil: from the file, else detected.
        public var encoding: TextEncoding?
        /// CSV columns kept as text whatever they hold.
        public var textFields: Set<String>

        public init(encoding: TextEncoding? = nil, textFields: Set<String> = []) {
            self.encoding = encoding
            self.textFields = textFields
        }
    }

    /// How to write a layer.
    public struct WriteOptions: Sendable {
        /// Shapefile attribute encoding.
        public var encoding: TextEncoding
        /// GeoJSON: keep a projected CRS (pre-RFC `crs` member) instead of reprojecting to WGS 84.
        public var keepCRS: Bool

        /// CSV: nil — attributes only, with a note when the layer has geometry;
        /// `.none` — attributes only, no note; `.wkt` — a last column WKT.
        public var csvGeometry: CSVGeometry?
        /// CSV: write a `.csvt` with the column types beside it (GDAL reads them).
        public var csvColumnTypes: Bool
        /// GeoPackage: what produced the layer (recorded in `geovote_analyses`).
        public var provenance: Provenance?

        public init(encoding: TextEncoding = .utf8, keepCRS: Bool = false, csvGeometry: CSVGeometry? = nil, csvColumnTypes: Bool = false,
                    provenance: Provenance? = nil) {
            self.provenance = provenance
            self.encoding = encoding
            self.keepCRS = keepCRS
            self.csvGeometry = csvGeometry
            self.csvColumnTypes = csvColumnTypes
        }
    }

    /// Where a CSV output puts the geometry.
    public enum CSVGeometry: String, Sendable, Hashable, CaseIterable {
        case none
        case wkt
    }

    public static func read(_ path: String, encoding: TextEncoding? = nil) throws -> FeatureTable {
        try read(path, options: ReadOptions(encoding: encoding)).table
    }

    /// A job's input: the layer a caller already holds, else the file read
    /// (with the reader's notes).
    public static func layer(_ given: FeatureTable?, orRead path: String, encoding: TextEncoding?) throws -> (table: FeatureTable, notes: [String]) {
        if let given { return (given, []) }
        return try read(path, options: .init(encoding: encoding))
    }

    /// Reads the layer; `notes` are remarks for the user (heights dropped, …).
    public static func read(_ path: String, options: ReadOptions) throws -> (table: FeatureTable, notes: [String]) {
        switch try Format(path: path) {
        case .shapefile:
            return try ShapefileReader(encoding: options.encoding).readWithNotes(path)
        case .geoJSON:
            var reader = GeoJSONReader()
            let table = try reader.read(path)
            return (table, reader.notes)
        case .csv:
            var reader = CSVReader(encoding: options.encoding, textFields: options.textFields)
            let table = try reader.read(path)
            return (table, reader.notes)
        case .geoPackage:
            let (file, layer) = split(path)
            return (try GeoPackage.read(file, layer: layer), [])
        }
    }

    /// Writes the table; returns notes for the user (renamed fields, reprojection).
    @discardableResult
    public static func write(_ table: FeatureTable, to path: String, encoding: TextEncoding = .utf8) throws -> [String] {
        try write(table, to: path, options: WriteOptions(encoding: encoding))
    }

    @discardableResult
    public static func write(_ table: FeatureTable, to path: String, options: WriteOptions) throws -> [String] {
        switch try Format(path: path) {
        case .shapefile:
            var writer = ShapefileWriter(encoding: options.encoding)
            try writer.write(table, to: path)
            return writer.renamedFields.map { "field '\($0.0)' written as '\($0.1)' (DBF names hold 10 bytes)" }
        case .geoJSON:
            var writer = GeoJSONWriter(keepCRS: options.keepCRS)
            try writer.write(table, to: path)
            return writer.notes
        case .csv:
            try CSVWriter(wkt: options.csvGeometry == .wkt, columnTypes: options.csvColumnTypes).write(table, to: path)
            return options.csvGeometry != nil || table.geometries.allSatisfy(\.isEmpty) ? [] : ["\(path): CSV holds the attributes only; geometry not written"]
        case .geoPackage:
            return try GeoPackage.write(table, to: split(path).file, layer: outputLayer(path), provenance: options.provenance)
        }
    }

    /// The files a layer path stands for: a shapefile's sidecars, a
    /// GeoPackage layer as `file.gpkg:layer` (other layers of the file are
    /// other outputs), else the path.
    public static func files(of path: String) -> [String] {
        if (try? Format(path: path)) == .geoPackage {
            let (file, layer) = split(path)
            // An input without a layer is its only layer.
            let resolved = layer ?? ((try? GeoPackage.layers(in: file)).flatMap { $0.count == 1 ? $0[0] : nil }) ?? outputLayer(path)
            return [file + ":" + resolved]
        }
        let lower = path.lowercased()
        guard [".shp", ".dbf", ".shx"].contains(where: { lower.hasSuffix($0) }) else { return [path] }
        let stem = String(path.dropLast(4))
        return [".shp", ".shx", ".dbf", ".prj", ".cpg"].map { stem + $0 }
    }

    /// A path with `.`, `..` and symbolic links resolved, for comparing paths.
    static func canonical(_ path: String) -> String {
        let (file, layer) = split(path)
        let resolved = URL(fileURLWithPath: file).standardizedFileURL.resolvingSymlinksInPath().path
        return layer.map { resolved + ":" + $0 } ?? resolved
    }

    /// Refuses, before any work, an output that would replace a file of one
    /// of the inputs (symbolic links and `..` resolved).
    /// - Throws: `GeoVoteError.invalidArgument` naming both.
    public static func checkOutput(_ output: String, doesNotOverwrite inputs: [String]) throws {
        let read = Set(inputs.flatMap(files(of:)).map(canonical))
        if let clash = files(of: output).map(canonical).first(where: read.contains) {
            throw GeoVoteError.invalidArgument("the output \(output) would overwrite the input (\(clash)): write to another file")
        }
    }
}
