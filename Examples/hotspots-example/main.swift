// Getting started with GeoVoteEngine: read a layer, build weights, run Gi*
// and Local Moran, read the classes, correct for multiple testing, write
// the results. The same steps as the DocC article "Getting started".
//
//     swift run -c release hotspots-example Fixtures/morocco/communes_utm29n.shp out/example
import Foundation
import GeoVoteEngine

let arguments = CommandLine.arguments.dropFirst()
let input = arguments.first ?? "Fixtures/morocco/communes_utm29n.shp"
let outputFolder = arguments.dropFirst().first ?? "out/example"
try FileManager.default.createDirectory(atPath: outputFolder, withIntermediateDirectories: true)

// 1. Read: any .shp (encoding from its .cpg), .geojson or .csv.
let communes = try LayerIO.read(input)
print("\(communes.count) communes, CRS \(communes.crs?.description ?? "none")")

// 2. Weights: queen contiguity, and what they look like.
let queen = try SpatialWeights.contiguity(communes, rule: .queen)
print(WeightsSummary(queen))

// 3. The variable: the PJD share of the valid ballots. Features without a
//    value (a missing count, no valid ballot) are left out, and the weights
//    restricted to the others.
let (pjd, subset) = try communes.definedValues(of: VariableSpec(parsing: "PJD/valid"), file: input)
let y = subset.restrict(pjd)
let w = subset.restrict(queen)

// 4. Gi* (ArcGIS's Hot Spot Analysis: binary weights, the self-weight added
//    by the statistic) and Local Moran (row-standardised by the statistic),
//    with 999 conditional permutations.
let permutation = try ConditionalPermutation(permutations: 999, seed: 2021)
let gi = try GetisOrdG(y, weights: w, star: true)
let lisa = try LocalMoran(y, weights: w, permutation: permutation)

// 5. Classes: Gi* z beyond ±1.96 (two-sided 95 %); Local Moran quadrants
//    where the pseudo p passes the FDR cut-off.
let hot = gi.z.filter { $0 > 1.96 }.count, cold = gi.z.filter { $0 < -1.96 }.count
print("Gi*: \(hot) hot and \(cold) cold communes at 95 % (two-sided, analytic p)")
let pSim = lisa.simulated!.pseudoP
let cutoff = MultipleTesting.fdr.cutoff(pSim, alpha: 0.05)
var clusters: [Quadrant: Int] = [:]
for i in y.indices where pSim[i] <= cutoff { clusters[lisa.quadrant[i], default: 0] += 1 }
print("Local Moran, FDR cut-off \(cutoff):", Quadrant.allCases.map { "\($0.label) \(clusters[$0] ?? 0)" }.joined(separator: ", "))

// 6. The same analysis as one call, and the results as a table to map
//    (ids, the share, z, p, pseudo p, classes, undefined reasons).
let options = HotSpotOptions(statistics: [.giStar, .localMoran], permutations: 999, seed: 2021, correction: .fdr)
let results = try HotSpotAnalysis.run(communes, file: input, variables: [VariableSpec(parsing: "PJD/valid")], options: options)
for result in results.results { print(result.summary) }
let table = try results.table(from: communes, file: input, options: HotSpotTableOptions(idFields: ["code"]))
let written = outputFolder + "/pjd_hotspots.geojson"
_ = try LayerIO.write(table.table, to: written)
print("wrote \(written): \(table.table.columns.map(\.name).joined(separator: ", "))")

// 7. Global Moran's I of the same share.
let moran = try GlobalAnalysis.run(communes, file: input, variable: VariableSpec(parsing: "PJD/valid"), options: GlobalOptions(permutations: 999))
print("Moran's I \(moran["I"]!), pseudo p \(moran["p_sim"]!)")
