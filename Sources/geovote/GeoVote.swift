import ArgumentParser
import GeoVoteEngine
import Foundation

@main
struct GeoVote: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "geovote",
        abstract: "Spatial analytics for election results: weights, hot spots, clusters and stronghold zones, vote-share rasters, GeoPackage layers.",
        discussion: """
        Exit status: 0 on success, 1 when the input or the job fails (one line on \
        stderr says which file, record, field and value), 64 for a usage error.
        """,
        version: GeoVoteVersion.string,
        subcommands: [Info.self, Synth.self, Convert.self, Join.self, Project.self, Weights.self, Hotspots.self, Moran.self, Isa.self, Ohsa.self, Transitions.self, Emerging.self, Strongholds.self, Cluster.self, Zones.self, RasterCommand.self, MapCommand.self, ReportCommand.self, Aggregate.self, DatabaseCommand.self, Batch.self]
    )

    /// An unknown command gets its own message (the closest command, the
    /// list of commands) instead of "Unexpected argument"; everything else
    /// goes to the argument parser.
    static func main() {
        removeTemporaryFilesOnInterrupt()
        if let first = CommandLine.arguments.dropFirst().first, !first.hasPrefix("-"), first != "help" {
            let names = configuration.subcommands.map { $0._commandName }
            if !names.contains(first) {
                let closest = names.min { editDistance($0, first) < editDistance($1, first) }
                let hint = closest.flatMap { editDistance($0, first) <= 2 || $0.hasPrefix(first) ? " Did you mean '\($0)'?" : nil } ?? ""
                FileHandle.standardError.write(Data(
                    "geovote: error: '\(first)' is not a geovote command.\(hint) Commands: \(names.joined(separator: ", ")); 'geovote help COMMAND' describes one.\n".utf8))
                Foundation.exit(ExitCode.validationFailure.rawValue)
            }
        }
        var command: ParsableCommand
        do { command = try parseAsRoot() } catch { exit(withError: error) }
        do { try command.run() } catch { exit(withError: error) }
    }
}

/// What `project --to` takes for a proposed CRS: its EPSG code, else `auto`
/// (which finds the same projection again).
func projectTarget(_ proposed: String?) -> String {
    guard let proposed, proposed.hasPrefix("EPSG:") else { return "auto" }
    return proposed
}

/// SIGINT and SIGTERM remove the outputs' temporary files, then end the
/// process with the signal's usual status (130, 143): an interrupted run
/// leaves the old outputs and nothing half-written.
nonisolated(unsafe) private var signalSources: [DispatchSourceSignal] = []

func removeTemporaryFilesOnInterrupt() {
    for sig in [SIGINT, SIGTERM] {
        signal(sig, SIG_IGN)
        let source = DispatchSource.makeSignalSource(signal: sig, queue: .global())
        source.setEventHandler {
            AtomicFile.removeTemporaryFiles()
            Foundation.exit(128 + sig)
        }
        source.resume()
        signalSources.append(source)
    }
}

/// Levenshtein distance, for "did you mean".
func editDistance(_ a: String, _ b: String) -> Int {
    let a = Array(a), b = Array(b)
    guard !a.isEmpty, !b.isEmpty else { return max(a.count, b.count) }
    var row = Array(0...b.count)
    for i in 1...a.count {
        var previous = row[0]
        row[0] = i
        for j in 1...b.count {
            let saved = row[j]
            row[j] = min(row[j] + 1, row[j - 1] + 1, previous + (a[i - 1] == b[j - 1] ? 0 : 1))
            previous = saved
        }
    }
    return row[b.count]
}

/// Options every command shares.
struct CommonOptions: ParsableArguments {
    @Option(name: .long, parsing: .unconditional, help: "Worker threads (default: every core). Results do not depend on it.")
    var threads: Int?

    @Option(name: .long, help: "Text encoding of attribute files: UTF-8, CP1256, ISO-8859-6, CP1252, ISO-8859-1 (default: from .cpg, else detected).")
    var encoding: String?

