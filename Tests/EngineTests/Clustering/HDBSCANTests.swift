import Foundation
import GeoVoteEngine
import TestSupport
import Testing

/// HDBSCAN* against scikit-learn 1.8.0 (`HDBSCAN`) and the hdbscan package
/// 0.8.44 (`outlier_scores_`) on real points and the fixture's stations, for
/// both selection methods, several sizes and epsilons
/// (Fixtures/reference/clustering/make_reference.py).
///
/// Equal mutual-reachability distances make the minimum spanning tree
/// non-unique, and the tree a program keeps decides some points' clusters.
/// So the checks are: (1) GeoVote's spanning tree has the sorted weights of
/// scikit-learn's own (any two minimum spanning trees do, so it is minimal);
/// (2) on GeoVote's tree, scikit-learn's tree-to-labels code and the hdbscan
/// package's GLOSH give exactly GeoVote's labels (same numbering),
/// probabilities and outlier scores; (3) against scikit-learn's own run, every
/// point outside the reference's tie-dependent set (`*_tied`: results that
/// differ between the two trees or move when scikit-learn's input is
/// permuted) has the same cluster, up to a one-to-one renumbering.
@Suite struct HDBSCANTests {
    /// The reference file keeps 12 significant digits.
    static let tolerance = Tolerance(absolute: 1e-10, relative: 1e-10)

    static func options(_ s: ClusteringReference.Setting) -> HDBSCAN.Options {
        HDBSCAN.Options(minClusterSize: s.minClusterSize!, minSamples: s.minSamples, selection: HDBSCAN.Selection(rawValue: s.selection!)!,
                        clusterSelectionEpsilon: s.epsilon ?? 0)
    }

    @Test(arguments: try! ClusteringReference.settings().filter { $0.method == "hdbscan" }.map { "\($0.dataset)/\($0.name)" })
    func matchesReferences(_ key: String) throws {
        let setting = try ClusteringReference.settings().first { "\($0.dataset)/\($0.name)" == key }!
        let (points, _) = try ClusteringReference.points(setting.dataset)
        let rows = try ClusteringReference.table(setting.dataset)
        let result = try HDBSCAN.run(points, options: Self.options(setting))
        let name = setting.name
        func column(_ suffix: String) -> [Double] { rows.compactMap { Double($0["\(name)_\(suffix)"]!) } }

        // (1) A minimum spanning tree.
        let weights = result.spanningTree.map(\.distance).sorted()
        expectClose(weights, column("mst"), Self.tolerance, "\(key) spanning-tree weights")

        // (2) The references' code on GeoVote's tree.
        #expect(result.labels == column("gv_label").map { Int($0) }, "\(key): labels on the same tree")
        expectClose(result.probabilities, column("gv_probability"), Self.tolerance, "\(key) probabilities")
        if setting.outliers { expectClose(result.outlierScores, column("gv_outlier"), Self.tolerance, "\(key) outlier scores") }

        // (3) scikit-learn's own run, outside the tie-dependent points.
        let labels = column("label").map { Int($0) }
        let tied = column("tied").map { $0 == 1 }
        var map: [Int: Int] = [:], inverse: [Int: Int] = [:]
        var conflicts = 0
        for i in labels.indices where !tied[i] {
            let (ours, theirs) = (result.labels[i], labels[i])
            if (ours < 0) != (theirs < 0) { conflicts += 1; continue }
            if ours < 0 { continue }
            if map[ours, default: theirs] != theirs || inverse[theirs, default: ours] != ours { conflicts += 1 }
            map[ours] = theirs
            inverse[theirs] = ours
        }
        #expect(conflicts == 0, "\(key): \(conflicts) untied points in another cluster than scikit-learn's")
        #expect(tied.count { $0 } < labels.count / 10, "\(key): the tie-dependent points are few")
    }

    @Test func sameResultOnAnyThreadCount() throws {
        let (points, _) = try ClusteringReference.points("stations")
        let options = HDBSCAN.Options(minClusterSize: 30, minSamples: 8)
        let one = try HDBSCAN.run(points, options: options, workers: 1)
        for workers in [2, 8] { #expect(try HDBSCAN.run(points, options: options, workers: workers) == one) }
        #expect(one.clusterCount > 5)
    }
}
