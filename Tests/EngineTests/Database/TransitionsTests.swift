import Foundation
import GeoVoteEngine
import TestSupport
import Testing

/// LISA transitions between two elections against giddy 2.3.8's
/// `LISA_Markov` (Fixtures/reference/transitions/make_reference.py): every
/// commune's quadrants and move type, the 4 × 4 counts exactly and the row
/// probabilities to 1e-12, for a 2016 on the same boundaries and one on
/// other boundaries (areal interpolation).
@Suite struct TransitionsTests {
    typealias D = ElectionDatabaseTests

    static func database(_ dir: String, voronoi: Bool) throws -> ElectionDatabase {
        let db = try D.database(dir)
        if voronoi {
            let boundaries = Fixtures.path("reference/database/boundaries_2016.shp")
            try db.importResults(ElectionImport(election: Election(name: "legislative-2016"), level: "unit",
                                                boundaries: try ShapefileReader().read(boundaries), boundariesFile: boundaries,
                                                results: try D.csvResults("reference/database/results_2016_voronoi.csv"),
                                                resultsFile: "results_2016_voronoi.csv", boundaryKey: "code"))
        } else {
            try db.importResults(ElectionImport(election: Election(name: "legislative-2016"), level: "commune",
                                                boundaries: try ShapefileReader().read(D.communes), boundariesFile: D.communes,
                                                results: try D.csvResults("reference/database/results_2016.csv"),
                                                resultsFile: "results_2016.csv", boundaryKey: "code"))
        }
        return db
    }

    @Test(arguments: [false, true])
    func quadrantsMovesAndCountsEqualGiddy(voronoi: Bool) throws {
        let db = try Self.database(Fixtures.scratch(), voronoi: voronoi)
        let case_ = voronoi ? "voronoi" : "same"
        for party in ["MP", "PJD", "RNI"] {
            // "2016" names legislative-2016 alone.
            let result = try db.transitions(from: "2016", to: "legislative-2021", level: "commune", fromLevel: voronoi ? "unit" : nil, party: party)
            #expect(result.from == "legislative-2016")
            let ref = try Fixtures.csv("reference/transitions/\(case_)_\(party).csv")
            let t = result.transitions
            #expect(result.table.column(named: "unit")!.values.displayValue(0) == ref[0]["unit"])
            #expect(t.from == ref.map { Int($0["q_from"]!)! }, "\(case_) \(party) q_from")
            #expect(t.to == ref.map { Int($0["q_to"]!)! }, "\(case_) \(party) q_to")
            #expect(t.moveTypes == ref.map { Int($0["move_type"]!)! }, "\(case_) \(party) move_type")
            let counts = try Fixtures.csv("reference/transitions/\(case_)_\(party)_counts.csv")
            for (r, row) in counts.enumerated() {
                #expect(t.counts[r] == ["HH", "LH", "LL", "HL"].map { Int(row[$0]!)! }, "\(case_) \(party) counts row \(r + 1)")
                expectClose(t.probabilities[r], ["p_HH", "p_LH", "p_LL", "p_HL"].map { Double(row[$0]!)! }, Tolerance(absolute: 1e-12), "p row \(r + 1)")
            }
            #expect(t.counts.joined().reduce(0, +) == 1500)
            let labels = result.table.column(named: "transition")!.values
            #expect(labels.displayValue(0) == LISATransitions.labels[t.from[0] - 1] + "->" + LISATransitions.labels[t.to[0] - 1])
        }
    }

    @Test func significantMovesFollowGiddysCodes() throws {
        let db = try Self.database(Fixtures.scratch(), voronoi: false)
        let result = try db.transitions(from: "legislative-2016", to: "legislative-2021", level: "commune", party: "PJD", permutations: 999, seed: 7)
        let t = result.transitions
        let (p1, p2, moves) = (try #require(t.pFrom), try #require(t.pTo), try #require(t.significantMoves))
        for i in 0..<moves.count {
            let block = p1[i] <= 0.05 ? (p2[i] <= 0.05 ? 0 : 1) : (p2[i] <= 0.05 ? 2 : 3)
            #expect(moves[i] == t.moveTypes[i] + 16 * block)
        }
        #expect(moves.allSatisfy { (1...64).contains($0) })
    }

    @Test func refusals() throws {
        let db = try Self.database(Fixtures.scratch(), voronoi: false)
        #expect(throws: GeoVoteError.self) { try db.transitions(from: "legislative", to: "legislative-2021", level: "commune", party: "PJD") }  // two elections match
        #expect(throws: GeoVoteError.self) { try db.transitions(from: "2021", to: "2021", level: "commune", party: "PJD") }
        #expect(throws: GeoVoteError.self) { try db.transitions(from: "2016", to: "2021", level: "commune", party: "XYZ") }
    }
}
