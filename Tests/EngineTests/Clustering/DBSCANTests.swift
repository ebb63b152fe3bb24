import Foundation
import GeoVoteEngine
import TestSupport
import Testing

/// DBSCAN against scikit-learn 1.8.0 (`DBSCAN(algorithm='kd_tree')`, with and
/// without `sample_weight`) on real points and the fixture's stations:
/// labels equal exactly (the same numbering), core flags exact.
@Suite struct DBSCANTests {
    @Test(arguments: try! ClusteringReference.settings().filter { $0.method == "dbscan" }.map { "\($0.dataset)/\($0.name)" })
    func matchesScikitLearn(_ key: String) throws {
        let setting = try ClusteringReference.settings().first { "\($0.dataset)/\($0.name)" == key }!
        let (points, weights) = try ClusteringReference.points(setting.dataset)
        let rows = try ClusteringReference.table(setting.dataset)
        let result = try DBSCAN.run(points, eps: setting.eps!, minSamples: Double(setting.minSamples!), weights: setting.weighted ? weights : nil)
        let labels = rows.map { Int($0["\(setting.name)_label"]!)! }
        let core = rows.map { $0["\(setting.name)_core"] == "1" }
        #expect(result.core == core, "\(key): \(zip(result.core, core).filter { $0 != $1 }.count) core flags differ")
        let off = zip(result.labels, labels).enumerated().filter { $1.0 != $1.1 }
        #expect(off.isEmpty, "\(key): \(off.count) labels differ, first \(off.first.map { "point \($0.offset): \($0.element)" } ?? "")")
        #expect(result.clusterCount == (labels.max() ?? -1) + 1)
    }

    @Test func sameResultOnAnyThreadCount() throws {
        let (points, weights) = try ClusteringReference.points("stations")
        let one = try DBSCAN.run(points, eps: 2_500, minSamples: 3_000, weights: weights, workers: 1)
        for workers in [2, 8] {
            #expect(try DBSCAN.run(points, eps: 2_500, minSamples: 3_000, weights: weights, workers: workers) == one)
        }
        #expect(one.clusterCount > 10)
    }
}
