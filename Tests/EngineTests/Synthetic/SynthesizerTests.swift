import GeoVoteEngine
import Synthetic
import Foundation
import TestSupport
import Testing

@Suite struct SynthesizerTests {
    /// The committed fixture is what `geovote synth --seed 2021` makes, byte for byte.
    @Test func regeneratingTheFixtureGivesTheSameBytes() throws {
        let dir = Fixtures.scratch()
        let election = try ElectionSynthesizer.make(communes: 1500, stations: 40000, seed: 2021)
        try election.write(to: dir, stations: false)
        for name in ["communes", "communes_utm29n"] {
            for ext in ["shp", "shx", "dbf", "prj", "cpg", "geojson"] {
                let made = FileManager.default.contents(atPath: "\(dir)/\(name).\(ext)")
                let committed = FileManager.default.contents(atPath: Fixtures.path("morocco/\(name).\(ext)"))
                #expect(made != nil && made == committed, "\(name).\(ext) differs from Fixtures/morocco")
            }
        }
        #expect(FileManager.default.contents(atPath: dir + "/README.txt") == FileManager.default.contents(atPath: Fixtures.path("morocco/README.txt")))
    }

    @Test func sameBytesForAnyThreadCount() throws {
        Parallel.setDefaultWorkerCount(1)
        let one = try ElectionSynthesizer.make(communes: 300, stations: 4000, seed: 7)
        Parallel.setDefaultWorkerCount(3)
        let three = try ElectionSynthesizer.make(communes: 300, stations: 4000, seed: 7)
        Parallel.setDefaultWorkerCount(nil)
        #expect(one.communes == three.communes)
        #expect(one.stations == three.stations)
        let other = try ElectionSynthesizer.make(communes: 300, stations: 4000, seed: 8)
        #expect(other.communes.geometries != one.communes.geometries)
    }

    /// GDAL reads the committed fixture: counts, fields and Arabic text.
    @Test func ogrReadsTheFixture() throws {
        for file in ["morocco/communes.shp", "morocco/communes.geojson", "morocco/communes_utm29n.geojson"] {
            let (out, status) = try runTool("ogrinfo", ["-so", "-al", Fixtures.path(file)])
            #expect(status == 0)
            #expect(out.contains("Feature Count: 1500"), "\(file)")
        }
        let (out, _) = try runTool("ogrinfo", ["-al", "-q", "-where", "code='120001'", Fixtures.path("morocco/communes.shp")])
        #expect(out.contains("region_ar (String) = الداخلة وادي الذهب"))
        #expect(out.contains("region_fr (String) = Dakhla-Oued Ed-Dahab"))
        let (utm, _) = try runTool("ogrinfo", ["-so", "-al", Fixtures.path("morocco/communes_utm29n.geojson")])
        #expect(utm.contains("32629"))
    }

    @Test func countsAreConsistentAndStationsAddUpToTheirCommune() throws {
        let e = try ElectionSynthesizer.make(communes: 200, stations: 3000, seed: 11)
        let c = e.communes, s = e.stations
        func ints(_ t: FeatureTable, _ name: String) -> [Int64] {
            guard case let .integer(v) = t.column(named: name)!.values else { return [] }
            return v.map { $0! }
        }
        let parties = ElectionSynthesizer.parties + ["others"]
        for t in [c, s] {
            let valid = ints(t, "valid"), voters = ints(t, "voters"), invalid = ints(t, "invalid"), registered = ints(t, "registered")
            let partySums = (0..<t.count).map { i in parties.reduce(Int64(0)) { $0 + ints(t, $1)[i] } }
            #expect(partySums == valid)
            #expect((0..<t.count).allSatisfy { voters[$0] == invalid[$0] + valid[$0] && voters[$0] <= registered[$0] && invalid[$0] >= 0 })
        }
        #expect(s.count >= 200 && s.count <= 3000)
        guard case let .text(communeOf) = s.column(named: "commune")!.values, case let .text(codes) = c.column(named: "code")!.values else {
            Issue.record("code columns")
            return
        }
        let index = Dictionary(uniqueKeysWithValues: codes.enumerated().map { ($1!, $0) })
        for column in ElectionSynthesizer.countColumns {
            var sums = [Int64](repeating: 0, count: c.count)
            for (k, v) in ints(s, column).enumerated() { sums[index[communeOf[k]!]!] += v }
            #expect(sums == ints(c, column), "\(column)")
        }
        // Every station lies inside its commune.
        let engine = try GeometryEngine()
        for k in stride(from: 0, to: s.count, by: 7) {
            let commune = try PreparedPolygon(c.geometries[index[communeOf[k]!]!], engine: engine)
            #expect(try commune.contains(x: s.geometries[k].x[0], y: s.geometries[k].y[0]))
        }
    }

    /// Party strength is spatially clustered: global Moran's I of every
    /// party's share (queen, row-standardised) is clearly positive.
    @Test func everyPartyShareIsSpatiallyClustered() throws {
        let t = try LayerIO.read(Fixtures.path("morocco/communes_utm29n.shp"))
        let w = try SpatialWeights.contiguity(t, rule: .queen).transformed(.row)
        #expect(w.islands.isEmpty && w.componentCount == 1)
        for party in ElectionSynthesizer.parties {
            let y = try t.values(of: VariableSpec(numerator: party, denominator: "valid"))
            let m = try MoranI(y, weights: w, permutations: 0, seed: 1)
            #expect(m.I > 0.2 && m.zNormal > 10, "\(party): I = \(m.I)")
        }
    }
}
