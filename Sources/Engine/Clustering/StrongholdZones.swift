/// A party's strongholds (hot zones) and weak areas (cold zones): connected
/// groups of significant hot or cold spots under the contiguity weights,
/// each dissolved into one polygon with its vote totals.
///
/// ```swift
/// let communes = try LayerIO.read("communes_utm29n.shp")
/// let zones = try StrongholdZones.run(communes, file: "communes_utm29n.shp",
///                                     variables: [VariableSpec(parsing: "PJD/valid")],
///                                     options: ZoneOptions(), idField: "code")
/// zones.zones.first   // PJD's hot zone with the most PJD votes
/// ```
///
/// What it does, per variable (a party's share):
/// 1. the hot-spot analysis of ``ZoneOptions/hotSpots`` (default: Gi* on binary
///    queen weights with the analytic two-sided p, as ArcGIS's Hot Spot
///    Analysis); a unit is hot when its Gi_Bin is at least the level of the
///    confidence (+1 at 90 %, +2 at 95 %, +3 at 99 %) and cold at the
///    opposite; for Local Moran, High-High (hot) or Low-Low (cold) at
///    α = 1 − confidence, after the correction asked;
/// 2. zones: the connected components of hot units, and apart of cold
///    units, under the same weights (links between two members);
/// 3. each zone dissolved with GEOS's coverage union (communes share their
///    edges; the unary union when the members are not a clean coverage), in
///    parallel over zones;
///    its area on the WGS 84 ellipsoid (`geod_polygonarea`, after
///    unprojecting), in km²;
/// 4. totals: the sums over members of the share's numerator and
///    denominator and, when the layer has them, of `registered`, `voters`
///    and every party's votes (the integer fields after the share's
///    denominator, as `all/valid` reads them), the share of the zone, the
///    party's rank among the parties inside it, and the part of the party's
///    votes over the whole layer that the zone holds.
///
/// Zones are ranked within their type by the party's votes (then by their
/// lowest member index); ``StrongholdZone/zone`` numbers them 1… over the
/// result: for each variable, hot zones by rank, then cold zones by rank.
public enum StrongholdZones {
    /// Hot, cold or neither for each unit of a hot-spot result.
    public static func membership(_ result: LocalHotSpotResult, confidence: Int) throws -> [ZoneType?] {
        let level = try ZoneOptions.level(confidence)
        return result.classes.map { c -> ZoneType? in
            switch c {
            case let .confidenceBin(b): b >= level ? .hot : b <= -level ? .cold : nil
            case .quadrant(.highHigh): .hot
            case .quadrant(.lowLow): .cold
            default: nil
            }
        }
    }

    /// Runs the hot-spot analysis and makes the zones of every variable.
    /// - Parameters:
    ///   - table: the layer (polygons; points give zones of points without area).
    ///   - file: its path, named in errors.
    ///   - variables: shares NUM/DEN (one per party).
    ///   - options: statistic, confidence, weights and inference.
    ///   - idField: the field whose values list a zone's members (nil: the 0-based feature index).
    ///   - folder: the folder a relative weights-file path is taken from.
    ///   - workers: threads (the result does not depend on it).
    public static func run(_ table: FeatureTable, file: String, variables: [VariableSpec], options: ZoneOptions,
                           idField: String? = nil, relativeTo folder: String? = nil,
                           workers: Int = Parallel.defaultWorkerCount) throws -> ZoneResult {
        try options.validate()
        for spec in variables where spec.denominator == nil || spec.empiricalBayes {
            throw GeoVoteError.invalidArgument("zones are made from a share NUM/DEN (the votes of a party over a total), not '\(spec)'")
        }
        if let idField, table.column(named: idField) == nil {
            throw GeoVoteError.malformed(DataLocation(file: file, field: idField), reason: "is not a field of the layer; fields: \(table.columns.map(\.name).joined(separator: ", "))")
        }
        let hot = options.hotSpotOptions
        let weights = try HotSpotAnalysis.weights(for: table, file: file, options: hot, relativeTo: folder, workers: workers)
        let results = try HotSpotAnalysis.run(table, file: file, variables: variables, options: hot, weights: weights,
                                              relativeTo: folder, workers: workers)
        let members = try results.results.map { try membership($0, confidence: options.confidence) }
        return try zones(table, file: file, variables: variables, membership: members, weights: weights.0, idField: idField,
                         notes: results.results.flatMap(\.notes), workers: workers)
    }

