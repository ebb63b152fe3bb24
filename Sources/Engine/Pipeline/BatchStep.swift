import Foundation

/// One job of a batch file: hot spots (the default), a clustering
/// (`"command": "cluster"`), stronghold zones (`"command": "zones"`) or a
/// vote-share raster (`"command": "raster"`),
/// with the options of the command of that name as keys.
public enum BatchStep: Sendable, Hashable {
    case hotSpots(HotSpotJob)
    case cluster(ClusterJob)
    case zones(ZonesJob)
    case raster(RasterJob)
    case ohsa(OptimizedHotSpotJob)
    case isa(IncrementalJob)
    case emerging(EmergingJob)
    case transitions(TransitionsJob)
    case strongholds(StrongholdsJob)
    case map(MapJob)

    public enum Report: Sendable {
        case hotSpots(HotSpotJob.Report)
        case cluster(ClusterJob.Report)
        case zones(ZonesJob.Report)
        case raster(RasterJob.Report)
        case ohsa(OptimizedHotSpotJob.Report)
        case isa(IncrementalJob.Report)
        case emerging(EmergingJob.Report)
        case transitions(TransitionsJob.Report)
        case strongholds(StrongholdsJob.Report)
        case map(MapJob.Report)
    }

    public var input: String {
        switch self {
        case let .hotSpots(j): j.input
        case let .cluster(j): j.input
        case let .zones(j): j.input
        case let .raster(j): j.input
        case let .ohsa(j): j.input
        case let .isa(j): j.input
        case let .emerging(j): j.database
        case let .transitions(j): j.database
        case let .strongholds(j): j.database
        case let .map(j): j.input
        }
    }

    /// Every file the job writes that another job must not write.
    public var outputs: [String] {
        switch self {
        case let .hotSpots(j): [j.output]
        case let .cluster(j): [j.output] + (j.treeOutput.map { [$0] } ?? []) + (j.zonesOutput.map { [$0] } ?? [])
        case let .zones(j): [j.output]
        case let .raster(j): [j.output] + (j.png.map { [$0] } ?? [])
        case let .ohsa(j): [j.output, j.decisionsPath]
        case let .isa(j): j.output.map { [$0] } ?? []
        case let .emerging(j): [j.output]
        case let .transitions(j): [j.output]
        case let .strongholds(j): [j.output]
        case let .map(j): [j.output]
        }
    }

    public func validate(inputWrittenEarlier: Bool = false) throws {
        switch self {
        case let .hotSpots(j): try j.validate()
        case let .cluster(j): try j.validate(inputWrittenEarlier: inputWrittenEarlier)
        case let .zones(j): try j.validate(inputWrittenEarlier: inputWrittenEarlier)
        case let .raster(j): try j.validate(inputWrittenEarlier: inputWrittenEarlier)
        case let .ohsa(j): try j.validate(inputWrittenEarlier: inputWrittenEarlier)
        case let .isa(j): try j.validate(inputWrittenEarlier: inputWrittenEarlier)
        case let .emerging(j): try j.validate(inputWrittenEarlier: inputWrittenEarlier)
        case let .transitions(j): try j.validate(inputWrittenEarlier: inputWrittenEarlier)
        case let .strongholds(j): try j.validate(inputWrittenEarlier: inputWrittenEarlier)
        case let .map(j): try j.validate()
        }
    }

    /// The keys of a cluster job.
    public static let clusterKeys: [String: String] = [
        "command": "cluster", "input": "the layer (.shp, .geojson)", "output": "the output (.csv, .shp, .geojson)",
        "method": "dbscan | hdbscan", "eps": "DBSCAN's radius (CRS units)", "min_samples": "a whole number ≥ 1",
        "weight": "DBSCAN: a numeric field", "min_cluster_size": "HDBSCAN: a whole number ≥ 2", "selection": "eom | leaf",
        "epsilon": "HDBSCAN's cluster_selection_epsilon", "id": "id fields (several allowed)", "tree": "HDBSCAN: the spanning-tree CSV",
        "zones": "the clusters' outlines with totals", "hull": "concave | convex", "hull_ratio": "the concave hull's ratio, 0 to 1",
        "geometry": "CSV output: none | wkt", "encoding": "input encoding", "output_encoding": "shapefile output encoding",
        "keep_crs": "true: GeoJSON keeps a projected CRS",
    ]

