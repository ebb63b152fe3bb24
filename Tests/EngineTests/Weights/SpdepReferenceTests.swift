import GeoVoteEngine
import Foundation
import TestSupport
import Testing

/// Against R spdep 1.2-7 (Fixtures/reference/spdep/make_reference.R; values
/// committed, R never called): poly2nb neighbour sets, and localmoran's
/// analytic moments under conditional and total randomisation (to 1e-10).
@Suite struct SpdepReferenceTests {
    static func number(_ s: String) -> Double { Double(s.trimmingCharacters(in: .whitespaces))! }

    static func neighbourSets(_ file: String, count: Int) throws -> [[Int]] {
        var sets = [[Int]](repeating: [], count: count)
        for row in try Fixtures.csv(file) {
            if let j = Int(row["neighbor"] ?? "") { sets[Int(row["focal"]!)!].append(j) }
        }
        return sets.map { $0.sorted() }
    }

    @Test(arguments: ["columbus", "NY8", "sids2", "boston_tracts", "tokyomet262", "virginia", "morocco", "world"])
    func poly2nbSetsMatch(name: String) throws {
        let table = try ShapefileReader().read(Fixtures.path("reference/data/\(name).shp"))
        for (rule, suffix) in [(SpatialWeights.ContiguityRule.spdepQueen, "queen"), (.spdepRook, "rook")] {
            let w = try SpatialWeights.contiguity(table, rule: rule)
            let expected = try Self.neighbourSets("reference/spdep/\(name)_poly2nb_\(suffix).csv", count: table.count)
            for i in 0..<table.count {
                #expect(w.neighbors(of: i).map(Int.init) == expected[i], "\(name) \(suffix): neighbours of \(i)")
            }
        }
    }

    /// virginia units 114 and 127 touch at one point, which starts and closes
    /// the second ring of 127: two vertex pairs, so a rook pair for spdep,
    /// not for libpysal (no shared edge).
    @Test func twoCornersMakeSpdepRookButNotLibpysalRook() throws {
        let table = try ShapefileReader().read(Fixtures.path("reference/data/virginia.shp"))
        let spdep = try SpatialWeights.contiguity(table, rule: .spdepRook)
        let libpysal = try SpatialWeights.contiguity(table, rule: .rook)
        #expect(spdep.neighbors(of: 114).contains(127) && !libpysal.neighbors(of: 114).contains(127))
        #expect(spdep.neighbors.count == libpysal.neighbors.count + 2)
    }

    @Test(arguments: [("columbus", "CRIME"), ("NY8", "PROPCAS")])
    func localMoranMomentsMatchSpdep(set: (String, String)) throws {
        let (y, w) = try AutocorrelationReferenceTests.input(set.0, set.1, .row)
        let lm = try LocalMoran(y, weights: w, transform: w.transform, scale: .spdep)
        let cond = try #require(lm.conditional), total = try #require(lm.total)
        let rows = try Fixtures.csv("reference/spdep/\(set.0)_localmoran.csv")
        #expect(rows.count == y.count)
        for (i, row) in rows.enumerated() {
            func close(_ a: Double, _ b: Double, _ label: String) { AutocorrelationReferenceTests.close(a, b, label) }
            close(lm.I[i], Self.number(row["Ii"]!), "Ii[\(i)]")
            close(cond.expected[i], Self.number(row["E_cond"]!), "E cond[\(i)]")
            close(cond.variance[i], Self.number(row["Var_cond"]!), "Var cond[\(i)]")
            close(cond.z[i], Self.number(row["Z_cond"]!), "Z cond[\(i)]")
            close(cond.p[i], Self.number(row["P_cond"]!), "P cond[\(i)]")
            close(total.expected[i], Self.number(row["E_total"]!), "E total[\(i)]")
            close(total.variance[i], Self.number(row["Var_total"]!), "Var total[\(i)]")
            close(total.z[i], Self.number(row["Z_total"]!), "Z total[\(i)]")
            close(total.p[i], Self.number(row["P_total"]!), "P total[\(i)]")
        }
    }

    /// spdep knearneigh(k = 4) and dnearneigh(0, d) on the same planar
    /// centroids: kNN sets identical where the 4th distance is below the 5th
    /// (elsewhere the tie rule decides); distance-band sets identical, with
    /// co-located points kept as spdep keeps them.
    @Test(arguments: ["columbus", "NY8", "baltim", "tokyomet262", "virginia", "morocco"])
    func knearneighAndDnearneighMatch(name: String) throws {
        let table = try ShapefileReader().read(Fixtures.path("reference/data/\(name).shp"))
        let points = try WeightsReferenceTests.planarPoints(table)
        let knn = try SpatialWeights.kNearest(points, k: 4)
        let kth = SpatialWeights.kthNeighborDistances(points, k: 4), next = SpatialWeights.kthNeighborDistances(points, k: 5)
        let k4 = try Self.neighbourSets("reference/spdep/\(name)_knearneigh4.csv", count: table.count)
        var compared = 0
        for i in 0..<table.count where kth[i] < next[i] {
            #expect(knn.neighbors(of: i).map(Int.init) == k4[i], "\(name) knn: neighbours of \(i)")
            compared += 1
        }
        #expect(compared > table.count * 9 / 10, "\(name): \(compared) unambiguous units")
        let text = try String(contentsOfFile: Fixtures.path("reference/spdep/\(name)_dnearneigh_threshold.txt"), encoding: .utf8)
        let threshold = Double(text.split(separator: "\n").last { !$0.hasPrefix("#") }!)!
        let band = try SpatialWeights.distanceBand(points, threshold: threshold, includeColocated: true)
        let expected = try Self.neighbourSets("reference/spdep/\(name)_dnearneigh.csv", count: table.count)
        for i in 0..<table.count {
            #expect(band.neighbors(of: i).map(Int.init) == expected[i], "\(name) band: neighbours of \(i)")
        }
    }
}
