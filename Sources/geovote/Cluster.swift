import ArgumentParser
import GeoVoteEngine
import Foundation

extension ClusterOptions.Method: ExpressibleByArgument {}
extension HDBSCAN.Selection: ExpressibleByArgument {}
extension ClusterOutlines.Hull: ExpressibleByArgument {}

struct Cluster: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Density clusters of polling stations (or polygon centroids): DBSCAN or HDBSCAN*.",
        discussion: """
        The layer must be in a projected CRS: eps and --epsilon are in its units \
        (metres for UTM). A layer in longitude/latitude is refused with a proposed \
        projection (geovote project --to auto). Polygons are clustered by their centroids.
        DBSCAN (scikit-learn's conventions, labels numbered as scikit-learn's): a \
        core point has at least --min-samples points within --eps, itself included \
        (with --weight FIELD: the summed weight of those points, as sample_weight); \
        clusters are connected core points; a border point joins the lowest-numbered \
        cluster among its core neighbours.
        HDBSCAN* (scikit-learn's HDBSCAN: --min-samples includes the point itself and \
        defaults to --min-cluster-size; the hdbscan package's min_samples is one less): \
        the mutual-reachability spanning tree, the condensed tree, excess-of-mass \
        (eom) or leaf selection, --epsilon as cluster_selection_epsilon; \
        probability is scikit-learn's probabilities_, outlier_score the hdbscan \
        package's GLOSH outlier_scores_. Equal distances can make a point's cluster \
        depend on the order of the input in scikit-learn; GeoVote breaks ties by \
        point index, so its result depends on the data only.
        Output: one row per input feature, in input order: index (CSV), the --id \
        fields (default: every text field), cluster (-1 for noise), then core (1 or \
        0, DBSCAN) or probability and outlier_score (HDBSCAN). Identical for any --threads.
        --zones OUT writes one outline per cluster (GEOS's concave hull of its \
        points, --hull-ratio 0.3; --hull convex) with cluster, units, codes (the \
        first --id field), area_km2 (WGS 84 ellipsoid), the members' summed \
        registered, voters, valid and party votes, winner and winner_share. Hulls of \
        interleaved clusters may overlap; a cluster of fewer than 3 distinct or \
        collinear points has an empty outline.
        """
    )

    @Argument(help: "The layer (.shp, .geojson, .csv, FILE.gpkg[:LAYER]).")
    var file: String

    @Option(name: .long, help: "dbscan | hdbscan")
    var method: ClusterOptions.Method

    @Option(name: .long, parsing: .unconditional, help: "DBSCAN: the neighbourhood radius, in the layer's CRS units.")
    var eps: Double?

    @Option(name: .long, parsing: .unconditional, help: "DBSCAN: points (or weight) within eps of a core point, itself included; HDBSCAN: the core neighbourhood (default: --min-cluster-size).")
    var minSamples: Int?

    @Option(name: .long, help: "DBSCAN: a numeric field weighing each point (e.g. registered voters), as scikit-learn's sample_weight.")
    var weight: String?

    @Option(name: .long, parsing: .unconditional, help: "HDBSCAN: the smallest cluster (at least 2).")
    var minClusterSize: Int?

    @Option(name: .long, help: "HDBSCAN: eom (excess of mass, the default) | leaf")
    var selection: HDBSCAN.Selection?

    @Option(name: .long, parsing: .unconditional, help: "HDBSCAN: cluster_selection_epsilon, in CRS units (default 0: off).")
    var epsilon: Double?

    @Option(name: .long, help: "Fields copied to the output to identify features (comma-separated, or repeat --id; default: every text field).")
    var id: [String] = []

    @Option(name: .long, help: "HDBSCAN: also write the mutual-reachability spanning tree here (CSV: a,b,distance, sorted).")
    var tree: String?

    @Option(name: .long, help: "Also write each cluster's outline with its members' vote totals (.geojson, .shp, FILE.gpkg:LAYER, .csv).")
    var zones: String?

    @Option(name: .long, help: "The outline: concave (GEOS's concave hull, the default) | convex.")
    var hull: ClusterOutlines.Hull = .concave

    @Option(name: .long, parsing: .unconditional, help: "The concave hull's ratio, 0 (tightest) to 1 (convex); default 0.3.")
    var hullRatio: Double = ClusterOutlines.defaultRatio

    @Option(name: .long, help: "CSV output: none | wkt — the geometry as a last column WKT.")
    var geometry: LayerIO.CSVGeometry = .none

    @Option(name: .shortAndLong, help: "Output .csv, .shp, .geojson or FILE.gpkg[:LAYER] (a layer added to, or replaced in, the GeoPackage).")
    var output: String

    @OptionGroup var out: OutputOptions
    @OptionGroup var common: CommonOptions

    var options: ClusterOptions {
        ClusterOptions(method: method, eps: eps, minSamples: minSamples, weightField: weight, minClusterSize: minClusterSize,
                       selection: selection ?? .excessOfMass, epsilon: epsilon ?? 0)
    }

    func validate() throws {
        guard hullRatio.isFinite, (0...1).contains(hullRatio) else { throw ValidationError("--hull-ratio is between 0 and 1, not \(hullRatio)") }
        if method == .dbscan, selection != nil { throw ValidationError("--selection is HDBSCAN's: use it with --method hdbscan") }
        if method == .dbscan, epsilon != nil { throw ValidationError("--epsilon is HDBSCAN's (cluster_selection_epsilon); DBSCAN's radius is --eps") }
        do { try options.validate() } catch let error as GeoVoteError { throw ValidationError(Self.flagged("\(error)")) }
    }

    func job() throws -> ClusterJob {
        let ids = id.flatMap(commaList)
        var job = ClusterJob(input: file, options: options, idFields: ids, output: output, treeOutput: tree, encoding: try common.apply(),
                             outputEncoding: try out.writeOptions().encoding, keepCRS: out.keepCrs, csvGeometry: geometry)
        job.zonesOutput = zones
        job.hull = hull
        job.hullRatio = hullRatio
        return job
    }

    /// The library names parameters as scikit-learn does; the CLI names its flags.
    static func flagged(_ message: String) -> String {
        var text = message
        for (name, flag) in [("min_cluster_size", "--min-cluster-size"), ("min_samples", "--min-samples"), ("epsilon (cluster_selection_epsilon)", "--epsilon"),
                             ("eps ", "--eps "), ("a weight field", "--weight")] {
            text = text.replacingOccurrences(of: name, with: flag)
        }
        return text
    }

    func run() throws {
        var job = try job()
        job.commandLine = (["geovote"] + CommandLine.arguments.dropFirst()).map(shellQuoted).joined(separator: " ")
        try runReportingErrors(geodesic: false) {
            do { try Self.run(job) } catch let GeoVoteError.invalidArgument(message) { throw GeoVoteError.invalidArgument(Self.flagged(message)) }
        }
    }

    /// Runs a job and prints what `cluster` prints: notes, the summary, the files written.
    static func run(_ job: ClusterJob) throws {
        let report = try job.run()
        report.notes.forEach(printNote)
        print(report.result.summary)
        print("wrote \(report.result.labels.count) rows to \(job.output)" + (job.treeOutput.map { " and the spanning tree to \($0)" } ?? ""))
        if let outlines = report.outlines, let path = job.zonesOutput { print("wrote \(outlines.outlines.count) cluster outlines to \(path)") }
    }
}
