import ArgumentParser
import GeoVoteEngine
import Foundation
import Synchronization

/// How a statistics command treats features without a value.
struct MissingValues: ParsableArguments {
    @Option(name: .long, help: "exclude | error — a feature whose value is missing, not a number, or a share of 0 (GeoDa, ArcGIS: exclude; listed on stderr).")
    var missing: String = "exclude"

    func validate() throws {
        guard ["exclude", "error"].contains(missing.lowercased()) else { throw ValidationError("--missing is exclude or error, not '\(missing)'") }
    }

    /// The variable's values and the features kept: all of them with
    /// `--missing error` (which throws at the first missing value, naming it).
    func values(of spec: VariableSpec, in table: FeatureTable, file: String) throws -> ([Double], DefinedSubset) {
        guard missing.lowercased() == "exclude" else {
            return (try table.values(of: spec, file: file), DefinedSubset.complete(count: table.count))
        }
        return try table.definedValues(of: spec, file: file)
    }
}

/// Options that choose the weights of a statistics command.
struct WeightsChoice: ParsableArguments {
    @Option(name: .long, help: "queen | rook | spdep-queen | spdep-rook | strict-queen | strict-rook | knn:K | distance:T | distance:auto | FILE.gal|.gwt|.csv")
    var weights: String = "queen"

    @Flag(name: .long, help: "Great-circle distances (metres) for knn/distance on a geographic CRS.")
    var geodesic = false

    @Option(name: .long, help: "With --weights FILE: the field whose values are the file's ids (default: 0-based feature order).")
    var weightsId: String?

    func build(_ table: FeatureTable, file: String) throws -> SpatialWeights {
        let spec = weights.lowercased()
        let fromFile = [".gal", ".gwt", ".csv"].contains(where: { spec.hasSuffix($0) })
        if !fromFile, (try? LayerIO.Format(path: file)) == .csv {
            throw GeoVoteError.invalidArgument("\(file) is a CSV table without geometry: give the weights as a file (--weights FILE.gal|.gwt --weights-id FIELD), e.g. made by geovote weights from the polygons")
        }
        if spec == "queen" { return try SpatialWeights.contiguity(table, rule: .queen, file: file) }
        if spec == "rook" { return try SpatialWeights.contiguity(table, rule: .rook, file: file) }
        if spec == "spdep-queen" { return try SpatialWeights.contiguity(table, rule: .spdepQueen, file: file) }
        if spec == "spdep-rook" { return try SpatialWeights.contiguity(table, rule: .spdepRook, file: file) }
        if spec == "strict-queen" { return try SpatialWeights.contiguity(table, rule: .strictQueen, file: file) }
        if spec == "strict-rook" { return try SpatialWeights.contiguity(table, rule: .strictRook, file: file) }
        if spec.hasPrefix("knn:"), let k = Int(spec.dropFirst(4)) {
            return try SpatialWeights.kNearest(WeightsPoints(table: table, geodesic: geodesic, file: file), k: k)
        }
        if spec.hasPrefix("distance:") {
            let points = try WeightsPoints(table: table, geodesic: geodesic, file: file)
            let value = spec.dropFirst(9)
            let t = value == "auto" ? SpatialWeights.minimumThreshold(points) : Double(value)
            guard let t else { throw GeoVoteError.invalidArgument("--weights \(weights): the threshold is not a number") }
            return try SpatialWeights.distanceBand(points, threshold: t)
        }
        if fromFile {
            var ids = (0..<table.count).map(String.init)
            if let weightsId {
                guard let column = table.column(named: weightsId) else {
                    throw GeoVoteError.invalidArgument("\(file) has no field '\(weightsId)' (--weights-id)")
                }
                ids = (0..<table.count).map { column.values.displayValue($0) }
            }
            return try WeightsFiles.read(weights, ids: ids)
        }
        throw GeoVoteError.invalidArgument("unknown --weights '\(weights)'; use queen, rook, spdep-queen, spdep-rook, strict-queen, strict-rook, knn:K, distance:T, distance:auto or a .gal/.gwt/.csv file")
    }
}