    /// The keys of a raster job.
    public static let rasterKeys: [String: String] = [
        "command": "raster", "input": "the layer: communes (coverage) or stations (kernel)", "output": "the output (.tif, .asc)",
        "method": "coverage | kernel", "fields": "the party fields (several allowed)", "all_parties": "true: every integer field after the total",
        "total": "the shares' denominator (default: valid)", "turnout": "VOTES/REGISTERED", "resolution": "cell size in CRS units",
        "extent": "[xmin, ymin, xmax, ymax]", "like": "a GeoTIFF whose grid to take", "bandwidth": "kernel: fixed bandwidth in CRS units, or \"cv\"",
        "adaptive": "kernel: the k of the adaptive bandwidth", "kernel": "gaussian | quartic", "truncation": "gaussian: bandwidths, or \"none\"",
        "counts": "true: FIELD_count bands too", "overviews": "GeoTIFF overview factors", "png": "a quick-look PNG", "png_band": "the band it draws",
        "weight_raster": "coverage: a raster of cell weights (population)", "weight_band": "its band (default 1)",
        "encoding": "input encoding",
    ]

    /// The keys of an optimized hot-spot job (`geovote ohsa`'s options).
    public static let ohsaKeys: [String: String] = [
        "command": "ohsa", "input": "points or polygons in a projected CRS", "output": "the output (.shp, .geojson, .csv, FILE.gpkg[:LAYER])",
        "field": "the analysis field", "share": "the share NUM/DEN", "aggregate": "hexagon | fishnet | a polygon layer",
        "cell_size": "the grid's cell size (CRS units)", "distance": "the Gi* distance band (CRS units)", "permutations": "a whole number ≥ 0",
        "seed": "a whole number ≥ 0", "correction": "fdr | by | none", "names": "geovote | arcgis", "encoding": "input encoding",
        "output_encoding": "shapefile output encoding", "keep_crs": "true: GeoJSON keeps a projected CRS",
    ]

    /// The keys of an incremental spatial autocorrelation job (`geovote isa`'s options).
    public static let isaKeys: [String: String] = [
        "command": "isa", "input": "points or polygons in a projected CRS", "output": "the bands' .csv",
        "field": "the analysis field", "share": "the share NUM/DEN", "start": "the first band (CRS units)", "step": "the increment (CRS units)",
        "count": "the number of bands, 2 to 100", "assumption": "randomization | normality", "transform": "row | binary",
        "islands": "exclude | keep", "missing": "exclude | error", "encoding": "input encoding", "plot": "z against distance, an .svg",
    ]

    /// The keys of a map job (`geovote map`'s options).
    public static let mapKeys: [String: String] = [
        "command": "map", "input": "the layer (e.g. an earlier job's output)", "output": "OUT.svg, OUT.png or OUT.pdf",
        "column": "the field to map", "classes": "auto | quantile | equal | jenks | bins | clusters | category",
        "k": "classes of a choropleth, 2 to 12", "title": "the title", "label": "a field to label features with",
        "zones": "a layer of zones to outline", "width": "pixels (default 1200)", "height": "pixels (default 900)",
        "encoding": "input encoding",
    ]

    /// The keys of an emerging hot-spot job (`geovote emerging`'s options).
    public static let emergingKeys: [String: String] = [
        "command": "emerging", "input": "the election database, DB.gpkg", "output": "the output (.shp, .geojson, .csv, FILE.gpkg[:LAYER])",
        "share": "the party's share P/valid", "elections": "the elections in time order (a list, or comma-separated)",
        "level": "the last election's level", "weights": WeightsSpec.spellings, "time_lag": "a whole number ≥ 0",
        "confidence": "90 | 95 | 99", "trend_alpha": "a number between 0 and 1", "correction": "fdr | by | none",
        "permutations": "a whole number ≥ 0", "seed": "a whole number ≥ 0", "output_encoding": "shapefile output encoding",
        "keep_crs": "true: GeoJSON keeps a projected CRS", "draws": "without | shared | with | esda",
    ]

