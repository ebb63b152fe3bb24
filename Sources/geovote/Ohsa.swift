import ArgumentParser
import GeoVoteEngine
import Foundation

struct Ohsa: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ohsa",
        abstract: "Optimized hot-spot analysis: GeoVote chooses the scale (as ArcGIS's Optimized Hot Spot Analysis), then runs Gi* with the FDR.",
        discussion: """
        The decision path of ArcGIS's Optimized Hot Spot Analysis, every decision printed \
        and written beside the output (OUT's name with .ohsa.txt; in a GeoPackage also in \
        geovote_analyses): (1) with --aggregate, points (stations, incidents) are summed \
        into a fishnet or hexagon grid (cells without a point dropped; cell size by \
        ArcGIS's rule unless --cell-size: the larger of the mean and median \
        nearest-neighbour distance of the distinct locations, times the larger of 2 and \
        their ratio; hexagon size = distance between neighbouring centres), or into the \
        polygons of a layer (every polygon kept); every numeric field is summed and \
        'units' counts the points, so --share MP/valid is computed on the sums; (2) at \
        least 30 features (60 incidents for a grid) and a variable that varies; (3) the \
        distance band: the first peak of incremental spatial autocorrelation (10 bands; \
        start and step without the locational outliers, 3 standard distances), else the \
        highest peak, else the mean distance to the k-th neighbour, k = clamp(0.05 n, 3, \
        30), capped by the standard distance (--distance D to give it); (4) Gi* on binary \
        weights of that band, analytic z, Gi_Bin +-3/2/1 at 99/95/90 % with the false \
        discovery rate at each level (--correction by: Benjamini-Yekutieli; none). \
        Beyond ArcGIS: --permutations R --seed S for pseudo p-values. A projected CRS is \
        required. Output: the features (or cells) with their fields and the Gi* columns \
        of geovote hotspots (--names arcgis: GiZScore GiPValue Gi_Bin NNeighbors).
        """)

    @Argument(help: "Points or polygons (.shp, .geojson, FILE.gpkg[:LAYER]) in a projected CRS.")
    var file: String

    @OptionGroup var variable: VariableChoice

    @Option(name: .long, help: "hexagon | fishnet | POLYGONS (a layer) — aggregate points first.")
    var aggregate: String?

    @Option(name: .long, help: "Cell size of a hexagon or fishnet grid, in the CRS's units (default: ArcGIS's rule).")
    var cellSize: Double?

    @Option(name: .long, help: "The distance band, in the CRS's units (default: chosen).")
    var distance: Double?

    @Option(name: .long, parsing: .unconditional, help: "Permutations for pseudo p-values (default 0: analytic z, as ArcGIS).")
    var permutations: Int = 0

    @Option(name: .long, help: "Seed of the permutations.")
    var seed: UInt64 = 12345

    @Option(name: .long, help: "fdr (default, ArcGIS) | by | none")
    var correction: MultipleTesting = .fdr

    @Option(name: .long, help: "geovote (default) | arcgis — the result columns' names.")
    var names: ColumnNaming = .geovote

    @Option(name: .shortAndLong, help: "Output .shp, .geojson, .csv, FILE.gpkg[:LAYER].")
    var output: String

    @OptionGroup var out: OutputOptions
    @OptionGroup var common: CommonOptions

    func job() throws -> OptimizedHotSpotJob {
        var job = OptimizedHotSpotJob(input: file, variable: variable.field ?? variable.share ?? "", aggregate: aggregate, cellSize: cellSize,
                                      distance: distance, permutations: permutations, seed: seed, correction: correction, naming: names,
                                      output: output, encoding: try common.apply(), outputEncoding: try out.writeOptions().encoding, keepCRS: out.keepCrs)
        job.commandLine = (["geovote"] + CommandLine.arguments.dropFirst()).map(shellQuoted).joined(separator: " ")
        return job
    }

    func validate() throws {
        // The library's checks that need no file, as usage errors (exit 64).
        let job = OptimizedHotSpotJob(input: file, variable: "", aggregate: aggregate, cellSize: cellSize, distance: distance,
                                      permutations: permutations, seed: seed, correction: correction, naming: names, output: output)
        do { try job.validate(inputWrittenEarlier: true) } catch { throw ValidationError("\(error)") }
    }

    func run() throws {
        let job = try job()
        try runReportingErrors { try Self.run(job) }
    }

    static func run(_ job: OptimizedHotSpotJob) throws {
        let report = try job.run()
        report.notes.forEach(printNote)
        report.result.decisions.forEach { print($0) }
        print("wrote \(report.result.layer.count) features to \(job.output) (decisions in \(job.decisionsPath))")
    }
}
