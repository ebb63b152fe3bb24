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

    func validate() throws {
        if let aggregate, aggregate.isEmpty { throw ValidationError("--aggregate is hexagon, fishnet or a polygon layer") }
        if cellSize != nil, !["hexagon", "fishnet"].contains(aggregate?.lowercased() ?? "") {
            throw ValidationError("--cell-size is the size of a --aggregate hexagon or fishnet grid")
        }
        do { try OptimizedHotSpotOptions(cellSize: nil, distance: distance, permutations: permutations, correction: correction).validate() } catch {
            throw ValidationError("\(error)")
        }
        if names == .geoda { throw ValidationError("--names is geovote or arcgis") }
    }

    func run() throws {
        try common.withLayer(file) { table in
            var aggregation: IncidentAggregation?
            switch aggregate?.lowercased() {
            case nil: aggregation = nil
            case "hexagon": aggregation = .hexagon
            case "fishnet": aggregation = .fishnet
            default:
                let (polygons, notes) = try LayerIO.read(aggregate!, options: .init(encoding: try common.apply()))
                notes.forEach(printNote)
                aggregation = .polygons(polygons, file: aggregate!)
            }
            let options = OptimizedHotSpotOptions(aggregation: aggregation, cellSize: cellSize, distance: distance,
                                                  permutations: permutations, seed: seed, correction: correction)
            try out.check(table, for: output)
            let result = try OptimizedHotSpots.run(table, file: file, variable: variable.spec(), options: options)
            result.notes.forEach(printNote)
            result.decisions.forEach { print($0) }
            let format = try LayerIO.Format(path: output)
            let layout = HotSpotTableOptions(naming: names, shortNames: format == .shapefile && names == .geovote, keep: .all, index: format == .csv)
            let written = try result.hotSpots.table(from: result.layer, file: file, options: layout)
            var write = try out.writeOptions()
            let commandLine = (["geovote"] + CommandLine.arguments.dropFirst()).map(shellQuoted).joined(separator: " ")
            write.provenance = Provenance(command: "ohsa", parameters: commandLine + "\n" + result.decisions.joined(separator: "\n"), inputs: [file])
            try LayerIO.write(written.table, to: output, options: write).forEach(printNote)
            let decisions = Ohsa.decisionsPath(output)
            try AtomicFile.write(Data((["# " + commandLine] + result.decisions).joined(separator: "\n").appending("\n").utf8), to: decisions)
            print("wrote \(result.layer.count) features to \(output) (decisions in \(decisions))")
        }
    }

    /// `h.shp` → `h.ohsa.txt`; `db.gpkg:layer` → `db.layer.ohsa.txt`.
    static func decisionsPath(_ output: String) -> String {
        var path = output
        var layer = ""
        if let colon = path.range(of: ".gpkg:", options: [.caseInsensitive, .backwards]) {
            layer = "." + path[colon.upperBound...]
            path = String(path[..<colon.lowerBound]) + ".gpkg"
        }
        if let dot = path.lastIndex(of: "."), !path[dot...].contains("/") { path = String(path[..<dot]) }
        return path + layer + ".ohsa.txt"
    }
}
