import ArgumentParser
import GeoVoteEngine
import Foundation

struct Isa: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "isa",
        abstract: "Incremental spatial autocorrelation: global Moran's I and z for a series of distance bands, and the peaks.",
        discussion: """
        ArcGIS's Incremental Spatial Autocorrelation, with its published defaults: \
        --start the smallest band that gives every feature a neighbour (times 1.0001), \
        --step the mean nearest-neighbour distance, 10 bands, capped at the standard \
        distance of the points (at 75 % of the extent's longer side when --start or \
        --step is given). Points, or polygon centroids, in a projected CRS. Weights: \
        binary distance bands, row-standardised (--transform binary for raw); z under \
        randomisation (--assumption normality for the other), two-sided p. A peak is a \
        band with z above 1.65 after z has risen and before it falls; the first and the \
        highest are reported. Features without a neighbour at a band are left out of \
        that band (--islands keep: esda's empty rows). Output (--output OUT.csv): band, \
        distance, mean_neighbours, I, z, p, peak (first, highest, first;highest or \
        empty), then EI, VI, islands.
        """)

    @Argument(help: "The layer (.shp, .geojson, FILE.gpkg[:LAYER]) in a projected CRS.")
    var file: String

    @OptionGroup var variable: VariableChoice

    @Option(name: .long, help: "The first band, in the CRS's units (default: every feature gets a neighbour).")
    var start: Double?

    @Option(name: .long, help: "The increment, in the CRS's units (default: the mean nearest-neighbour distance).")
    var step: Double?

    @Option(name: .long, help: "Number of bands (default 10, at most 100).")
    var count: Int = 10

    @Option(name: .long, help: "randomization (default, ArcGIS) | normality")
    var assumption: MoranAssumption = .randomization

    @Option(name: .long, help: "row (default) | binary")
    var transform: BandTransformArgument = .row

    @Option(name: .long, help: "exclude (default, ArcGIS) | keep (esda) — features without a neighbour at a band.")
    var islands: BandIslands = .exclude

    @Option(name: .long, help: "exclude | error — a feature whose value is missing or a share of 0.")
    var missing: MissingValuePolicy = .exclude

    @Option(name: .shortAndLong, help: "Write the bands to this .csv.")
    var output: String?

    @Option(name: .long, help: "Draw z against distance, the peaks marked, to this .svg.")
    var plot: String?

    @Flag(name: .long, help: "Print JSON.")
    var json = false

    @OptionGroup var common: CommonOptions

    var options: IncrementalOptions {
        IncrementalOptions(start: start, step: step, count: count, assumption: assumption, rowStandardize: transform == .row,
                           islands: islands, missing: missing)
    }

    func validate() throws {
        do { try IncrementalJob(input: file, variable: variable.text, options: options, output: output, plot: plot).validate(inputWrittenEarlier: true) } catch {
            throw ValidationError("\(error)")
        }
    }

    func run() throws {
        let encoding = try common.apply()
        let job = IncrementalJob(input: file, variable: variable.text, options: options, output: output, encoding: encoding, plot: plot)
        try runReportingErrors { try Self.run(job, json: json) }
    }

    static func run(_ job: IncrementalJob, json: Bool = false) throws {
        let report = try job.run()
        report.notes.forEach(printNote)
        let isa = report.result
        if json {
            print(isa.json)
        } else {
            isa.decisions.forEach { print($0) }
            print(isa.text)
            if let output = job.output { print("wrote \(isa.bands.count) bands to \(output)") }
            if let plot = job.plot { print("wrote the plot to \(plot)") }
        }
    }
}

/// --transform of `isa`.
enum BandTransformArgument: String, ExpressibleByArgument, CaseIterable { case row, binary }

extension MoranAssumption: ExpressibleByArgument {}
extension BandIslands: ExpressibleByArgument {}
