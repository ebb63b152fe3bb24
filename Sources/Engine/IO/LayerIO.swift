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

        public init(path: String) throws {
            switch (path as NSString).pathExtension.lowercased() {
            case "shp", "dbf", "shx": self = .shapefile
            case "geojson", "json": self = .geoJSON
            case "csv", "tsv", "txt": self = .csv
            default:
                throw GeoVoteError.unsupported("\(path): unknown format; GeoVote reads and writes .shp, .geojson and .csv")
            }
        }
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

        public init(encoding: TextEncoding = .utf8, keepCRS: Bool = false, csvGeometry: CSVGeometry? = nil, csvColumnTypes: Bool = false) {
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
        }
    }

    /// The files a layer path stands for: a shapefile's sidecars, else the path.
    public static func files(of path: String) -> [String] {
        let lower = path.lowercased()
        guard [".shp", ".dbf", ".shx"].contains(where: { lower.hasSuffix($0) }) else { return [path] }
        let stem = String(path.dropLast(4))
        return [".shp", ".shx", ".dbf", ".prj", ".cpg"].map { stem + $0 }
    }

    /// A path with `.`, `..` and symbolic links resolved, for comparing paths.
    static func canonical(_ path: String) -> String {
        URL(fileURLWithPath: path).standardizedFileURL.resolvingSymlinksInPath().path
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