    /// The keys of a LISA transitions job (`geovote transitions`'s options).
    public static let transitionsKeys: [String: String] = [
        "command": "transitions", "input": "the election database, DB.gpkg", "output": "the output (.shp, .geojson, .csv, FILE.gpkg[:LAYER])",
        "share": "the party's share P/valid", "from": "the earlier election", "to": "the later election", "level": "the later election's level",
        "from_level": "the earlier election's level", "weights": WeightsSpec.spellings, "permutations": "a whole number ≥ 0",
        "seed": "a whole number ≥ 0", "alpha": "a number between 0 and 1", "output_encoding": "shapefile output encoding",
        "keep_crs": "true: GeoJSON keeps a projected CRS",
    ]

    /// The keys of a strongholds job (`geovote strongholds`'s options).
    public static let strongholdsKeys: [String: String] = [
        "command": "strongholds", "input": "the election database, DB.gpkg", "output": "the output (.shp, .geojson, .csv, FILE.gpkg[:LAYER])",
        "share": "the party's share P/valid", "from": "the earlier election", "to": "the later election", "level": "the later election's level",
        "from_level": "the earlier election's level", "confidence": "90 | 95 | 99", "weights": WeightsSpec.spellings,
        "min_overlap": "a share of the smaller zone's area, above 0 and at most 1", "output_encoding": "shapefile output encoding",
        "keep_crs": "true: GeoJSON keeps a projected CRS",
    ]

    /// The keys of a zones job.
    public static let zonesKeys: [String: String] = [
        "command": "zones", "input": "the layer (.shp, .geojson), or a hot-spot output with from_hotspots",
        "output": "the output (.geojson, .shp, .csv)", "share": "the party's share NUM/DEN", "parties": "all/DEN, or NUM,NUM/DEN",
        "statistic": "gistar | local-moran", "confidence": "90 | 95 | 99", "permutations": "a whole number ≥ 0", "seed": "a whole number ≥ 0",
        "correction": MultipleTesting.allCases.map(\.rawValue).joined(separator: " | "), "weights": WeightsSpec.spellings,
        "weights_id": "the field holding a weights file's ids", "geodesic": "true: great-circle distances", "id": "the field listed in codes",
        "from_hotspots": "true: the input is a geovote hotspots output", "encoding": "input encoding",
        "output_encoding": "shapefile output encoding", "keep_crs": "true: GeoJSON keeps a projected CRS",
    ]
}

extension HotSpotBatch {
    /// One job: its `command` picks the parser; defaults apply where the command has the key.
    static func step(_ job: [String: JSONValue], defaults: [String: JSONValue], folder: String, encoding: TextEncoding?) throws -> BatchStep {
        var command = "hotspots"
        switch job["command"] ?? defaults["command"] {
        case nil, .null?: break
        case let .string(c)?: command = c.lowercased()
        case let v?: throw GeoVoteError.invalidArgument("'command' is \(v.kind): give hotspots, cluster, zones, raster, ohsa, isa, emerging, transitions, strongholds or map")
        }
        func merged(_ keys: [String: String]) -> [String: JSONValue] {
            defaults.filter { keys[$0.key] != nil }.merging(job) { $1 }.filter { $0.key != "command" }
        }
        switch command {
        case "hotspots": return .hotSpots(try Self.job(merged(Self.keys), folder: folder, encoding: encoding))
        case "cluster": return .cluster(try clusterJob(JobKeys(merged(BatchStep.clusterKeys), allowed: BatchStep.clusterKeys, folder: folder), encoding: encoding))
        case "zones": return .zones(try zonesJob(JobKeys(merged(BatchStep.zonesKeys), allowed: BatchStep.zonesKeys, folder: folder), encoding: encoding))
        case "raster": return .raster(try rasterJob(JobKeys(merged(BatchStep.rasterKeys), allowed: BatchStep.rasterKeys, folder: folder), encoding: encoding))
        case "ohsa": return .ohsa(try ohsaJob(JobKeys(merged(BatchStep.ohsaKeys), allowed: BatchStep.ohsaKeys, folder: folder), encoding: encoding))
        case "isa": return .isa(try isaJob(JobKeys(merged(BatchStep.isaKeys), allowed: BatchStep.isaKeys, folder: folder), encoding: encoding))
        case "emerging": return .emerging(try emergingJob(JobKeys(merged(BatchStep.emergingKeys), allowed: BatchStep.emergingKeys, folder: folder)))
        case "transitions": return .transitions(try transitionsJob(JobKeys(merged(BatchStep.transitionsKeys), allowed: BatchStep.transitionsKeys, folder: folder)))
        case "map": return .map(try mapJob(JobKeys(merged(BatchStep.mapKeys), allowed: BatchStep.mapKeys, folder: folder), encoding: encoding))
        case "strongholds": return .strongholds(try strongholdsJob(JobKeys(merged(BatchStep.strongholdsKeys), allowed: BatchStep.strongholdsKeys, folder: folder)))
        default: throw GeoVoteError.invalidArgument("'command' is '\(command)': use hotspots, cluster, zones, raster, ohsa, isa, emerging, transitions, strongholds or map")
        }
    }