struct Hotspots: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Hot and cold spots: local Gi*/Gi, Local Moran (uni- and bivariate), Local Geary, for one or more variables.",
        discussion: """
        Variables: numeric fields, shares NUM/DEN computed on the fly (MP/valid; \
        RNI,PAM/valid; all/valid = every integer field after 'valid'), or \
        Empirical Bayes standardised shares eb:NUM/DEN (Assuncao-Reis, esda's \
        Moran_Rate). Weights are built once for all variables.
        Defaults follow ArcGIS's Hot Spot Analysis: Gi* with binary weights (self \
        included), the Ord-Getis z, two-sided normal p, and Gi_Bin classes (+-3, \
        +-2, +-1 at 99/95/90 %). --variance esda gives esda's G_Local z (identical \
        for binary weights). With --permutations R, pseudo p-values from \
        conditional randomisation (without replacement, each unit its own \
        draws; --draws with: spdep's with replacement; --draws esda: esda's \
        one table of draws shared by all units, from its own numba stream, so \
        esda's p-values come out exactly for its seed; --draws shared: the same \
        scheme from GeoVote's stream, the fastest) under --alternative (esda's definitions; default directed, esda's \
        default), with a seed; identical for any --threads. Classes use the \
        pseudo p when permuting, else the normal p, against --alpha after \
        --correction (fdr as esda's fdr(), by, bonferroni). Local Moran: esda's \
        scale unless --scale spdep; analytic z and p under --moments \
        (conditional, spdep's default, or total); classes HH LH LL HL ns. Local Geary: esda's \
        (row weights, z-scores); classes HH LL other ns (needs permutations). \
        local-moran-bv: the variable at the focal unit against --against at the \
        neighbours. join-count (esda Join_Counts_Local, binary weights): \
        --field winner(all/valid)=PJD marks the communes PJD won; classes BB \
        (significant cluster of wins), ns.
        Gi_Bin: +-3, +-2, +-1 when the p-value (pseudo p when permuting) is \
        within the cut-off at 0.01, 0.05, 0.10, each corrected by --correction \
        (ArcGIS's FDR option); GiPValue (--names arcgis) is the normal p.
        Progress: a bar per variable and statistic on stderr when it is a \
        terminal (a line per step otherwise); a summary of classes at the end.
        --convention esda reproduces esda: its draws (--draws esda: one table \
        shared by all units from its numba/numpy stream, so that with esda's seed \
        its pseudo p-values come out exactly), its Gi variance, row-standardised \
        weights for every statistic (G_Local's transform='R'), 999 permutations \
        unless given. \
        --convention geoda reproduces GeoDa (libgeoda, pygeoda): its random \
        stream (--draws geoda, seed 123456789, --geoda-threads = its cpu_threads) \
        so that its pseudo p-values come out exactly, 999 permutations unless \
        given, Gi/Gi* on row-standardised weights, Local Geary on its scale and \
        with its side-of-the-mean p, and its cluster codes (VAR_STAT_cl) and \
        labels (class); --names geoda writes LISA_I, LISA_CL, LISA_P.
        Missing values (--missing exclude, the default, as GeoDa and ArcGIS): a \
        feature whose value is missing, not a number, or a share of 0 is left \
        out of that variable's analysis (no mean, variance or neighbour's lag \
        counts it; weights restricted, then transformed) and listed on stderr; \
        --missing error stops at the first one instead.
        Output: one row per feature, in input order. CSV: index, the --id field, \
        then VAR_STAT_{value,z,p,zsim,psim,class|bin,undefined} — z and p the \
        analytic ones (Gi: normal; Local Moran: --moments conditional or total, \
        two-sided), zsim and psim from the permutations; 'undefined' says \
        why a row has no result (missing value, no neighbours, no neighbour \
        with a value, constant variable). Shapefile/GeoJSON: the geometry, the \
        --id field and the same columns; in a shapefile the names are cut to 10 \
        characters as VARSSF (variable, 2-letter statistic code GS GI LM LB LG \
        JC, field V Z P Y(zsim) S C U, GeoDa's K class L cl), the mapping printed. --names arcgis (one \
        variable and statistic): GiZScore GiPValue Gi_Bin NNeighbors (Gi*, Gi) or \
        LMiIndex LMiZScore LMiPValue COType NNeighbors (Local Moran).
        """)

    @Argument(help: "The layer (.shp, .geojson).")
    var file: String

    @Option(name: .long, help: "Variables, comma-separated: FIELD, NUM/DEN, all/DEN, eb:NUM/DEN.")
    var field: String?

    @Option(name: .long, help: "Shares, comma-separated: NUM/DEN (MP/valid), all/DEN — the same as --field, added to it.")
    var share: String?

    /// --field and --share together.
    var variables: String { [field, share].compactMap { $0 }.joined(separator: ",") }

    /// --variance, or its convention's default.
    var varianceKind: String { (variance ?? (conventionKind == .esda ? "esda" : "ordgetis")).lowercased() }

    /// The tool whose defaults --convention takes.
    enum Convention: String { case geovote, esda, geoda }
    var conventionKind: Convention { Convention(rawValue: convention.lowercased()) ?? .geovote }

    func validate() throws {
        guard field != nil || share != nil else { throw ValidationError("give the variables with --field (or --share)") }
        guard Convention(rawValue: convention.lowercased()) != nil else {
            throw ValidationError("--convention is geovote, esda or geoda, not '\(convention)'")
        }
    }

    @Option(name: .long, help: "gistar | gi | local-moran | local-moran-bv | local-geary, comma-separated; or join-count alone (--field FIELD=VALUE or winner(all/valid)=PARTY, several separated by ';').")
    var statistic: String = "gistar"

    @Option(name: .long, help: "local-moran-bv: the variable at the neighbours (e.g. voters/registered).")
    var against: String?

    @OptionGroup var weightsChoice: WeightsChoice

    @Option(name: .long, help: "binary | row (default: binary for Gi*/Gi, row for Local Moran and Local Geary).")
    var transform: String?

    @Option(name: .long, help: "Permutations for pseudo p-values (0 = none).")
    var permutations: Int = 0

    @Option(name: .long, help: "Random seed for the permutations (default 12345; GeoDa's 123456789 with --draws geoda).")
    var seed: UInt64?

    @Option(name: .long, help: "geovote | esda | geoda — esda: esda's draws (its p-values exactly, with --seed = esda's seed), its Gi variance, row-standardised weights for every statistic (esda's defaults), permutations 999 unless given; geoda: GeoDa's draws, scale, Local Geary sides, row-standardised G, and its cluster codes and labels (permutations 999 unless given).")
    var convention: String = "geovote"

    @Option(name: .long, help: "With --draws geoda: the threads GeoDa split its random stream over (its cpu_threads), for identical p-values.")
    var geodaThreads: Int = 1

    @Option(name: .long, help: "directed | two-sided | folded | greater | lesser (esda's definitions).")
    var alternative: String = "directed"

    @Option(name: .long, help: "without | with | esda | shared | geoda — conditional draws: each unit its own draws without replacement (default) or with (spdep); esda: esda's shared table from its numba stream (its p-values exactly, --seed = esda's seed); shared: esda's shared table from GeoVote's stream (fastest); geoda: GeoDa's own stream (its p-values exactly).")
    var draws: String?

    @Option(name: .long, help: "ordgetis (ArcGIS; default) | esda (default with --convention esda) — Gi z-score variance.")
    var variance: String?

    @Option(name: .long, help: "conditional | total — the null of Local Moran's analytic z and p: conditional randomisation (Sokal et al. 1998; spdep's default, esda's EIc/VIc) or total (Anselin 1995; spdep conditional = FALSE, esda's EI/VI).")
    var moments: String = "conditional"

    @Option(name: .long, help: "esda | spdep | geoda — Local Moran scale (geoda = esda); Local Geary: esda | geoda ((n-1)/n times esda's).")
    var scale: String = "esda"

    @Option(name: .long, help: "Significance level for the classes.")
    var alpha: Double = 0.05

    @Option(name: .long, help: "none | fdr | by | bonferroni — multiple-testing correction of the classes.")
    var correction: String = "none"

    @Flag(name: .long, help: "Same as --correction fdr.")
    var fdr = false

    @Option(name: .long, help: "A field copied to the output to identify features (e.g. code).")
    var id: String?

    @OptionGroup var missingValues: MissingValues

    @Option(name: .long, help: "geovote | arcgis | geoda — output column names (arcgis, geoda: one variable and statistic).")
    var names: String = "geovote"

    @Option(name: .shortAndLong, help: "Output .csv, .shp or .geojson.")
    var output: String

    @OptionGroup var out: OutputOptions
    @OptionGroup var common: CommonOptions

    func run() throws {
        try common.withLayer(file) { table in
            guard let alt = Alternative(rawValue: alternative.lowercased()) else { throw GeoVoteError.invalidArgument("unknown --alternative '\(alternative)'") }
            let geoda = conventionKind == .geoda, esda = conventionKind == .esda
            let drawKind = geoda ? "geoda" : (draws ?? (esda ? "esda" : "without")).lowercased()
            guard ["without", "with", "esda", "shared", "geoda"].contains(drawKind) else {
                throw GeoVoteError.invalidArgument("--draws is without, with, esda, shared or geoda, not '\(drawKind)'")
            }
            guard ["ordgetis", "esda"].contains(varianceKind) else {
                throw GeoVoteError.invalidArgument("--variance is ordgetis or esda, not '\(varianceKind)'")
            }
            guard ["conditional", "total"].contains(moments.lowercased()) else {
                throw GeoVoteError.invalidArgument("--moments is conditional or total, not '\(moments)'")
            }
            guard geodaThreads >= 1 else { throw GeoVoteError.invalidArgument("--geoda-threads is at least 1") }
            guard let correctionKind = MultipleTesting(rawValue: fdr ? "fdr" : correction.lowercased()) else {
                throw GeoVoteError.invalidArgument("unknown --correction '\(correction)'; use none, fdr, by or bonferroni")
            }
            let format = try LayerIO.Format(path: output)
            try out.check(table, for: output)
            let statistics = statistic.split(separator: ",").map { $0.lowercased().trimmingCharacters(in: .whitespaces) }
            // join-count takes categories ("winner(all/valid)=PJD", "FIELD=VALUE"), kept whole: it runs alone.
            let joinCount = statistics.contains("join-count")
            if joinCount, statistics.count > 1 {
                throw GeoVoteError.invalidArgument("join-count takes categorical variables: run it alone (--statistic join-count)")
            }
            let specs = joinCount
                ? variables.split(separator: ";").map { VariableSpec(numerator: String($0)) }
                : try VariableSpec.list(variables, in: table, file: file)
            let arcgis = names.lowercased() == "arcgis", geodaNames = names.lowercased() == "geoda"
            guard names.lowercased() == "geovote" || arcgis || geodaNames else { throw GeoVoteError.invalidArgument("--names is geovote, arcgis or geoda") }
            if arcgis || geodaNames, specs.count * statistics.count != 1 {
                throw GeoVoteError.invalidArgument("--names \(names) names the fields of one statistic of one variable; give one --field and one --statistic")
            }
            if geodaNames, statistics != ["local-moran"] || !geoda {
                throw GeoVoteError.invalidArgument("--names geoda writes GeoDa's LISA_I, LISA_CL, LISA_P: use it with --statistic local-moran --convention geoda")
            }
            let weights = DerivedWeights(base: try weightsChoice.build(table, file: file))
            func defined(_ spec: VariableSpec) throws -> ([Double], DefinedSubset) { try missingValues.values(of: spec, in: table, file: file) }
            let against = try self.against.map { try defined(VariableSpec(parsing: $0)) }
            // GeoDa and esda always permute (999 by default).
            let r = permutations > 0 ? permutations : geoda || esda ? 999 : 0
            var permutation = r > 0
                ? ConditionalPermutation(permutations: r, seed: seed ?? (drawKind == "geoda" ? 123_456_789 : 12345), alternative: alt,
                                         withReplacement: drawKind == "with", geodaStreams: drawKind == "geoda" ? geodaThreads : nil,
                                         sharedDraws: drawKind == "esda" ? .esda : drawKind == "shared" ? .keyed : nil)
                : nil
            var columns: [Column] = []
            if let id {
                guard let c = table.column(named: id) else { throw GeoVoteError.invalidArgument("\(file) has no field '\(id)' (--id)") }
                columns.append(c)
            }
            var summary: [String] = [], shortNames: [String] = []
            let jobs = specs.flatMap { spec in statistics.map { (spec, $0) } }
            for (step, (spec, stat)) in jobs.enumerated() {
                let label = "[\(step + 1)/\(jobs.count)] \(spec) \(stat)"
                permutation?.progress = ProgressBar.make(label: label, total: table.count)
                if permutation == nil || !ProgressBar.isTerminal { FileHandle.standardError.write(Data((label + "\n").utf8)) }
                var (y, subset) = joinCount
                    ? (try HotspotColumns.binary(spec.numerator, table: table, file: file), DefinedSubset.complete(count: table.count))
                    : try defined(spec)
                if stat == "local-moran-bv", let against { subset = subset.merged(with: against.1) }
                // Features without a value are left out (GeoDa, ArcGIS): weights
                // restricted before their transform, results put back in place.
                let restricted = weights.restricted(to: subset)
                if let leftOut = subset.leftOutSummary() {
                    FileHandle.standardError.write(Data("note: \(spec) \(stat): \(leftOut), undefined in the output\n".utf8))
                }
                let kept = subset.restrict(y)
                var computed = try HotspotColumns.compute(stat, y: kept, spec: spec, against: against.map { subset.restrict($0.0) },
                                                          weights: restricted, command: self, permutation: permutation, correction: correctionKind)
                if geoda {
                    computed.geodaUndefined = HotspotColumns.geodaUndefinedCodes[stat]
                    // The summary counts GeoDa's classes.
                    if let column = computed.columns.first(where: { $0.name.hasSuffix("_\(stat)_class") }), case let .text(labels) = column.values {
                        var tally: [String: Int] = [:]
                        for case let label? in labels { tally[label, default: 0] += 1 }
                        computed.summary = "\(spec) \(stat) (GeoDa): " + tally.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
                    }
                }
                let result = computed.expanded(subset, constant: kept.allSatisfy { $0 == kept.first }, fullWeights: weights.base, restrictedWeights: restricted.base)
                if permutation != nil, ProgressBar.isTerminal { FileHandle.standardError.write(Data("\r\(label) done\u{1B}[K\n".utf8)) }
                if arcgis {
                    columns += result.arcgisColumns()
                } else if geodaNames {
                    // GeoDa's "Save Results: LISA" names.
                    let named = Dictionary(uniqueKeysWithValues: result.columns.map { ($0.name, $0.values) })
                    let stem = "\(spec.name)_\(stat)_"
                    columns += [Column(name: "LISA_I", values: named[stem + "value"]!), Column(name: "LISA_CL", values: named[stem + "cl"]!),
                                Column(name: "LISA_P", values: named[stem + "psim"]!)]
                } else if format == .shapefile {
                    // 10-character names, made with the columns: VARSSF, the stem
                    // changed when another variable took it (voix_RNI, voix_PAM).
                    let names = HotspotColumns.uniqueShortNames(result.shortNames, variable: spec.numerator, used: Set(shortNames))
                    columns += zip(result.columns, names).map { Column(name: $1, values: $0.values) }
                    shortNames += names
                } else {
                    columns += result.columns
                }
                summary.append(result.summary)
            }
            var outTable = FeatureTable(geometries: table.geometries, columns: [], crs: table.crs, sourceEncoding: .utf8)
            if format == .csv {
                outTable.geometries = Array(repeating: .empty(.point), count: table.count)
                columns.insert(Column(name: "index", values: .integer((0..<table.count).map(Int64.init))), at: 0)
            }
            outTable.columns = columns
            try out.write(outTable, to: output)
            if !shortNames.isEmpty { print("shapefile column names: " + shortNames.joined(separator: " ")) }
            summary.forEach { print($0) }
            print("wrote \(table.count) rows to \(output)")
        }
    }

    func transformKind(default value: WeightsTransform) throws -> WeightsTransform {
        guard let transform else { return value }
        guard let kind = WeightsCommandParsing.transform(transform) else { throw GeoVoteError.invalidArgument("unknown --transform '\(transform)'") }
        return kind
    }
}

