import Foundation

extension ElectionDatabase {
    /// The level an analysis of `election` uses when none is given: `given`
    /// when there is one, else the election's only level, else `commune`.
    /// - Throws: when the election has several levels and none is `commune`.
    public func defaultLevel(of election: String, given: String? = nil) throws -> String {
        if let given { return given }
        let levels = try levels().filter { $0.election == election }.map(\.level)
        if levels.count == 1 { return levels[0] }
        if levels.contains("commune") { return "commune" }
        throw GeoVoteError.invalidArgument("\(path): \(election) has the levels \(levels.joined(separator: ", ")): choose one (--level, or 'level' in a job)")
    }
}

/// The party of a share of valid votes, `P/valid` (nil for anything else).
func partyOfValidShare(_ share: String) -> String? {
    let parts = share.split(separator: "/", omittingEmptySubsequences: false)
    guard parts.count == 2, !parts[0].isEmpty, parts[1].lowercased() == "valid" else { return nil }
    return String(parts[0])
}

/// What every job reading a party's share from a database checks first.
func validateDatabaseJob(database: String, share: String, output: String, inputWrittenEarlier: Bool) throws {
    guard partyOfValidShare(share) != nil else {
        throw GeoVoteError.invalidArgument("the share is a party's share of valid votes, P/valid (e.g. MP/valid), not '\(share)'")
    }
    _ = try LayerIO.Format(path: output)
    guard inputWrittenEarlier || FileManager.default.isReadableFile(atPath: database) else {
        throw GeoVoteError.io(path: database, reason: "cannot be read: no such file, or not readable")
    }
}

/// The database and the level of `election` a job analyses (`level`, else the default one).
func openForJob(_ database: String, election: String, level: String?) throws -> (ElectionDatabase, String) {
    let db = try ElectionDatabase(path: database)
    return (db, try db.defaultLevel(of: try db.election(named: election), given: level))
}

/// Writes a database analysis's table with its provenance; returns the writer's notes.
func writeDatabaseAnalysis(_ table: FeatureTable, to output: String, encoding: TextEncoding, keepCRS: Bool, command: String,
                           parameters: String, database: String) throws -> [String] {
    var write = LayerIO.WriteOptions(encoding: encoding, keepCRS: keepCRS, csvColumnTypes: true)
    write.provenance = Provenance(command: command, parameters: parameters, inputs: [database])
    if try LayerIO.Format(path: output) == .geoJSON { try GeoJSONWriter.check(table, file: output, keepCRS: keepCRS) }
    return try LayerIO.write(table, to: output, options: write)
}

/// Emerging hot spots from a database to a layer: what `geovote emerging`
/// runs and a batch job `"command": "emerging"` becomes.
public struct EmergingJob: Sendable, Hashable {
    /// The election database, DB.gpkg.
    public var database: String
    /// The party's share of valid votes, `P/valid`.
    public var share: String
    /// The elections in time order (names, or parts naming one).
    public var elections: [String]
    /// The last election's level (nil: ``ElectionDatabase/defaultLevel(of:given:)``).
    public var level: String?
    public var weights: WeightsSpec
    public var options: EmergingOptions
    /// .shp, .geojson, .csv or FILE.gpkg[:LAYER].
    public var output: String
    public var outputEncoding: TextEncoding
    public var keepCRS: Bool

    public init(database: String, share: String, elections: [String], level: String? = nil, weights: WeightsSpec = .contiguity(.queen),
                options: EmergingOptions = EmergingOptions(), output: String, outputEncoding: TextEncoding = .utf8, keepCRS: Bool = false) {
        self.database = database
        self.share = share
        self.elections = elections
        self.level = level
        self.weights = weights
        self.options = options
        self.output = output
        self.outputEncoding = outputEncoding
        self.keepCRS = keepCRS
    }

    public struct Report: Sendable {
        public var result: EmergingResult
        public var level: String
        /// How many units have each pattern, in ``EmergingPattern`` order (patterns with none left out).
        public var patternCounts: [(pattern: EmergingPattern, count: Int)]
        public var notes: [String]
    }

    /// The options as written to the output's metadata.
    public var parameters: String {
        "share=\(share) elections=\(elections.joined(separator: ",")) level=\(level ?? "default") weights=\(weights) time_lag=\(options.timeLag) confidence=\(options.confidence) trend_alpha=\(options.trendAlpha) correction=\(options.correction.rawValue) permutations=\(options.permutations) seed=\(options.seed)"
    }

