import Foundation

/// Reads and writes layers by file extension; the one entry point the CLI
/// and the pipelines use.
public enum LayerIO {
    /// The file formats GeoVote reads and writes.
    public enum Format: String, Sendable {
        case shapefile

        public init(path: String) throws {
            switch (path as NSString).pathExtension.lowercased() {
            case "shp", "dbf", "shx": self = .shapefile
            default:
                throw GeoVoteError.unsupported("\(path): unknown format; GeoVote reads and writes .shp")
            }
        }
    }

    public static func read(_ path: String, encoding: TextEncoding? = nil) throws -> FeatureTable {
        switch try Format(path: path) {
        case .shapefile: return try ShapefileReader(encoding: encoding).read(path)
        }
    }

    /// Writes the table; returns notes for the user (renamed fields).
    @discardableResult
    public static func write(_ table: FeatureTable, to path: String, encoding: TextEncoding = .utf8) throws -> [String] {
        switch try Format(path: path) {
        case .shapefile:
            var writer = ShapefileWriter(encoding: encoding)
            try writer.write(table, to: path)
            return writer.renamedFields.map { "field '\($0.0)' written as '\($0.1)' (DBF names hold 10 bytes)" }
        }
    }
}
