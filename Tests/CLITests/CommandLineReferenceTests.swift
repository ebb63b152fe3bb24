import GeoVoteEngine
import Foundation
import TestSupport
import Testing

/// The `geovote` command itself, on the Morocco fixture and the libpysal
/// examples, against the committed esda and pygeoda references: the
/// options the README documents give the references' p-values through the
/// CSV a user reads. The binary is the one `swift build --build-tests`
/// puts beside the test bundle (`make test` builds both optimised).
@Suite struct CommandLineReferenceTests {
    static var geovote: String {
        get throws {
            let besideTests = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("geovote").path
            let candidates = [besideTests, Fixtures.root + "/../.build/release/geovote", Fixtures.root + "/../.build/debug/geovote"]
            return try #require(candidates.first { FileManager.default.isExecutableFile(atPath: $0) }, "no geovote binary in \(candidates)")
        }
    }

    /// Runs geovote; returns stdout, and expects exit status 0.
    static func run(_ arguments: [String]) throws -> String {
        let (out, status) = try runTool(try geovote, arguments)
        #expect(status == 0, "geovote \(arguments.joined(separator: " ")) exited with \(status)")
        return out
    }

    /// `hotspots --draws esda`: esda's pseudo p-values (float32 in esda)
    /// for every Morocco commune — Local Moran, Gi* (the CLI's binary
    /// weights with self, as esda's G_Local(star=True)), Local Geary and the
    /// bivariate Local Moran against turnout.
    @Test func hotspotsWithEsdaDrawsGiveEsdasPValues() throws {
        let out = Fixtures.scratch() + "/esda.csv"
        _ = try Self.run(["hotspots", Fixtures.path("reference/data/morocco.shp"), "--field", "PJD/valid",
                          "--statistic", "local-moran,gistar,local-geary,local-moran-bv", "--against", "voters/registered",
                          "--permutations", "9999", "--seed", "12345", "--draws", "esda", "--output", out])
        let ours = try Fixtures.csv(atPath: out)
        let ref = try Fixtures.csv("reference/statistics/morocco_esda_draws.csv")
        #expect(ours.count == ref.count)
        for (key, column) in [("lm_p", "local-moran"), ("gs_p", "gistar"), ("lg_p", "local-geary"), ("bv_p", "local-moran-bv")] {
            let off = zip(ours, ref).filter { abs(Double($0.0["PJD_valid_\(column.replacingOccurrences(of: "-", with: "_"))_psim"]!)! - Double($0.1[key]!)!) > 1e-6 }
            #expect(off.isEmpty, "\(column): \(off.count) of \(ref.count) p-values differ from esda's")
        }
    }

    /// `moran --draws esda --json`: esda's global p_sim (np.random.seed(12345), 9,999 permutations).
    @Test(arguments: Fixtures.referenceSets)
    func moranWithEsdaDrawsGivesEsdasPSim(set: (String, String)) throws {
        for (transform, suffix) in [("row", "R"), ("binary", "B")] {
            let json = try Self.run(["moran", Fixtures.path("reference/data/\(set.0).shp"), "--field", set.1, "--transform", transform,
                                     "--permutations", "9999", "--seed", "12345", "--draws", "esda", "--json"])
            let fields = try #require(JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
            let ref = try Fixtures.csv("reference/statistics/\(set.0)_\(suffix)_global.csv")[0]
            #expect(fields["p_sim"] as? Double == Double(ref["p_sim"]!)!, "\(set.0) \(transform)")
        }
    }

    /// `hotspots --convention geoda`: pygeoda's pseudo p-values and cluster
    /// codes for every Morocco commune (Local Moran, Gi*, Local Geary).
    @Test func hotspotsWithGeoDaConventionGiveGeoDasPValuesAndCodes() throws {
        let out = Fixtures.scratch() + "/geoda.csv"
        _ = try Self.run(["hotspots", Fixtures.path("reference/data/morocco.shp"), "--field", "PJD/valid",
                          "--statistic", "local-moran,gistar,local-geary", "--convention", "geoda", "--permutations", "9999",
                          "--output", out])
        let ours = try Fixtures.csv(atPath: out)
        let ref = try Fixtures.csv("reference/statistics/morocco_geoda.csv")
        for (prefix, column) in [("lm", "local-moran"), ("gs", "gistar"), ("lg", "local-geary")] {
            let pOff = zip(ours, ref).filter { abs(Double($0.0["PJD_valid_\(column.replacingOccurrences(of: "-", with: "_"))_psim"]!)! - Double($0.1["\(prefix)_p"]!)!) > 1e-12 }
            let codeOff = zip(ours, ref).filter { Int($0.0["PJD_valid_\(column.replacingOccurrences(of: "-", with: "_"))_cl"]!)! != Int($0.1["\(prefix)_cl"]!)! }
            #expect(pOff.isEmpty && codeOff.isEmpty, "\(column): \(pOff.count) p and \(codeOff.count) codes differ from GeoDa's")
        }
    }

