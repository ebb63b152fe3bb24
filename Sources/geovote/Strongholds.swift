import ArgumentParser
import GeoVoteEngine
import Foundation

struct Strongholds: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "A party's strongholds kept, gained and lost between two elections of a database (zones matched by overlap).",
        discussion: """
        Each election's stronghold zones on its own boundaries, as geovote zones makes \
        them (Gi* Gi_Bin at --confidence, default 95, on binary --weights, default queen; \
        contiguous hot units form a hot zone, cold units a cold zone). A later zone and an \
        earlier zone of the same type match when their intersection covers at least \
        --min-overlap (default 0.05) of the smaller zone's area (geodesic areas): later \
        zones with a match are kept, the others gained; earlier zones matching none are \
        lost. Boundaries may differ between the elections (one CRS). Output, one row per \
        change with the later zone's outline (the earlier one's when lost): status, type, \
        zone_from (earlier zone numbers, ';'), zone_to, rank_from, rank_to, units_from, \
        units_to, area_from_km2, area_to_km2, overlap_km2, overlap_from, overlap_to, \
        share_from, share_to.
        """)

    @OptionGroup var elections: TwoElections

    @Option(name: .long, help: "90 | 95 (default) | 99 — the confidence of a hot or cold unit.")
    var confidence: Int = 95

    @OptionGroup var weightsChoice: WeightsChoice

    @Option(name: .long, parsing: .unconditional, help: "The share of the smaller zone's area two zones must share to match (default 0.05).")
    var minOverlap: Double = 0.05

    @Option(name: .shortAndLong, help: "Output .shp, .geojson, .csv or FILE.gpkg[:LAYER].")
    var output: String

    @OptionGroup var out: OutputOptions
    @OptionGroup var common: CommonOptions

    var options: ZoneOptions {
        ZoneOptions(statistic: .giStar, confidence: confidence,
                    hotSpots: HotSpotOptions(statistics: [.giStar], weights: weightsChoice.spec, geodesic: weightsChoice.geodesic))
    }

    func job() throws -> StrongholdsJob {
        StrongholdsJob(database: elections.database, share: elections.share, from: elections.from, to: elections.to, level: elections.level, fromLevel: elections.fromLevel, options: options,
                       minimumOverlap: minOverlap, output: output, outputEncoding: try out.writeOptions().encoding, keepCRS: out.keepCrs)
    }

    func validate() throws {
        do { try StrongholdsJob(database: elections.database, share: elections.share, from: elections.from, to: elections.to, options: options, minimumOverlap: minOverlap, output: output)
            .validate(inputWrittenEarlier: true) } catch { throw ValidationError("\(error)") }
    }

    func run() throws {
        _ = try common.apply()
        let job = try job()
        try runReportingErrors { try Self.run(job) }
    }

    static func run(_ job: StrongholdsJob) throws {
        let report = try job.run()
        report.notes.forEach(printNote)
        let result = report.result
        print("\(result.party) strongholds, \(result.from) → \(result.to) at \(report.level):")
        for type in [ZoneType.hot, .cold] {
            let counts = StrongholdStatus.allCases.map { "\($0.rawValue) \(result.count($0, type))" }.joined(separator: ", ")
            print("  \(type.rawValue) zones: \(counts)")
        }
        print("wrote \(result.table.count) changes to \(job.output)")
    }
}