    static func clusterJob(_ keys: JobKeys, encoding: TextEncoding?) throws -> ClusterJob {
        guard let method = try keys.choice("method", ClusterOptions.Method.self) else {
            throw GeoVoteError.invalidArgument("'method' is missing: dbscan or hdbscan")
        }
        let options = ClusterOptions(method: method, eps: try keys.number("eps"), minSamples: try keys.integer("min_samples"),
                                     weightField: try keys.string("weight"), minClusterSize: try keys.integer("min_cluster_size"),
                                     selection: try keys.choice("selection", HDBSCAN.Selection.self) ?? .excessOfMass,
                                     epsilon: try keys.number("epsilon") ?? 0)
        var job = ClusterJob(input: try keys.path("input", required: true)!, options: options, idFields: try keys.list("id"),
                             output: try keys.path("output", required: true)!, treeOutput: try keys.path("tree", required: false),
                             encoding: try keys.encoding("encoding") ?? encoding, outputEncoding: try keys.encoding("output_encoding") ?? .utf8,
                             keepCRS: try keys.bool("keep_crs"), csvGeometry: try keys.choice("geometry", LayerIO.CSVGeometry.self) ?? .none)
        job.zonesOutput = try keys.path("zones", required: false)
        job.hull = try keys.choice("hull", ClusterOutlines.Hull.self) ?? .concave
        job.hullRatio = try keys.number("hull_ratio") ?? ClusterOutlines.defaultRatio
        try options.validate()
        return job
    }

