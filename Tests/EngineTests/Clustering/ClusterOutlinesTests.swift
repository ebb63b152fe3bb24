import Foundation
import GeoVoteEngine
import TestSupport
import Testing

/// Cluster outlines: every member inside its hull, the concave hull inside
/// the convex one, valid polygons, totals equal to the members' sums, and an
/// empty outline (said in a note) for a cluster on one line.
@Suite struct ClusterOutlinesTests {
    @Test func hullsHoldTheirMembersAndTotalsAreSums() throws {
        let stations = try ClusteringReference.stations()
        let points = try ClusterPoints(table: stations)
        let hd = try HDBSCAN.run(points, options: .init(minClusterSize: 50))
        let result = ClusterResult(options: ClusterOptions(method: .hdbscan, minClusterSize: 50), labels: hd.labels, core: nil,
                                   probabilities: hd.probabilities, outlierScores: hd.outlierScores, clusterCount: hd.clusterCount, spanningTree: nil)
        let concave = try ClusterOutlines.make(stations, file: "stations", result: result, idField: "code")
        let convex = try ClusterOutlines.make(stations, file: "stations", result: result, hull: .convex)
        #expect(concave.outlines.count == hd.clusterCount)
        #expect(concave.countFields == ["registered", "voters", "valid", "RNI", "PAM", "PI", "USFP", "MP", "PPS", "UC", "PJD", "others"])
        let engine = try GeometryEngine()
        for (a, b) in zip(concave.outlines, convex.outlines) {
            #expect(try engine.isValid(a.geometry) && engine.isValid(b.geometry))
            #expect(a.areaKm2 > 0 && a.areaKm2 <= b.areaKm2 * (1 + 1e-12), "cluster \(a.cluster): concave inside convex")
            let prepared = try PreparedPolygon(a.geometry, engine: engine)
            let outside = try a.members.filter { i in
                let p = stations.geometries[i]
                return try !prepared.contains(x: p.x[0], y: p.y[0]) && engine.area(engine.intersection(a.geometry, .point(x: p.x[0], y: p.y[0]))) == 0
                    && !(try prepared.touches(.point(x: p.x[0], y: p.y[0])))
            }
            #expect(outside.isEmpty, "cluster \(a.cluster): \(outside.count) members outside the hull")
            for (name, value) in a.totals {
                let column = try stations.numericValues(of: name)
                #expect(value == a.members.reduce(0.0) { $0 + column[$1] }, "cluster \(a.cluster) \(name)")
            }
            let parties = a.totals.filter { !["registered", "voters", "valid"].contains($0.name) }
            #expect(a.winner == parties.max { $0.value! < $1.value! }?.name)
        }
        let table = concave.table()
        #expect(table.columns.map(\.name).prefix(4) == ["cluster", "units", "codes", "area_km2"])
    }

    @Test func aClusterOnALineHasNoOutline() throws {
        let xs = (0..<10).map { Double($0) * 10 }
        let table = FeatureTable(geometries: xs.map { .point(x: $0, y: 5) }, columns: [Column(name: "valid", values: .integer(xs.map { _ in 3 }))])
        let result = ClusterResult(options: ClusterOptions(method: .dbscan, eps: 15, minSamples: 2), labels: xs.map { _ in 0 }, core: xs.map { _ in true },
                                   probabilities: nil, outlierScores: nil, clusterCount: 1, spanningTree: nil)
        let made = try ClusterOutlines.make(table, file: "line", result: result)
        #expect(made.outlines[0].geometry.isEmpty)
        #expect(made.outlines[0].areaKm2 == 0)
        #expect(made.notes.contains { $0.contains("collinear") })
        #expect(made.outlines[0].totals.first?.value == 30)
    }
}
