/// Which column names a results table uses.
public enum ColumnNaming: String, Sendable, Hashable, CaseIterable, Codable {
    /// `VAR_STAT_FIELD` (`PJD_valid_gistar_z`); in a shapefile `VARSSF`.
    case geovote
    /// ArcGIS's (one variable and statistic): GiZScore GiPValue NNeighbors
    /// Gi_Bin (Hot Spot Analysis); LMiIndex LMiZScore LMiPValue COType
    /// NNeighbors (Cluster and Outlier Analysis).
    case arcgis
    /// GeoDa's "Save Results: LISA" (Local Moran, GeoDa convention): LISA_I LISA_CL LISA_P.
    case geoda
}

/// Input attributes copied to a results table.
public enum KeptFields: Sendable, Hashable {
    case none
    case all
    case fields([String])

    /// "all", "none", or FIELD,FIELD,….
    public init(parsing text: String) {
        switch text.lowercased() {
        case "all": self = .all
        case "none", "": self = .none
        default: self = .fields(text.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty })
        }
    }
}

/// How ``HotSpotResults/table(from:file:options:)`` lays out its table.
public struct HotSpotTableOptions: Sendable, Hashable {
    public var naming: ColumnNaming
    /// 10-character names (shapefile): VARSSF — the variable's stem (≤ 6
    /// characters, "E" last for an Empirical Bayes rate), the 2-letter
    /// statistic code (GS GI LM LB LG JC) and a letter: V value, Z z, P p,
    /// Y zsim, S psim, C class or bin, K GeoDa label, L GeoDa code, U
    /// undefined; the analysed values are stem + "VAL".
    public var shortNames: Bool
    /// Fields that identify features, copied first (ArcGIS's SOURCE_ID habit).
    public var idFields: [String]
    public var keep: KeptFields
    /// The analysed values and their numerator and denominator fields.
    public var variables: Bool
    /// A first column "index", the 0-based feature order (CSV).
    public var index: Bool

    public init(naming: ColumnNaming = .geovote, shortNames: Bool = false, idFields: [String] = [], keep: KeptFields = .none,
                variables: Bool = true, index: Bool = false) {
        self.naming = naming
        self.shortNames = shortNames
        self.idFields = idFields
        self.keep = keep
        self.variables = variables
        self.index = index
    }
}

/// A results table and, for short names, what each column stands for.
public struct HotSpotTable: Sendable {
    public var table: FeatureTable
    /// (long name, name in the table) for every column that was shortened.
    public var shortNames: [(long: String, short: String)]

    /// The mapping as CSV text (`long_name,short_name`), written beside a shapefile.
    public var shortNameCSV: String {
        "long_name,short_name\n" + shortNames.map { "\($0.long),\($0.short)\n" }.joined()
    }
}

extension HotSpotResults {
    /// The results as a table of the layer's features, in input order, with
    /// the layer's geometry and CRS.
    /// - Throws: when an id or kept field is absent, or a naming scheme does
    ///   not fit the results (ArcGIS's and GeoDa's name one statistic of one variable).
    public func table(from layer: FeatureTable, file: String, options: HotSpotTableOptions) throws -> HotSpotTable {
        precondition(layer.count == count, "the layer has \(layer.count) features, the results \(count)")
        if options.naming != .geovote, results.count != 1 {
            throw GeoVoteError.invalidArgument("\(options.naming.rawValue) names the fields of one statistic of one variable; these results hold \(results.count)")
        }
        if options.naming == .geoda, results.first?.statistic != .localMoran || self.options.convention != .geoda {
            throw GeoVoteError.invalidArgument("GeoDa's names (LISA_I, LISA_CL, LISA_P) are for local-moran under the geoda convention")
        }
        var columns: [Column] = []
        var names = Set<String>()
        func add(_ column: Column) {
            guard !names.contains(column.name.lowercased()) else { return }
            names.insert(column.name.lowercased())
            columns.append(column)
        }
        func field(_ name: String, _ why: String) throws -> Column {
            guard let c = layer.column(named: name) else {
                throw GeoVoteError.malformed(DataLocation(file: file, field: name), reason: "is not a field of the layer (\(why)); fields: \(layer.columns.map(\.name).joined(separator: ", "))")
            }
            return c
        }
        if options.index { add(Column(name: "index", values: .integer((0..<count).map(Int64.init)))) }
        for id in options.idFields { add(try field(id, "id")) }
        switch options.keep {
        case .none: break
        case .all: layer.columns.forEach(add)
        case let .fields(list): for name in list { add(try field(name, "keep")) }
        }
        var mapping: [(long: String, short: String)] = []
        let stems = options.shortNames ? Self.uniqueStems(results.map(\.variable), joinCount: self.options.statistics == [.joinCount]) : [:]
        if options.variables {
            var seen = Set<VariableSpec>()
            for result in results where !seen.contains(result.variable) {
                seen.insert(result.variable)
                let spec = result.variable
                let isJoin = result.statistic == .joinCount
                if !isJoin {
                    for name in [spec.numerator] + (spec.denominator.map { [$0] } ?? []) { if let c = layer.column(named: name) { add(c) } }
                }
                guard isJoin || spec.denominator != nil else { continue }
                let long = spec.columnName
                let values: ColumnValues = isJoin ? .integer(result.values.map { $0.isFinite ? Int64($0) : nil }) : Self.real(result.values)
                let name = options.shortNames ? stems[spec]! + "VAL" : long
                if options.shortNames { mapping.append((long, name)) }
                add(Column(name: name, values: values))
            }
        }
        for result in results {
            let generated: [(field: String, letter: String, values: ColumnValues)]
            switch options.naming {
            case .geovote: generated = Self.geovoteColumns(result)
            case .arcgis: generated = Self.arcgisColumns(result)
            case .geoda: generated = Self.geodaColumns(result)
            }
            for (fieldName, letter, values) in generated {
                guard options.naming == .geovote else { add(Column(name: fieldName, values: values)); continue }
                let long = "\(result.variable.columnName)_\(result.statistic.columnName)_\(fieldName)"
                if options.shortNames {
                    let short = stems[result.variable]! + result.statistic.shortCode + letter
                    mapping.append((long, short))
                    add(Column(name: short, values: values))
                } else {
                    add(Column(name: long, values: values))
                }
            }
        }
        var out = layer
        out.columns = columns
        out.sourceEncoding = .utf8
        return HotSpotTable(table: out, shortNames: mapping)
    }