    static func rasterJob(_ keys: JobKeys, encoding: TextEncoding?) throws -> RasterJob {
        guard let method = try keys.choice("method", VoteSurfaceOptions.Method.self) else {
            throw GeoVoteError.invalidArgument("'method' is missing: coverage or kernel")
        }
        let fields = try keys.list("fields").flatMap { $0.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) } }
        let all = try keys.bool("all_parties")
        if all == !fields.isEmpty { throw GeoVoteError.invalidArgument("give 'fields' or 'all_parties': true, one of the two") }
        var bandwidth: Double?
        var crossValidate = false
        switch keys.keys["bandwidth"] {
        case nil, .null?: break
        case .string("cv")?: crossValidate = true
        case let .number(b)?: bandwidth = b
        case let v?: throw keys.wrong("bandwidth", v)
        }
        var options = VoteSurfaceOptions(method: method, fields: fields, total: "", resolution: try keys.number("resolution"),
                                         bandwidth: bandwidth, adaptiveNeighbours: try keys.integer("adaptive"))
        options.crossValidate = crossValidate
        options.kernel = try keys.choice("kernel", VoteSurfaceOptions.Kernel.self) ?? .gaussian
        options.counts = try keys.bool("counts")
        if let extent = keys.keys["extent"] {
            guard case let .array(items) = extent, items.count == 4 else { throw keys.wrong("extent", extent) }
            let numbers = try items.map { item -> Double in
                guard case let .number(n) = item else { throw keys.wrong("extent", extent) }
                return n
            }
            options.extent = BoundingBox(minX: numbers[0], minY: numbers[1], maxX: numbers[2], maxY: numbers[3])
        }
        switch keys.keys["truncation"] {
        case nil, .null?: break
        case .string("none")?: options.truncation = nil
        case let .number(t)?: options.truncation = t
        case let v?: throw keys.wrong("truncation", v)
        }
        if let turnout = try keys.string("turnout") {
            let parts = turnout.split(separator: "/").map { String($0).trimmingCharacters(in: .whitespaces) }
            guard parts.count == 2 else { throw GeoVoteError.invalidArgument("'turnout' is VOTES/REGISTERED, not '\(turnout)'") }
            options.turnoutVotes = parts[0]
            options.turnoutRegistered = parts[1]
        }
        var job = RasterJob(input: try keys.path("input", required: true)!, options: options, output: try keys.path("output", required: true)!)
        job.allParties = all
        job.totalField = try keys.string("total")
        job.templatePath = try keys.path("like", required: false)
        job.weightRasterPath = try keys.path("weight_raster", required: false)
        job.weightBand = try keys.integer("weight_band") ?? 1
        job.png = try keys.path("png", required: false)
        job.pngBand = try keys.string("png_band")
        job.encoding = try keys.encoding("encoding") ?? encoding
        if let overviews = keys.keys["overviews"] {
            guard case let .array(items) = overviews else { throw keys.wrong("overviews", overviews) }
            job.overviews = try items.map { item -> Int in
                guard case let .number(n) = item, n == n.rounded(), n >= 2 else { throw keys.wrong("overviews", overviews) }
                return Int(n)
            }
        }
        try job.validate(inputWrittenEarlier: true)
        return job
    }

    static func ohsaJob(_ keys: JobKeys, encoding: TextEncoding?) throws -> OptimizedHotSpotJob {
        let field = try keys.string("field"), share = try keys.string("share")
        guard (field == nil) != (share == nil) else { throw GeoVoteError.invalidArgument("give one variable: 'field' or 'share'") }
        var aggregate = try keys.string("aggregate")
        if let a = aggregate, !["hexagon", "fishnet"].contains(a.lowercased()) { aggregate = try keys.path("aggregate", required: true) }
        let seed = try keys.integer("seed") ?? 12345
        guard seed >= 0 else { throw GeoVoteError.invalidArgument("'seed' is \(seed): give a whole number ≥ 0") }
        let job = OptimizedHotSpotJob(input: try keys.path("input", required: true)!, variable: field ?? share!, aggregate: aggregate,
                                      cellSize: try keys.number("cell_size"), distance: try keys.number("distance"),
                                      permutations: try keys.integer("permutations") ?? 0, seed: UInt64(seed),
                                      correction: try keys.choice("correction", MultipleTesting.self) ?? .fdr,
                                      naming: try keys.choice("names", ColumnNaming.self) ?? .geovote, output: try keys.path("output", required: true)!,
                                      encoding: try keys.encoding("encoding") ?? encoding, outputEncoding: try keys.encoding("output_encoding") ?? .utf8,
                                      keepCRS: try keys.bool("keep_crs"))
        try job.validate(inputWrittenEarlier: true)
        return job
    }

    static func isaJob(_ keys: JobKeys, encoding: TextEncoding?) throws -> IncrementalJob {
        let field = try keys.string("field"), share = try keys.string("share")
        guard (field == nil) != (share == nil) else { throw GeoVoteError.invalidArgument("give one variable: 'field' or 'share'") }
        let transform = try keys.string("transform")?.lowercased() ?? "row"
        guard ["row", "binary"].contains(transform) else { throw GeoVoteError.invalidArgument("'transform' is '\(transform)': use row or binary") }
        let options = IncrementalOptions(start: try keys.number("start"), step: try keys.number("step"), count: try keys.integer("count") ?? 10,
                                         assumption: try keys.choice("assumption", MoranAssumption.self) ?? .randomization,
                                         rowStandardize: transform == "row", islands: try keys.choice("islands", BandIslands.self) ?? .exclude,
                                         missing: try keys.choice("missing", MissingValuePolicy.self) ?? .exclude)
        let job = IncrementalJob(input: try keys.path("input", required: true)!, variable: field ?? share!, options: options,
                                 output: try keys.path("output", required: false), encoding: try keys.encoding("encoding") ?? encoding,
                                 plot: try keys.path("plot", required: false))
        try job.validate(inputWrittenEarlier: true)
        return job
    }

    static func mapJob(_ keys: JobKeys, encoding: TextEncoding?) throws -> MapJob {
        guard let column = try keys.string("column") else { throw GeoVoteError.invalidArgument("a map job needs 'column'") }
        let job = MapJob(input: try keys.path("input", required: true)!, column: column, classes: try keys.string("classes") ?? "auto",
                         k: try keys.integer("k") ?? 5, title: try keys.string("title"), labelField: try keys.string("label"),
                         zones: try keys.path("zones", required: false), width: try keys.integer("width") ?? 1200,
                         height: try keys.integer("height") ?? 900, output: try keys.path("output", required: true)!,
                         encoding: try keys.encoding("encoding") ?? encoding)
        try job.validate()
        return job
    }

    static func seed(_ keys: JobKeys) throws -> UInt64 {
        let seed = try keys.integer("seed") ?? 12345
        guard seed >= 0 else { throw GeoVoteError.invalidArgument("'seed' is \(seed): give a whole number ≥ 0") }
        return UInt64(seed)
    }

    static func weights(_ keys: JobKeys) throws -> WeightsSpec {
        try keys.string("weights").map { try WeightsSpec(parsing: $0) } ?? .contiguity(.queen)
    }

    static func emergingJob(_ keys: JobKeys) throws -> EmergingJob {
        guard let share = try keys.string("share") else { throw GeoVoteError.invalidArgument("'share' is missing: the party's share P/valid") }
        let elections = try keys.list("elections").flatMap { $0.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) } }.filter { !$0.isEmpty }
        let options = EmergingOptions(timeLag: try keys.integer("time_lag") ?? 1, confidence: try keys.integer("confidence") ?? 95,
                                      trendAlpha: try keys.number("trend_alpha") ?? 0.05, correction: try keys.choice("correction", MultipleTesting.self) ?? .fdr,
                                      permutations: try keys.integer("permutations") ?? 0, seed: try seed(keys),
                                      draws: try DrawScheme(name: try keys.string("draws") ?? "without"))
        let job = EmergingJob(database: try keys.path("input", required: true)!, share: share, elections: elections, level: try keys.string("level"),
                              weights: try weights(keys), options: options, output: try keys.path("output", required: true)!,
                              outputEncoding: try keys.encoding("output_encoding") ?? .utf8, keepCRS: try keys.bool("keep_crs"))
        try job.validate(inputWrittenEarlier: true)
        return job
    }

    static func transitionsJob(_ keys: JobKeys) throws -> TransitionsJob {
        guard let share = try keys.string("share") else { throw GeoVoteError.invalidArgument("'share' is missing: the party's share P/valid") }
        guard let from = try keys.string("from"), let to = try keys.string("to") else { throw GeoVoteError.invalidArgument("'from' and 'to' name the two elections") }
        let job = TransitionsJob(database: try keys.path("input", required: true)!, share: share, from: from, to: to, level: try keys.string("level"),
                                 fromLevel: try keys.string("from_level"), weights: try weights(keys), permutations: try keys.integer("permutations") ?? 0,
                                 seed: try seed(keys), alpha: try keys.number("alpha") ?? 0.05, output: try keys.path("output", required: true)!,
                                 outputEncoding: try keys.encoding("output_encoding") ?? .utf8, keepCRS: try keys.bool("keep_crs"))
        try job.validate(inputWrittenEarlier: true)
        return job
    }

    static func strongholdsJob(_ keys: JobKeys) throws -> StrongholdsJob {
        guard let share = try keys.string("share") else { throw GeoVoteError.invalidArgument("'share' is missing: the party's share P/valid") }
        guard let from = try keys.string("from"), let to = try keys.string("to") else { throw GeoVoteError.invalidArgument("'from' and 'to' name the two elections") }
        let options = ZoneOptions(statistic: .giStar, confidence: try keys.integer("confidence") ?? 95,
                                  hotSpots: HotSpotOptions(statistics: [.giStar], weights: try weights(keys)))
        let job = StrongholdsJob(database: try keys.path("input", required: true)!, share: share, from: from, to: to, level: try keys.string("level"),
                                 fromLevel: try keys.string("from_level"), options: options, minimumOverlap: try keys.number("min_overlap") ?? 0.05,
                                 output: try keys.path("output", required: true)!, outputEncoding: try keys.encoding("output_encoding") ?? .utf8,
                                 keepCRS: try keys.bool("keep_crs"))
        try job.validate(inputWrittenEarlier: true)
        return job
    }

    static func zonesJob(_ keys: JobKeys, encoding: TextEncoding?) throws -> ZonesJob {
        let variables = [try keys.string("share"), try keys.string("parties")].compactMap { $0 }.joined(separator: ",")
        guard !variables.isEmpty else { throw GeoVoteError.invalidArgument("'share' or 'parties' is missing: each zones job names the party's share") }
        let statistic: HotSpotStatistic
        switch try keys.string("statistic")?.lowercased() {
        case nil, "gistar"?: statistic = .giStar
        case "local-moran"?: statistic = .localMoran
        case let other?: throw GeoVoteError.invalidArgument("'statistic' is '\(other)': use gistar or local-moran")
        }
        var hot = HotSpotOptions(statistics: [statistic])
        if let w = try keys.string("weights") { hot.weights = try WeightsSpec(parsing: w, idField: try keys.string("weights_id")) }
        hot.geodesic = try keys.bool("geodesic")
        hot.permutations = try keys.integer("permutations")
        if let seed = try keys.integer("seed") {
            guard seed >= 0 else { throw GeoVoteError.invalidArgument("'seed' is \(seed): give a whole number ≥ 0") }
            hot.seed = UInt64(seed)
        }
        hot.correction = try keys.choice("correction", MultipleTesting.self) ?? .none
        let options = ZoneOptions(statistic: statistic, confidence: try keys.integer("confidence") ?? 95, hotSpots: hot)
        try options.validate()
        return ZonesJob(input: try keys.path("input", required: true)!, variables: variables, options: options, fromHotSpots: try keys.bool("from_hotspots"),
                        idField: try keys.string("id"), output: try keys.path("output", required: true)!,
                        encoding: try keys.encoding("encoding") ?? encoding, outputEncoding: try keys.encoding("output_encoding") ?? .utf8,
                        keepCRS: try keys.bool("keep_crs"), weightsFolder: keys.folder.isEmpty ? nil : keys.folder)
    }
}

