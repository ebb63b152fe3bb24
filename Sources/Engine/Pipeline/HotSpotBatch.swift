import Foundation

/// A JSON value as a job file holds it.
public enum JSONValue: Sendable, Hashable, Decodable {
    case string(String)
    case number(Double)
    case bool(Bool)
    case array([JSONValue])
    case object([String: JSONValue])
    case null

    public init(from decoder: Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() { self = .null }
        else if let b = try? c.decode(Bool.self) { self = .bool(b) }
        else if let n = try? c.decode(Double.self) { self = .number(n) }
        else if let s = try? c.decode(String.self) { self = .string(s) }
        else if let a = try? c.decode([JSONValue].self) { self = .array(a) }
        else { self = .object(try c.decode([String: JSONValue].self)) }
    }

    /// What kind of value this is, for messages.
    var kind: String {
        switch self {
        case .string: "a string"
        case .number: "a number"
        case .bool: "true/false"
        case .array: "a list"
        case .object: "an object"
        case .null: "null"
        }
    }
}

/// A batch of hot-spot jobs from a JSON job file, checked whole before any
/// statistic runs.
///
/// The file holds `"jobs"`, a list of objects with the keys of ``keys``
/// (the options of `geovote hotspots`), and optional `"defaults"` with the
/// same keys, applied to every job. Lists may be JSON arrays
/// (`"statistic": ["gistar", "local-moran"]`). Relative paths (input,
/// output, a weights file) are taken from the job file's folder.
///
/// ```json
/// {"defaults": {"weights": "queen", "permutations": 999, "seed": 1, "correction": "fdr"},
///  "jobs": [{"input": "communes.shp", "share": "all/valid", "statistic": ["gistar", "local-moran"],
///            "id": "code", "output": "hotspots.csv"}]}
/// ```
public struct HotSpotBatch: Sendable {
    /// The job file.
    public let file: String
    /// Every job, in file order: hot spots, and (`"command": "cluster"` or
    /// `"zones"`) clusterings and stronghold zones.
    public let steps: [BatchStep]
    /// The hot-spot jobs.
    public var jobs: [HotSpotJob] { steps.compactMap { if case let .hotSpots(job) = $0 { job } else { nil } } }

    /// Every key a job may have, with what it takes.
    public static let keys: [String: String] = [
        "input": "the layer (.shp, .geojson, .csv)", "output": "the output (.csv, .shp, .geojson)",
        "field": "variables: FIELD, NUM/DEN, all/DEN, eb:NUM/DEN", "share": "shares NUM/DEN, added to field",
        "statistic": HotSpotStatistic.allCases.map(\.rawValue).joined(separator: " | "), "weights": WeightsSpec.spellings,
        "weights_id": "the field holding a weights file's ids", "geodesic": "true: great-circle distances",
        "transform": "binary | row | doubly | variance | none", "permutations": "a whole number, 0 to \(ConditionalPermutation.maximumPermutations)",
        "seed": "a whole number ≥ 0", "alternative": Alternative.allCases.map(\.rawValue).joined(separator: " | "),
        "draws": "without | with | esda | shared | geoda", "geoda_threads": "a whole number ≥ 1",
        "variance": "ordgetis | esda", "moments": "conditional | total", "scale": "esda | spdep | geoda",
        "alpha": "a number between 0 and 1", "correction": MultipleTesting.allCases.map(\.rawValue).joined(separator: " | "),
        "fdr": "true: correction fdr", "significance": "two-sided | directed",
        "convention": Convention.allCases.map(\.rawValue).joined(separator: " | "), "missing": "exclude | error",
        "against": "local-moran-bv's neighbour variable", "id": "id fields (several allowed)", "keep": "all | FIELD,…",
        "names": ColumnNaming.allCases.map(\.rawValue).joined(separator: " | "), "geometry": "CSV output: none | wkt",
        "encoding": "input encoding", "output_encoding": "shapefile output encoding", "keep_crs": "true: GeoJSON keeps a projected CRS",
    ]