/// The columns one statistic of one variable adds to the output.
struct HotspotColumns {
    var columns: [Column]
    /// The same columns' shapefile names (≤ 10 bytes): VARSSF.
    var shortNames: [String]
    /// The column names' stems (long and shapefile), for the reasons column.
    var prefix: String, stem: String
    /// Observations whose statistic is undefined.
    var undefined: [Int]
    var summary: String
    /// For --names arcgis.
    var statistic: String
    var value: [Double], z: [Double], p: [Double], classes: [String], bins: [Int]?
    var neighbours: [Int64?] = []
    /// A result's shapefile names (stem + 2-letter statistic code + 1-letter
    /// field) with a stem no earlier variable used: the original, else the
    /// variable's last word (voix_RNI → RNI), else the stem cut to 5 with a
    /// digit.
    static func uniqueShortNames(_ names: [String], variable: String, used: Set<String>) -> [String] {
        guard let first = names.first, first.count > 3 else { return names }
        let stem = String(first.dropLast(3))
        func with(_ newStem: String) -> [String] { names.map { newStem + $0.dropFirst(stem.count) } }
        func free(_ candidate: [String]) -> Bool { candidate.allSatisfy { !used.contains($0) } }
        if free(names) { return names }
        let words = variable.split(whereSeparator: { !($0.isLetter || $0.isNumber) })
        var stems: [String] = []
        if let last = words.last, words.count > 1 { stems.append(String(last.prefix(stem.hasSuffix("E") ? 5 : 6)) + (stem.hasSuffix("E") ? "E" : "")) }
        stems += (2...99).map { String(stem.prefix($0 < 10 ? 5 : 4)) + "\($0)" }
        for candidate in stems where free(with(candidate)) { return with(candidate) }
        return names
    }

