import ArgumentParser
import GeoVoteEngine
import Foundation
import Synchronization

extension HotSpotStatistic: ExpressibleByArgument {
    public init?(argument: String) { self.init(name: argument) }
}
extension Convention: ExpressibleByArgument {}
extension Significance: ExpressibleByArgument {}
extension MissingValuePolicy: ExpressibleByArgument {}
extension LocalMoranMoments: ExpressibleByArgument {}
extension ColumnNaming: ExpressibleByArgument {}
extension MultipleTesting: ExpressibleByArgument {}
extension GetisOrdG.Variance: ExpressibleByArgument {}
extension LayerIO.CSVGeometry: ExpressibleByArgument {}
extension Alternative: ExpressibleByArgument {
    public static var allValueStrings: [String] { allCases.filter { $0 != .meanSide }.map(\.rawValue) + ["mean-side"] }
}

/// A comma-separated list of statistics.
struct StatisticList: ExpressibleByArgument {
    var values: [HotSpotStatistic]
    init?(argument: String) {
        let parts = argument.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        guard !parts.isEmpty else { return nil }
        var out: [HotSpotStatistic] = []
        for part in parts {
            guard let s = HotSpotStatistic(name: part) else { return nil }
            out.append(s)
        }
        values = out
    }
    static var allValueStrings: [String] { HotSpotStatistic.allCases.map(\.rawValue) }
}

/// --weights: a WeightsSpec spelling.
struct WeightsArgument: ExpressibleByArgument {
    var spec: WeightsSpec
    init?(argument: String) {
        guard let spec = try? WeightsSpec(parsing: argument) else { return nil }
        self.spec = spec
    }
    static var defaultCompletionKind: CompletionKind { .default }
}

/// --transform.
struct TransformArgument: ExpressibleByArgument {
    var value: WeightsTransform
    init?(argument: String) {
        guard let t = WeightsTransform(name: argument) else { return nil }
        value = t
    }
    static var allValueStrings: [String] { ["binary", "row", "doubly", "variance", "none"] }
}

/// --draws.
enum DrawsArgument: String, ExpressibleByArgument, CaseIterable { case without, with, esda, shared, geoda }

/// --scale.
enum ScaleArgument: String, ExpressibleByArgument, CaseIterable { case esda, spdep, geoda }

