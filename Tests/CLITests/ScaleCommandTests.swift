import GeoVoteEngine
import Foundation
import TestSupport
import Testing

/// `geovote isa` and `geovote ohsa`: the spellings and output fields the
/// issue names, the library's numbers, clear refusals.
@Suite struct ScaleCommandTests {
    static func geovote(_ arguments: [String]) throws -> ToolRun { try CommandLineContractTests.geovote(arguments) }

    static let communes = Fixtures.path("morocco/communes_utm29n.shp")

    @Test func isaWritesOneRowPerBandWithThePeaks() throws {
        let out = Fixtures.scratch() + "/isa.csv"
        let run = try Self.geovote(["isa", Self.communes, "--share", "PJD/valid", "--output", out])
        #expect(run.status == 0, "\(run.error)")
        let rows = try Fixtures.csv(atPath: out)
        let ref = try Fixtures.csv("reference/scale/morocco_isa.csv")
        #expect(rows.count == 10)
        #expect(Array(rows[0].keys).sorted() == ["EI", "I", "VI", "band", "distance", "islands", "mean_neighbours", "p", "peak", "z"])
        for (row, r) in zip(rows, ref) {
            expectClose(Double(row["z"]!)!, Double(r["z_rand"]!)!, .reference, "z band \(row["band"]!)")
            expectClose(Double(row["I"]!)!, Double(r["I"]!)!, .reference, "I band \(row["band"]!)")
            #expect(row["peak"] == r["peak"])
        }
        let given = try Self.geovote(["isa", Self.communes, "--field", "PJD", "--start", "150000", "--step", "120000", "--count", "5", "--assumption", "normality"])
        #expect(given.status == 0 && given.output.contains("start 150000.0000 (given)"), "\(given.output) \(given.error)")
        let bad = try Self.geovote(["isa", Fixtures.path("morocco/communes.shp"), "--share", "PJD/valid"])
        #expect(bad.status == 1 && bad.error.contains("geographic"), "\(bad.error)")
        let usage = try Self.geovote(["isa", Self.communes, "--share", "PJD/valid", "--count", "1"])
        #expect(usage.status == 64, "\(usage.error)")
    }

    @Test func ohsaPrintsAndRecordsEveryDecision() throws {
        let dir = Fixtures.scratch()
        let run = try Self.geovote(["ohsa", Self.communes, "--share", "PJD/valid", "--output", dir + "/h.geojson"])
        #expect(run.status == 0, "\(run.error)")
        let ref = try Fixtures.csv("reference/scale/morocco_ohsa.csv")[0]
        let distance = String(format: "%.4f", Double(ref["distance"]!)!)
        #expect(run.output.contains("distance band \(distance): the first peak"), "\(run.output)")
        #expect(run.output.contains("20 locational outliers"), "\(run.output)")
        let decisions = try String(contentsOfFile: dir + "/h.ohsa.txt", encoding: .utf8)
        #expect(decisions.contains("distance band \(distance)"))
        let layer = try LayerIO.read(dir + "/h.geojson")
        // Undefined (no neighbour within the band) is null in the file, 0 in the reference.
        let column = try #require(layer.column(named: "PJD_valid_gistar_bin")).values
        let bins = (0..<layer.count).map { column.number($0) ?? 0 }
        let refBins = try Fixtures.csv("reference/scale/morocco_ohsa_gistar.csv").map { Double($0["bin"]!)! }
        #expect(bins == refBins)
        let arcgis = try Self.geovote(["ohsa", Self.communes, "--share", "PJD/valid", "--names", "arcgis", "--output", dir + "/a.csv"])
        #expect(arcgis.status == 0, "\(arcgis.error)")
        let header = try String(contentsOfFile: dir + "/a.csv", encoding: .utf8).prefix { $0 != "\n" }
        for field in ["GiZScore", "GiPValue", "Gi_Bin", "NNeighbors"] { #expect(header.contains(field), "\(header)") }
        let hex = try Self.geovote(["ohsa", Fixtures.path("reference/data/baltim.shp"), "--field", "units", "--aggregate", "hexagon", "--output", dir + "/x.shp"])
        #expect(hex.status == 0 && hex.output.contains("hexagon cells hold at least one incident"), "\(hex.output) \(hex.error)")
        let few = try Self.geovote(["ohsa", Fixtures.path("reference/data/columbus.shp"), "--field", "CRIME", "--aggregate", "fishnet", "--output", dir + "/f.shp"])
        #expect(few.status == 1 && !FileManager.default.fileExists(atPath: dir + "/f.shp"), "\(few.error)")
    }
}
