import ArgumentParser
import GeoVoteEngine
import Foundation

struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "A self-contained HTML report of hot-spot results: maps, Moran scatterplots, counts, zones.",
        discussion: """
        RESULT is a layer written by geovote hotspots (.gpkg, .geojson, .shp with its \
        .names.csv): every VAR_gistar_bin / VAR_local_moran_class column becomes a section. \
        JOB is a batch job file (.json): its hotspots steps run first (writing their outputs) \
        and their results are reported. Each section: the map (hover a commune for its name, \
        value, z, p and class; wheel to zoom, drag to pan, double-click to reset), the units \
        per class, the global Moran's I (row-standardised --weights, z under randomisation) \
        and GeoDa's Moran scatterplot, the top hot and cold zones (95 %) with their share. \
        The page (DIR/index.html) makes no network request.
        """)

    @Argument(help: "A hot-spot result layer, or a job file (.json).")
    var input: String

    @Option(name: .shortAndLong, help: "The folder to write index.html into.")
    var output: String

    @Option(name: .long, help: "Weights for a result layer's Moran's I, scatterplot and zones (default queen).")
    var weights: String = "queen"

    @Option(name: .long, help: "The field naming units in tooltips and zones (default: name_ar, name_fr, name or code).")
    var name: String?

    @Option(name: .long, help: "The report's title.")
    var title: String?

    @OptionGroup var common: CommonOptions

    func validate() throws {
        do { try ReportJob(input: input, output: output, weights: weights).validate() } catch { throw ValidationError("\(error)") }
    }

    func run() throws {
        let encoding = try common.apply()
        let job = ReportJob(input: input, output: output, weights: weights, nameField: name, title: title, encoding: encoding)
        try runReportingErrors {
            let report = try job.run()
            report.notes.forEach(printNote)
            for path in report.written { print("wrote \(path)") }
            print("\(report.sections) sections")
            print("wrote \(report.page)")
        }
    }
}