    static func real(_ v: [Double]) -> ColumnValues { .real(v.map { $0.isFinite ? $0 : nil }) }

    static func text(_ classes: [LocalClass]) -> ColumnValues { .text(classes.map(\.description)) }

    /// VAR_STAT_{value,z,p,zsim,psim,bin|class,[class,cl],undefined}.
    static func geovoteColumns(_ r: LocalHotSpotResult) -> [(field: String, letter: String, values: ColumnValues)] {
        var out: [(String, String, ColumnValues)] = [("value", "V", real(r.value))]
        if let z = r.z, let p = r.p { out += [("z", "Z", real(z)), ("p", "P", real(p))] }
        if let s = r.simulated { out += [("zsim", "Y", real(s.zSim)), ("psim", "S", real(s.pseudoP))] }
        let geodaClasses = r.geodaLabels.map { ColumnValues.text($0) }
        switch r.statistic {
        case .giStar, .gi:
            let bins = r.classes.map { c -> Int64? in
                switch c {
                case .undefined: nil
                case let .confidenceBin(b): Int64(b)
                default: 0
                }
            }
            out.append(("bin", "C", .integer(bins)))
            if let geodaClasses { out.append(("class", "K", geodaClasses)) }
        case .localMoran, .bivariateLocalMoran, .localGeary, .joinCount:
            out.append(("class", "C", geodaClasses ?? text(r.classes)))
        }
        if let codes = r.geodaCodes { out.append(("cl", "L", .integer(codes.map(Int64.init)))) }
        out.append(("undefined", "U", .text(r.undefined.map { $0?.description })))
        return out
    }

    /// ArcGIS's field names.
    static func arcgisColumns(_ r: LocalHotSpotResult) -> [(field: String, letter: String, values: ColumnValues)] {
        let nn = ColumnValues.integer(r.neighbours.map { $0.map(Int64.init) })
        switch r.statistic {
        case .giStar, .gi:
            let bins = r.classes.map { c -> Int64? in
                if case .undefined = c { return nil }
                if case let .confidenceBin(b) = c { return Int64(b) }
                return 0
            }
            return [("GiZScore", "", real(r.z ?? r.value.map { _ in .nan })), ("GiPValue", "", real(r.p ?? r.levelP)), ("NNeighbors", "", nn),
                    ("Gi_Bin", "", .integer(bins))]
        default:
            let co = r.classes.map { c -> String? in if case let .quadrant(q) = c { q.label } else { nil } }
            return [("LMiIndex", "", real(r.value)), ("LMiZScore", "", real(r.z ?? r.simulated?.zSim ?? r.value.map { _ in .nan })),
                    ("LMiPValue", "", real(r.levelP)), ("COType", "", .text(co)), ("NNeighbors", "", nn)]
        }
    }

    /// GeoDa's "Save Results: LISA" names.
    static func geodaColumns(_ r: LocalHotSpotResult) -> [(field: String, letter: String, values: ColumnValues)] {
        [("LISA_I", "", real(r.value)), ("LISA_CL", "", .integer((r.geodaCodes ?? []).map(Int64.init))),
         ("LISA_P", "", real(r.simulated?.pseudoP ?? r.levelP))]
    }

    /// A distinct stem (≤ 6 characters, compared without case as DBF names
    /// are) for each variable: its first word, else its last word (voix_RNI,
    /// voix_PAM → voix, PAM), else the first word cut with a number. Join
    /// counts take the category (winner(all/valid)=PJD → PJD).
    static func uniqueStems(_ variables: [VariableSpec], joinCount: Bool) -> [VariableSpec: String] {
        var out: [VariableSpec: String] = [:]
        var used = Set<String>()
        for spec in variables where out[spec] == nil {
            let source = joinCount ? String(spec.numerator.split(separator: "=").last ?? "") : spec.numerator
            let words = source.split(whereSeparator: { !($0.isLetter || $0.isNumber) }).map(String.init)
            let eb = spec.empiricalBayes
            func stem(_ word: String, _ limit: Int = 6) -> String { eb ? String(word.prefix(min(limit, 5))) + "E" : String(word.prefix(limit)) }
            let first = words.first ?? "V"
            var candidates = [stem(first)]
            if words.count > 1, let last = words.last { candidates.append(stem(last)) }
            candidates += (2...999).map { n in String(stem(first).prefix(6 - String(n).count)) + String(n) }
            let chosen = candidates.first { !used.contains($0.uppercased()) } ?? candidates[0]
            used.insert(chosen.uppercased())
            out[spec] = chosen
        }
        return out
    }
}