    /// The zones of given memberships (e.g. read back from a hot-spot file).
    /// - Parameters:
    ///   - table: the layer with the counts.
    ///   - file: its path, named in errors.
    ///   - variables: the shares, one per membership.
    ///   - membership: per variable, hot/cold/nil for every feature.
    ///   - weights: the contiguity that connects members.
    ///   - idField: the field listed in ``StrongholdZone/codes`` (nil: the feature index).
    ///   - given: notes to pass on (the hot-spot analysis's).
    ///   - workers: threads (the result does not depend on it).
    public static func zones(_ table: FeatureTable, file: String, variables: [VariableSpec], membership: [[ZoneType?]],
                             weights: SpatialWeights, idField: String? = nil, notes given: [String] = [],
                             workers: Int = Parallel.defaultWorkerCount) throws -> ZoneResult {
        precondition(variables.count == membership.count && weights.count == table.count)
        var notes = given
        let counts = try CountFields(table, file: file, variables: variables)
        notes += counts.notes
        let ids: [String] = idField.flatMap { table.column(named: $0) }.map { c in (0..<table.count).map { c.values.displayValue($0) } }
            ?? (0..<table.count).map(String.init)

        // Components of each (variable, type), ranked.
        struct Draft { var variable: Int; var type: ZoneType; var members: [Int] }
        var drafts: [Draft] = []
        for (v, marks) in membership.enumerated() {
            for type in [ZoneType.hot, .cold] {
                var sets = UnionFind(count: table.count)
                for i in 0..<table.count where marks[i] == type {
                    for j in weights.neighbors(of: i) where marks[Int(j)] == type { sets.union(i, Int(j)) }
                }
                var groups: [Int: [Int]] = [:]
                for i in 0..<table.count where marks[i] == type { groups[sets.find(i), default: []].append(i) }
                let votes = counts.numerator(v)
                let ranked = groups.values.map { members in (members, members.reduce(0.0) { $0 + votes[$1] }) }
                    .sorted { ($0.1, -$0.0[0]) > ($1.1, -$1.0[0]) }
                drafts += ranked.map { Draft(variable: v, type: type, members: $0.0) }
            }
        }
        // Dissolve in parallel, one zone a chunk; areas in one transformation.
        let plans = drafts
        let polygons = try GeometryEngine.map(count: plans.count, grain: 1, workers: workers) { engine, k in
            let parts = plans[k].members.map { table.geometries[$0] }.filter { !$0.isEmpty }
            return parts.count == 1 ? parts[0] : try engine.coverageUnion(parts)
        }
        let areas = try GeodesicArea.squareMeters(polygons, crs: table.crs, workers: workers)
        if table.crs == nil { notes.append("\(file) has no CRS: area_km2 is the planar area in its units squared / 10⁶") }

        let layerTotals = variables.indices.map { counts.layerTotal($0) }
        var zones: [StrongholdZone] = []
        var rank: [String: Int] = [:]
        for (k, draft) in drafts.enumerated() {
            let key = "\(draft.variable) \(draft.type)"
            rank[key, default: 0] += 1
            let spec = variables[draft.variable]
            let totals = counts.totals(of: draft.members)
            let num = totals.first { $0.name == counts.numeratorNames[draft.variable] }!.value
            let den = totals.first { $0.name == counts.denominatorNames[draft.variable] }!.value
            zones.append(StrongholdZone(
                zone: k + 1, variable: spec, type: draft.type, rank: rank[key]!, members: draft.members.sorted(),
                codes: draft.members.sorted().map { ids[$0] }, geometry: polygons[k], areaKm2: areas[k] / 1e6, totals: totals,
                share: num.flatMap { n in den.flatMap { $0 > 0 ? n / $0 : nil } },
                partyRank: counts.partyRank(of: counts.numeratorNames[draft.variable], in: totals),
                nationalShare: num.flatMap { n in layerTotals[draft.variable].flatMap { $0 > 0 ? n / $0 : nil } }))
        }
        return ZoneResult(variables: variables, zones: zones, countFields: counts.names, crs: table.crs, notes: notes)
    }
}

