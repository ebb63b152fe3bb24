/// A unit's class in a hot-spot result, typed by the statistic's kind.
public enum LocalClass: Sendable, Hashable, CustomStringConvertible {
    /// No result: the reason is in ``LocalHotSpotResult/undefined``.
    case undefined
    /// Defined, not significant at the level asked.
    case notSignificant
    /// Local Moran (uni- or bivariate), significant: its quadrant.
    case quadrant(Quadrant)
    /// Getis–Ord: ArcGIS's Gi_Bin, ±1 … ±3 (hot > 0, cold < 0; 0 is `notSignificant`).
    case confidenceBin(Int)
    /// Local Geary, significant (or without inference): esda's label.
    case geary(LocalGearyClass)
    /// Local join count: a significant cluster of 1s (esda's "BB").
    case joinCluster

    /// The label written to the class column: HH LH LL HL, ±1…±3, other,
    /// BB, ns, undefined.
    public var description: String {
        switch self {
        case .undefined: "undefined"
        case .notSignificant: "ns"
        case let .quadrant(q): q.label
        case let .confidenceBin(b): String(b)
        case let .geary(g): g.rawValue
        case .joinCluster: "BB"
        }
    }
}

/// Why a unit has no result for one variable and statistic.
public enum UndefinedReason: Sendable, Hashable, CustomStringConvertible {
    /// Left out before the analysis: a missing or non-numeric value, a zero
    /// denominator (the text says which field and value).
    case leftOut(String)
    /// The unit has no neighbour in the weights.
    case noNeighbours
    /// Its neighbours were all left out.
    case noNeighbourWithValue
    /// The variable is constant: no standardised value exists.
    case constantVariable
    /// Another 0/0 in the statistic.
    case undefinedRatio

    public var description: String {
        switch self {
        case let .leftOut(text): text
        case .noNeighbours: "no neighbours"
        case .noNeighbourWithValue: "no neighbour with a value"
        case .constantVariable: "constant variable"
        case .undefinedRatio: "undefined (0/0)"
        }
    }
}

/// One local statistic of one variable, every array in the input's feature
/// order (left-out features included, as undefined).
///
/// Field names against the references: `value` = esda `Is`/`Gs`/`localG`/
/// `LJC`, spdep `Ii`/`localG`; `z`, `p` = analytic (Gi: ArcGIS's GiZScore,
/// GiPValue; Local Moran: spdep's `Z.Ii`, `Pr(z != E(Ii))`); `simulated`
/// = esda's `z_sim`, `p_sim` (GeoDa's pseudo p), `EI_sim`.
public struct LocalHotSpotResult: Sendable {
    public let variable: VariableSpec
    public let statistic: HotSpotStatistic
    /// The analysed values (the share, rate or field), NaN where left out.
    public let values: [Double]
    /// The statistic's value per unit, NaN where undefined.
    public let value: [Double]
    /// Analytic z and its two-sided p; nil where the statistic has none
    /// (Local Geary, join counts, the bivariate Local Moran).
    public let z: [Double]?
    public let p: [Double]?
    /// Permutation inference; nil without permutations.
    public let simulated: PermutationInference?
    /// The p-value each class was decided on (two-sided unless asked
    /// otherwise, see ``Significance``), NaN where there is none.
    public let levelP: [Double]
    /// The p cut-off at ``HotSpotOptions/alpha`` after the correction.
    public let cutoff: Double
    public let classes: [LocalClass]
    /// GeoDa's cluster codes and labels (convention `geoda`).
    public let geodaCodes: [Int]?
    public let geodaLabels: [String]?
    /// Per unit: nil when defined, else why not.
    public let undefined: [UndefinedReason?]
    /// Neighbours of each unit in the weights the statistic used (nil where left out).
    public let neighbours: [Int?]
    /// A one-line summary ("PJD/valid gistar: hot 12, cold 19 at 95 %+ (two-sided); …").
    public let summary: String
    /// What was left out, for the user.
    public let notes: [String]

    /// Gi_Bin per unit for Getis–Ord results (0 where not significant or undefined).
    public var confidenceBins: [Int]? {
        guard statistic == .giStar || statistic == .gi else { return nil }
        return classes.map { if case let .confidenceBin(b) = $0 { b } else { 0 } }
    }
}

/// The weights an analysis ran on, and what they look like.
public struct WeightsSummary: Sendable, Equatable, CustomStringConvertible {
    public let count: Int
    public let links: Int
    public let minimumNeighbours: Int
    public let meanNeighbours: Double
    public let maximumNeighbours: Int
    public let islands: [Int]
    public let components: Int
    /// Units in the largest connected component.
    public let largestComponent: Int
    /// The band chosen for `distance:auto`.
    public let threshold: Double?

    public init(_ w: SpatialWeights, threshold: Double? = nil) {
        let cards = w.cardinalities
        count = w.count
        links = w.linkCount
        minimumNeighbours = cards.min() ?? 0
        maximumNeighbours = cards.max() ?? 0
        meanNeighbours = cards.isEmpty ? 0 : Double(cards.reduce(0, +)) / Double(cards.count)
        islands = w.islands
        let labels = w.componentLabels
        components = (labels.max() ?? -1) + 1
        var sizes = [Int](repeating: 0, count: components)
        for l in labels where l >= 0 { sizes[l] += 1 }
        largestComponent = sizes.max() ?? 0
        self.threshold = threshold
    }

    /// Warnings when the weights are degenerate for hot-spot work: islands
    /// above 5 % of the units, a mean above 100 neighbours, or a largest
    /// component holding under half the units.
    public var warnings: [String] {
        var out: [String] = []
        guard count > 0 else { return out }
        if Double(islands.count) > 0.05 * Double(count) {
            out.append("\(islands.count) of \(count) units (\(Self.percent(islands.count, count))) have no neighbour: their statistics are undefined; use knn:K or a wider distance band")
        }
        if meanNeighbours > 100 {
            out.append(String(format: "units have %.0f neighbours on average: local statistics over so many units flag most of the map as significant; use a smaller band or knn:K", meanNeighbours))
        }
        if largestComponent * 2 < count {
            out.append("the largest connected part holds \(largestComponent) of \(count) units (\(Self.percent(largestComponent, count))): the map falls apart into \(components) pieces that do not see each other")
        }
        return out
    }

    static func percent(_ a: Int, _ b: Int) -> String { String(format: "%.1f %%", 100 * Double(a) / Double(b)) }

    /// The lines `geovote weights` prints.
    public var description: String {
        var lines: [String] = []
        if let threshold { lines.append("threshold:  \(threshold) (auto: every unit has a neighbour)") }
        lines += [
            "n:          \(count)",
            "links:      \(links)",
            "neighbours: min \(minimumNeighbours), mean \(String(format: "%.3f", meanNeighbours)), max \(maximumNeighbours)",
            "islands:    \(islands.count)" + (islands.isEmpty ? "" : " (" + islands.prefix(20).map(String.init).joined(separator: ", ") + (islands.count > 20 ? ", …" : "") + ")"),
            "components: \(components)",
        ]
        return lines.joined(separator: "\n")
    }
}

/// Every result of one analysis of one layer.
public struct HotSpotResults: Sendable {
    public let options: HotSpotOptions
    /// The layer's feature count.
    public let count: Int
    /// The base weights (before restriction and transforms) and their summary.
    public let weights: SpatialWeights
    public let weightsSummary: WeightsSummary
    /// One per (variable, statistic), variables outermost, in the order asked.
    public let results: [LocalHotSpotResult]
}