    /// Reads and parses a job file (nothing is run or checked against data yet).
    /// - Throws: `GeoVoteError` naming the file, the job (1-based) and the key.
    public init(contentsOf file: String, encoding: TextEncoding? = nil) throws {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: file, isDirectory: &isDirectory) else {
            throw GeoVoteError.io(path: file, reason: "no such file")
        }
        guard !isDirectory.boolValue else { throw GeoVoteError.io(path: file, reason: "is a folder, not a job file") }
        guard let data = FileManager.default.contents(atPath: file) else { throw GeoVoteError.io(path: file, reason: "cannot be read") }
        try self.init(data: data, file: file, encoding: encoding)
    }

    public init(data: Data, file: String, encoding: TextEncoding? = nil) throws {
        self.file = file
        let root: JSONValue
        do {
            root = try JSONDecoder().decode(JSONValue.self, from: data)
        } catch let DecodingError.dataCorrupted(context) {
            let detail = (context.underlyingError as NSError?)?.userInfo["NSDebugDescription"] as? String ?? context.debugDescription
            throw GeoVoteError.malformed(DataLocation(file: file), reason: "is not valid JSON: \(detail)")
        } catch {
            throw GeoVoteError.malformed(DataLocation(file: file), reason: "is not valid JSON: \(error)")
        }
        guard case let .object(top) = root else {
            throw GeoVoteError.malformed(DataLocation(file: file), reason: "holds \(root.kind), not a JSON object with \"jobs\"")
        }
        for key in top.keys where key != "jobs" && key != "defaults" {
            throw GeoVoteError.malformed(DataLocation(file: file, field: key), reason: "is not a job file key; use \"jobs\" and \"defaults\"")
        }
        var defaults: [String: JSONValue] = [:]
        if let d = top["defaults"] {
            guard case let .object(o) = d else { throw GeoVoteError.malformed(DataLocation(file: file, field: "defaults"), reason: "must be an object, not \(d.kind)") }
            defaults = o
        }
        guard case let .array(list)? = top["jobs"], !list.isEmpty else {
            throw GeoVoteError.malformed(DataLocation(file: file, field: "jobs"), reason: "must be a non-empty list of objects")
        }
        let folder = AtomicFile.folder(of: file)
        steps = try list.enumerated().map { k, value in
            guard case let .object(job) = value else {
                throw GeoVoteError.malformed(DataLocation(file: file, field: "jobs"), reason: "job \(k + 1) is \(value.kind), not an object")
            }
            do {
                return try Self.step(job, defaults: defaults, folder: folder, encoding: encoding)
            } catch let error as GeoVoteError {
                throw GeoVoteError.inJob(file: file, job: k + 1, error)
            }
        }
    }

    /// Checks every job before any runs: options, inputs readable, output
    /// folders writable, no output overwriting an input or another job's
    /// output, and every field present in its layer (weights are built when the job runs). Reads each input once;
    /// returns the layers for ``run(workers:progress:report:)``.
    public func validate() throws -> [String: FeatureTable] {
        var layers: [String: FeatureTable] = [:]
        var outputs: [String: Int] = [:]
        for (k, step) in steps.enumerated() {
            do {
                // An input an earlier job writes does not exist yet.
                let produced = LayerIO.files(of: step.input).map(LayerIO.canonical).contains { outputs[$0] != nil }
                try step.validate(inputWrittenEarlier: produced)
                for output in step.outputs {
                    let key = LayerIO.canonical(output)
                    if let other = outputs[key] { throw GeoVoteError.invalidArgument("writes \(output), as job \(other + 1) does") }
                    outputs[key] = k
                }
                if case let .hotSpots(job) = step {
                    if layers[job.input] == nil { layers[job.input] = try job.read().0 }
                    try job.check(layer: layers[job.input]!)
                }
            } catch let error as GeoVoteError {
                throw GeoVoteError.inJob(file: file, job: k + 1, error)
            }
        }
        for (k, step) in steps.enumerated() {
            let inputs = LayerIO.files(of: step.input).map(LayerIO.canonical)
            if let writer = inputs.compactMap({ outputs[$0] }).first, writer >= k {
                throw GeoVoteError.malformed(DataLocation(file: file), reason: "job \(writer + 1): its output is the input of job \(k + 1), which runs \(writer == k ? "it" : "before it")")
            }
        }
        return layers
    }

    /// Runs the jobs in order, after ``validate()``; `report` is told each
    /// hot-spot job's number and report as it finishes.
    public func run(workers: Int = Parallel.defaultWorkerCount, progress: HotSpotAnalysis.ProgressFactory? = nil,
                    report: (Int, HotSpotJob.Report) -> Void = { _, _ in }) throws {
        try runSteps(workers: workers, progress: progress) { k, stepReport in
            if case let .hotSpots(r) = stepReport { report(k, r) }
        }
    }

    /// Runs every job in order, after ``validate()``, telling `report` each
    /// job's number and report. A later job may read an earlier one's output
    /// (zones from a hot-spot result).
    public func runSteps(workers: Int = Parallel.defaultWorkerCount, progress: HotSpotAnalysis.ProgressFactory? = nil,
                         report: (Int, BatchStep.Report) -> Void = { _, _ in }) throws {
        let layers = try validate()
        for (k, step) in steps.enumerated() {
            do {
                switch step {
                case let .hotSpots(job): report(k, .hotSpots(try job.run(layer: layers[job.input], workers: workers, progress: progress)))
                case let .cluster(job): report(k, .cluster(try job.run(workers: workers)))
                case let .zones(job): report(k, .zones(try job.run(workers: workers)))
                case let .raster(job): report(k, .raster(try job.run(workers: workers)))
                case let .ohsa(job): report(k, .ohsa(try job.run(workers: workers)))
                case let .isa(job): report(k, .isa(try job.run(workers: workers)))
                case let .emerging(job): report(k, .emerging(try job.run(workers: workers)))
                case let .transitions(job): report(k, .transitions(try job.run(workers: workers)))
                case let .strongholds(job): report(k, .strongholds(try job.run(workers: workers)))
                case let .map(job): report(k, .map(try job.run(workers: workers)))
                }
            } catch let error as GeoVoteError {
                throw GeoVoteError.inJob(file: file, job: k + 1, error)
            }
        }
    }

    /// The keys that name files: not for ``job(analysing:json:)``.
    static let fileKeys: Set<String> = ["input", "output", "encoding", "output_encoding", "keep_crs", "geometry"]

    /// A job on a layer that is already in memory, from a JSON object of the
    /// analysis keys of ``keys`` (every key but those naming files: `input`,
    /// `output`, `encoding`, `output_encoding`, `keep_crs`, `geometry`):
    /// `{"share": "MP/valid", "statistic": "gistar", "weights": "queen",
    /// "permutations": 999, "seed": 1}`. Run it with
    /// ``HotSpotJob/analyse(_:as:workers:progress:weights:)``. What the C ABI
    /// and the Python package take.
    /// - Parameters:
    ///   - source: how messages name the layer (its file, or "arrow table").
    ///   - json: the options, a JSON object.
    /// - Throws: `GeoVoteError` naming the key and its value.
    public static func job(analysing source: String, json: String) throws -> HotSpotJob {
        let root: JSONValue
        do {
            root = try JSONDecoder().decode(JSONValue.self, from: Data(json.utf8))
        } catch {
            throw GeoVoteError.invalidArgument("the options are not valid JSON: \((error as NSError).userInfo["NSDebugDescription"] as? String ?? "\(error)")")
        }
        guard case var .object(keys) = root else { throw GeoVoteError.invalidArgument("the options are \(root.kind), not a JSON object") }
        for key in keys.keys.sorted() where fileKeys.contains(key) {
            throw GeoVoteError.invalidArgument("'\(key)' names a file: the options of an analysis in memory take \(Self.keys.keys.filter { !fileKeys.contains($0) }.sorted().joined(separator: ", "))")
        }
        keys["input"] = .string(source)
        keys["output"] = .string("(memory).csv")
        var job = try job(keys, folder: "", encoding: nil)
        job.weightsFolder = nil
        return job
    }

    // MARK: Parsing one job

    static func job(_ keys: [String: JSONValue], folder: String, encoding: TextEncoding?) throws -> HotSpotJob {
        for key in keys.keys.sorted() where Self.keys[key] == nil {
            throw GeoVoteError.invalidArgument("'\(key)' is not a job key; use \(Self.keys.keys.sorted().joined(separator: ", "))")
        }
        func resolve(_ path: String) -> String { path.hasPrefix("/") || folder.isEmpty ? path : folder + "/" + path }
        func string(_ key: String) throws -> String? {
            switch keys[key] {
            case nil, .null?: return nil
            case let .string(s)?: return s
            case let .number(n)? where !["input", "output", "weights"].contains(key):
                return n == n.rounded() && abs(n) < 1e15 ? String(Int64(n)) : String(n)
            case let .array(list)?:
                return try list.map { item -> String in
                    guard case let .string(s) = item else { throw GeoVoteError.invalidArgument("'\(key)' lists \(item.kind): give strings") }
                    return s
                }.joined(separator: ",")
            case let v?: throw GeoVoteError.invalidArgument("'\(key)' is \(v.kind): give \(Self.keys[key]!)")
            }
        }
        func list(_ key: String) throws -> [String] {
            (try string(key) ?? "").split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        }
        func integer(_ key: String) throws -> Int? {
            switch keys[key] {
            case nil, .null?: return nil
            case let .number(n)?:
                guard n == n.rounded(), abs(n) < 9e15 else { throw GeoVoteError.invalidArgument("'\(key)' is \(n): give a whole number") }
                return Int(n)
            case let v?: throw GeoVoteError.invalidArgument("'\(key)' is \(v.kind): give \(Self.keys[key]!)")
            }
        }
        func bool(_ key: String) throws -> Bool {
            switch keys[key] {
            case nil, .null?: return false
            case let .bool(b)?: return b
            case let v?: throw GeoVoteError.invalidArgument("'\(key)' is \(v.kind): give true or false")
            }
        }
        func choice<T: RawRepresentable & CaseIterable>(_ key: String, _: T.Type) throws -> T? where T.RawValue == String {
            guard let text = try string(key) else { return nil }
            guard let value = T(rawValue: text.lowercased()) else {
                throw GeoVoteError.invalidArgument("'\(key)' is '\(text)': use \(T.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            return value
        }
        guard let input = try string("input") else { throw GeoVoteError.invalidArgument("'input' is missing: each job names its input layer") }
        guard let output = try string("output") else { throw GeoVoteError.invalidArgument("'output' is missing: each job names its output file") }
        let variables = [try string("field"), try string("share")].compactMap { $0 }.joined(separator: ",")
        guard !variables.isEmpty else { throw GeoVoteError.invalidArgument("'field' or 'share' is missing: each job names its variables") }
        var options = HotSpotOptions()
        let statisticText = try list("statistic")
        if !statisticText.isEmpty {
            options.statistics = try statisticText.map {
                guard let s = HotSpotStatistic(name: $0) else {
                    throw GeoVoteError.invalidArgument("'statistic' is '\($0)': use \(HotSpotStatistic.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                return s
            }
        }
        if let w = try string("weights") { options.weights = try WeightsSpec(parsing: w, idField: try string("weights_id")) }
        options.geodesic = try bool("geodesic")
        if let t = try string("transform") {
            guard let transform = WeightsTransform(name: t) else { throw GeoVoteError.invalidArgument("'transform' is '\(t)': use binary, row, doubly, variance or none") }
            options.transform = transform
        }
        options.permutations = try integer("permutations")
        if let seed = try integer("seed") {
            guard seed >= 0 else { throw GeoVoteError.invalidArgument("'seed' is \(seed): give a whole number ≥ 0") }
            options.seed = UInt64(seed)
        }
        options.alternative = try choice("alternative", Alternative.self)
        if let d = try string("draws") {
            options.draws = try DrawScheme(name: d, geodaThreads: try integer("geoda_threads") ?? 1)
        } else if let threads = try integer("geoda_threads") {
            options.draws = try DrawScheme(name: "geoda", geodaThreads: threads)
        }
        options.variance = try choice("variance", GetisOrdG.Variance.self)
        options.moments = try choice("moments", LocalMoranMoments.self) ?? .conditional
        if let scale = try string("scale") {
            switch scale.lowercased() {
            case "esda": (options.localMoranScale, options.localGearyScale) = (.esda, .esda)
            case "spdep": options.localMoranScale = .spdep
            case "geoda": options.localGearyScale = .geoda
            default: throw GeoVoteError.invalidArgument("'scale' is '\(scale)': use esda, spdep or geoda")
            }
        }
        switch keys["alpha"] {
        case nil, .null?: break
        case let .number(a)?: options.alpha = a
        case let v?: throw GeoVoteError.invalidArgument("'alpha' is \(v.kind): give a number between 0 and 1")
        }
        options.correction = try bool("fdr") ? .fdr : try choice("correction", MultipleTesting.self) ?? .none
        options.significance = try choice("significance", Significance.self)
        options.convention = try choice("convention", Convention.self) ?? .geovote
        options.missing = try choice("missing", MissingValuePolicy.self) ?? .exclude
        options.against = try string("against").map(VariableSpec.init(parsing:))
        var table = HotSpotTableOptions(naming: try choice("names", ColumnNaming.self) ?? .geovote, idFields: try list("id"))
        if let keep = try string("keep") { table.keep = KeptFields(parsing: keep) }
        func textEncoding(_ key: String) throws -> TextEncoding? {
            guard let name = try string(key) else { return nil }
            guard let e = TextEncoding(name: name) else { throw GeoVoteError.invalidArgument("'\(key)' is '\(name)': use UTF-8, CP1256, ISO-8859-6, CP1252 or ISO-8859-1") }
            return e
        }
        var job = HotSpotJob(input: resolve(input), variables: variables, options: options, table: table, output: resolve(output),
                             encoding: try textEncoding("encoding") ?? encoding, outputEncoding: try textEncoding("output_encoding") ?? .utf8,
                             keepCRS: try bool("keep_crs"), csvGeometry: try choice("geometry", LayerIO.CSVGeometry.self) ?? .none,
                             weightsFolder: folder)
        try job.options.validate()
        job.weightsFolder = folder.isEmpty ? nil : folder
        return job
    }
}

extension DrawScheme {
    /// without | with | esda | shared | geoda (with GeoDa's thread count).
    public init(name: String, geodaThreads: Int = 1) throws {
        switch name.lowercased() {
        case "without": self = .withoutReplacement
        case "with": self = .withReplacement
        case "esda": self = .esda
        case "shared": self = .shared
        case "geoda":
            guard geodaThreads >= 1 else { throw GeoVoteError.invalidArgument("GeoDa's thread count is \(geodaThreads): it must be at least 1") }
            self = .geoda(threads: geodaThreads)
        default: throw GeoVoteError.invalidArgument("draws '\(name)': use without, with, esda, shared or geoda")
        }
    }
}

extension WeightsTransform {
    /// binary, row, doubly, variance, none, and libpysal's and spdep's letters (B R W D V S O).
    public init?(name: String) {
        switch name.lowercased() {
        case "binary", "b": self = .binary
        case "row", "r", "w": self = .row
        case "doubly", "d": self = .doubly
        case "variance", "v", "s": self = .varianceStabilizing
        case "none", "o": self = .none
        default: return nil
        }
    }
}
