import ArgumentParser
import GeoVoteEngine
import Foundation

struct Info: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Describe a layer: features, geometry, CRS and its area of use, bounding box, fields.")

    @Argument(help: "The layer to describe (.shp, .geojson, .csv, FILE.gpkg:LAYER; FILE.gpkg lists its layers).")
    var file: String

    @OptionGroup var common: CommonOptions

    func run() throws {
        // A GeoPackage without a layer name: its layers, then the only one described.
        if (try? LayerIO.Format(path: file)) == .geoPackage, LayerIO.split(file).layer == nil {
            try runReportingErrors {
                let layers = try GeoPackage.layers(in: file)
                print("GeoPackage:  \(file), \(layers.count) layer\(layers.count == 1 ? "" : "s"): \(layers.joined(separator: ", "))")
                for analysis in try GeoPackage.analyses(in: file) {
                    print("  \(analysis.layer): \(analysis.provenance.parameters) (\(analysis.created), GeoVote \(analysis.version))")
                }
            }
            guard (try? GeoPackage.layers(in: file).count) == 1 else { return }
        }
        try common.withLayer(file) { table in
            print(LayerSummary(table: table, path: file).text)
            let invalid = try table.invalidGeometries(file: file)
            if !invalid.isEmpty {
                print("invalid:     \(invalid.count) geometries (geovote convert --make-valid repairs them)")
                for item in invalid.prefix(10) { print("  record \(item.record): \(item.reason)") }
                if invalid.count > 10 { print("  …") }
            }
        }
    }
}

/// The text `geovote info` prints.
struct LayerSummary {
    let table: FeatureTable
    let path: String

    var text: String {
        var lines: [String] = []
        lines.append("file:        \(path)")
        lines.append("features:    \(table.count)" + (table.emptyGeometryCount > 0 ? " (\(table.emptyGeometryCount) empty geometries)" : ""))
        let kinds = table.geometryKinds.map(\.rawValue)
        lines.append("geometry:    \(kinds.isEmpty ? "none" : kinds.joined(separator: ", "))")
        let box = table.boundingBox
        if let crs = table.crs {
            lines.append("crs:         \(crs) — \(crs.isGeographic ? "geographic" : "projected"), unit \(crs.unitName)")
            if let area = crs.areaOfUse {
                lines.append("area of use: \(area)")
                if let box, let lonLat = try? lonLatBox(box, crs), !area.contains(lonLat) {
                    lines.append("warning:     the data (\(lonLat)) reach outside the CRS's area of use")
                }
            }
        } else {
            lines.append("crs:         unknown (no .prj)")
            if let box, box.minX >= -180, box.maxX <= 180, box.minY >= -90, box.maxY <= 90 {
                lines.append("warning:     the coordinates would also fit longitude/latitude; distances are in the layer's own units")
            }
        }
        lines.append("bounds:      \(box.map(String.init(describing:)) ?? "empty")")
        if let encoding = table.sourceEncoding { lines.append("encoding:    \(encoding)") }
        lines.append("fields:      \(table.columns.count)")
        let width = max(4, table.columns.map(\.name.count).max() ?? 4)
        for column in table.columns {
            let samples = (0..<min(3, table.count)).map { "\"\(column.values.displayValue($0))\"" }.joined(separator: ", ")
            let missing = column.values.missingCount
            lines.append("  " + column.name.padding(toLength: width, withPad: " ", startingAt: 0)
                         + "  " + column.values.typeName.padding(toLength: 8, withPad: " ", startingAt: 0)
                         + samples + (missing > 0 ? "  (\(missing) missing)" : ""))
        }
        return lines.joined(separator: "\n")
    }

    private func lonLatBox(_ box: BoundingBox, _ crs: CoordinateReferenceSystem) throws -> BoundingBox {
        if crs.isGeographic { return box }
        return try CoordinateTransformer(from: crs, to: .wgs84).transformBounds(box)
    }
}
