import Foundation

/// Which spatial weights to build, as one value shared by the library, the
/// `weights`, `hotspots` and `moran` commands and batch jobs.
///
/// Spellings (``init(parsing:idField:)``, ``description``): `queen`, `rook`,
/// `spdep-queen`, `spdep-rook`, `strict-queen`, `strict-rook`, `knn:K`,
/// `distance:T` (CRS units, metres with geodesic distances),
/// `distance:auto` (the smallest band that gives every unit a neighbour,
/// ArcGIS's default), `kernel:FUNCTION:fixed:B`, `kernel:FUNCTION:knn:K`
/// (libpysal's default fixed bandwidth), `kernel:FUNCTION:adaptive:K`, or a
/// weights file ending in `.gal`, `.gwt` or `.csv`.
public enum WeightsSpec: Sendable, Hashable, CustomStringConvertible {
    case contiguity(SpatialWeights.ContiguityRule)
    case kNearest(k: Int)
    /// nil: the smallest threshold that leaves no island.
    case distanceBand(threshold: Double?)
    case kernel(SpatialWeights.KernelFunction, bandwidth: SpatialWeights.KernelBandwidth)
    /// A GAL, GWT or CSV weights file; its ids are the values of `idField`
    /// (nil: 0-based feature order).
    case file(path: String, idField: String?)

    /// The spellings, for messages and help.
    public static let spellings = "queen, rook, spdep-queen, spdep-rook, strict-queen, strict-rook, knn:K, distance:T, distance:auto, kernel:FUNCTION:fixed:B|knn:K|adaptive:K, or a .gal/.gwt/.csv file"

    /// Parses a spelling (case-insensitive for the named kinds).
    /// - Parameters:
    ///   - text: the spelling: `queen`, `knn:8`, `distance:auto`, `w.gal` …
    ///   - idField: for a weights file, the field holding its ids.
    /// - Throws: `GeoVoteError.invalidArgument` naming the spelling and the choices.
    public init(parsing text: String, idField: String? = nil) throws {
        let spec = text.trimmingCharacters(in: .whitespaces)
        let lower = spec.lowercased()
        func bad(_ why: String) -> GeoVoteError { .invalidArgument("weights '\(text)': \(why); use \(Self.spellings)") }
        if [".gal", ".gwt", ".csv"].contains(where: { lower.hasSuffix($0) }) {
            self = .file(path: spec, idField: idField)
            return
        }
        if let rule = SpatialWeights.ContiguityRule(rawValue: lower) {
            self = .contiguity(rule)
            return
        }
        let parts = lower.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        switch parts[0] {
        case "knn":
            guard parts.count == 2, let k = Int(parts[1]), k >= 1 else { throw bad("knn takes a whole number of neighbours of at least 1 (knn:6)") }
            self = .kNearest(k: k)
        case "distance":
            guard parts.count == 2 else { throw bad("distance takes a threshold (distance:25000) or auto") }
            if parts[1] == "auto" { self = .distanceBand(threshold: nil); return }
            guard let t = Double(parts[1]), t.isFinite, t > 0 else { throw bad("the threshold '\(parts[1])' is not a positive number") }
            self = .distanceBand(threshold: t)
        case "kernel":
            guard parts.count == 4, let function = SpatialWeights.KernelFunction(name: parts[1]) else {
                throw bad("kernel is kernel:FUNCTION:fixed:B, kernel:FUNCTION:knn:K or kernel:FUNCTION:adaptive:K, FUNCTION one of \(SpatialWeights.KernelFunction.allCases.map(\.name).joined(separator: ", "))")
            }
            switch parts[2] {
            case "fixed":
                guard let b = Double(parts[3]), b.isFinite, b > 0 else { throw bad("the bandwidth '\(parts[3])' is not a positive number") }
                self = .kernel(function, bandwidth: .fixed(b))
            case "knn", "adaptive":
                guard let k = Int(parts[3]), k >= 1 else { throw bad("'\(parts[3])' is not a whole number of neighbours of at least 1") }
                self = .kernel(function, bandwidth: parts[2] == "knn" ? .fixedFromNeighbors(k: k) : .adaptive(k: k))
            default:
                throw bad("the bandwidth is fixed:B, knn:K or adaptive:K")
            }
        default:
            throw bad("unknown kind")
        }
    }