    public func validate(inputWrittenEarlier: Bool = false) throws {
        guard elections.count >= 3 else {
            throw GeoVoteError.invalidArgument("\(elections.count) election\(elections.count == 1 ? "" : "s") listed: emerging hot spots need at least 3 (e.g. 2011,2016,2021)")
        }
        try options.validate()
        try validateDatabaseJob(database: database, share: share, output: output, inputWrittenEarlier: inputWrittenEarlier)
    }

    public func run(workers: Int = Parallel.defaultWorkerCount) throws -> Report {
        try validate()
        let (db, chosen) = try openForJob(database, election: elections.last!, level: level)
        let result = try db.emerging(elections: elections, level: chosen, party: partyOfValidShare(share)!, weights: weights, options: options, workers: workers)
        let notes = result.notes + (try writeDatabaseAnalysis(result.table, to: output, encoding: outputEncoding, keepCRS: keepCRS, command: "emerging",
                                                              parameters: parameters.replacingOccurrences(of: "level=default", with: "level=\(chosen)"),
                                                              database: database))
        let counts = EmergingPattern.allCases.map { p in (p, result.result.patterns.count { $0 == p }) }.filter { $0.1 > 0 }
        return Report(result: result, level: chosen, patternCounts: counts, notes: notes)
    }
}

/// LISA transitions from a database to a layer: what `geovote transitions`
/// runs and a batch job `"command": "transitions"` becomes.
public struct TransitionsJob: Sendable, Hashable {
    public var database: String
    /// The party's share of valid votes, `P/valid`.
    public var share: String
    /// The earlier and the later election (names, or parts naming one).
    public var from: String, to: String
    /// The later election's level (nil: ``ElectionDatabase/defaultLevel(of:given:)``); the earlier one's when it differs.
    public var level: String?, fromLevel: String?
    public var weights: WeightsSpec
    public var permutations: Int
    public var seed: UInt64
    public var alpha: Double
    public var output: String
    public var outputEncoding: TextEncoding
    public var keepCRS: Bool

    public init(database: String, share: String, from: String, to: String, level: String? = nil, fromLevel: String? = nil,
                weights: WeightsSpec = .contiguity(.queen), permutations: Int = 0, seed: UInt64 = 12345, alpha: Double = 0.05,
                output: String, outputEncoding: TextEncoding = .utf8, keepCRS: Bool = false) {
        self.database = database
        self.share = share
        self.from = from
        self.to = to
        self.level = level
        self.fromLevel = fromLevel
        self.weights = weights
        self.permutations = permutations
        self.seed = seed
        self.alpha = alpha
        self.output = output
        self.outputEncoding = outputEncoding
        self.keepCRS = keepCRS
    }

    public struct Report: Sendable {
        public var result: TransitionsResult
        public var level: String
        public var notes: [String]
    }

    public func validate(inputWrittenEarlier: Bool = false) throws {
        guard permutations >= 0 else { throw GeoVoteError.invalidArgument("the number of permutations is \(permutations): give 0 (none) or more") }
        guard alpha > 0, alpha < 1 else { throw GeoVoteError.invalidArgument("the level is \(alpha): give one between 0 and 1") }
        try validateDatabaseJob(database: database, share: share, output: output, inputWrittenEarlier: inputWrittenEarlier)
    }

    public func run(workers: Int = Parallel.defaultWorkerCount) throws -> Report {
        try validate()
        let (db, chosen) = try openForJob(database, election: to, level: level)
        let result = try db.transitions(from: from, to: to, level: chosen, fromLevel: fromLevel, party: partyOfValidShare(share)!, weights: weights,
                                        permutations: permutations, seed: seed, alpha: alpha, workers: workers)
        let parameters = "share=\(share) from=\(result.from) to=\(result.to) level=\(chosen) weights=\(weights) permutations=\(permutations) seed=\(seed) alpha=\(alpha)"
        let notes = result.notes + (try writeDatabaseAnalysis(result.table, to: output, encoding: outputEncoding, keepCRS: keepCRS, command: "transitions",
                                                              parameters: parameters, database: database))
        return Report(result: result, level: chosen, notes: notes)
    }
}

/// Incremental spatial autocorrelation from a layer to a CSV of bands:
/// what `geovote isa` runs and a batch job `"command": "isa"` becomes.
public struct IncrementalJob: Sendable, Hashable {
    public var input: String
    /// The field or share, as written (`PJD/valid`).
    public var variable: String
    public var options: IncrementalOptions
    /// A .csv of the bands (nil: none written).
    public var output: String?
    public var encoding: TextEncoding?
    /// An .svg of z against distance with the peaks (nil: none drawn).
    public var plot: String?

