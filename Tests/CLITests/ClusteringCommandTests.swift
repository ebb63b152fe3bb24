import GeoVoteEngine
import Foundation
import Synthetic
import TestSupport
import Testing

/// `geovote cluster` and `geovote zones`: the spellings the issue names,
/// the library's output, and one clear line (exit 1 or 64) for bad input.
@Suite struct ClusteringCommandTests {
    static func geovote(_ arguments: [String]) throws -> ToolRun { try CommandLineContractTests.geovote(arguments) }

    static let communes = Fixtures.path("morocco/communes_utm29n.shp")

    /// The fixture's stations in UTM 29N, written once per test.
    static func stations(_ dir: String) throws -> String {
        var writer = ShapefileWriter()
        try writer.write(try ElectionSynthesizer.make(communes: 1500, stations: 40000, seed: 2021).stations, to: dir + "/stations.shp")
        return dir + "/stations.shp"
    }

    @Test func clusterWritesOneRowPerStationInInputOrder() throws {
        let dir = Fixtures.scratch()
        let input = try Self.stations(dir)
        let db = try Self.geovote(["cluster", input, "--method", "dbscan", "--eps", "3000", "--min-samples", "10", "--id", "code", "--output", dir + "/db.csv"])
        #expect(db.status == 0, "\(db.error)")
        let rows = try Fixtures.csv(atPath: dir + "/db.csv")
        let reference = try Fixtures.csv("reference/clustering/stations_clusters.csv")
        #expect(rows.count == 40_000)
        #expect(rows.first.map { Array($0.keys).sorted() } == ["cluster", "code", "core", "index"])
        #expect(rows.map { $0["cluster"]! } == reference.map { $0["db1_label"]! })
        #expect(rows.map { $0["core"]! } == reference.map { $0["db1_core"]! })
        #expect(db.output.contains("dbscan: 71 clusters"))

        let weighted = try Self.geovote(["cluster", input, "--method", "dbscan", "--eps", "2000", "--min-samples", "5000", "--weight", "registered",
                                         "--output", dir + "/dbw.geojson"])
        #expect(weighted.status == 0, "\(weighted.error)")

        let hd = try Self.geovote(["cluster", input, "--method", "hdbscan", "--min-cluster-size", "50", "--selection", "eom", "--id", "code",
                                   "--output", dir + "/hd.shp", "--zones", dir + "/outlines.gpkg:clusters"])
        #expect(hd.status == 0, "\(hd.error)")
        let table = try ShapefileReader().read(dir + "/hd.shp")
        #expect(table.columns.map(\.name) == ["code", "cluster", "probability", "outlier_sc"] || table.columns.map(\.name) == ["code", "cluster", "probabilit", "outlier_sc"])
        let labels = try table.numericValues(of: "cluster").map { Int($0) }
        #expect(labels == reference.map { Int(Double($0["h1_gv_label"]!)!) })
        let outlines = try GeoPackage.read(dir + "/outlines.gpkg", layer: "clusters")
        #expect(outlines.count == Set(labels.filter { $0 >= 0 }).count)
        #expect(try outlines.numericValues(of: "units").reduce(0, +) == Double(labels.count { $0 >= 0 }))
        #expect(outlines.column(named: "winner") != nil && outlines.column(named: "registered") != nil)
    }

    @Test func zonesGivesEveryPartysStrongholds() throws {
        let dir = Fixtures.scratch()
        let one = try Self.geovote(["zones", Self.communes, "--share", "PJD/valid", "--statistic", "gistar", "--confidence", "95", "--id", "code",
                                    "--output", dir + "/pjd.geojson"])
        #expect(one.status == 0, "\(one.error)")
        #expect(one.output.contains("PJD/valid: 9 hot zones, 11 cold zones"))
        let all = try Self.geovote(["zones", Self.communes, "--parties", "all/valid", "--id", "code", "--output", dir + "/all.shp"])
        #expect(all.status == 0, "\(all.error)")
        let zones = try ShapefileReader().read(dir + "/all.shp")
        let names = zones.columns.map(\.name)
        for name in ["zone", "party", "type", "rank", "units", "codes", "area_km2", "valid", "registered", "voters", "PJD", "share", "party_rank", "national_sh"] {
            #expect(names.contains { $0 == name || name.hasPrefix($0) }, "\(name) in \(names)")
        }
        let members = try Fixtures.csv(atPath: dir + "/all.members.csv")
        let units = try zones.numericValues(of: "units").reduce(0, +)
        #expect(Double(members.count) == units)
        #expect(zones.column(named: "party")?.values.count == zones.count)
    }