    public var description: String {
        switch self {
        case let .contiguity(rule): rule.rawValue
        case let .kNearest(k): "knn:\(k)"
        case let .distanceBand(t): "distance:" + (t.map { "\($0)" } ?? "auto")
        case let .kernel(f, .fixed(b)): "kernel:\(f.name):fixed:\(b)"
        case let .kernel(f, .fixedFromNeighbors(k)): "kernel:\(f.name):knn:\(k)"
        case let .kernel(f, .adaptive(k)): "kernel:\(f.name):adaptive:\(k)"
        case let .file(path, _): path
        }
    }

    /// Whether the weights come from the layer's geometry (not from a file).
    public var needsGeometry: Bool { if case .file = self { false } else { true } }

    /// What building the weights chose on the way (the band of `distance:auto`).
    public struct BuildNotes: Sendable, Equatable {
        /// The distance band used, for distance weights.
        public var threshold: Double?
    }

    /// Builds the weights for `table` (read from `file`, named in errors).
    /// - Parameters:
    ///   - table: the layer.
    ///   - file: its path, named in errors.
    ///   - geodesic: great-circle metres for distance kinds on a geographic CRS.
    ///   - snap: spdep-queen/spdep-rook's snap distance.
    ///   - folder: the folder a relative weights-file path is taken from.
    ///   - workers: threads (the weights do not depend on it).
    /// - Throws: the builders' errors (geographic CRS, bad geometry), a
    ///   missing id field, a table without geometry for geometric kinds.
    public func build(_ table: FeatureTable, file: String, geodesic: Bool = false, snap: Double = SpatialWeights.spdepDefaultSnap,
                      relativeTo folder: String? = nil, workers: Int = Parallel.defaultWorkerCount) throws -> (SpatialWeights, BuildNotes) {
        if needsGeometry, table.geometries.allSatisfy({ $0.isEmpty }), table.count > 0, (try? LayerIO.Format(path: file)) == .csv {
            throw GeoVoteError.unsupported("\(file) is a CSV table without geometry: give the weights as a file (.gal, .gwt or .csv) with the field that holds its ids")
        }
        switch self {
        case let .contiguity(rule):
            return (try SpatialWeights.contiguity(table, rule: rule, snap: snap, file: file), BuildNotes())
        case let .kNearest(k):
            return (try SpatialWeights.kNearest(WeightsPoints(table: table, geodesic: geodesic, file: file), k: k, workers: workers), BuildNotes())
        case let .distanceBand(threshold):
            let points = try WeightsPoints(table: table, geodesic: geodesic, file: file)
            let t = threshold ?? SpatialWeights.minimumThreshold(points, workers: workers)
            return (try SpatialWeights.distanceBand(points, threshold: t, workers: workers), BuildNotes(threshold: t))
        case let .kernel(function, bandwidth):
            let points = try WeightsPoints(table: table, geodesic: geodesic, file: file)
            return (try SpatialWeights.kernel(points, function: function, bandwidth: bandwidth, workers: workers), BuildNotes())
        case let .file(path, idField):
            var ids = (0..<table.count).map(String.init)
            if let idField {
                guard let column = table.column(named: idField) else {
                    throw GeoVoteError.malformed(DataLocation(file: file, field: idField), reason: "is not a field of the layer: the weights file's ids cannot be matched")
                }
                ids = (0..<table.count).map { column.values.displayValue($0) }
            }
            let resolved = path.hasPrefix("/") || folder == nil || folder!.isEmpty ? path : folder! + "/" + path
            return (try WeightsFiles.read(resolved, ids: ids), BuildNotes())
        }
    }
}

extension SpatialWeights.KernelFunction {
    /// The spelling in a ``WeightsSpec`` (libpysal's names; epanechnikov for quadratic).
    public var name: String { self == .epanechnikov ? "epanechnikov" : rawValue }
}
