// Vote-share surfaces with GeoVoteEngine: every party's share raster of the
// communes by exact areal interpolation, a kernel surface of one party from
// the communes' centroids with a bandwidth chosen by cross-validation, a
// GeoTIFF and a quick-look PNG. The same steps as the DocC article
// "Vote-share rasters".
//
//     swift run -c release rasters-example Fixtures/morocco/communes_utm29n.shp out/example
import Foundation
import GeoVoteEngine

let arguments = CommandLine.arguments.dropFirst()
let input = arguments.first ?? "Fixtures/morocco/communes_utm29n.shp"
let outputFolder = arguments.dropFirst().first ?? "out/example"
try FileManager.default.createDirectory(atPath: outputFolder, withIntermediateDirectories: true)

// 1. Coverage: each commune's counts spread over its area by the exact
//    fraction of each 5 km cell it covers; shares, turnout, winner, margin.
let communes = try LayerIO.read(input)
let parties = try VariableSpec.list("all/valid", in: communes, file: input).map(\.numerator)
var coverage = VoteSurfaceOptions(method: .coverage, fields: parties, total: "valid", resolution: 5000)
coverage.turnoutVotes = "voters"
coverage.turnoutRegistered = "registered"
let shares = try VoteSurface.make(communes, file: input, options: coverage)
print(shares.summary)
for total in shares.totals where total.field == "valid" {
    print("valid votes: \(Int(total.features.rounded())) in the communes, \(Int(total.cells.rounded())) in the cells")
}
try GeoTIFF.write(shares.raster, to: outputFolder + "/shares.tif", options: .init(overviews: [2, 4]))
try QuickLook.write(shares.raster, band: "winner", to: outputFolder + "/winner.png")

// 2. Kernel: PJD's share smoothed from the communes' centroids, the
//    Gaussian's bandwidth chosen among four by leave-one-out cross-validation.
var kernel = VoteSurfaceOptions(method: .kernel, fields: ["PJD"], total: "valid", resolution: 5000)
kernel.crossValidate = true
kernel.bandwidthCandidates = [10_000, 20_000, 40_000, 80_000]
let smooth = try VoteSurface.make(communes, file: input, options: kernel)
smooth.notes.forEach { print($0) }
print("PJD kernel surface: bandwidth \(Int(smooth.bandwidth ?? 0)) m, \(smooth.raster.band(named: "PJD")!.values.count { $0 != smooth.raster.nodata }) cells with data")
try GeoTIFF.write(smooth.raster, to: outputFolder + "/pjd_kernel.tif")