    /// With --convention geoda: GeoDa's code for an undefined unit, given to left-out features.
    var geodaUndefined: (code: Int64, label: String)?
    static let geodaUndefinedCodes: [String: (code: Int64, label: String)] = [
        "gistar": (3, "Undefined"), "gi": (3, "Undefined"), "local-moran": (5, "Undefined"), "local-moran-bv": (5, "Undefined"),
        "local-geary": (5, "Undefined"), "join-count": (2, "Undefined"),
    ]

    init(builder b: Builder, undefined: [Int], summary: String, statistic: String,
         value: [Double], z: [Double], p: [Double], classes: [String], bins: [Int]?) {
        (columns, shortNames, prefix, stem) = (b.columns, b.shortNames, b.prefix, b.stem)
        (self.undefined, self.summary, self.statistic) = (undefined, summary, statistic)
        (self.value, self.z, self.p, self.classes, self.bins) = (value, z, p, classes, bins)
    }

    /// The columns of a run on the features with a value, put back in
    /// place (missing at the others, class "undefined"), with a column
    /// VAR_STAT_undefined (VARSSU) saying why each undefined feature is
    /// undefined, and the reasons counted in the summary.
    func expanded(_ subset: DefinedSubset, constant: Bool, fullWeights: SpatialWeights, restrictedWeights: SpatialWeights) -> HotspotColumns {
        var out = self
        var reasons = subset.reasons
        let fullIslands = Set(fullWeights.islands)
        let restrictedIslands = Set(restrictedWeights.islands)
        for k in undefined {
            let i = subset.kept[k]
            reasons[i] = fullIslands.contains(i) ? "no neighbours"
                : restrictedIslands.contains(k) ? "no neighbour with a value"
                : constant ? "constant variable" : "undefined (0/0)"
        }
        if !subset.isComplete {
            // Left-out features: missing values, and the class "undefined".
            out.columns = columns.map { column in
                switch subset.expand(column.values) {
                case let .text(v): return Column(name: column.name, values: .text(v.map { $0 ?? geodaUndefined?.label ?? "undefined" }))
                case let .integer(v) where column.name.hasSuffix("_cl"):
                    return Column(name: column.name, values: .integer(v.map { $0 ?? geodaUndefined?.code }))
                case let other: return Column(name: column.name, values: other)
                }
            }
            out.value = subset.expand(value)
            out.z = z.isEmpty ? [] : subset.expand(z)
            out.p = p.isEmpty ? [] : subset.expand(p)
            var classes = [String](repeating: "undefined", count: subset.count)
            for (k, i) in subset.kept.enumerated() where k < self.classes.count { classes[i] = self.classes[k] }
            out.classes = self.classes.isEmpty ? [] : classes
            if let bins {
                var full = [Int](repeating: 0, count: subset.count)
                for (k, i) in subset.kept.enumerated() { full[i] = bins[k] }
                out.bins = full
            }
        }
        var neighbours = [Int64?](repeating: nil, count: subset.count)
        for (k, i) in subset.kept.enumerated() {
            neighbours[i] = Int64(restrictedWeights.offsets[k + 1] - restrictedWeights.offsets[k])
        }
        out.neighbours = neighbours
        out.columns.append(Column(name: "\(prefix)_undefined", values: .text(reasons)))
        out.shortNames.append(stem + "U")
        var tally: [String: Int] = [:]
        for case let reason? in reasons { tally[reason, default: 0] += 1 }
        let counts: [(String, Int)] = tally.sorted { $0.value > $1.value || ($0.value == $1.value && $0.key < $1.key) }.map { ($0.key, $0.value) }
        if !counts.isEmpty {
            out.summary += "; undefined \(counts.reduce(0) { $0 + $1.1 }): " + counts.prefix(4).map { "\($0.0) \($0.1)" }.joined(separator: ", ")
                + (counts.count > 4 ? ", …" : "")
        }
        return out
    }

