import Foundation
import GeoVoteEngine
import Synthetic
import TestSupport

/// The point sets and reference values of Fixtures/reference/clustering
/// (make_reference.py: scikit-learn 1.8.0 and hdbscan 0.8.44, pinned in
/// Fixtures/reference/requirements.txt).
enum ClusteringReference {
    /// airports: vega_datasets' 3,376 US airports in EPSG:5070; baltim:
    /// libpysal's 211 house sales; stations: the fixture's 40,000 stations.
    static let datasets = ["airports", "baltim", "stations"]

    static func points(_ name: String) throws -> (ClusterPoints, weights: [Double]?) {
        switch name {
        case "airports":
            let rows = try Fixtures.csv("reference/clustering/airports_xy.csv")
            return (try ClusterPoints(x: rows.map { Double($0["x"]!)! }, y: rows.map { Double($0["y"]!)! }), nil)
        case "baltim":
            var table = try ShapefileReader().read(Fixtures.path("reference/data/baltim.shp"))
            table.crs = nil
            return (try ClusterPoints(table: table), try table.numericValues(of: "PRICE"))
        default:
            let table = try stations()
            return (try ClusterPoints(table: table), try table.numericValues(of: "registered"))
        }
    }

    /// The fixture's stations, as `geovote synth --communes 1500 --stations 40000 --seed 2021` makes them.
    static func stations() throws -> FeatureTable {
        try StationsCache.shared.table()
    }

    static func table(_ name: String) throws -> [[String: String]] {
        try Fixtures.csv("reference/clustering/\(name)_clusters.csv")
    }

    struct Setting {
        var dataset: String
        var name: String
        var method: String
        var eps: Double?
        var minSamples: Int?
        var minClusterSize: Int?
        var selection: String?
        var epsilon: Double?
        var weighted: Bool
        var outliers: Bool
        var reference: String?
    }

    static func settings() throws -> [Setting] {
        let data = try Data(contentsOf: URL(fileURLWithPath: Fixtures.path("reference/clustering/settings.json")))
        let json = try JSONSerialization.jsonObject(with: data) as! [String: Any]
        return (json["settings"] as! [[String: Any]]).map { s in
            Setting(dataset: s["dataset"] as! String, name: s["name"] as! String, method: s["method"] as! String,
                    eps: s["eps"] as? Double, minSamples: s["min_samples"] as? Int, minClusterSize: s["min_cluster_size"] as? Int,
                    selection: s["selection"] as? String, epsilon: s["epsilon"] as? Double, weighted: s["weighted"] as? Bool ?? false,
                    outliers: s["outliers"] as? Bool ?? false, reference: s["reference"] as? String)
        }
    }
}

/// Making 40,000 stations takes a fraction of a second; once per process.
final class StationsCache: @unchecked Sendable {
    static let shared = StationsCache()
    private let lock = NSLock()
    private var cached: FeatureTable?

    func table() throws -> FeatureTable {
        lock.lock()
        defer { lock.unlock() }
        if let cached { return cached }
        let made = try ElectionSynthesizer.make(communes: 1500, stations: 40000, seed: 2021).stations
        cached = made
        return made
    }
}
