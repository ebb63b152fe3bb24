import ArgumentParser
import GeoVoteEngine
import Foundation

struct Aggregate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Sum polling-station counts into communes: by code, else by point in polygon.",
        discussion: """
        With --key POINTFIELD:AREAFIELD (e.g. commune:code) a station goes to the \
        commune whose code it holds; stations without a code, or with one no commune \
        has, go to the lowest-index commune whose polygon covers them (boundary \
        included; GEOS prepared polygons). Without --key, by location only. Output: \
        the communes in their order, with their text fields, units (stations counted) \
        and the sum of every numeric field of the stations (--fields to choose); \
        integers summed exactly. Stations in no commune are listed on stderr, never \
        counted silently. Both layers must share a CRS.
        """)

    @Argument(help: "The points with their counts (.shp, .geojson, FILE.gpkg[:LAYER]).")
    var points: String

    @Option(name: .long, help: "The areas (polygons) to sum into.")
    var to: String

    @Option(name: .long, help: "POINTFIELD:AREAFIELD, the code that ties a point to its area (or FIELD when both call it so).")
    var key: String?

    @Option(name: .long, help: "The numeric fields to sum, comma-separated (default: every numeric field of the points).")
    var fields: String?

    @Option(name: .shortAndLong, help: "Output .shp, .geojson, .csv or FILE.gpkg[:LAYER].")
    var output: String

    @OptionGroup var out: OutputOptions
    @OptionGroup var common: CommonOptions

    func run() throws {
        let encoding = try common.apply()
        let options = try out.writeOptions()
        try runReportingErrors {
            try LayerIO.checkOutput(output, doesNotOverwrite: [points, to])
            let (p, pointNotes) = try LayerIO.read(points, options: .init(encoding: encoding))
            let (a, areaNotes) = try LayerIO.read(to, options: .init(encoding: encoding))
            (pointNotes + areaNotes).forEach(printNote)
            let parts = key.map { $0.split(separator: ":", maxSplits: 1).map(String.init) }
            let list = fields.map(commaList)
            let result = try Aggregation.run(points: p, pointsFile: points, areas: a, areasFile: to, pointKey: parts?.first,
                                             areaKey: parts.map { $0.count == 2 ? $0[1] : $0[0] }, fields: list)
            result.notes.forEach(printNote)
            if try LayerIO.Format(path: output) == .geoJSON { try GeoJSONWriter.check(result.table, file: output, keepCRS: options.keepCRS) }
            try LayerIO.write(result.table, to: output, options: options).forEach(printNote)
            print("\(result.byCode) points by code, \(result.byLocation) by location, \(result.unassigned.count) in no area; wrote \(a.count) areas to \(output)")
        }
    }
}