public enum ZoneType: String, Sendable, Hashable, CaseIterable {
    case hot, cold
}

/// The hot spots zones are made from.
public struct ZoneOptions: Sendable, Hashable {
    /// `.giStar` (default) or `.localMoran`.
    public var statistic: HotSpotStatistic
    /// 90, 95 (default) or 99.
    public var confidence: Int
    /// Weights, permutations, seed, correction of the hot-spot analysis
    /// (its statistics and alpha are set from the two above).
    public var hotSpots: HotSpotOptions

    public init(statistic: HotSpotStatistic = .giStar, confidence: Int = 95, hotSpots: HotSpotOptions = HotSpotOptions()) {
        self.statistic = statistic
        self.confidence = confidence
        self.hotSpots = hotSpots
    }

    static func level(_ confidence: Int) throws -> Int {
        switch confidence {
        case 90: 1
        case 95: 2
        case 99: 3
        default: throw GeoVoteError.invalidArgument("the confidence is 90, 95 or 99 (percent), not \(confidence)")
        }
    }

    var hotSpotOptions: HotSpotOptions {
        var o = hotSpots
        o.statistics = [statistic]
        o.alpha = Double(100 - confidence) / 100
        return o
    }

    public func validate() throws {
        _ = try Self.level(confidence)
        guard statistic == .giStar || statistic == .localMoran else {
            throw GeoVoteError.invalidArgument("zones come from gistar or local-moran hot spots, not \(statistic.rawValue)")
        }
        try hotSpotOptions.validate()
    }
}

/// One zone: a connected group of hot (or cold) units of one variable.
public struct StrongholdZone: Sendable {
    /// 1… over the result.
    public var zone: Int
    public var variable: VariableSpec
    public var type: ZoneType
    /// 1 = the zone of this type with the most of the party's votes.
    public var rank: Int
    /// Member feature indices, ascending.
    public var members: [Int]
    /// The members' id values, in the same order.
    public var codes: [String]
    /// The dissolved polygon, in the layer's CRS.
    public var geometry: Geometry
    /// Area on the WGS 84 ellipsoid, km².
    public var areaKm2: Double
    /// Summed counts, by field name, in the order of ``ZoneResult/countFields``
    /// (nil where a member lacks the value).
    public var totals: [(name: String, value: Double?)]
    /// Numerator over denominator, summed first.
    public var share: Double?
    /// The party's place among the parties' votes in the zone (1 = first);
    /// nil when the numerator is not one of the layer's party fields.
    public var partyRank: Int?
    /// The zone's part of the party's votes over the whole layer.
    public var nationalShare: Double?
}

/// Zones of one or more variables, and how to write them.
public struct ZoneResult: Sendable {
    public var variables: [VariableSpec]
    public var zones: [StrongholdZone]
    /// The summed fields, in output order.
    public var countFields: [String]
    public var crs: CoordinateReferenceSystem?
    public var notes: [String]

