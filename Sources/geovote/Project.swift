import ArgumentParser
import GeoVoteEngine
import Foundation

struct Project: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Reproject a layer to another CRS.",
        discussion: """
        Coordinates are transformed by PROJ in parallel, x = longitude/easting \
        whatever the CRS's axis order. A warning is printed when the data reach \
        outside the target CRS's area of use (EPSG:26191 Nord Maroc stops at \
        31°30'N; for all of Morocco use UTM 28N-30N or --to auto).
        """)

    @Argument(help: "The layer to reproject (.shp with a .prj).")
    var file: String

    @Option(name: .long, help: "Target CRS: EPSG:NNNN, a WKT or PROJ string, or 'auto' for a projected CRS that covers the data.")
    var to: String

    @Option(name: .shortAndLong, help: "Output layer (.shp, or .geojson with a 'crs' member naming the EPSG code).")
    var output: String

    @OptionGroup var common: CommonOptions

    func run() throws {
        try common.withLayer(file) { table in
            try LayerIO.checkOutput(output, doesNotOverwrite: [file])
            guard let source = table.crs else {
                throw GeoVoteError.unsupported("\(file): the layer has no CRS (.prj); cannot reproject it")
            }
            let lonLat: BoundingBox? = try table.boundingBox.map {
                source.isGeographic ? $0 : try CoordinateTransformer(from: source, to: .wgs84).transformBounds($0)
            }
            let target: CoordinateReferenceSystem
            if to.lowercased() == "auto" {
                guard let lonLat else { throw GeoVoteError.unsupported("\(file): the layer is empty; name a CRS with --to") }
                target = try CoordinateReferenceSystem.suggestProjected(forLongitudeLatitude: lonLat)
            } else {
                target = try CoordinateReferenceSystem(definition: to.hasPrefix("epsg:") ? to.uppercased() : to)
            }
            if let lonLat, let area = target.areaOfUse, !area.contains(lonLat) {
                var message = "geovote: warning: the data (\(lonLat)) reach outside the area of use of \(target): \(area)"
                if let better = try? CoordinateReferenceSystem.suggestProjected(forLongitudeLatitude: lonLat) {
                    message += "; \(better) covers them"
                }
                FileHandle.standardError.write(Data((message + "\n").utf8))
            }
            let projected = try table.projected(to: target, file: file)
            // GeoJSON output keeps the CRS asked for (the pre-RFC 'crs' member).
            try LayerIO.write(projected, to: output, options: .init(encoding: table.sourceEncoding ?? .utf8, keepCRS: true)).forEach(printNote)
            print("wrote \(projected.count) features in \(target) to \(output)")
        }
    }
}
