/// The local statistics a hot-spot analysis computes.
public enum HotSpotStatistic: String, Sendable, Hashable, CaseIterable, Codable {
    /// Getis–Ord G_i* (self included): ArcGIS's Hot Spot Analysis.
    case giStar = "gistar"
    /// Getis–Ord G_i (self excluded).
    case gi
    /// Local Moran's I: ArcGIS's Cluster and Outlier Analysis, GeoDa's LISA.
    case localMoran = "local-moran"
    /// Bivariate Local Moran: the variable at the focal unit against
    /// ``HotSpotOptions/against`` at its neighbours.
    case bivariateLocalMoran = "local-moran-bv"
    /// Local Geary's c.
    case localGeary = "local-geary"
    /// Local join counts of a 0/1 variable (a party's wins).
    case joinCount = "join-count"

    /// The statistic's part of a column name: no hyphens, so that the name
    /// is usable in SQL and QGIS expressions (`PJD_valid_local_moran_p`).
    public var columnName: String { rawValue.replacingOccurrences(of: "-", with: "_") }

    /// The 2-letter code in 10-character shapefile names.
    var shortCode: String {
        switch self {
        case .giStar: "GS"
        case .gi: "GI"
        case .localMoran: "LM"
        case .bivariateLocalMoran: "LB"
        case .localGeary: "LG"
        case .joinCount: "JC"
        }
    }

    /// Accepts the spellings with hyphens (the CLI's) and with underscores
    /// (the column names').
    public init?(name: String) {
        self.init(rawValue: name.lowercased().replacingOccurrences(of: "_", with: "-"))
    }
}

/// The tool whose defaults an analysis takes. Explicit options override it.
///
/// | convention | weights | permutations | draws | Gi variance | classes from |
/// |---|---|---|---|---|---|
/// | `geovote`, `arcgis` | Gi/Gi* binary, Local Moran/Geary row | none | own, without replacement | Ord–Getis | two-sided p |
/// | `esda` | row for every statistic | 999 | esda's table, esda's stream | esda | directed p_sim (esda's habit) |
/// | `geoda` | row for every statistic | 999 | GeoDa's stream, seed 123456789 | Ord–Getis | directed pseudo p (GeoDa's) |
/// | `spdep` | Gi/Gi* binary, Local Moran row, spdep's scale | none | with replacement | Ord–Getis | two-sided p |
public enum Convention: String, Sendable, Hashable, CaseIterable, Codable {
    case geovote, esda, geoda, arcgis, spdep
}

/// Which p-value the confidence levels (classes, Gi_Bin, the printed
/// counts) test against α.
///
/// Analytic p-values are two-sided already. A pseudo p from permutations is
/// made two-sided as `min(1, 2·p)` when its alternative is one-sided in the
/// observed direction (`directed`, GeoDa's `mean-side`), as esda's
/// maintainers recommend (pysal/esda#199) and esda's `two-sided` robust
/// form computes; `two-sided` and `folded` p are used as they are;
/// `greater` and `lesser` are one-sided by the caller's explicit choice and
/// used as they are.
public enum Significance: String, Sendable, Hashable, CaseIterable, Codable {
    /// Every level is two-sided at the level it states (default).
    case twoSided = "two-sided"
    /// The directed pseudo p as it is (esda's `p_sim < α`, GeoDa's cluster
    /// maps): a one-sided test in the observed direction.
    case directed
}

/// What to do with a feature whose value is missing, not a number, or a
/// share with a zero denominator.
public enum MissingValuePolicy: String, Sendable, Hashable, CaseIterable, Codable {
    /// Leave it out of that variable's analysis (GeoDa, ArcGIS) and say why.
    case exclude
    /// Stop at the first one, naming it.
    case error
}

/// The null hypothesis of Local Moran's analytic z.
public enum LocalMoranMoments: String, Sendable, Hashable, CaseIterable, Codable {
    /// Conditional randomisation (Sokal, Oden and Thomson 1998; spdep's default, esda's EIc/VIc).
    case conditional
    /// Total randomisation (Anselin 1995; spdep `conditional = FALSE`, esda's EI/VI).
    case total
}