/// The keys of one job, read with the type each takes; a key the command
/// does not know is refused with the list of those it does.
struct JobKeys {
    let keys: [String: JSONValue]
    let allowed: [String: String]
    let folder: String

    init(_ keys: [String: JSONValue], allowed: [String: String], folder: String) throws {
        for key in keys.keys.sorted() where allowed[key] == nil {
            throw GeoVoteError.invalidArgument("'\(key)' is not a key of this command; use \(allowed.keys.sorted().joined(separator: ", "))")
        }
        self.keys = keys
        self.allowed = allowed
        self.folder = folder
    }

    func wrong(_ key: String, _ value: JSONValue) -> GeoVoteError {
        .invalidArgument("'\(key)' is \(value.kind): give \(allowed[key] ?? "another value")")
    }

    func string(_ key: String) throws -> String? {
        switch keys[key] {
        case nil, .null?: return nil
        case let .string(s)?: return s
        case let .array(list)?:
            return try list.map { item -> String in
                guard case let .string(s) = item else { throw GeoVoteError.invalidArgument("'\(key)' lists \(item.kind): give strings") }
                return s
            }.joined(separator: ",")
        case let v?: throw wrong(key, v)
        }
    }

    func path(_ key: String, required: Bool) throws -> String? {
        guard let p = try string(key) else {
            if required { throw GeoVoteError.invalidArgument("'\(key)' is missing: each job names its \(key) file") }
            return nil
        }
        return p.hasPrefix("/") || folder.isEmpty ? p : folder + "/" + p
    }

