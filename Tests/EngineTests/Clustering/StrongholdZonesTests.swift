import Foundation
import GeoVoteEngine
import TestSupport
import Testing

/// Stronghold zones against an independent computation
/// (Fixtures/reference/zones/make_reference.py: libpysal queen weights,
/// esda's Gi* z, ArcGIS's Gi_Bin, scipy's connected components) on NY8
/// (real) and the fixture's communes; totals, validity, disjointness and
/// areas checked against the members themselves.
@Suite struct StrongholdZonesTests {
    static let sets: [(name: String, path: String, id: String, variables: [String])] = [
        ("NY8", "reference/data/NY8.shp", "AREAKEY", ["Cases/POP8"]),
        ("morocco", "morocco/communes_utm29n.shp", "code", ["PJD/valid", "RNI/valid"]),
    ]

    @Test(arguments: [90, 95, 99])
    func zonesAreTheReferenceComponents(_ confidence: Int) throws {
        let reference = try Fixtures.csv("reference/zones/zones.csv")
        for set in Self.sets {
            let table = try ShapefileReader().read(Fixtures.path(set.path))
            for variable in set.variables {
                let result = try StrongholdZones.run(table, file: set.path, variables: [VariableSpec(parsing: variable)],
                                                     options: ZoneOptions(confidence: confidence), idField: set.id)
                let ours = Set(result.zones.map { "\($0.type.rawValue) \($0.codes.sorted().joined(separator: ";"))" })
                let theirs = Set(reference.filter { $0["dataset"] == set.name && $0["variable"] == variable && $0["confidence"] == String(confidence) }
                    .map { "\($0["type"]!) \($0["codes"]!)" })
                #expect(ours == theirs, "\(set.name) \(variable) at \(confidence) %: \(ours.subtracting(theirs).count) zones not in the reference, \(theirs.subtracting(ours).count) missing")
                #expect(!ours.isEmpty)
            }
        }
    }

    @Test func totalsAreMemberSumsAndPolygonsPartitionTheMembers() throws {
        let path = "morocco/communes_utm29n.shp"
        let table = try ShapefileReader().read(Fixtures.path(path))
        let result = try StrongholdZones.run(table, file: path, variables: try VariableSpec.list("all/valid", in: table),
                                             options: ZoneOptions(confidence: 90), idField: "code")
        #expect(result.zones.count > 50)
        #expect(result.countFields.prefix(2) == ["RNI", "valid"])
        #expect(result.countFields.contains("registered") && result.countFields.contains("PJD"))
        let memberAreas = try GeodesicArea.squareMeters(table.geometries, crs: table.crs)
        let engine = try GeometryEngine()
        for zone in result.zones {
            for (name, value) in zone.totals {
                let sum = try zone.members.reduce(0.0) { $0 + (try table.numericValues(of: name))[$1] }
                #expect(value == sum, "zone \(zone.zone) \(name)")
            }
            let expected = zone.members.reduce(0.0) { $0 + memberAreas[$1] } / 1e6
            expectClose(zone.areaKm2, expected, Tolerance(absolute: 0, relative: 1e-9), "zone \(zone.zone) area")
            #expect(try engine.isValid(zone.geometry), "zone \(zone.zone) valid")
            let num = zone.totals.first { $0.name == zone.variable.numerator }!.value!
            let den = zone.totals.first { $0.name == "valid" }!.value!
            #expect(zone.share == num / den)
        }
        // Zones of one party and type never overlap (queen components do not even touch).
        for spec in result.variables {
            for type in ZoneType.allCases {
                let zones = result.zones.filter { $0.variable == spec && $0.type == type }
                for i in zones.indices {
                    let prepared = try PreparedPolygon(zones[i].geometry, engine: engine)
                    for j in zones.indices where j > i {
                        #expect(try !prepared.touches(zones[j].geometry) && engine.area(engine.intersection(zones[i].geometry, zones[j].geometry)) == 0,
                                "\(spec) \(type) zones \(zones[i].zone) and \(zones[j].zone) meet")
                    }
                }
            }
        }
        // Ranks: by the party's votes within each type.
        for spec in result.variables {
            let hot = result.zones.filter { $0.variable == spec && $0.type == .hot }
            let votes = hot.map { $0.totals.first { $0.name == spec.numerator }!.value! }
            #expect(votes == votes.sorted(by: >))
            #expect(hot.map(\.rank) == Array(1...max(1, hot.count)).prefix(hot.count).map { $0 })
        }
    }

    @Test func sameZonesOnAnyThreadCount() throws {
        let path = "morocco/communes_utm29n.shp"
        let table = try ShapefileReader().read(Fixtures.path(path))
        let variables = [VariableSpec(parsing: "PJD/valid")]
        func run(_ workers: Int) throws -> [String] {
            try StrongholdZones.run(table, file: path, variables: variables, options: ZoneOptions(), idField: "code", workers: workers)
                .zones.map { "\($0.zone) \($0.type) \($0.codes) \($0.areaKm2) \($0.geometry.x.count)" }
        }
        let one = try run(1)
        #expect(try run(2) == one)
        #expect(try run(8) == one)
    }

    @Test func noSignificantUnitGivesNoZoneAndSaysSo() throws {
        // A constant share: every Gi* is undefined.
        var table = try ShapefileReader().read(Fixtures.path("morocco/communes_utm29n.shp"))
        table.columns.append(Column(name: "half", values: .integer((0..<table.count).map { _ in 50 })))
        table.columns.append(Column(name: "whole", values: .integer((0..<table.count).map { _ in 100 })))
        let result = try StrongholdZones.run(table, file: "t", variables: [VariableSpec(parsing: "half/whole")], options: ZoneOptions())
        #expect(result.zones.isEmpty)
        #expect(result.summary == ["half/whole: 0 hot zones, 0 cold zones (no significant unit)"])
    }
}
