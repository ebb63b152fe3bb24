import Foundation
import GeoVoteEngine
import TestSupport
import Testing

/// Strongholds kept, gained and lost from 2016 to 2021 against
/// Fixtures/reference/strongholds/make_reference.py (esda 2.9.0 zones,
/// shapely intersections, pyproj geodesic areas): every change's status,
/// type, the later zone's units and the earlier zones it overlaps exactly,
/// the overlap's area to 1e-6 relative — on the same communes and on other
/// boundaries.
@Suite struct StrongholdChangesTests {
    @Test(arguments: [false, true])
    func changesEqualTheReference(voronoi: Bool) throws {
        let db = try TransitionsTests.database(Fixtures.scratch(), voronoi: voronoi)
        let ref = try Fixtures.csv("reference/strongholds/changes.csv").filter { $0["case"] == (voronoi ? "voronoi" : "same") }
        for party in ["PJD", "RNI"] {
            let result = try db.strongholdChanges(from: "2016", to: "2021", level: "commune", fromLevel: voronoi ? "unit" : nil, party: party)
            let expected = ref.filter { $0["party"] == party }
            func key(_ status: String, _ type: String, _ to: String, _ from: String) -> String { [status, type, to, from].joined(separator: " / ") }
            let ours = result.changes.map { c in
                key(c.status.rawValue, c.type.rawValue, c.later.map { result.later.zones[$0].codes.joined(separator: ";") } ?? "",
                    c.earlier.map { result.earlier.zones[$0].codes.joined(separator: ";") }.joined(separator: "|"))
            }
            let theirs = expected.map { key($0["status"]!, $0["type"]!, $0["codes_to"]!, $0["codes_from"]!) }
            #expect(Set(ours) == Set(theirs), "\(voronoi ? "voronoi" : "same") \(party)")
            #expect(ours.count == theirs.count)
            let overlaps = Dictionary(uniqueKeysWithValues: zip(theirs, expected.map { Double($0["overlap_km2"]!)! }))
            for (k, c) in result.changes.enumerated() {
                if let reference = overlaps[ours[k]] { expectClose(c.overlapKm2, reference, Tolerance(absolute: 1e-9, relative: 1e-6), ours[k]) }
            }
            #expect(result.table.count == result.changes.count)
            let statuses = (0..<result.table.count).map { result.table.column(named: "status")!.values.displayValue($0) }
            #expect(statuses == result.changes.map(\.status.rawValue))
        }
    }

    @Test func refusals() throws {
        let db = try TransitionsTests.database(Fixtures.scratch(), voronoi: false)
        #expect(throws: GeoVoteError.self) { try db.strongholdChanges(from: "2021", to: "2021", level: "commune", party: "PJD") }
        #expect(throws: GeoVoteError.self) { try db.strongholdChanges(from: "2016", to: "2021", level: "commune", party: "XYZ") }
        #expect(throws: GeoVoteError.self) { try db.strongholdChanges(from: "2016", to: "2021", level: "commune", party: "PJD", minimumOverlap: 0) }
    }
}