    /// `PJD/valid: 4 hot zones (first: 37 units, 182,113 votes), 3 cold zones`, one line per variable.
    public var summary: [String] {
        variables.map { spec in
            let mine = zones.filter { $0.variable == spec }
            let hot = mine.filter { $0.type == .hot }, cold = mine.filter { $0.type == .cold }
            var line = "\(spec): \(hot.count) hot zone\(hot.count == 1 ? "" : "s"), \(cold.count) cold zone\(cold.count == 1 ? "" : "s")"
            if mine.isEmpty { line += " (no significant unit)" }
            return line
        }
    }

    /// One polygon per zone with `zone`, `party` (several variables only),
    /// `type`, `rank`, `units`, `codes`, `area_km2`, the summed counts under
    /// their own names, `share`, `party_rank`, `national_share`.
    public func table() -> FeatureTable {
        let several = variables.count > 1
        var columns: [Column] = [Column(name: "zone", values: .integer(zones.map { Int64($0.zone) }))]
        if several { columns.append(Column(name: "party", values: .text(zones.map { $0.variable.numerator }))) }
        columns += [
            Column(name: "type", values: .text(zones.map { $0.type.rawValue })),
            Column(name: "rank", values: .integer(zones.map { Int64($0.rank) })),
            Column(name: "units", values: .integer(zones.map { Int64($0.members.count) })),
            Column(name: "codes", values: .text(zones.map { $0.codes.joined(separator: ";") })),
            Column(name: "area_km2", values: .real(zones.map { $0.areaKm2 })),
        ]
        for (f, name) in countFields.enumerated() {
            let values = zones.map { $0.totals[f].value }
            let integral = values.allSatisfy { v in v.map { $0 == $0.rounded() && abs($0) < 9e15 } ?? true }
            columns.append(Column(name: name, values: integral ? .integer(values.map { $0.map { Int64($0) } }) : .real(values)))
        }
        columns += [
            Column(name: "share", values: .real(zones.map(\.share))),
            Column(name: "party_rank", values: .integer(zones.map { $0.partyRank.map(Int64.init) })),
            Column(name: "national_share", values: .real(zones.map(\.nationalShare))),
        ]
        return FeatureTable(geometries: zones.map(\.geometry), columns: columns, crs: crs, sourceEncoding: .utf8)
    }
}

/// The count fields a zone sums: the shares' numerators and denominators,
/// then `registered`, `voters` and the party fields when the layer has them.
struct CountFields {
    var names: [String] = []
    var values: [[Double?]] = []
    var numeratorNames: [String] = []
    var denominatorNames: [String] = []
    var parties: [String] = []
    var notes: [String] = []

    init() {}

    init(_ table: FeatureTable, file: String, variables: [VariableSpec]) throws {
        for spec in variables {
            try add(table, spec.numerator, required: true, file: file)
            try add(table, spec.denominator!, required: true, file: file)
            numeratorNames.append(table.column(named: spec.numerator)!.name)
            denominatorNames.append(table.column(named: spec.denominator!)!.name)
        }
        for name in ["registered", "voters"] { try add(table, name, required: false, file: file) }
        // The party fields: integer fields after the denominator, as all/DEN reads them.
        if let den = denominatorNames.first, let partySpecs = try? VariableSpec.list("all/\(den)", in: table, file: file) {
            parties = partySpecs.map(\.numerator)
            for name in parties { try add(table, name, required: false, file: file) }
        }
    }

    /// Adds a numeric field once; a required one must exist and be numeric.
    mutating func add(_ table: FeatureTable, _ name: String, required: Bool, file: String) throws {
        guard let column = table.column(named: name) else {
            if required { throw GeoVoteError.malformed(DataLocation(file: file, field: name), reason: "is not a field of the layer; fields: \(table.columns.map(\.name).joined(separator: ", "))") }
            return
        }
        guard !names.contains(column.name) else { return }
        switch column.values {
        case .integer, .real: break
        default:
            if required { throw GeoVoteError.malformed(DataLocation(file: file, field: name), reason: "is \(column.values.typeName), not a count") }
            return
        }
        names.append(column.name)
        values.append((0..<table.count).map { column.values.number($0) })
        if values.last!.contains(where: { $0 == nil }) {
            notes.append("\(file): field '\(column.name)' has missing values; a zone with such a member has no total for it")
        }
    }

