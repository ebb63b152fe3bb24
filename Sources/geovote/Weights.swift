import ArgumentParser
import GeoVoteEngine
import Foundation

struct Weights: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "weights",
        abstract: "Build spatial weights and write them as GAL, GWT or CSV.",
        discussion: """
        Types: queen and rook (libpysal's vertex rule: a shared vertex / a shared \
        edge with exactly equal coordinates), spdep-queen and spdep-rook \
        (spdep poly2nb: one / two boundary points within --snap, default \
        spdep's 1.49e-8), strict-queen and strict-rook (libpysal's strict = \
        geometric test: GEOS touches / boundaries sharing a line; overlapping \
        polygons are not neighbours), knn (k nearest, ties by input \
        order), distance (d <= threshold; 'auto' = the smallest threshold that \
        gives every unit a neighbour, ArcGIS's default), kernel (libpysal's \
        Kernel: triangular, uniform, epanechnikov, quartic, gaussian; fixed \
        --bandwidth, or --adaptive K). Distance-based types use points, or \
        polygon centroids, in CRS units; a geographic CRS is refused unless \
        --geodesic (great-circle metres on a 6371 km sphere).
        Output: .gal (GeoDa/libpysal, binary), .gwt (weighted), .csv \
        (focal,neighbor,weight, 0-based input order).
        """)

    @Argument(help: "The layer (.shp).")
    var file: String

    @Option(name: .long, help: "queen | rook | spdep-queen | spdep-rook | strict-queen | strict-rook | knn | distance | kernel")
    var type: String

    @Option(name: .long, help: "spdep-queen/spdep-rook: snap distance in CRS units (spdep's default sqrt(double eps)).")
    var snap: Double = SpatialWeights.spdepDefaultSnap

    @Option(name: .long, help: "Neighbours for knn, or for the default kernel bandwidth.")
    var k: Int?

    @Option(name: .long, help: "Distance threshold (CRS units, metres with --geodesic) or 'auto'.")
    var threshold: String?

    @Flag(name: .long, help: "Inverse-distance weights d^alpha for --type distance (default binary).")
    var inverse = false

    @Option(name: .long, parsing: .unconditional, help: "Power of the inverse distance.")
    var alpha: Double = -1

    @Flag(name: .long, help: "Keep co-located points (distance 0) as neighbours (spdep; libpysal drops them).")
    var includeColocated = false

    @Option(name: .long, help: "Kernel function.")
    var kernel: String = "triangular"

    @Option(name: .long, help: "Fixed kernel bandwidth.")
    var bandwidth: Double?

    @Option(name: .long, help: "Adaptive kernel: each bandwidth is the distance to the K-th neighbour.")
    var adaptive: Int?

    @Flag(name: .long, help: "Kernel: self-weight 1 instead of K(0).")
    var diagonal = false

    @Option(name: .long, help: "binary | row | doubly | variance | none")
    var transform: String?

    @Flag(name: .long, help: "Great-circle distances in metres on a geographic CRS.")
    var geodesic = false

    @Option(name: .long, help: "Field whose values are the ids in GAL/GWT output (default: 0-based input order).")
    var id: String?

    @Option(name: .shortAndLong, help: "Output file: .gal, .gwt or .csv")
    var output: String

    @OptionGroup var common: CommonOptions

    func run() throws {
        try common.withLayer(file) { table in
            var w = try build(table)
            if let transform {
                guard let kind = WeightsCommandParsing.transform(transform) else {
                    throw GeoVoteError.invalidArgument("unknown --transform '\(transform)'; use binary, row, doubly, variance or none")
                }
                w = w.transformed(kind)
            }
            var ids: [String]?
            if let id {
                guard let column = table.column(named: id) else {
                    throw GeoVoteError.invalidArgument("\(file) has no field '\(id)'; fields: \(table.columns.map(\.name).joined(separator: ", "))")
                }
                ids = (0..<table.count).map { column.values.displayValue($0) }
                if Set(ids!).count != ids!.count { throw GeoVoteError.invalidArgument("field '\(id)' has duplicate values: it cannot serve as ids") }
            }
            let layerName = { (name: String) in name.lastIndex(of: ".").map { String(name[..<$0]) } ?? name }(AtomicFile.name(of: file))
            try WeightsFiles.write(w, to: output, ids: ids, layerName: layerName, idField: id ?? "FID")
            print(WeightsSummary(w).description)
            print("wrote \(output)")
        }
    }

    func build(_ table: FeatureTable) throws -> SpatialWeights {
        switch type.lowercased() {
        case "queen": return try SpatialWeights.contiguity(table, rule: .queen, file: file)
        case "rook": return try SpatialWeights.contiguity(table, rule: .rook, file: file)
        case "spdep-queen": return try SpatialWeights.contiguity(table, rule: .spdepQueen, snap: snap, file: file)
        case "spdep-rook": return try SpatialWeights.contiguity(table, rule: .spdepRook, snap: snap, file: file)
        case "strict-queen": return try SpatialWeights.contiguity(table, rule: .strictQueen, file: file)
        case "strict-rook": return try SpatialWeights.contiguity(table, rule: .strictRook, file: file)
        case "knn":
            guard let k else { throw GeoVoteError.invalidArgument("--type knn needs --k") }
            return try SpatialWeights.kNearest(WeightsPoints(table: table, geodesic: geodesic, file: file), k: k)
        case "distance":
            guard let threshold else { throw GeoVoteError.invalidArgument("--type distance needs --threshold T or --threshold auto") }
            let points = try WeightsPoints(table: table, geodesic: geodesic, file: file)
            let t: Double
            if threshold == "auto" {
                t = SpatialWeights.minimumThreshold(points)
                print("threshold:  \(t) (auto: every unit has a neighbour)")
            } else {
                guard let value = Double(threshold) else { throw GeoVoteError.invalidArgument("--threshold '\(threshold)' is not a number or 'auto'") }
                t = value
            }
            return try SpatialWeights.distanceBand(points, threshold: t, binary: !inverse, alpha: alpha, includeColocated: includeColocated)
        case "kernel":
            guard let function = SpatialWeights.KernelFunction(name: kernel) else {
                throw GeoVoteError.invalidArgument("unknown --kernel '\(kernel)'; use triangular, uniform, epanechnikov, quartic or gaussian")
            }
            let points = try WeightsPoints(table: table, geodesic: geodesic, file: file)
            let choice: SpatialWeights.KernelBandwidth
            if let adaptive { choice = .adaptive(k: adaptive) } else if let bandwidth { choice = .fixed(bandwidth) } else { choice = .fixedFromNeighbors(k: k ?? 2) }
            return try SpatialWeights.kernel(points, function: function, bandwidth: choice, diagonal: diagonal)
        default:
            throw GeoVoteError.invalidArgument("unknown --type '\(type)'; use queen, rook, spdep-queen, spdep-rook, strict-queen, strict-rook, knn, distance or kernel")
        }
    }
}

enum WeightsCommandParsing {
    static func transform(_ name: String) -> WeightsTransform? { WeightsTransform(name: name) }
}
