import ArgumentParser
import GeoVoteEngine
import Synthetic
import Foundation

struct Synth: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Generate a synthetic Morocco election data set (communes and polling stations) at any scale.",
        discussion: """
        Deterministic: the same --seed gives the same bytes on any machine and \
        thread count. The votes are synthetic (see the README.txt written with \
        them). Writes communes and stations as Shapefile (UTF-8) and GeoJSON, \
        in EPSG:4326 and in UTM 29N (EPSG:32629, files *_utm29n.*).
        """)

    @Option(name: .long, help: "Number of communes (12 … 2,000,000).")
    var communes: Int = 1500

    @Option(name: .long, help: "Number of polling stations (at least --communes; at most one per 100 registered voters of a commune).")
    var stations: Int = 40000

    @Option(name: .long, help: "Random seed.")
    var seed: UInt64 = 2021

    @Option(name: .shortAndLong, help: "Output directory.")
    var output: String

    @Flag(name: .long, help: "Skip the stations files.")
    var noStations = false

    @Flag(name: .long, help: "Skip the GeoJSON files.")
    var noGeojson = false

    @OptionGroup var common: CommonOptions

    func run() throws {
        _ = try common.apply()
        try runReportingErrors {
            let start = Date()
            let election = try ElectionSynthesizer.make(communes: communes, stations: stations, seed: seed)
            let made = Date()
            let paths = try election.write(to: output, stations: !noStations, geoJSON: !noGeojson)
            print(String(format: "made %d communes and %d stations in %.2f s, wrote %d files to %@ in %.2f s",
                         election.communes.count, election.stations.count, made.timeIntervalSince(start),
                         paths.count, output, Date().timeIntervalSince(made)))
        }
    }
}