    static func fmt(_ v: [Double]) -> ColumnValues { .real(v.map { $0.isFinite ? $0 : nil }) }

    /// Columns named VAR_STAT_FIELD, and for shapefiles VARSSF: the variable's
    /// numerator (≤ 6 characters, "E" last for an Empirical Bayes rate), a
    /// 2-letter statistic code (GS GI LM LB LG JC) and a field letter (V value,
    /// Z z, P p, S pseudo p, C class or bin).
    struct Builder {
        let prefix: String, stem: String
        var columns: [Column] = [], shortNames: [String] = []

        init(prefix: String, variable: String, empiricalBayes: Bool, code: String) {
            self.prefix = prefix
            let letters = variable.filter { $0.isLetter || $0.isNumber || $0 == "_" }
            var stem = String(String(letters.split(separator: "_").first ?? Substring(letters)).prefix(6))
            if empiricalBayes { stem = stem.prefix(5) + "E" }
            self.stem = stem + code
        }

        mutating func add(_ field: String, _ letter: String, _ values: ColumnValues) {
            columns.append(Column(name: "\(prefix)_\(field)", values: values))
            shortNames.append(stem + letter)
        }
    }

    static func compute(_ stat: String, y: [Double], spec: VariableSpec, against: [Double]?, weights: DerivedWeights,
                        command: Hotspots, permutation: ConditionalPermutation?, correction: MultipleTesting) throws -> HotspotColumns {
        let prefix = "\(spec.name)_\(stat)"
        func cutoff(_ p: [Double]) -> Double { correction.cutoff(p, alpha: command.alpha) }
        let geoda = command.conventionKind == .geoda, esda = command.conventionKind == .esda
        /// GeoDa's cluster code (VAR_STAT_cl, shapefile letter L) and, when
        /// given, its label as the class.
        func addGeoDa(_ b: inout Builder, _ codes: [Int], _ labels: [String]?) {
            if let labels { b.add("class", "K", .text(codes.map { labels[$0] })) }
            b.add("cl", "L", .integer(codes.map { Int64($0) }))
        }
        func builder(_ code: String) -> Builder {
            Builder(prefix: prefix, variable: spec.numerator, empiricalBayes: spec.empiricalBayes, code: code)
        }
        switch stat {
        case "gistar", "gi":
            let star = stat == "gistar"
            // ArcGIS's binary weights by default; GeoDa and esda (G_Local's transform='R') row-standardise.
            let w = try weights.get(star: star, transform: command.transformKind(default: geoda || esda ? .row : .binary))
            let g = try GetisOrdG(y, weights: w, star: star, variance: command.varianceKind == "esda" ? .esda : .ordGetis, permutation: permutation)
            let p = g.pseudoP ?? g.p
            // ArcGIS's bins: ±3, ±2, ±1 when p is within the cut-off at 0.01,
            // 0.05, 0.10 (each corrected when asked, as ArcGIS's FDR option does).
            let cuts = [0.01, 0.05, 0.10].map { correction.cutoff(p, alpha: $0) }
            let bins = (0..<y.count).map { i -> Int in
                guard g.z[i].isFinite, p[i].isFinite else { return 0 }
                let level = p[i] <= cuts[0] ? 3 : p[i] <= cuts[1] ? 2 : p[i] <= cuts[2] ? 1 : 0
                return g.z[i] > 0 ? level : -level
            }
            var b = builder(star ? "GS" : "GI")
            b.add("value", "V", fmt(g.G))
            b.add("z", "Z", fmt(g.z))
            b.add("p", "P", fmt(g.p))
            if let ps = g.pseudoP {
                b.add("zsim", "Y", fmt(g.zSim!))
                b.add("psim", "S", fmt(ps))
            }
            b.add("bin", "C", .integer(bins.indices.map { g.z[$0].isFinite ? Int64(bins[$0]) : nil }))
            if geoda, let ps = g.pseudoP {
                addGeoDa(&b, GeoDaClusters.getisOrd(g, weights: w, p: ps, cutoff: cutoff(ps)), GeoDaClusters.getisOrdLabels)
            }
            return HotspotColumns(builder: b, undefined: g.undefined,
                                  summary: "\(spec) \(stat): hot \(bins.count { $0 >= 2 }), cold \(bins.count { $0 <= -2 }) at 95 %+; hot \(bins.count { $0 >= 1 }), cold \(bins.count { $0 <= -1 }) at 90 %+",
                                  statistic: stat, value: g.G, z: g.z, p: g.p, classes: [], bins: bins)
        case "local-moran", "local-moran-bv":
            let w = try weights.get(star: false, transform: command.transformKind(default: .row))
            let scale: LocalMoran.Scale = command.scale.lowercased() == "spdep" && !geoda ? .spdep : .esda
            let lm: LocalMoran
            if stat == "local-moran-bv" {
                guard let against else { throw GeoVoteError.invalidArgument("local-moran-bv needs --against VARIABLE") }
                lm = try LocalMoran(x: y, y: against, weights: w, scale: scale, permutation: permutation)
            } else {
                lm = try LocalMoran(y, weights: w, scale: scale, permutation: permutation)
            }
            let names = ["undefined", "HH", "LH", "LL", "HL"]
            // Analytic moments (univariate only: the bivariate statistic has none).
            let analytic = command.moments.lowercased() == "total" ? lm.total : lm.conditional
            // Classes from the pseudo p when permuting, else the analytic p; with
            // neither (bivariate, no permutations) nothing is significant.
            let p = lm.pseudoP ?? analytic?.p
            let cut = p.map(cutoff)
            let classes = (0..<y.count).map { i -> String in
                guard lm.quadrant[i] > 0 else { return "undefined" }
                guard let p, let cut, p[i].isFinite else { return "ns" }
                return p[i] <= cut ? names[lm.quadrant[i]] : "ns"
            }
            let label = stat == "local-moran-bv" ? "\(prefix)(\(command.against ?? ""))" : prefix
            var b = builder(stat == "local-moran" ? "LM" : "LB")
            b.add("value", "V", fmt(lm.I))
            if let analytic {
                b.add("z", "Z", fmt(analytic.z))
                b.add("p", "P", fmt(analytic.p))
            }
            if let ps = lm.pseudoP {
                b.add("zsim", "Y", fmt(lm.zSim!))
                b.add("psim", "S", fmt(ps))
            }
            if geoda, let p, let cut {
                let codes = GeoDaClusters.localMoran(lm, weights: w, p: p, cutoff: cut)
                b.add("class", "C", .text(codes.map { GeoDaClusters.localMoranLabels[$0] }))
                addGeoDa(&b, codes, nil)
            } else {
                b.add("class", "C", .text(classes))
            }
            return HotspotColumns(builder: b, undefined: lm.undefined,
                                  summary: "\(label): " + ["HH", "LH", "LL", "HL", "ns"].map { c in "\(c) \(classes.count { $0 == c })" }.joined(separator: ", "),
                                  statistic: stat, value: lm.I, z: analytic?.z ?? lm.zSim ?? [], p: p ?? [], classes: classes, bins: nil)
        case "local-geary":
            let w = try weights.get(star: false, transform: command.transformKind(default: .row))
            let lg = try LocalGeary(y, weights: w, scale: geoda || command.scale.lowercased() == "geoda" ? .geoda : .esda,
                                    permutation: geoda ? permutation?.with(alternative: .meanSide) : permutation)
            let classes = lg.pseudoP.map { lg.classes(cutoff: cutoff($0)) } ?? lg.c.map { $0.isFinite ? "ns" : "undefined" }
            var b = builder("LG")
            b.add("value", "V", fmt(lg.c))
            if let p = lg.pseudoP {
                b.add("zsim", "Y", fmt(lg.zSim!))
                b.add("psim", "S", fmt(p))
            }
            if geoda, let p = lg.pseudoP {
                let codes = GeoDaClusters.localGeary(lg, weights: w, p: p, cutoff: cutoff(p))
                b.add("class", "C", .text(codes.map { GeoDaClusters.localGearyLabels[$0] }))
                addGeoDa(&b, codes, nil)
            } else {
                b.add("class", "C", .text(classes))
            }
            return HotspotColumns(builder: b, undefined: lg.undefined,
                                  summary: "\(prefix): " + ["HH", "LL", "other", "ns"].map { c in "\(c) \(classes.count { $0 == c })" }.joined(separator: ", "),
                                  statistic: stat, value: lg.c, z: lg.zSim ?? [], p: lg.pseudoP ?? [], classes: classes, bins: nil)
        case "join-count":
            let lj = try LocalJoinCount(y, weights: weights.base, permutation: permutation)
            let p = lj.pseudoP
            let cut = p.map(cutoff)
            let classes = (0..<y.count).map { i -> String in
                guard lj.count[i].isFinite else { return "undefined" }
                guard let p, let cut, p[i].isFinite else { return lj.count[i] > 0 ? "BB" : "ns" }
                return p[i] <= cut ? "BB" : "ns"
            }
            // "winner(all/valid)=PJD" → winner_all_valid_PJD_join-count_…; shapefile stem: the category.
            let safe = spec.numerator.map { $0.isLetter || $0.isNumber ? String($0) : "_" }.joined()
                .split(separator: "_").joined(separator: "_")
            var b = Builder(prefix: "\(safe)_join-count", variable: String(spec.numerator.split(separator: "=").last ?? ""),
                            empiricalBayes: false, code: "JC")
            b.add("value", "V", fmt(lj.count))
            if let p { b.add("psim", "S", fmt(p)) }
            if geoda, let p, let cut {
                let codes = GeoDaClusters.joinCount(lj, weights: weights.base, p: p, cutoff: cut)
                b.add("class", "C", .text(codes.map { GeoDaClusters.joinCountLabels[$0] }))
                addGeoDa(&b, codes, nil)
            } else {
                b.add("class", "C", .text(classes))
            }
            return HotspotColumns(builder: b, undefined: lj.undefined,
                                  summary: "\(spec.numerator) join-count: units \(y.count { $0 == 1 }), significant BB clusters \(classes.count { $0 == "BB" })",
                                  statistic: stat, value: lj.count, z: [], p: p ?? [], classes: classes, bins: nil)
        default:
            throw GeoVoteError.invalidArgument("unknown --statistic '\(stat)'; use gistar, gi, local-moran, local-moran-bv, local-geary or join-count")
        }
    }