    /// `hotspots --statistic local-moran --scale spdep --moments conditional|total`
    /// on spdep's queen: spdep's Ii, Z.Ii and two-sided Pr(z) (localmoran,
    /// mlvar = TRUE) in the value, z and p columns.
    @Test(arguments: [("columbus", "CRIME"), ("NY8", "PROPCAS")])
    func localMoranAnalyticColumnsAreSpdeps(set: (String, String)) throws {
        let ref = try Fixtures.csv("reference/spdep/\(set.0)_localmoran.csv")
        for (moments, suffix) in [("conditional", "cond"), ("total", "total")] {
            let out = Fixtures.scratch() + "/\(set.0)-\(moments).csv"
            _ = try Self.run(["hotspots", Fixtures.path("reference/data/\(set.0).shp"), "--field", set.1, "--statistic", "local-moran",
                              "--weights", "spdep-queen", "--scale", "spdep", "--moments", moments, "--output", out])
            let ours = try Fixtures.csv(atPath: out)
            #expect(ours.count == ref.count)
            for (i, (row, r)) in zip(ours, ref).enumerated() {
                for (column, key) in [("value", "Ii"), ("z", "Z_\(suffix)"), ("p", "P_\(suffix)")] {
                    let a = Double(row["\(set.1)_local_moran_\(column)"]!)!, b = Double(r[key]!.trimmingCharacters(in: .whitespaces))!
                    #expect(abs(a - b) <= 1e-12 + 1e-9 * abs(b), "\(set.0) \(moments) \(column)[\(i)]: \(a) vs spdep \(b)")
                }
            }
        }
    }

    /// `hotspots --convention esda` (esda's defaults: row-standardised
    /// weights, its Gi variance, its draws) against esda's Moran_Local and
    /// G_Local(star=True/False) with transform R, 9,999 permutations, seed
    /// 12345: values and z to 1e-10 on columbus and NY8; pseudo p equal on
    /// columbus (NY8's ties are covered by EsdaDrawsTests).
    @Test(arguments: Fixtures.referenceSets)
    func esdaConventionIsEsdas(set: (String, String)) throws {
        let out = Fixtures.scratch() + "/\(set.0).csv"
        _ = try Self.run(["hotspots", Fixtures.path("reference/data/\(set.0).shp"), "--field", set.1, "--statistic", "local-moran,gistar,gi",
                          "--convention", "esda", "--permutations", "9999", "--output", out])
        let ours = try Fixtures.csv(atPath: out)
        let ref = try Fixtures.csv("reference/statistics/\(set.0)_R_local.csv")
        #expect(ours.count == ref.count)
        let values = [("Is", "local_moran_value"), ("Gs_star", "gistar_value"), ("Zs_star", "gistar_z"), ("Gs", "gi_value"), ("Zs", "gi_z")]
        let pValues = [("p_sim", "local_moran_psim"), ("p_sim_star", "gistar_psim"), ("p_sim_g", "gi_psim")]
        for (i, (row, r)) in zip(ours, ref).enumerated() {
            for (key, column) in values {
                let a = Double(row["\(set.1)_\(column)"]!)!, b = Double(r[key]!)!
                #expect(abs(a - b) <= 1e-12 + 1e-10 * abs(b), "\(set.0) \(column)[\(i)]: \(a) vs esda \(b)")
            }
            if set.0 == "columbus" {
                for (key, column) in pValues {
                    let a = Double(row["\(set.1)_\(column)"]!)!, b = Double(r[key]!)!
                    #expect(abs(a - b) <= 1e-6, "\(set.0) \(column)[\(i)]: \(a) vs esda \(b)")
                }
            }
        }
    }

    /// Shapefile output: two variables whose names share their first word
    /// (voix_RNI, voix_PAM — as French results files name them) still get
    /// distinct 10-character field names.
    @Test func shapefileNamesStayDistinct() throws {
        let dir = Fixtures.scratch()
        let (_, status) = try runTool("ogr2ogr", ["-q", dir + "/c.shp", Fixtures.path("morocco/communes_utm29n.shp"), "-sql",
                                                 "SELECT RNI AS voix_RNI, PAM AS voix_PAM, valid AS exprimes FROM communes_utm29n"])
        #expect(status == 0)
        _ = try Self.run(["hotspots", dir + "/c.shp", "--field", "voix_RNI/exprimes,voix_PAM/exprimes,eb:voix_RNI/exprimes",
                          "--statistic", "gistar,local-moran", "--permutations", "9", "--output", dir + "/out.shp"])
        let names = try ShapefileReader().read(dir + "/out.shp").columns.map(\.name)
        // The counts (voix_RNI, exprimes, voix_PAM), each variable's value (stem + VAL), 14 result fields per variable.
        #expect(names.count == 3 + 3 + 3 * 14)
        let mapping = try String(contentsOfFile: dir + "/out.names.csv", encoding: .utf8)
        #expect(mapping.hasPrefix("long_name,short_name\n") && mapping.contains("voix_RNI_exprimes_gistar_z,"))
        #expect(Set(names).count == names.count, "duplicate field names: \(names)")
        #expect(names.allSatisfy { $0.utf8.count <= 10 })
    }
}