/// Everything that decides a hot-spot analysis, as typed values. A
/// `convention` sets the defaults; every option set here overrides it.
public struct HotSpotOptions: Sendable, Hashable {
    public var statistics: [HotSpotStatistic]
    public var weights: WeightsSpec
    /// Great-circle metres for distance weights on a geographic CRS.
    public var geodesic: Bool
    /// The weights transform; nil: each statistic's convention default.
    public var transform: WeightsTransform?
    /// Permutations for pseudo p-values; nil: the convention's (0, or 999 for esda and GeoDa).
    public var permutations: Int?
    /// nil: 12345 (GeoDa's 123456789 with its draws).
    public var seed: UInt64?
    /// nil: the convention's.
    public var draws: DrawScheme?
    /// The pseudo p's alternative (esda's definitions); nil: directed (GeoDa's Local Geary: mean-side).
    public var alternative: Alternative?
    /// nil: the convention's (two-sided, or directed for esda and GeoDa).
    public var significance: Significance?
    public var correction: MultipleTesting
    /// The significance level of the classes, 0 < α < 1. Gi_Bin keeps
    /// ArcGIS's fixed levels 0.10, 0.05, 0.01.
    public var alpha: Double
    public var moments: LocalMoranMoments
    /// nil: esda's (spdep's with the spdep convention).
    public var localMoranScale: LocalMoran.Scale?
    /// nil: esda's (GeoDa's with the GeoDa convention).
    public var localGearyScale: LocalGeary.Scale?
    /// nil: Ord–Getis (esda's with the esda convention).
    public var variance: GetisOrdG.Variance?
    public var convention: Convention
    public var missing: MissingValuePolicy
    /// The neighbours' variable of the bivariate Local Moran.
    public var against: VariableSpec?

    public init(statistics: [HotSpotStatistic] = [.giStar], weights: WeightsSpec = .contiguity(.queen), geodesic: Bool = false,
                transform: WeightsTransform? = nil, permutations: Int? = nil, seed: UInt64? = nil, draws: DrawScheme? = nil,
                alternative: Alternative? = nil, significance: Significance? = nil, correction: MultipleTesting = .none,
                alpha: Double = 0.05, moments: LocalMoranMoments = .conditional, localMoranScale: LocalMoran.Scale? = nil,
                localGearyScale: LocalGeary.Scale? = nil, variance: GetisOrdG.Variance? = nil, convention: Convention = .geovote,
                missing: MissingValuePolicy = .exclude, against: VariableSpec? = nil) {
        self.statistics = statistics
        self.weights = weights
        self.geodesic = geodesic
        self.transform = transform
        self.permutations = permutations
        self.seed = seed
        self.draws = draws
        self.alternative = alternative
        self.significance = significance
        self.correction = correction
        self.alpha = alpha
        self.moments = moments
        self.localMoranScale = localMoranScale
        self.localGearyScale = localGearyScale
        self.variance = variance
        self.convention = convention
        self.missing = missing
        self.against = against
    }