    @Test func zonesFromAHotSpotOutputAreTheSame() throws {
        let dir = Fixtures.scratch()
        let hot = try Self.geovote(["hotspots", Self.communes, "--field", "PJD/valid", "--statistic", "gistar", "--id", "code", "--output", dir + "/h.shp"])
        #expect(hot.status == 0, "\(hot.error)")
        let from = try Self.geovote(["zones", "--from-hotspots", dir + "/h.shp", "--share", "PJD/valid", "--id", "code", "--output", dir + "/from.csv"])
        #expect(from.status == 0, "\(from.error)")
        let direct = try Self.geovote(["zones", Self.communes, "--share", "PJD/valid", "--id", "code", "--output", dir + "/direct.csv"])
        #expect(direct.status == 0, "\(direct.error)")
        #expect(try Fixtures.csv(atPath: dir + "/from.csv").map { $0["codes"] } == Fixtures.csv(atPath: dir + "/direct.csv").map { $0["codes"] })
    }

    @Test func batchRunsClusterAndZonesJobs() throws {
        let dir = Fixtures.scratch()
        let input = try Self.stations(dir)
        try """
        {"defaults": {"id": "code"},
         "jobs": [{"command": "cluster", "input": "\(input)", "method": "hdbscan", "min_cluster_size": 50, "output": "hd.csv"},
                  {"input": "\(Self.communes)", "field": "PJD/valid", "statistic": "gistar", "output": "h.geojson"},
                  {"command": "zones", "input": "h.geojson", "from_hotspots": true, "share": "PJD/valid", "output": "z.csv"}]}
        """.write(toFile: dir + "/job.json", atomically: true, encoding: .utf8)
        let batch = try Self.geovote(["batch", dir + "/job.json"])
        #expect(batch.status == 0, "\(batch.error)")
        let single = try Self.geovote(["cluster", input, "--method", "hdbscan", "--min-cluster-size", "50", "--id", "code", "--output", dir + "/single.csv"])
        #expect(single.status == 0)
        #expect(try CommandLineContractTests.bytes(dir + "/hd.csv") == CommandLineContractTests.bytes(dir + "/single.csv"))
        #expect(try Fixtures.csv(atPath: dir + "/z.csv").count == 20)
    }