    func list(_ key: String) throws -> [String] {
        (try string(key) ?? "").split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    func number(_ key: String) throws -> Double? {
        switch keys[key] {
        case nil, .null?: return nil
        case let .number(n)?: return n
        case let v?: throw wrong(key, v)
        }
    }

    func integer(_ key: String) throws -> Int? {
        guard let n = try number(key) else { return nil }
        guard n == n.rounded(), abs(n) < 9e15 else { throw GeoVoteError.invalidArgument("'\(key)' is \(n): give a whole number") }
        return Int(n)
    }

    func bool(_ key: String) throws -> Bool {
        switch keys[key] {
        case nil, .null?: return false
        case let .bool(b)?: return b
        case let v?: throw wrong(key, v)
        }
    }

    func choice<T: RawRepresentable & CaseIterable>(_ key: String, _: T.Type) throws -> T? where T.RawValue == String {
        guard let text = try string(key) else { return nil }
        guard let value = T(rawValue: text.lowercased()) else {
            throw GeoVoteError.invalidArgument("'\(key)' is '\(text)': use \(T.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return value
    }

    func encoding(_ key: String) throws -> TextEncoding? {
        guard let name = try string(key) else { return nil }
        guard let e = TextEncoding(name: name) else { throw GeoVoteError.invalidArgument("'\(key)' is '\(name)': use UTF-8, CP1256, ISO-8859-6, CP1252 or ISO-8859-1") }
        return e
    }
}
