import GeoVoteEngine
import Foundation
import TestSupport
import Testing

/// The hot-spot analysis through the library's API (not the binary):
/// conventions against the committed esda references, typed classes,
/// the self-weight Gi* gets whatever the caller passes, refusals, and
/// thread-count independence of the written table.
@Suite struct HotSpotAnalysisTests {
    static func layer(_ name: String) throws -> FeatureTable {
        try LayerIO.read(Fixtures.path("reference/data/\(name).shp"))
    }

    static func column(_ rows: [[String: String]], _ key: String) -> [Double] { rows.map { Double($0[key]!)! } }

    /// `convention: .esda` gives esda's Moran_Local and G_Local(star=True/False)
    /// with transform R (make_reference.py: 9,999 permutations, seed 12345):
    /// values and z to rounding; on columbus the pseudo p equal to esda's
    /// float32, and each significant unit's class is esda's quadrant `q`.
    @Test(arguments: Fixtures.referenceSets)
    func esdaConventionIsEsdas(set: (String, String)) throws {
        let table = try Self.layer(set.0)
        let options = HotSpotOptions(statistics: [.localMoran, .giStar, .gi], permutations: 9999, convention: .esda)
        let results = try HotSpotAnalysis.run(table, file: set.0, variables: [VariableSpec(numerator: set.1)], options: options)
        let ref = try Fixtures.csv("reference/statistics/\(set.0)_R_local.csv")
        let (lm, gs, g) = (results.results[0], results.results[1], results.results[2])
        #expect((lm.statistic, gs.statistic, g.statistic) == (.localMoran, .giStar, .gi))
        expectClose(lm.value, Self.column(ref, "Is"), .reference, "\(set.0) Is")
        expectClose(gs.value, Self.column(ref, "Gs_star"), .reference, "\(set.0) Gs_star")
        expectClose(try #require(gs.z), Self.column(ref, "Zs_star"), .reference, "\(set.0) Zs_star")
        expectClose(g.value, Self.column(ref, "Gs"), .reference, "\(set.0) Gs")
        expectClose(try #require(g.z), Self.column(ref, "Zs"), .reference, "\(set.0) Zs")
        guard set.0 == "columbus" else { return }  // NY8's ties: EsdaDrawsTests
        let pSim = try #require(lm.simulated).pseudoP
        expectClose(pSim, Self.column(ref, "p_sim"), .float32, "columbus p_sim")
        for i in 0..<table.count {
            let q = try #require(Quadrant(rawValue: Int(ref[i]["q"]!)!))
            // esda's convention: the directed pseudo p decides, at alpha 0.05.
            #expect(lm.classes[i] == (pSim[i] <= 0.05 ? .quadrant(q) : .notSignificant), "columbus unit \(i)")
        }
    }

    /// Gi* from the public statistic always carries its self-weight: binary
    /// weights as the caller built them give esda's G_Local(star=True) on
    /// transform B (the value; make_reference.py), and the same numbers as
    /// the analysis layer.
    @Test func giStarAddsItsSelfWeight() throws {
        let table = try Self.layer("columbus")
        let y = try table.values(of: VariableSpec(numerator: "CRIME"))
        let queen = try SpatialWeights.contiguity(table, rule: .queen)
        let direct = try GetisOrdG(y, weights: queen, star: true)
        let ref = try Fixtures.csv("reference/statistics/columbus_B_local.csv")
        expectClose(direct.value, Self.column(ref, "Gs_star"), .reference, "columbus Gs_star (B)")
        let analysed = try HotSpotAnalysis.run(table, file: "columbus", variables: [VariableSpec(numerator: "CRIME")],
                                               options: HotSpotOptions(statistics: [.giStar]))
        #expect(analysed.results[0].value == direct.value && analysed.results[0].z == direct.z)
        // A diagonal given by the caller is refused, not doubled.
        #expect(throws: GeoVoteError.self) { try GetisOrdG(y, weights: queen.withDiagonal(1), star: true) }
    }

    /// Impossible combinations are refused before any statistic runs, with
    /// the option and the fix named.
    @Test func impossibleOptionsAreRefused() throws {
        func message(_ options: HotSpotOptions) -> String? {
            do { try options.validate(); return nil } catch { return "\(error)" }
        }
        #expect(message(HotSpotOptions(statistics: [.joinCount, .giStar]))?.contains("join-count") == true)
        #expect(message(HotSpotOptions(statistics: [.giStar], against: VariableSpec(parsing: "voters/registered")))?.contains("local-moran-bv") == true)
        #expect(message(HotSpotOptions(statistics: [.bivariateLocalMoran]))?.contains("against") == true)
        #expect(message(HotSpotOptions(alpha: 1.5))?.contains("between 0 and 1") == true)
        #expect(message(HotSpotOptions(permutations: -5))?.contains("negative") == true)
        #expect(message(HotSpotOptions()) == nil)

        // Gi* on a weights file that links a unit to itself.
        let dir = Fixtures.scratch()
        let gal = dir + "/self.gal"
        let table = try Self.layer("columbus")
        let queen = try SpatialWeights.contiguity(table, rule: .queen)
        var lines = ["\(table.count)"]
        for i in 0..<table.count {
            let row = [i] + queen.neighbors(of: i).map(Int.init)
            lines += ["\(i) \(row.count)", row.map(String.init).joined(separator: " ")]
        }
        try lines.joined(separator: "\n").write(toFile: gal, atomically: true, encoding: .utf8)
        let options = HotSpotOptions(statistics: [.giStar], weights: .file(path: gal, idField: nil))
        #expect {
            try HotSpotAnalysis.run(table, file: "columbus", variables: [VariableSpec(numerator: "CRIME")], options: options)
        } throws: { "\($0)".contains("itself") && "\($0)".contains("Gi* adds its own self-weights") }
    }

    /// A continuous field is not a join-count category.
    @Test func joinCountNeedsCategories() throws {
        let table = try LayerIO.read(Fixtures.path("morocco/communes_utm29n.shp"))
        let options = HotSpotOptions(statistics: [.joinCount])
        #expect(throws: GeoVoteError.self) {
            try HotSpotAnalysis.run(table, file: "communes", variables: [VariableSpec(numerator: "PJD")], options: options)
        }
    }

    /// The same job written with 1, 2 and 8 workers: the same bytes
    /// (permutations keyed by unit, chunks fixed by n).
    @Test func outputDoesNotDependOnTheWorkerCount() throws {
        let dir = Fixtures.scratch()
        var outputs: [Data] = []
        for workers in [1, 2, 8] {
            let job = HotSpotJob(input: Fixtures.path("morocco/communes_utm29n.shp"), variables: "PJD/valid,RNI/valid",
                                 options: HotSpotOptions(statistics: [.giStar, .localMoran, .localGeary], permutations: 999,
                                                         seed: 2021, correction: .fdr),
                                 table: HotSpotTableOptions(idFields: ["code"]), output: dir + "/w\(workers).csv")
            let report = try job.run(workers: workers)
            #expect(report.written == [job.output, job.output.dropLast(4) + ".csvt"])
            outputs.append(try Data(contentsOf: URL(fileURLWithPath: job.output)))
        }
        #expect(outputs[0].count > 100_000)
        #expect(outputs[0] == outputs[1] && outputs[1] == outputs[2])
    }
}