    func index(_ name: String) -> Int { names.firstIndex(of: name)! }

    /// The numerator of variable v per feature (missing as 0, for ranking only).
    func numerator(_ v: Int) -> [Double] { values[index(numeratorNames[v])].map { $0 ?? 0 } }

    func layerTotal(_ v: Int) -> Double? {
        let column = values[index(numeratorNames[v])]
        return column.contains { $0 == nil } ? nil : column.reduce(0) { $0 + $1! }
    }

    func totals(of members: [Int]) -> [(name: String, value: Double?)] {
        names.indices.map { f in
            var sum = 0.0
            for i in members {
                guard let v = values[f][i] else { return (names[f], nil) }
                sum += v
            }
            return (names[f], sum)
        }
    }

    /// 1 + the number of parties with more votes in the zone.
    func partyRank(of party: String, in totals: [(name: String, value: Double?)]) -> Int? {
        guard parties.contains(party), let mine = totals.first(where: { $0.name == party })?.value else { return nil }
        let others = totals.filter { parties.contains($0.name) && $0.name != party }.compactMap(\.value)
        return 1 + others.count { $0 > mine }
    }
}

extension StrongholdZones {
    /// Hot/cold membership read back from a `geovote hotspots` output: the
    /// variable's Gi* bins (`NUM_DEN_gistar_bin`, ArcGIS's `Gi_Bin`, or the
    /// shapefile short name listed in the `.names.csv` beside it) or its
    /// Local Moran classes (`NUM_DEN_local_moran_class`, ArcGIS's `COType`,
    /// GeoDa's `LISA_CL`), at the confidence of `options`.
    /// - Throws: when the layer has none of these columns for the variable.
    public static func membership(fromHotSpotTable table: FeatureTable, file: String, variable: VariableSpec, options: ZoneOptions) throws -> [ZoneType?] {
        let level = try ZoneOptions.level(options.confidence)
        let stem = variable.columnName
        var short: [String: String] = [:]
        let mapping = (file.lowercased().hasSuffix(".shp") ? String(file.dropLast(4)) : file) + ".names.csv"
        if let text = try? String(contentsOfFile: mapping, encoding: .utf8) {
            for line in text.split(separator: "\n").dropFirst() {
                let parts = line.split(separator: ",").map(String.init)
                if parts.count == 2 { short[parts[0]] = parts[1] }
            }
        }
        func column(_ long: String) -> Column? { table.column(named: long) ?? short[long].flatMap { table.column(named: $0) } }
        if options.statistic == .giStar {
            if let c = column("\(stem)_gistar_bin") ?? column("Gi_Bin") {
                return (0..<table.count).map { i in
                    guard let b = c.values.number(i) else { return nil }
                    return b >= Double(level) ? .hot : b <= -Double(level) ? .cold : nil
                }
            }
        } else if let c = column("\(stem)_local_moran_class") ?? column("COType") ?? column("LISA_CL") {
            // Classes are significant at the alpha the hot spots were run with;
            // the confidence cannot tighten them without the p-values.
            let (hot, cold) = c.name == "LISA_CL" ? ("1", "2") : ("HH", "LL")
            return (0..<table.count).map { i in
                let label = c.values.displayValue(i)
                return label == hot ? .hot : label == cold ? .cold : nil
            }
        }
        let wanted = options.statistic == .giStar ? "\(stem)_gistar_bin or Gi_Bin" : "\(stem)_local_moran_class, COType or LISA_CL"
        throw GeoVoteError.malformed(DataLocation(file: file), reason: "is not a \(options.statistic.rawValue) hot-spot result for \(variable): it has no column \(wanted); fields: \(table.columns.map(\.name).joined(separator: ", "))")
    }
}