    /// Checks the options against each other, before any data is read.
    /// - Throws: `GeoVoteError.invalidArgument` naming the option and the fix.
    public func validate() throws {
        guard !statistics.isEmpty else { throw GeoVoteError.invalidArgument("no statistic given: choose from \(HotSpotStatistic.allCases.map(\.rawValue).joined(separator: ", "))") }
        guard alpha.isFinite, alpha > 0, alpha < 1 else {
            throw GeoVoteError.invalidArgument("the significance level alpha is \(alpha): it must be between 0 and 1 (e.g. 0.05)")
        }
        if let permutations {
            guard permutations >= 0 else { throw GeoVoteError.invalidArgument("the number of permutations is \(permutations): it is negative; give 0 (none) or more") }
            guard permutations <= ConditionalPermutation.maximumPermutations else {
                throw GeoVoteError.invalidArgument("\(permutations) permutations is more than the \(ConditionalPermutation.maximumPermutations) a run takes")
            }
        }
        if case let .geoda(threads)? = draws, threads < 1 {
            throw GeoVoteError.invalidArgument("GeoDa's thread count is \(threads): it must be at least 1")
        }
        if statistics.contains(.joinCount), statistics.count > 1 {
            throw GeoVoteError.invalidArgument("join-count takes categorical variables (FIELD=VALUE, winner(all/valid)=PARTY): run it alone")
        }
        if statistics.contains(.bivariateLocalMoran), against == nil {
            throw GeoVoteError.invalidArgument("local-moran-bv needs the neighbours' variable (against, e.g. voters/registered)")
        }
        if against != nil, !statistics.contains(.bivariateLocalMoran) {
            throw GeoVoteError.invalidArgument("against is the neighbours' variable of local-moran-bv: add that statistic, or leave against out")
        }
        if Set(statistics).count != statistics.count {
            throw GeoVoteError.invalidArgument("a statistic is listed twice: \(statistics.map(\.rawValue).joined(separator: ", "))")
        }
    }

    // MARK: The values in force: the option when given, else the convention's.

    /// Permutations in force (0: analytic inference only).
    public var effectivePermutations: Int {
        permutations ?? (convention == .esda || convention == .geoda ? 999 : 0)
    }

    public var effectiveDraws: DrawScheme {
        if let draws { return draws }
        switch convention {
        case .esda: return .esda
        case .geoda: return .geoda(threads: 1)
        case .spdep: return .withReplacement
        case .geovote, .arcgis: return .withoutReplacement
        }
    }

    public var effectiveSeed: UInt64 {
        if let seed { return seed }
        if case .geoda = effectiveDraws { return 123_456_789 }
        return 12345
    }

    public var effectiveSignificance: Significance {
        significance ?? (convention == .esda || convention == .geoda ? .directed : .twoSided)
    }

    public var effectiveVariance: GetisOrdG.Variance { variance ?? (convention == .esda ? .esda : .ordGetis) }

    public var effectiveLocalMoranScale: LocalMoran.Scale {
        if convention == .geoda { return .esda }
        return localMoranScale ?? (convention == .spdep ? .spdep : .esda)
    }

    public var effectiveLocalGearyScale: LocalGeary.Scale { localGearyScale ?? (convention == .geoda ? .geoda : .esda) }

    /// The weights transform a statistic uses.
    public func effectiveTransform(for statistic: HotSpotStatistic) -> WeightsTransform {
        if let transform { return transform }
        switch statistic {
        case .giStar, .gi: return convention == .esda || convention == .geoda ? .row : .binary
        case .joinCount: return .binary
        case .localMoran, .bivariateLocalMoran, .localGeary: return .row
        }
    }

    /// The pseudo p's alternative for a statistic.
    public func effectiveAlternative(for statistic: HotSpotStatistic) -> Alternative {
        if convention == .geoda, statistic == .localGeary { return .meanSide }
        return alternative ?? .directed
    }

    /// The permutation engine for a statistic; nil without permutations.
    public func permutation(for statistic: HotSpotStatistic) throws -> ConditionalPermutation? {
        let r = effectivePermutations
        guard r > 0 else { return nil }
        return try ConditionalPermutation(permutations: r, seed: effectiveSeed, alternative: effectiveAlternative(for: statistic), draws: effectiveDraws)
    }

    /// The p-value a confidence level tests (see ``Significance``).
    func levelP(_ p: Double, permuted: Bool, alternative: Alternative) -> Double {
        guard permuted, effectiveSignificance == .twoSided, p.isFinite else { return p }
        switch alternative {
        case .directed, .meanSide: return min(1, 2 * p)
        case .twoSided, .folded, .greater, .lesser: return p
        }
    }
}
