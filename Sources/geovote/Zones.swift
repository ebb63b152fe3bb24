import ArgumentParser
import GeoVoteEngine
import Foundation

/// --statistic of zones: gistar or local-moran.
enum ZoneStatisticArgument: String, ExpressibleByArgument, CaseIterable {
    case gistar, localMoran = "local-moran"
    var statistic: HotSpotStatistic { self == .gistar ? .giStar : .localMoran }
}

struct Zones: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Stronghold zones: connected hot (and cold) spots of a party's share, dissolved, with their vote totals.",
        discussion: """
        A unit is hot when its Gi* Gi_Bin is at least +1, +2, +3 at --confidence 90, 95, \
        99 (cold at the opposite), or, with --statistic local-moran, High-High (cold: \
        Low-Low) at alpha = 1 - confidence. Default: Gi* on binary queen weights with the \
        analytic two-sided p, as ArcGIS's Hot Spot Analysis; --permutations R --seed S \
        for pseudo p-values, --correction fdr for the false discovery rate. Zones are the \
        connected groups of hot units (and apart of cold units) under the same weights, \
        each dissolved with GEOS into one polygon. With --from-hotspots RESULT the classes \
        come from a geovote hotspots output (.shp or .geojson; its NUM_DEN_gistar_bin or \
        NUM_DEN_local_moran_class column, ArcGIS's Gi_Bin/COType, GeoDa's LISA_CL) and no \
        statistic is run.
        Output: one polygon per zone: zone (1..., hot zones then cold zones of each \
        party, by rank), party (with --parties), type (hot | cold), rank (by the party's \
        votes within its type), units, codes (the --id values of the members, \
        ';'-separated; in a shapefile cut to 254 bytes, all of them in OUT.members.csv), \
        area_km2 (on the WGS 84 ellipsoid, PROJ's geod_polygonarea), the summed counts \
        under their own names (the share's numerator and denominator, registered, voters \
        and every party field after the denominator), share (summed numerator / summed \
        denominator), party_rank (the party's place among the parties in the zone) and \
        national_share (the zone's part of the party's votes over the whole layer).
        --parties all/valid makes the zones of every party at once.
        """
    )

    @Argument(help: "The layer with the counts (.shp, .geojson, FILE.gpkg[:LAYER]); or give --from-hotspots.")
    var file: String?

    @Option(name: .long, help: "The party's share NUM/DEN (e.g. PJD/valid).")
    var share: String?

    @Option(name: .long, help: "Several shares at once: all/valid (every party), or NUM,NUM/DEN.")
    var parties: String?

    @Option(name: .long, help: "gistar (default) | local-moran")
    var statistic: ZoneStatisticArgument = .gistar

    @Option(name: .long, help: "90 | 95 (default) | 99 — the confidence of a hot or cold unit.")
    var confidence: Int = 95

    @Option(name: .long, help: "Permutations for pseudo p-values (default 0: analytic p, as ArcGIS).")
    var permutations: Int?

    @Option(name: .long, help: "Seed of the permutations.")
    var seed: UInt64?

    @Option(name: .long, help: "none (default) | fdr | by | bonferroni")
    var correction: MultipleTesting = .none

    @OptionGroup var weightsChoice: WeightsChoice

    @Option(name: .long, help: "The field listed in 'codes' (default: the 0-based feature index).")
    var id: String?

    @Option(name: .long, help: "A geovote hotspots output (.shp or .geojson) to take the classes from.")
    var fromHotspots: String?

    @Option(name: .long, help: "Print each party's N strongest hot zones with their votes.")
    var top: Int = 0

    @Option(name: .shortAndLong, help: "Output .geojson, .shp, FILE.gpkg[:LAYER] (or .csv, attributes only).")
    var output: String

    @OptionGroup var out: OutputOptions
    @OptionGroup var common: CommonOptions

    func validate() throws {
        guard share != nil || parties != nil else { throw ValidationError("give the party's share with --share NUM/DEN (or --parties all/valid)") }
        guard (file == nil) != (fromHotspots == nil) else {
            throw ValidationError(file == nil ? "give the layer (FILE) or --from-hotspots RESULT" : "give either FILE or --from-hotspots RESULT, not both")
        }
        guard [90, 95, 99].contains(confidence) else { throw ValidationError("--confidence is 90, 95 or 99, not \(confidence)") }
        guard top >= 0 else { throw ValidationError("--top is \(top): give 0 or more") }
        if let permutations, permutations < 0 { throw ValidationError("--permutations is \(permutations): give 0 (none) or more") }
        if fromHotspots != nil, permutations != nil || seed != nil || correction != .none {
            throw ValidationError("--from-hotspots takes the classes as they are: --permutations, --seed and --correction belong to geovote hotspots")
        }
    }

    func job() throws -> ZonesJob {
        let hot = HotSpotOptions(statistics: [statistic.statistic], weights: weightsChoice.spec, geodesic: weightsChoice.geodesic,
                                 permutations: permutations, seed: seed, correction: correction)
        return ZonesJob(input: fromHotspots ?? file!, variables: [share, parties].compactMap { $0 }.joined(separator: ","),
                        options: ZoneOptions(statistic: statistic.statistic, confidence: confidence, hotSpots: hot),
                        fromHotSpots: fromHotspots != nil, idField: id, output: output, encoding: try common.apply(),
                        outputEncoding: try out.writeOptions().encoding, keepCRS: out.keepCrs)
    }

    func run() throws {
        var job = try job()
        job.commandLine = (["geovote"] + CommandLine.arguments.dropFirst()).map(shellQuoted).joined(separator: " ")
        try runReportingErrors { try Self.run(job, top: top) }
    }

    static func run(_ job: ZonesJob, top: Int = 0) throws {
        let report = try job.run()
        report.notes.forEach(printNote)
        report.result.summary.forEach { print($0) }
        for zone in report.result.zones where zone.type == .hot && zone.rank <= top { print(describe(zone)) }
        print("wrote \(report.result.zones.count) zones to \(job.output)" + (report.written.count > 1 && job.output.lowercased().hasSuffix(".shp") ? " (members in \(job.membersPath))" : ""))
    }
}

/// `PJD hot zone 1 (zone 1): 147 units, 87686 PJD votes of 1060039 valid (8.3 %), 29.4 % of PJD's votes, 282111 km², first among parties: no (7th)`.
func describe(_ zone: StrongholdZone) -> String {
    let party = zone.variable.numerator, den = zone.variable.denominator ?? ""
    func total(_ name: String) -> String {
        zone.totals.first { $0.name.lowercased() == name.lowercased() }?.value.map { String(Int64($0)) } ?? "?"
    }
    func percent(_ v: Double?) -> String { v.map { String(format: "%.1f %%", 100 * $0) } ?? "?" }
    var line = "\(party) hot zone \(zone.rank) (zone \(zone.zone)): \(zone.members.count) units, \(total(party)) \(party) votes of \(total(den)) \(den)"
    line += " (\(percent(zone.share))), \(percent(zone.nationalShare)) of \(party)'s votes, \(String(format: "%.0f", zone.areaKm2)) km²"
    if let rank = zone.partyRank { line += ", rank \(rank) among the parties" }
    return line
}