    /// A 0/1 variable for local join counts: "FIELD=VALUE" (1 where the field
    /// shows VALUE), "winner(all/valid)=PJD" or "winner(RNI,PAM,PJD)=PJD" (1
    /// where PJD has the most votes of the listed count fields; ties to the
    /// first listed), or a numeric 0/1 field.
    static func binary(_ text: String, table: FeatureTable, file: String) throws -> [Double] {
        guard let eq = text.lastIndex(of: "=") else { return try table.numericValues(of: text, file: file) }
        let left = String(text[..<eq]), value = String(text[text.index(after: eq)...])
        if left.lowercased().hasPrefix("winner("), left.hasSuffix(")") {
            let inner = String(left.dropFirst(7).dropLast())
            let parties = try VariableSpec.list(inner, in: table, file: file).map(\.numerator)
            guard parties.contains(value) else {
                throw GeoVoteError.invalidArgument("\(value) is not among the parties of \(left): \(parties.joined(separator: ", "))")
            }
            let votes = try parties.map { try table.numericValues(of: $0, file: file) }
            return (0..<table.count).map { i in
                var best = 0
                for k in parties.indices where votes[k][i] > votes[best][i] { best = k }
                return parties[best] == value ? 1 : 0
            }
        }
        guard let column = table.column(named: left) else {
            throw GeoVoteError.invalidArgument("\(file) has no field '\(left)'")
        }
        return (0..<table.count).map { column.values.displayValue($0) == value ? 1 : 0 }
    }