    /// Each: exit status, and a part of the one line on stderr.
    @Test func badInputGetsOneClearLine() throws {
        let dir = Fixtures.scratch()
        let stations = try Self.stations(dir)
        let lonLat = Fixtures.path("morocco/communes.shp")
        // Duplicates, NaN coordinates, a negative weight, one point.
        var dup = try ShapefileReader().read(stations)
        dup.geometries = dup.geometries.map { _ in .point(x: 1, y: 2) }
        var w1 = ShapefileWriter()
        try w1.write(dup, to: dir + "/dup.shp")
        var neg = try ShapefileReader().read(stations)
        neg.columns = neg.columns.map { c in c.name == "registered" ? Column(name: c.name, values: .integer((0..<neg.count).map { $0 == 7 ? -3 : 10 })) : c }
        var w2 = ShapefileWriter()
        try w2.write(neg, to: dir + "/neg.shp")
        var single = try ShapefileReader().read(stations)
        single.geometries = [single.geometries[0]]
        single.columns = single.columns.map { Column(name: $0.name, values: .text([$0.values.displayValue(0)])) }
        var w3 = ShapefileWriter()
        try w3.write(single, to: dir + "/one.shp")
        let cases: [([String], Int32, String)] = [
            (["cluster", stations, "--method", "dbscan", "--eps", "0", "--min-samples", "5", "-o", dir + "/o.csv"], 64, "--eps must be a positive distance"),
            (["cluster", stations, "--method", "dbscan", "--eps", "nan", "--min-samples", "5", "-o", dir + "/o.csv"], 64, "--eps must be a positive distance"),
            (["cluster", stations, "--method", "dbscan", "--eps", "100", "--min-samples", "0", "-o", dir + "/o.csv"], 64, "--min-samples must be at least 1"),
            (["cluster", stations, "--method", "dbscan", "--eps", "100", "--min-samples", "50000", "-o", dir + "/o.csv"], 1, "more than the 40000 points"),
            (["cluster", stations, "--method", "hdbscan", "--min-cluster-size", "1", "-o", dir + "/o.csv"], 64, "--min-cluster-size must be at least 2"),
            (["cluster", stations, "--method", "hdbscan", "--min-cluster-size", "5", "--min-samples", "40001", "-o", dir + "/o.csv"], 1, "more than the 40000 points"),
            (["cluster", stations, "--method", "dbscan", "--min-samples", "5", "-o", dir + "/o.csv"], 64, "dbscan needs --eps"),
            (["cluster", stations, "--method", "kmeans", "-o", dir + "/o.csv"], 64, "dbscan"),
            (["cluster", lonLat, "--method", "hdbscan", "--min-cluster-size", "5", "-o", dir + "/o.csv"], 1, "geographic"),
            (["cluster", dir + "/neg.shp", "--method", "dbscan", "--eps", "100", "--min-samples", "5", "--weight", "registered", "-o", dir + "/o.csv"], 1, "record 7, field 'registered': \"-3.0\" is not a non-negative weight"),
            (["cluster", dir + "/one.shp", "--method", "hdbscan", "--min-cluster-size", "2", "-o", dir + "/o.csv"], 1, "clustering needs at least 2"),
            (["cluster", stations, "--method", "hdbscan", "--min-cluster-size", "5", "-o", stations], 1, "would overwrite the input"),
            (["zones", Self.communes, "--share", "PJD/valid", "--confidence", "80", "-o", dir + "/z.geojson"], 64, "--confidence is 90, 95 or 99"),
            (["zones", Self.communes, "--share", "NOPE/valid", "-o", dir + "/z.geojson"], 1, "'NOPE'"),
            (["zones", "--from-hotspots", Self.communes, "--share", "PJD/valid", "-o", dir + "/z.geojson"], 1, "has no column PJD_valid_gistar_bin or Gi_Bin"),
            (["zones", Self.communes, "-o", dir + "/z.geojson"], 64, "--share"),
        ]
        for (arguments, status, message) in cases {
            let run = try Self.geovote(arguments)
            #expect(run.status == status, "\(arguments.joined(separator: " ")): status \(run.status), \(run.error)")
            #expect(run.error.contains(message), "\(arguments.joined(separator: " ")): \(run.error)")
            // A data error is one line; a usage error adds the usage (swift-argument-parser).
            if status == 1 { #expect(run.error.split(separator: "\n").count == 1, "\(arguments.joined(separator: " ")): \(run.error)") }
            #expect(!FileManager.default.fileExists(atPath: dir + "/o.csv"))
        }
        // Duplicate points: a defined result (one cluster of all, probabilities 1).
        let d = try Self.geovote(["cluster", dir + "/dup.shp", "--method", "hdbscan", "--min-cluster-size", "5", "-o", dir + "/dup.csv"])
        #expect(d.status == 0, "\(d.error)")
        let rows = try Fixtures.csv(atPath: dir + "/dup.csv")
        #expect(Set(rows.map { $0["cluster"]! }) == ["-1"] || Set(rows.map { $0["cluster"]! }).count == 1)
        #expect(rows.allSatisfy { Double($0["outlier_score"]!)!.isFinite })
    }
}

/// A GeoPackage output killed midway (SIGKILL: no handler runs) leaves the
/// file as it was: the layer written in one transaction is there whole or
/// not at all, and the other layers are intact.
@Suite struct GeoPackageKillTests {
    /// Starts geovote with `arguments` and kills it with SIGKILL after `delay` seconds.
    static func killMidway(_ arguments: [String], after delay: Double) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try CommandLineReferenceTests.geovote)
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        Thread.sleep(forTimeInterval: delay)
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    @Test func killedWriteLeavesTheDatabaseAsItWas() throws {
        let dir = Fixtures.scratch()
        let big = try ElectionSynthesizer.make(communes: 30_000, stations: 30_000, seed: 5).communes
        var writer = ShapefileWriter()
        try writer.write(big, to: dir + "/big.shp")
        let capitals = try ShapefileReader().read(Fixtures.path("sample/capitals.shp"))
        try GeoPackage.write(capitals, to: dir + "/db.gpkg", layer: "capitals")
        for delay in [0.15, 0.3, 0.5] {
            try Self.killMidway(["convert", dir + "/big.shp", "--output", dir + "/db.gpkg:communes"], after: delay)
            let layers = try GeoPackage.layers(in: dir + "/db.gpkg")
            #expect(layers.first == "capitals")
            #expect(try GeoPackage.read(dir + "/db.gpkg", layer: "capitals").columns == capitals.columns)
            if layers.contains("communes") {
                #expect(try GeoPackage.read(dir + "/db.gpkg", layer: "communes").count == big.count, "a layer is whole or absent")
            }
        }
    }

    /// WAL mode: a reader reads the committed layers while a writer adds one.
    @Test func aReaderReadsWhileAWriterWrites() throws {
        let dir = Fixtures.scratch()
        let big = try ElectionSynthesizer.make(communes: 30_000, stations: 30_000, seed: 6).communes
        var writer = ShapefileWriter()
        try writer.write(big, to: dir + "/big.shp")
        let capitals = try ShapefileReader().read(Fixtures.path("sample/capitals.shp"))
        try GeoPackage.write(capitals, to: dir + "/db.gpkg", layer: "capitals")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try CommandLineReferenceTests.geovote)
        process.arguments = ["convert", dir + "/big.shp", "--output", dir + "/db.gpkg:communes"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        var reads = 0
        while process.isRunning {
            #expect(try GeoPackage.read(dir + "/db.gpkg", layer: "capitals").columns == capitals.columns)
            reads += 1
        }
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        #expect(reads > 0)
        #expect(try GeoPackage.read(dir + "/db.gpkg", layer: "communes").count == big.count)
    }
}