    func apply() throws -> TextEncoding? {
        if let threads {
            guard threads >= 1 else { throw ValidationError("--threads must be at least 1, not \(threads)") }
            Parallel.setDefaultWorkerCount(threads)
        }
        guard let encoding else { return nil }
        guard let parsed = TextEncoding(name: encoding) else {
            throw ValidationError("unknown --encoding '\(encoding)'; use UTF-8, CP1256, ISO-8859-6, CP1252 or ISO-8859-1")
        }
        return parsed
    }
}

extension CommonOptions {
    /// Applies --threads and --encoding, reads the layer and runs `body`,
    /// turning GeoVote errors into one stderr line and exit 1.
    func withLayer(_ file: String, textFields: Set<String> = [], _ body: (FeatureTable) throws -> Void) throws {
        let encoding = try apply()
        try runReportingErrors {
            let (table, notes) = try LayerIO.read(file, options: .init(encoding: encoding, textFields: textFields))
            notes.forEach(printNote)
            try body(table)
        }
    }
}

/// Options of every command that writes a layer.
struct OutputOptions: ParsableArguments {
    @Option(name: .long, help: "Text encoding of a shapefile output: UTF-8 (default), CP1256, ISO-8859-6, CP1252, ISO-8859-1.")
    var outputEncoding: String?

    @Flag(name: .long, help: "GeoJSON output: keep a projected CRS (writes the pre-RFC 'crs' member) instead of reprojecting to WGS 84.")
    var keepCrs = false

    func writeOptions() throws -> LayerIO.WriteOptions {
        var options = LayerIO.WriteOptions(keepCRS: keepCrs)
        if let outputEncoding {
            guard let e = TextEncoding(name: outputEncoding) else {
                throw ValidationError("unknown --output-encoding '\(outputEncoding)'; use UTF-8, CP1256, ISO-8859-6, CP1252 or ISO-8859-1")
            }
            options.encoding = e
        }
        return options
    }

    /// Fails now, before a command's work, if `path` cannot take this layer
    /// (GeoJSON of a layer whose CRS it cannot express).
    func check(_ table: FeatureTable, for path: String) throws {
        if try LayerIO.Format(path: path) == .geoJSON { try GeoJSONWriter.check(table, file: path, keepCRS: keepCrs) }
    }

    /// Writes the layer and prints the writer's notes.
    func write(_ table: FeatureTable, to path: String) throws {
        try LayerIO.write(table, to: path, options: try writeOptions()).forEach(printNote)
    }
}

/// A remark for the user on stderr (stdout stays for results).
func printNote(_ note: String) {
    FileHandle.standardError.write(Data("geovote: note: \(note)\n".utf8))
}

/// Runs a command body, turning GeoVote errors into one stderr line and exit 1.
/// `geodesic`: the command has --geodesic (the advice for a geographic CRS offers it).
func runReportingErrors(geodesic: Bool = true, _ body: () throws -> Void) throws {
    do {
        try body()
    } catch let error as GeoVoteError {
        FileHandle.standardError.write(Data("geovote: error: \(error)\(flagAdvice(for: error, geodesic: geodesic))\n".utf8))
        throw ExitCode.failure
    }
}

/// The library's errors never name the command line's flags; the CLI adds
/// which flag does what the message proposes.
func flagAdvice(for error: GeoVoteError, geodesic: Bool = true) -> String {
    switch error {
    case let .inJob(_, _, .geographicCRS(_, _, proposed)):
        return " (set \"geodesic\": true in the job, or reproject its input first: geovote project --to \(projectTarget(proposed)))"
    case .inJob(_, _, .textEncoding):
        return " (set \"encoding\" in the job or the defaults)"
    case .inJob:
        return ""
    case let .geographicCRS(_, _, proposed):
        return " (geovote project --to \(projectTarget(proposed)) first\(geodesic ? ", or pass --geodesic" : ""))"
    case .textEncoding:
        return " (pass --encoding)"
    default:
        return ""
    }
}



/// An argument as a shell would need it quoted (for the recorded command line).
func shellQuoted(_ argument: String) -> String {
    let plain = argument.allSatisfy { $0.isLetter || $0.isNumber || "-_./:=,@%+".contains($0) }
    return plain && !argument.isEmpty ? argument : "'" + argument.replacingOccurrences(of: "'", with: "'\\''") + "'"
}
