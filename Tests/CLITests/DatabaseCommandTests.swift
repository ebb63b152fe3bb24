import GeoVoteEngine
import Foundation
import Synthetic
import TestSupport
import Testing

/// `geovote db create|import|list|export|aggregate|swing`: the spellings the
/// issue names, the library's results, exit statuses, and an import killed
/// midway that leaves the database as it was.
@Suite struct DatabaseCommandTests {
    static func geovote(_ arguments: [String]) throws -> ToolRun { try CommandLineContractTests.geovote(arguments) }

    static let communes = Fixtures.path("morocco/communes_utm29n.shp")

    @Test func createImportListExport() throws {
        let dir = Fixtures.scratch()
        let db = dir + "/m.gpkg"
        let create = try Self.geovote(["db", "create", db])
        #expect(create.status == 0, "\(create.error)")
        let again = try Self.geovote(["db", "create", db])
        #expect(again.status == 1 && again.error.contains("already"), "\(again.error)")

        let imported = try Self.geovote(["db", "import", db, "--election", "legislative-2021", "--kind", "legislative", "--date", "2021-09-08",
                                         "--level", "commune", "--boundaries", Self.communes, "--key", "code",
                                         "--party-table", Fixtures.path("morocco/parties.csv")])
        #expect(imported.status == 0, "\(imported.error)")
        #expect(imported.output.contains("imported legislative-2021 commune: 1500 units"), "\(imported.output)")
        let results2016 = Fixtures.path("reference/database/results_2016.csv")
        let second = try Self.geovote(["db", "import", db, "--election", "legislative-2016", "--level", "commune", "--boundaries", Self.communes,
                                       "--results", results2016, "--key", "code:code"])
        #expect(second.status == 0, "\(second.error)")
        #expect(second.output.contains("0 findings"), "\(second.output)")

        let list = try Self.geovote(["db", "list", db])
        #expect(list.status == 0, "\(list.error)")
        for line in ["elections: 2", "legislative-2021\tkind=legislative\tdate=2021-09-08", "level commune\tunits=1500\tparties=9",
                     "MP\tMouvement populaire\tالحركة الشعبية", "legislative_2016_commune\tfeatures\t1500", "analyses:"] {
            #expect(list.output.contains(line), "\(line) in \(list.output)")
        }

        let export = try Self.geovote(["db", "export", db, "--election", "legislative-2016", "--level", "commune", "--output", dir + "/e2016.shp"])
        #expect(export.status == 0, "\(export.error)")
        let exported = try ShapefileReader().read(dir + "/e2016.shp")
        let reference = try Fixtures.csv("reference/database/results_2016.csv")
        #expect(try exported.numericValues(of: "PJD") == reference.map { Double($0["PJD"]!)! }, "the 2016 results, not the boundaries' 2021 counts")
        #expect(exported.column(named: "name_ar") == (try ShapefileReader().read(Self.communes)).column(named: "name_ar"))

        // Every command reads a level's layer from the database.
        let hot = try Self.geovote(["hotspots", db + ":legislative_2021_commune", "--field", "PJD/valid", "--statistic", "gistar", "--id", "code",
                                    "--output", db + ":hotspots_pjd"])
        #expect(hot.status == 0, "\(hot.error)")
        let analyses = try Self.geovote(["db", "list", db])
        #expect(analyses.output.contains("hotspots_pjd\thotspots"), "\(analyses.output)")
        // …and no command overwrites a level's layer.
        let clobber = try Self.geovote(["convert", Self.communes, "--output", db + ":legislative_2021_commune"])
        #expect(clobber.status == 1 && clobber.error.contains("is level commune of election legislative-2021"), "\(clobber.error)")
    }

