import ArgumentParser
import GeoVoteEngine
import Foundation

struct MapCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "map",
        abstract: "Draw one column of a layer as a map: SVG, PNG or PDF.",
        discussion: """
        The classes follow the column unless --classes says otherwise: an integer column \
        in -3..3 (Gi_Bin, …_gistar_bin) is drawn as ArcGIS draws hot spots (reds and \
        blues by confidence); a column of cluster classes (HH/LL/LH/HL/ns or GeoDa's \
        High-High, …) as GeoDa's LISA cluster map; other numbers as a choropleth in 5 \
        quantiles (mapclassify's Quantiles; --classes equal | jenks for equal intervals or \
        Fisher-Jenks natural breaks, --k for the number); other text as categories. \
        The legend gives the count per class; features without a value are "no data". \
        A geographic layer is projected for display (said on the map and here). PNG and \
        PDF are drawn by cairo with pango's text (Arabic shaped, right to left); SVG keeps \
        one <path> per feature with its class and a tooltip.
        """)

    @Argument(help: "The layer (.shp, .geojson, FILE.gpkg[:LAYER]), e.g. geovote hotspots' output.")
    var file: String

    @Option(name: .long, help: "The field to map.")
    var column: String

    @Option(name: .long, help: "auto (default) | quantile | equal | jenks | bins | clusters | category")
    var classes: String = "auto"

    @Option(name: .long, help: "Classes of a choropleth (2-12, default 5).")
    var k: Int = 5

    @Option(name: .long, help: "The title (default: the column).")
    var title: String?

    @Option(name: .long, help: "A field to label each feature with (Arabic or French names).")
    var label: String?

    @Option(name: .long, help: "A layer of zones (geovote zones' output) outlined over the map.")
    var zones: String?

    @Option(name: .long, help: "Width in pixels (default 1200).")
    var width: Int = 1200

    @Option(name: .long, help: "Height in pixels (default 900).")
    var height: Int = 900

    @Option(name: .shortAndLong, help: "OUT.svg, OUT.png or OUT.pdf.")
    var output: String

    @OptionGroup var common: CommonOptions

    func job(_ encoding: TextEncoding? = nil) -> MapJob {
        MapJob(input: file, column: column, classes: classes, k: k, title: title, labelField: label, zones: zones,
               width: width, height: height, output: output, encoding: encoding)
    }

    func validate() throws {
        do { try job().validate() } catch { throw ValidationError("\(error)") }
    }

    func run() throws {
        let encoding = try common.apply()
        let job = job(encoding)
        try runReportingErrors { try Self.run(job) }
    }

    static func run(_ job: MapJob) throws {
        let report = try job.run()
        report.notes.forEach(printNote)
        let map = report.map
        print("\(map.title): \(map.geometries.count) features, \(map.legend.count) classes")
        for entry in map.legend { print("  \(entry.label): \(entry.count)") }
        if map.noDataCount > 0 { print("  no data: \(map.noDataCount)") }
        print("wrote \(job.output)")
    }
}
