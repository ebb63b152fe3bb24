import ArgumentParser
import GeoVoteEngine
import Foundation

struct Convert: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Copy a layer to another format or text encoding (.shp, .geojson, .csv, .gpkg).",
        discussion: """
        Coordinates are copied bit-exact, except that GeoJSON output is WGS 84 \
        longitude/latitude (RFC 7946): a projected layer is reprojected unless \
        --keep-crs. CSV output holds the attributes only.
        """)

    @Argument(help: "The input layer (.shp, .geojson, .csv, FILE.gpkg[:LAYER]).")
    var file: String

    @Option(name: .shortAndLong, help: "Output layer (.shp, .geojson, .csv, FILE.gpkg[:LAYER]).")
    var output: String

    @Option(name: .long, parsing: .upToNextOption, help: "CSV input: columns kept as text (codes).")
    var text: [String] = []

    @Flag(name: .long, help: "Repair invalid geometries with GEOS MakeValid (each repaired record is listed). Without it they are copied as they are and reported.")
    var makeValid = false

    @OptionGroup var out: OutputOptions
    @OptionGroup var common: CommonOptions

    func run() throws {
        try common.withLayer(file, textFields: Set(text.flatMap { $0.split(separator: ",").map(String.init) })) { input in
            try LayerIO.checkOutput(output, doesNotOverwrite: [file])
            var table = input
            if makeValid {
                let (fixed, repaired) = try input.repaired(file: file)
                repaired.forEach { printNote("\(file): record \($0.record) repaired (\($0.reason))") }
                table = fixed
            } else {
                let invalid = try input.invalidGeometries(file: file)
                invalid.forEach { printNote("\(file): record \($0.record) is invalid (\($0.reason)); copied as is — --make-valid repairs it") }
            }
            try out.write(table, to: output)
            print("wrote \(table.count) features to \(output)")
        }
    }
}

struct Join: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Join a results table (CSV, or any layer) to geometries by a key.",
        discussion: """
        Every feature of GEOMETRIES is kept, in its order, with the results' \
        columns added (missing where its key has no results row). Keys are \
        compared as text, blanks trimmed: "01001" and 1001 differ (a note says \
        when leading zeros are why keys fail). A duplicate key on either side is \
        an error. Every key found on one side only is listed on stdout and, with \
        --unmatched, in a CSV (side,record,key). CSV results: separator , ; tab \
        or | detected, decimal comma accepted, codes with leading zeros kept as text.
        """)

    @Argument(help: "The geometries (.shp, .geojson).")
    var geometries: String

    @Argument(help: "The results (.csv, or any layer).")
    var results: String

    @Option(name: .long, help: "Key field: NAME when both sides call it so, or GEOMFIELD:RESULTSFIELD.")
    var key: String

    @Option(name: .shortAndLong, help: "Output layer (.shp, .geojson, .csv, FILE.gpkg[:LAYER]).")
    var output: String

    @Option(name: .long, help: "Also write the unmatched keys to this CSV (side,record,key).")
    var unmatched: String?

    @Option(name: .long, parsing: .upToNextOption, help: "CSV results: columns kept as text.")
    var text: [String] = []

    @Option(name: .long, help: "Text encoding of the results file (default UTF-8 for CSV; .cpg for shapefiles).")
    var resultsEncoding: String?

    @Flag(name: .long, help: "Fail (exit 1) when any key is unmatched, after reporting them.")
    var requireAll = false

    @OptionGroup var out: OutputOptions
    @OptionGroup var common: CommonOptions

    func run() throws {
        let parts = key.split(separator: ":", maxSplits: 1).map(String.init)
        guard parts.count >= 1, !parts[0].isEmpty else { throw ValidationError("--key needs a field name") }
        let textFields = Set(text.flatMap { $0.split(separator: ",").map(String.init) } + [parts.last!])
        try common.withLayer(geometries) { layer in
            try LayerIO.checkOutput(output, doesNotOverwrite: [geometries, results])
            if let unmatched { try LayerIO.checkOutput(unmatched, doesNotOverwrite: [geometries, results]) }
            var resultsTextEncoding: TextEncoding?
            if let resultsEncoding {
                guard let e = TextEncoding(name: resultsEncoding) else { throw GeoVoteError.invalidArgument("unknown --results-encoding '\(resultsEncoding)'") }
                resultsTextEncoding = e
            }
            let (table, notes) = try LayerIO.read(results, options: .init(encoding: resultsTextEncoding, textFields: textFields))
            notes.forEach(printNote)
            let joined = try layer.joined(with: table, key: parts[0], resultsKey: parts.count > 1 ? parts[1] : nil,
                                          file: geometries, resultsFile: results)
            joined.renamedColumns.forEach { printNote("results column '\($0.0)' renamed '\($0.1)' (the geometries have that name)") }
            joined.notes.forEach(printNote)
            try out.write(joined.table, to: output)
            let matched = layer.count - joined.unmatchedGeometries.count
            print("joined \(matched) of \(layer.count) features to \(table.count) results rows; wrote \(output)")
            if !joined.unmatchedGeometries.isEmpty {
                print("features without results (\(joined.unmatchedGeometries.count)): "
                      + joined.unmatchedGeometries.map { "\($0.key.isEmpty ? "<no key>" : $0.key) (record \($0.record))" }.joined(separator: ", "))
            }
            if !joined.unmatchedResults.isEmpty {
                print("results rows without a feature (\(joined.unmatchedResults.count)): "
                      + joined.unmatchedResults.map { "\($0.key.isEmpty ? "<no key>" : $0.key) (record \($0.record))" }.joined(separator: ", "))
            }
            if let unmatched {
                try CSVWriter().write(joined.unmatchedReport, to: unmatched)
            }
            if requireAll, !(joined.unmatchedGeometries.isEmpty && joined.unmatchedResults.isEmpty) {
                throw GeoVoteError.invalidArgument("--require-all: \(joined.unmatchedGeometries.count + joined.unmatchedResults.count) keys are unmatched (listed above)")
            }
        }
    }
}
