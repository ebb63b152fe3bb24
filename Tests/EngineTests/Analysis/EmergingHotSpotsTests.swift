import Foundation
import GeoVoteEngine
import TestSupport
import Testing

/// Emerging hot spots over three elections against
/// Fixtures/reference/emerging/make_reference.py (libpysal 4.14.1, esda
/// 2.9.0, scipy 1.17.1, pymannkendall 1.4.3): the Mann–Kendall test on 40
/// seeded series, and the whole cube — shares, space-time Gi* z (esda's
/// `G_Local` on the space-time W), p, Gi_Bin with the FDR per election,
/// the trend of each unit's z and ArcGIS's pattern — for MP and PJD on the
/// fixture with a synthetic 2011 and 2016 on the same boundaries.
@Suite struct EmergingHotSpotsTests {
    typealias D = ElectionDatabaseTests

    @Test func mannKendallEqualsPymannkendallAndTheExactDistribution() throws {
        let rows = try Fixtures.csv("reference/emerging/mann_kendall.csv")
        #expect(rows.count == 40)
        for (k, row) in rows.enumerated() {
            let x = row["series"]!.split(separator: ";").map { Double($0)! }
            let mk = try MannKendall(x)
            #expect(mk.n == Int(row["n"]!)!)
            #expect(mk.S == Int(row["s"]!)!, "series \(k) S")
            expectClose(mk.variance, Double(row["var_s"]!)!, Tolerance(absolute: 0, relative: 1e-13), "series \(k) var_s")
            expectClose(mk.z, Double(row["z"]!)!, Tolerance(absolute: 1e-13), "series \(k) z")
            expectClose(mk.normalP, Double(row["p"]!)!, Tolerance(absolute: 1e-13), "series \(k) normal p")
            expectClose(mk.tau, Double(row["tau"]!)!, Tolerance(absolute: 1e-14), "series \(k) tau")
            let enumerated = Double(row["p_exact"]!)!, scipy = Double(row["p_scipy_exact"]!)!
            if !enumerated.isNaN { expectClose(try #require(mk.exactP), enumerated, Tolerance(absolute: 1e-14), "series \(k) exact p (enumeration)") }
            if !scipy.isNaN, mk.n <= MannKendall.exactLimit {
                expectClose(try #require(mk.exactP), scipy, Tolerance(absolute: 1e-12), "series \(k) exact p (scipy kendalltau)")
            }
            if mk.n > MannKendall.exactLimit {
                #expect(mk.exactP == nil)
                #expect(mk.p == mk.normalP)
            }
        }
    }

    /// The counted distribution equals a brute-force enumeration of every
    /// ordering of the multiset, for tie patterns up to 8 values.
    @Test(arguments: [[1, 1, 1], [2, 1], [3], [1, 1, 1, 1, 1, 1, 1, 1], [2, 2, 2], [3, 1, 1, 2], [4, 4], [1, 2, 3], [8]])
    func distributionEqualsEnumeration(tieSizes: [Int]) {
        var values: [Int] = []
        for (g, t) in tieSizes.enumerated() { values += [Int](repeating: g, count: t) }
        var counts: [Int: Int] = [:]
        func visit(_ prefix: [Int], _ left: [Int]) {
            if left.isEmpty {
                var s = 0
                for i in 0..<prefix.count { for j in (i + 1)..<prefix.count { s += (prefix[j] - prefix[i]).signum() } }
                counts[s, default: 0] += 1
                return
            }
            for k in left.indices { var rest = left; rest.remove(at: k); visit(prefix + [left[k]], rest) }
        }
        visit([], values)
        // Every ordering of the positions, so each distinct ordering Π t_g! times.
        let repeats = tieSizes.map { (1...$0).reduce(1, *) }.reduce(1, *)
        #expect(MannKendall.distribution(tieSizes: tieSizes) == counts.mapValues { $0 / repeats })
    }

    @Test func mannKendallRefusesShortOrUndefinedSeries() {
        #expect(throws: GeoVoteError.self) { try MannKendall([1, 2]) }
        #expect(throws: GeoVoteError.self) { try MannKendall([1, .nan, 2]) }
        #expect(throws: GeoVoteError.self) { try MannKendall([1, .infinity, 2, 3]) }
    }

    /// With 3 values the largest |S| is 3, reached by 2 of the 6 orderings:
    /// the exact test can never go below p = 1/3 — the reason GeoVote says
    /// "trend untestable" rather than "persistent".
    @Test func threeElectionsCannotShowATrend() throws {
        let mk = try MannKendall([1, 2, 3])
        #expect(mk.S == 3)
        #expect(mk.exactP == mk.smallestP)
        #expect(abs(mk.smallestP - 2.0 / 6.0) < 1e-15)
        let distribution = MannKendall.distribution(tieSizes: [1, 1, 1])
        #expect(distribution == [-3: 1, -1: 2, 1: 2, 3: 1])
    }

    static func database(_ dir: String) throws -> ElectionDatabase {
        let db = try D.database(dir)
        for (year, file) in [("2011", "reference/emerging/results_2011.csv"), ("2016", "reference/database/results_2016.csv")] {
            try db.importResults(ElectionImport(election: Election(name: "legislative-\(year)"), level: "commune",
                                                boundaries: try ShapefileReader().read(D.communes), boundariesFile: D.communes,
                                                results: try D.csvResults(file), resultsFile: file, boundaryKey: "code"))
        }
        return db
    }

    @Test func cubeEqualsTheReference() throws {
        let db = try Self.database(Fixtures.scratch())
        for party in ["MP", "PJD"] {
            let result = try db.emerging(elections: ["2011", "2016", "legislative-2021"], level: "commune", party: party)
            #expect(result.elections == ["legislative-2011", "legislative-2016", "legislative-2021"])
            let ref = try Fixtures.csv("reference/emerging/cube_\(party).csv")
            let table = result.table
            #expect(table.count == ref.count)
            #expect((0..<table.count).map { table.column(named: "unit")!.values.displayValue($0) } == ref.map { $0["unit"]! })
            func numbers(_ name: String) -> [Double] { (0..<table.count).map { table.column(named: name)!.values.number($0) ?? .nan } }
            func column(_ name: String) -> [Double] { ref.map { Double($0[name]!)! } }
            for k in 1...3 {
                expectClose(numbers("share_\(k)"), column("share_\(k)"), Tolerance(absolute: 1e-15), "\(party) share_\(k)")
                expectClose(numbers("z_\(k)"), column("z_\(k)"), Tolerance(absolute: 1e-10), "\(party) z_\(k) (esda G_Local)")
                expectClose(result.result.p[k - 1], column("p_\(k)"), Tolerance(absolute: 1e-10), "\(party) p_\(k)")
                #expect(numbers("bin_\(k)") == column("bin_\(k)"), "\(party) bin_\(k)")
            }
            #expect(numbers("mk_S") == column("mk_S"), "\(party) Mann-Kendall S")
            expectClose(result.result.trend.map { $0!.variance }, column("mk_var"), Tolerance(absolute: 1e-12), "\(party) var S")
            expectClose(numbers("mk_z"), column("mk_z"), Tolerance(absolute: 1e-12), "\(party) Mann-Kendall z")
            expectClose(result.result.trend.map { $0!.normalP }, column("mk_p_normal"), Tolerance(absolute: 1e-12), "\(party) normal p")
            expectClose(numbers("mk_p"), column("mk_p_exact"), Tolerance(absolute: 1e-14), "\(party) exact p")
            let patterns = (0..<table.count).map { table.column(named: "pattern")!.values.displayValue($0) }
            #expect(patterns == ref.map { $0["pattern"]! }, "\(party) patterns")
            #expect(!result.result.trendTestable)
            #expect(result.notes.contains { $0.contains("cannot reach p") })
        }
    }

    /// ArcGIS Pro's definitions on 10 elections, where the trend test has
    /// power: one series per pattern, z rising, flat or falling.
    @Test func patternsFollowArcGISDefinitions() throws {
        let rising = try MannKendall((0..<10).map(Double.init))
        let falling = try MannKendall((0..<10).map { -Double($0) })
        let flat = try MannKendall([1, 3, 2, 4, 1, 3, 2, 4, 1, 3])
        #expect(rising.p <= 0.05 && falling.p <= 0.05 && flat.p > 0.05)
        func pattern(_ bins: [Int], _ trend: MannKendall = flat) -> EmergingPattern {
            EmergingHotSpots.classify(bins: bins, trend: trend, threshold: 2, trendAlpha: 0.05)
        }
        let hot = [Int](repeating: 3, count: 10)
        #expect(pattern(hot, rising) == .intensifyingHot)
        #expect(pattern(hot, falling) == .diminishingHot)
        #expect(pattern(hot) == .persistentHot)
        #expect(pattern([0] + hot.dropFirst()) == .persistentHot, "9 of 10 is 90 %")
        #expect(pattern([0, 0] + hot.dropFirst(2)) == .consecutiveHot)
        #expect(pattern([Int](repeating: 0, count: 9) + [2]) == .newHot)
        #expect(pattern([Int](repeating: 0, count: 9) + [1]) == .none, "90 % confidence is not hot at 95 %")
        #expect(pattern([2, 0, 0, 2, 0, 0, 0, 0, 0, 2]) == .sporadicHot)
        #expect(pattern([-2, 0, 0, 0, 0, 0, 0, 0, 2, 2]) == .oscillatingHot)
        #expect(pattern([-2, 0, 0, 0, 0, 0, 0, 0, 0, 2]) == .oscillatingHot, "new only when nothing was significant before")
        #expect(pattern(hot.dropLast() + [0]) == .historicalHot)
        #expect(pattern(hot.map { -$0 }, falling) == .intensifyingCold, "a cold spot intensifies as z falls")
        #expect(pattern(hot.map { -$0 }, rising) == .diminishingCold)
        #expect(pattern([0, 0, 0, 0, 0, 0, 0, 0, -3, -3]) == .consecutiveCold)
        #expect(pattern(hot.map { -$0 }.dropLast() + [0]) == .historicalCold)
        #expect(EmergingHotSpots.classify(bins: hot, trend: nil, threshold: 2, trendAlpha: 0.05) == .none)
        // Three elections: the trend cannot reach 0.05.
        let three = try MannKendall([1, 2, 3])
        #expect(EmergingHotSpots.classify(bins: [3, 3, 3], trend: three, threshold: 2, trendAlpha: 0.05) == .hotTrendUntestable)
        #expect(EmergingHotSpots.classify(bins: [3, 3, 3], trend: three, threshold: 2, trendAlpha: 0.5) == .intensifyingHot)
    }

    @Test func refusals() throws {
        let db = try Self.database(Fixtures.scratch())
        #expect(throws: GeoVoteError.self) { try db.emerging(elections: ["2016", "2021"], level: "commune", party: "MP") }
        #expect(throws: GeoVoteError.self) { try db.emerging(elections: ["2011", "2016", "2016"], level: "commune", party: "MP") }
        #expect(throws: GeoVoteError.self) { try db.emerging(elections: ["2011", "2016", "2021"], level: "commune", party: "XYZ") }
        #expect(throws: GeoVoteError.self) { try db.emerging(elections: ["2011", "2016", "2030"], level: "commune", party: "MP") }
        let w = SpatialWeights(neighborLists: [[1], [0]])
        #expect(throws: GeoVoteError.self) { try EmergingHotSpots.run([[1, 2], [2, 3]], weights: w) }
        #expect(throws: GeoVoteError.self) { try EmergingHotSpots.run([[1, 2], [2, 3], [3]], weights: w) }
        #expect(throws: GeoVoteError.self) { try EmergingHotSpots.run([[1, 2], [2, 3], [3, 4]], weights: w, options: EmergingOptions(confidence: 80)) }
    }

    /// An earlier election on boundaries that do not overlap the last one's:
    /// no unit has a share in every election — a clear refusal, not a crash.
    @Test func boundariesThatDoNotOverlapAreRefused() throws {
        let db = try Self.database(Fixtures.scratch())
        let file = Fixtures.path("reference/database/boundaries_2016.shp")
        var far = try ShapefileReader().read(file)
        far.geometries = far.geometries.map { g in
            Geometry(kind: g.kind, x: ContiguousArray(g.x.map { $0 + 5_000_000 }), y: g.y, ringOffsets: g.ringOffsets, partOffsets: g.partOffsets)
        }
        try db.importResults(ElectionImport(election: Election(name: "legislative-2007"), level: "unit", boundaries: far, boundariesFile: file,
                                            results: try D.csvResults("reference/database/results_2016_voronoi.csv"),
                                            resultsFile: "results_2016_voronoi.csv", boundaryKey: "code"))
        do {
            _ = try db.emerging(elections: ["2007", "2016", "2021"], level: "commune", party: "MP")
            Issue.record("expected a refusal")
        } catch let error as GeoVoteError {
            #expect("\(error)".contains("do not overlap"), "\(error)")
        }
    }

    /// The result does not depend on the number of threads.
    @Test func identicalForAnyThreadCount() throws {
        let db = try Self.database(Fixtures.scratch())
        let options = EmergingOptions(permutations: 99, seed: 3)
        let one = try db.emerging(elections: ["2011", "2016", "2021"], level: "commune", party: "MP", options: options, workers: 1)
        let four = try db.emerging(elections: ["2011", "2016", "2021"], level: "commune", party: "MP", options: options, workers: 4)
        #expect(one.result.z == four.result.z)
        #expect(one.result.p == four.result.p)
        #expect(one.result.patterns == four.result.patterns)
        // esda's shared table of draws: also the same for any thread count, and other draws than the default.
        let shared = EmergingOptions(permutations: 99, seed: 3, draws: .shared)
        let sharedOne = try db.emerging(elections: ["2011", "2016", "2021"], level: "commune", party: "MP", options: shared, workers: 1)
        let sharedFour = try db.emerging(elections: ["2011", "2016", "2021"], level: "commune", party: "MP", options: shared, workers: 4)
        #expect(sharedOne.result.p == sharedFour.result.p && sharedOne.result.patterns == sharedFour.result.patterns)
        #expect(sharedOne.result.p != one.result.p)
        #expect(sharedOne.result.z == one.result.z)
    }
}