    @Test func aggregateAndSwing() throws {
        let dir = Fixtures.scratch()
        let db = dir + "/m.gpkg"
        #expect(try Self.geovote(["db", "create", db]).status == 0)
        #expect(try Self.geovote(["db", "import", db, "--election", "legislative-2021", "--level", "commune", "--boundaries", Self.communes, "--key", "code"]).status == 0)
        let aggregate = try Self.geovote(["db", "aggregate", db, "--election", "legislative-2021", "--from", "commune", "--to", "region", "--by", "region"])
        #expect(aggregate.status == 0, "\(aggregate.error)")
        #expect(aggregate.output.contains("1500 units into 12"), "\(aggregate.output)")
        let regions = try Self.geovote(["db", "export", db, "--election", "legislative-2021", "--level", "region", "--output", dir + "/regions.csv"])
        #expect(regions.status == 0, "\(regions.error)")
        let rows = try Fixtures.csv(atPath: dir + "/regions.csv"), reference = try Fixtures.csv("reference/database/regions_2021.csv")
        #expect(rows.map { $0["valid"] } == reference.map { $0["valid"] } && rows.map { $0["PJD"] } == reference.map { $0["PJD"] })

        let boundaries = Fixtures.path("reference/database/boundaries_2016.shp")
        #expect(try Self.geovote(["db", "import", db, "--election", "legislative-2016", "--level", "unit", "--boundaries", boundaries,
                                  "--results", Fixtures.path("reference/database/results_2016_voronoi.csv"), "--key", "code"]).status == 0)
        let swing = try Self.geovote(["db", "swing", db, "--from", "legislative-2016", "--to", "legislative-2021", "--level", "commune",
                                      "--from-level", "unit", "--output", dir + "/swing.csv"])
        #expect(swing.status == 0, "\(swing.error)")
        #expect(swing.output.contains("0 units by code, 1500 interpolated"), "\(swing.output)")
        let ours = try Fixtures.csv(atPath: dir + "/swing.csv"), expected = try Fixtures.csv("reference/database/swing_voronoi_2021.csv")
        expectClose(ours.map { Double($0["pedersen"]!)! }, expected.map { Double($0["pedersen"]!)! }, Tolerance(absolute: 1e-9), "pedersen")
        // A swing variable is a hot-spot variable.
        let onMap = try Self.geovote(["db", "swing", db, "--from", "legislative-2016", "--to", "legislative-2021", "--level", "commune",
                                      "--from-level", "unit", "--output", db + ":swing_2016_2021"])
        #expect(onMap.status == 0, "\(onMap.error)")
        let hotSwing = try Self.geovote(["hotspots", db + ":swing_2016_2021", "--field", "d_PJD", "--statistic", "gistar", "--id", "unit",
                                         "--output", dir + "/hs.csv"])
        #expect(hotSwing.status == 0, "\(hotSwing.error)")
    }

    @Test func findingsAndStrict() throws {
        let dir = Fixtures.scratch()
        let db = dir + "/m.gpkg"
        #expect(try Self.geovote(["db", "create", db]).status == 0)
        let arguments = ["db", "import", db, "--election", "legislative-2021", "--level", "commune", "--boundaries", Self.communes,
                         "--results", Fixtures.path("reference/database/results_findings.csv"), "--key", "code"]
        // The planted findings, as make_reference.py lists them.
        let planted = try Fixtures.csv("reference/database/findings_expected.csv").count
        let strict = try Self.geovote(arguments + ["--strict"])
        #expect(strict.status == 1, "\(strict.output)")
        #expect(strict.error.contains("--strict: \(planted) findings, nothing imported"), "\(strict.error)")
        #expect(strict.error.contains("results_findings.csv: record 20, field 'valid'"), "\(strict.error)")
        let lenient = try Self.geovote(arguments)
        #expect(lenient.status == 0, "\(lenient.error)")
        #expect(lenient.output.contains("\(planted) findings"), "\(lenient.output)")
        #expect(lenient.error.contains("[voters-above-registered]") && lenient.error.contains("unit 999999"), "\(lenient.error)")
        let list = try Self.geovote(["db", "list", db, "--findings"])
        #expect(list.output.contains("findings=\(planted)") && list.output.contains("[name-mismatch]"), "\(list.output)")
        let bad = try Self.geovote(["db", "import", db, "--election", "x y", "--level", "commune", "--boundaries", Self.communes, "--key", "code"])
        #expect(bad.status == 1 && bad.error.contains("'x y' cannot name an election"), "\(bad.error)")
        let notDB = try Self.geovote(["db", "list", Self.communes])
        #expect(notDB.status == 1, "\(notDB.output)")
    }

    /// SIGKILL (no handler runs) during an import: the database opens as it
    /// was, or with the whole import.
    @Test func killedImportLeavesTheDatabaseAsItWas() throws {
        let dir = Fixtures.scratch()
        let big = try ElectionSynthesizer.make(communes: 30_000, stations: 30_000, seed: 7).communes
        var writer = ShapefileWriter()
        try writer.write(big, to: dir + "/big.shp")
        let db = dir + "/m.gpkg"
        #expect(try Self.geovote(["db", "create", db]).status == 0)
        #expect(try Self.geovote(["db", "import", db, "--election", "legislative-2021", "--level", "commune", "--boundaries", Self.communes, "--key", "code"]).status == 0)
        for delay in [0.2, 0.5, 0.9] {
            try GeoPackageKillTests.killMidway(["db", "import", db, "--election", "big", "--level", "commune", "--boundaries", dir + "/big.shp",
                                                "--key", "code", "--replace"], after: delay)
            let database = try ElectionDatabase(path: db)
            let levels = try database.levels()
            #expect(levels.contains { $0.election == "legislative-2021" && $0.units == 1500 })
            #expect(try database.results(election: "legislative-2021", level: "commune").count == 1500)
            if let imported = levels.first(where: { $0.election == "big" }) {
                #expect(imported.units == big.count, "an import is whole or absent")
                #expect(try database.results(election: "big", level: "commune").count == big.count)
                #expect(try database.layer(election: "big", level: "commune").count == big.count)
            } else {
                #expect(try !GeoPackage.layers(in: db).contains("big_commune"))
            }
        }
    }
}