    /// ArcGIS's field names (Hot Spot Analysis; Cluster and Outlier Analysis).
    func arcgisColumns() -> [Column] {
        let nn = Column(name: "NNeighbors", values: .integer(neighbours))
        switch statistic {
        case "gistar", "gi":
            return [Column(name: "GiZScore", values: Self.fmt(z)), Column(name: "GiPValue", values: Self.fmt(p)), nn,
                    Column(name: "Gi_Bin", values: .integer((bins ?? []).indices.map { z[$0].isFinite ? Int64(bins![$0]) : nil }))]
        default:
            let co = classes.map { ["HH", "HL", "LH", "LL"].contains($0) ? $0 : "" }
            return [Column(name: "LMiIndex", values: Self.fmt(value)), Column(name: "LMiZScore", values: Self.fmt(z)),
                    Column(name: "LMiPValue", values: Self.fmt(p)), Column(name: "COType", values: .text(co.map { $0.isEmpty ? nil : $0 })), nn]
        }
    }
}

/// The weights each statistic needs, derived from the base weights once and
/// shared by all variables (Gi* with esda's self-weights, each transform).
final class DerivedWeights {
    let base: SpatialWeights
    private var cache: [String: SpatialWeights] = [:]

    private var restriction: (DefinedSubset, DerivedWeights)?