    public init(input: String, variable: String, options: IncrementalOptions = IncrementalOptions(), output: String? = nil, encoding: TextEncoding? = nil,
                plot: String? = nil) {
        self.input = input
        self.variable = variable
        self.options = options
        self.output = output
        self.encoding = encoding
        self.plot = plot
    }

    public struct Report: Sendable {
        public var result: IncrementalAutocorrelation
        public var notes: [String]
    }

    public func validate(inputWrittenEarlier: Bool = false) throws {
        try options.validate()
        guard !variable.isEmpty else { throw GeoVoteError.invalidArgument("give the variable: a field or a share NUM/DEN") }
        if let output, !output.lowercased().hasSuffix(".csv") { throw GeoVoteError.invalidArgument("the bands are written to a .csv file, not \(output)") }
        if let plot {
            guard plot.lowercased().hasSuffix(".svg") else { throw GeoVoteError.invalidArgument("the plot is written as .svg, not \(plot)") }
            try LayerIO.checkOutput(plot, doesNotOverwrite: [input])
            try AtomicFile.checkWritable(plot)
        }
        guard inputWrittenEarlier || LayerIO.isReadable(input) else { throw GeoVoteError.io(path: input, reason: "cannot be read: no such file, or not readable") }
    }

    public func run(workers: Int = Parallel.defaultWorkerCount) throws -> Report {
        try validate()
        let (table, readNotes) = try LayerIO.read(input, options: .init(encoding: encoding))
        let result = try IncrementalAutocorrelation.run(table, file: input, variable: VariableSpec(parsing: variable), options: options, workers: workers)
        if let output { try CSVWriter().write(result.table, to: output) }
        if let plot { try AtomicFile.write(Data(result.plotSVG().utf8), to: plot) }
        return Report(result: result, notes: readNotes + result.notes)
    }
}

/// Strongholds kept, gained and lost from a database to a layer: what
/// `geovote strongholds` runs and a batch job `"command": "strongholds"` becomes.
public struct StrongholdsJob: Sendable, Hashable {
    public var database: String
    /// The party's share of valid votes, `P/valid`.
    public var share: String
    /// The earlier and the later election (names, or parts naming one).
    public var from: String, to: String
    /// The later election's level (nil: ``ElectionDatabase/defaultLevel(of:given:)``); the earlier one's when it differs.
    public var level: String?, fromLevel: String?
    /// The zones of each election, as `geovote zones` makes them.
    public var options: ZoneOptions
    /// The share of the smaller zone's area an overlap must cover for two zones to match.
    public var minimumOverlap: Double
    public var output: String
    public var outputEncoding: TextEncoding
    public var keepCRS: Bool

    public init(database: String, share: String, from: String, to: String, level: String? = nil, fromLevel: String? = nil,
                options: ZoneOptions = ZoneOptions(), minimumOverlap: Double = 0.05, output: String,
                outputEncoding: TextEncoding = .utf8, keepCRS: Bool = false) {
        self.database = database
        self.share = share
        self.from = from
        self.to = to
        self.level = level
        self.fromLevel = fromLevel
        self.options = options
        self.minimumOverlap = minimumOverlap
        self.output = output
        self.outputEncoding = outputEncoding
        self.keepCRS = keepCRS
    }

    public struct Report: Sendable {
        public var result: StrongholdChanges
        public var level: String
        public var notes: [String]
    }

    public func validate(inputWrittenEarlier: Bool = false) throws {
        try options.validate()
        guard minimumOverlap > 0, minimumOverlap <= 1 else {
            throw GeoVoteError.invalidArgument("the minimum overlap is \(minimumOverlap): give a share of the smaller zone's area, above 0 and at most 1")
        }
        try validateDatabaseJob(database: database, share: share, output: output, inputWrittenEarlier: inputWrittenEarlier)
    }

    public func run(workers: Int = Parallel.defaultWorkerCount) throws -> Report {
        try validate()
        let (db, chosen) = try openForJob(database, election: to, level: level)
        let result = try db.strongholdChanges(from: from, to: to, level: chosen, fromLevel: fromLevel, party: partyOfValidShare(share)!,
                                              options: options, minimumOverlap: minimumOverlap, workers: workers)
        let parameters = "share=\(share) from=\(result.from) to=\(result.to) level=\(chosen) statistic=\(options.statistic.rawValue) confidence=\(options.confidence) weights=\(options.hotSpots.weights) min_overlap=\(minimumOverlap)"
        let notes = result.notes + (try writeDatabaseAnalysis(result.table, to: output, encoding: outputEncoding, keepCRS: keepCRS, command: "strongholds",
                                                              parameters: parameters, database: database))
        return Report(result: result, level: chosen, notes: notes)
    }
}
