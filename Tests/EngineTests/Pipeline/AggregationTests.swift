import Foundation
import GeoVoteEngine
import Synthetic
import TestSupport
import Testing

/// Stations summed into communes: by code and by location both give the
/// communes' own counts exactly (the fixture's stations add up to their
/// commune by construction), on any thread count; bad input is reported.
@Suite struct AggregationTests {
    static let election = try! ElectionSynthesizer.make(communes: 300, stations: 6000, seed: 11)

    @Test func byCodeAndByLocationGiveTheCommunesCounts() throws {
        let (stations, communes) = (Self.election.stations, Self.election.communes)
        let byCode = try Aggregation.run(points: stations, pointsFile: "s", areas: communes, areasFile: "c", pointKey: "commune", areaKey: "code")
        let byPlace = try Aggregation.run(points: stations, pointsFile: "s", areas: communes, areasFile: "c", workers: 2)
        #expect(byCode.byCode == stations.count && byPlace.byLocation == stations.count)
        #expect(byPlace.assignment == byCode.assignment, "every station lies in its own commune")
        for name in ["registered", "voters", "invalid", "valid", "RNI", "PJD", "others"] {
            #expect(byCode.table.column(named: name) == communes.column(named: name), "\(name) by code")
            #expect(byPlace.table.column(named: name) == communes.column(named: name), "\(name) by location")
        }
        #expect(try byCode.table.numericValues(of: "units").reduce(0, +) == Double(stations.count))
        let one = try Aggregation.run(points: stations, pointsFile: "s", areas: communes, areasFile: "c", workers: 1)
        #expect(one.assignment == byPlace.assignment)
    }

    @Test func pointsOutsideAndRepeatedCodesAreReported() throws {
        var stations = Self.election.stations
        stations.geometries[3] = .point(x: 0, y: 0)  // far outside Morocco in UTM 29N
        var codes = stations.column(named: "commune")!.values
        if case var .text(v) = codes { v[3] = "nowhere"; codes = .text(v) }
        stations.columns = stations.columns.map { $0.name == "commune" ? Column(name: "commune", values: codes) : $0 }
        let result = try Aggregation.run(points: stations, pointsFile: "s.shp", areas: Self.election.communes, areasFile: "c.shp",
                                         pointKey: "commune", areaKey: "code")
        #expect(result.unassigned == [3])
        #expect(result.notes.contains { $0.contains("1 point is in no area of c.shp (records 3)") })
        var communes = Self.election.communes
        if case var .text(v) = communes.column(named: "code")!.values {
            v[5] = v[4]
            communes.columns = communes.columns.map { $0.name == "code" ? Column(name: "code", values: .text(v)) : $0 }
        }
        #expect(throws: GeoVoteError.self) {
            try Aggregation.run(points: stations, pointsFile: "s", areas: communes, areasFile: "c.shp", pointKey: "commune", areaKey: "code")
        }
    }
}