    init(base: SpatialWeights) { self.base = base }

    /// The same derivations over the features of a subset (the last subset
    /// asked for is kept: the variables of a results table usually miss the
    /// same features).
    func restricted(to subset: DefinedSubset) -> DerivedWeights {
        if subset.isComplete { return self }
        if let (s, w) = restriction, s == subset { return w }
        let w = DerivedWeights(base: subset.restrict(base))
        restriction = (subset, w)
        return w
    }

    func get(star: Bool, transform: WeightsTransform) -> SpatialWeights {
        let key = "\(star) \(transform.rawValue)"
        if let w = cache[key] { return w }
        let w = (star ? base.withGiStarSelfWeights() : base).transformed(transform)
        cache[key] = w
        return w
    }
}

/// A one-line progress bar on stderr when stderr is a terminal (no output
/// otherwise, so logs stay clean): "[3/18] PJD/valid gistar [#####     ] 52 %".
enum ProgressBar {
    static let isTerminal = isatty(2) != 0

    static func make(label: String, total: Int) -> WorkProgress? {
        guard isTerminal, total > 0 else { return nil }
        let lastShown = Mutex<Int>(-1)
        return WorkProgress(total: total) { done, total in
            let percent = min(100, done * 100 / total)
            let draw = lastShown.withLock { last -> Bool in
                guard percent != last else { return false }
                last = percent
                return true
            }
            guard draw else { return }
            let filled = percent / 5
            let bar = String(repeating: "#", count: filled) + String(repeating: " ", count: 20 - filled)
            FileHandle.standardError.write(Data("\r\(label) [\(bar)] \(percent) %".utf8))
        }
    }
}