/// Options that choose the weights of a statistics command.
struct WeightsChoice: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("queen | rook | spdep-queen | spdep-rook | strict-queen | strict-rook | knn:K | distance:T | distance:auto | kernel:FUNCTION:fixed:B|knn:K|adaptive:K | FILE.gal|.gwt|.csv", valueName: "spec"))
    var weights: WeightsArgument = WeightsArgument(argument: "queen")!

    @Flag(name: .long, help: "Great-circle distances (metres) for knn/distance on a geographic CRS.")
    var geodesic = false

    @Option(name: .long, help: "With --weights FILE: the field whose values are the file's ids (default: 0-based feature order).")
    var weightsId: String?

    var spec: WeightsSpec {
        if case let .file(path, _) = weights.spec { return .file(path: path, idField: weightsId) }
        return weights.spec
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
        --correction; every level is two-sided (a directed pseudo p doubled, capped at 1) unless --significance directed (the default of --convention esda and geoda) (fdr as esda's fdr(), by, bonferroni). Local Moran: esda's \
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
        Output: one row per feature, in input order. CSV: index, the --id fields, \
        the --keep fields, each variable's numerator and denominator and its value (VAR), \
        then VAR_STAT_{value,z,p,zsim,psim,class|bin,undefined} (STAT without hyphens: gistar, local_moran) — z and p the \
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

    @Argument(help: "The layer (.shp, .geojson, .csv, FILE.gpkg[:LAYER]).")
    var file: String

    @Option(name: .long, help: "Variables, comma-separated: FIELD, NUM/DEN, all/DEN, eb:NUM/DEN.")
    var field: String?

    @Option(name: .long, help: "Shares, comma-separated: NUM/DEN (MP/valid), all/DEN — the same as --field, added to it.")
    var share: String?

    @Option(name: .long, help: ArgumentHelp("gistar | gi | local-moran | local-moran-bv | local-geary, comma-separated; or join-count alone (--field FIELD=VALUE or winner(all/valid)=PARTY, several separated by ';').", valueName: "statistics"))
    var statistic: StatisticList = StatisticList(argument: "gistar")!

    @Option(name: .long, help: "local-moran-bv: the variable at the neighbours (e.g. voters/registered).")
    var against: String?

    @OptionGroup var weightsChoice: WeightsChoice

    @Option(name: .long, help: "binary | row | doubly | variance | none (default: binary for Gi*/Gi, row for Local Moran and Local Geary; row for all with esda and geoda).")
    var transform: TransformArgument?

    @Option(name: .long, parsing: .unconditional, help: "Permutations for pseudo p-values (0 = none; at most 10,000,000; default 0, 999 with --convention esda or geoda).")
    var permutations: Int?

    @Option(name: .long, help: "Random seed for the permutations (default 12345; GeoDa's 123456789 with --draws geoda).")
    var seed: UInt64?

    @Option(name: .long, help: "geovote | esda | geoda | arcgis | spdep — whose defaults to take (explicit options override them).")
    var convention: Convention = .geovote

    @Option(name: .long, help: "With --draws geoda: the threads GeoDa split its random stream over (its cpu_threads), for identical p-values.")
    var geodaThreads: Int = 1

    @Option(name: .long, help: "directed | two-sided | folded | greater | lesser | mean-side (esda's definitions; default directed).")
    var alternative: Alternative?

    @Option(name: .long, help: "without | with | esda | shared | geoda — conditional draws: each unit its own draws without replacement (default) or with (spdep); esda: esda's shared table from its numba stream (its p-values exactly, --seed = esda's seed); shared: esda's shared table from GeoVote's stream (fastest); geoda: GeoDa's own stream (its p-values exactly).")
    var draws: DrawsArgument?

    @Option(name: .long, help: "ordgetis (ArcGIS; default) | esda (default with --convention esda) — Gi z-score variance.")
    var variance: GetisOrdG.Variance?

    @Option(name: .long, help: "conditional | total — the null of Local Moran's analytic z and p.")
    var moments: LocalMoranMoments = .conditional

    @Option(name: .long, help: "esda | spdep | geoda — Local Moran scale (geoda = esda); Local Geary: esda | geoda ((n-1)/n times esda's).")
    var scale: ScaleArgument?

    @Option(name: .long, parsing: .unconditional, help: "Significance level for the classes, 0 < alpha < 1 (Gi_Bin keeps ArcGIS's 0.10/0.05/0.01).")
    var alpha: Double = 0.05

    @Option(name: .long, help: "two-sided | directed — what the confidence levels test (default two-sided; directed with --convention esda or geoda).")
    var significance: Significance?

    @Option(name: .long, help: "none | fdr | by | bonferroni — multiple-testing correction of the classes.")
    var correction: MultipleTesting = .none

    @Flag(name: .long, help: "Same as --correction fdr.")
    var fdr = false

    @Option(name: .long, help: "Fields copied to the output to identify features (comma-separated, or repeat --id).")
    var id: [String] = []

    @Option(name: .long, help: "Input attributes copied to the output: all, or FIELD,FIELD,…")
    var keep: String?

    @Option(name: .long, help: "exclude | error — a feature whose value is missing, not a number, or a share of 0 (GeoDa, ArcGIS: exclude; listed on stderr).")
    var missing: MissingValuePolicy = .exclude

    @Option(name: .long, help: "geovote | arcgis | geoda — output column names (arcgis, geoda: one variable and statistic).")
    var names: ColumnNaming = .geovote

    @Option(name: .long, help: "CSV output: none | wkt — the geometry as a last column WKT (GDAL reads it).")
    var geometry: LayerIO.CSVGeometry = .none

    @Option(name: .shortAndLong, help: "Output .csv, .shp, .geojson or FILE.gpkg[:LAYER] (a layer added to, or replaced in, the GeoPackage).")
    var output: String

    @OptionGroup var out: OutputOptions
    @OptionGroup var common: CommonOptions

    func validate() throws {
        guard field != nil || share != nil else { throw ValidationError("give the variables with --field (or --share)") }
        guard alpha.isFinite, alpha > 0, alpha < 1 else { throw ValidationError("--alpha is \(alpha): it must be between 0 and 1 (e.g. 0.05)") }
        if let permutations, permutations < 0 { throw ValidationError("--permutations is \(permutations): it is negative; give 0 (none) or more") }
        if let permutations, permutations > ConditionalPermutation.maximumPermutations {
            throw ValidationError("--permutations is \(permutations): at most \(ConditionalPermutation.maximumPermutations)")
        }
        guard geodaThreads >= 1 else { throw ValidationError("--geoda-threads is at least 1") }
        if statistic.values.contains(.joinCount), statistic.values.count > 1 {
            throw ValidationError("join-count takes categorical variables: run it alone (--statistic join-count)")
        }
        if statistic.values.contains(.bivariateLocalMoran), against == nil { throw ValidationError("local-moran-bv needs --against VARIABLE") }
        if against != nil, !statistic.values.contains(.bivariateLocalMoran) { throw ValidationError("--against goes with --statistic local-moran-bv") }
    }

    /// The job these options describe: what the batch runner builds from a job file.
    func job() throws -> HotSpotJob {
        var options = HotSpotOptions(statistics: statistic.values, weights: weightsChoice.spec, geodesic: weightsChoice.geodesic,
                                     transform: transform?.value, permutations: permutations, seed: seed, alternative: alternative,
                                     significance: significance, correction: fdr ? .fdr : correction, alpha: alpha, moments: moments,
                                     variance: variance, convention: convention, missing: missing, against: against.map(VariableSpec.init(parsing:)))
        if let draws { options.draws = try DrawScheme(name: draws.rawValue, geodaThreads: geodaThreads) }
        else if convention == .geoda { options.draws = .geoda(threads: geodaThreads) }
        switch scale {
        case .esda?: (options.localMoranScale, options.localGearyScale) = (.esda, .esda)
        case .spdep?: options.localMoranScale = .spdep
        case .geoda?: options.localGearyScale = .geoda
        case nil: break
        }
        let ids = id.flatMap(commaList)
        return HotSpotJob(input: file, variables: [field, share].compactMap { $0 }.joined(separator: ","), options: options,
                          table: HotSpotTableOptions(naming: names, idFields: ids, keep: keep.map(KeptFields.init(parsing:)) ?? .none),
                          output: output, encoding: try common.apply(), outputEncoding: try out.writeOptions().encoding,
                          keepCRS: out.keepCrs, csvGeometry: geometry)
    }

    func run() throws {
        var job = try job()
        job.commandLine = (["geovote"] + CommandLine.arguments.dropFirst()).map(shellQuoted).joined(separator: " ")
        try runReportingErrors { try Self.run(job) }
    }

    /// Runs a job and prints what `hotspots` prints: the weights summary and
    /// warnings, progress, notes, the class counts, the files written.
    static func run(_ job: HotSpotJob) throws {
        try job.validate()
        let (layer, readNotes) = try job.read()
        readNotes.forEach(printNote)
        try job.check(layer: layer)
        let weights = try HotSpotAnalysis.weights(for: layer, file: job.input, options: job.options, relativeTo: job.weightsFolder)
        print("weights: \(job.options.weights)")
        print(weights.1.description)
        let permuting = job.options.effectivePermutations > 0
        let report = try job.run(layer: layer, progress: { step, steps, label in
            if !permuting || !ProgressBar.isTerminal { FileHandle.standardError.write(Data((label + "\n").utf8)) }
            return permuting ? ProgressBar.make(label: label, total: layer.count) : nil
        }, weights: weights)
        if permuting, ProgressBar.isTerminal { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
        report.notes.forEach(printNote)
        if !report.table.shortNames.isEmpty {
            print("shapefile column names: " + report.table.shortNames.map(\.short).joined(separator: " ") + " (mapping in \(job.shortNameMappingPath))")
        }
        report.results.results.forEach { print($0.summary) }
        print("wrote \(layer.count) rows to \(job.output)")
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
