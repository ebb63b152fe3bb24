// A party's zones with GeoVoteEngine: the stronghold zones of every party
// from Gi* hot spots, and density clusters (DBSCAN weighted by registered
// voters, HDBSCAN*). The same steps as the DocC
// article "Clusters and stronghold zones".
//
//     swift run -c release strongholds-example Fixtures/morocco/communes_utm29n.shp out/example
import Foundation
import GeoVoteEngine

let arguments = CommandLine.arguments.dropFirst()
let input = arguments.first ?? "Fixtures/morocco/communes_utm29n.shp"
let outputFolder = arguments.dropFirst().first ?? "out/example"
try FileManager.default.createDirectory(atPath: outputFolder, withIntermediateDirectories: true)

// 1. Zones: Gi* of every party's share (binary queen weights, analytic
//    two-sided p, as ArcGIS), hot units at 95 %, connected, dissolved.
let communes = try LayerIO.read(input)
let parties = try VariableSpec.list("all/valid", in: communes, file: input)
let zones = try StrongholdZones.run(communes, file: input, variables: parties, options: ZoneOptions(confidence: 95), idField: "code")
zones.summary.forEach { print($0) }

// 2. Each party's strongest zone: its votes, its share, where the party stands in it.
for party in parties {
    guard let first = zones.zones.first(where: { $0.variable == party && $0.type == .hot }) else { continue }
    let votes = first.totals.first { $0.name == party.numerator }?.value ?? 0
    print("\(party.numerator): \(first.members.count) communes, \(Int(votes)) votes, share \(String(format: "%.3f", first.share ?? .nan)), "
          + "\(String(format: "%.0f", first.areaKm2)) km², rank \(first.partyRank.map(String.init) ?? "?") among the parties")
}
try LayerIO.write(zones.table(), to: outputFolder + "/zones.geojson")

// 3. Density clusters of places (here the communes' centroids; polling
//    stations the same way): DBSCAN weighted by registered voters (a core
//    commune has 100,000 registered voters within 15 km), then HDBSCAN*.
let points = try ClusterPoints(table: communes, file: input)
let dense = try DBSCAN.run(points, eps: 15_000, minSamples: 100_000, weights: try communes.numericValues(of: "registered", file: input))
print("DBSCAN: \(dense.clusterCount) clusters, \(dense.core.count { $0 }) core communes")
let tree = try HDBSCAN.run(points, options: .init(minClusterSize: 10))
print("HDBSCAN*: \(tree.clusterCount) clusters, \(tree.labels.count { $0 < 0 }) noise communes, "
      + "mean outlier score \(String(format: "%.3f", tree.outlierScores.reduce(0, +) / Double(tree.outlierScores.count)))")
