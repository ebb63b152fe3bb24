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
        in EPSG:4326 and in UTM 29N (EPSG:32629, files *_utm29n.*). With \
        --elections N, also N-1 earlier elections' results on the same communes \
        (results_2016.csv, results_2011.csv, ...), for db import and emerging hot spots.
        """)

    @Option(name: .long, help: "Number of communes (12 … 2,000,000).")
    var communes: Int = 1500

    @Option(name: .long, help: "Number of polling stations (at least --communes; at most one per 100 registered voters of a commune).")
    var stations: Int = 40000

    @Option(name: .long, help: "Elections to make, 1 (2021, default) to 9: earlier ones (2016, 2011, 2007, ...) as results_YYYY.csv for the same communes, each swung from the next.")
    var elections: Int = 1

    @Option(name: .long, help: "Random seed.")
    var seed: UInt64 = 2021

    @Option(name: .shortAndLong, help: "Output directory.")
    var output: String

    @Flag(name: .long, help: "Skip the stations files.")
    var noStations = false

    @Flag(name: .long, help: "Skip the GeoJSON files.")
    var noGeojson = false

    @OptionGroup var common: CommonOptions

    func validate() throws {
        guard (1...ElectionSynthesizer.legislativeYears.count).contains(elections) else {
            throw ValidationError("--elections is 1 to \(ElectionSynthesizer.legislativeYears.count), not \(elections)")
        }
    }

    func run() throws {
        _ = try common.apply()
        try runReportingErrors {
            let start = Date()
            var election = try ElectionSynthesizer.make(communes: communes, stations: stations, seed: seed)
            election.earlier = try ElectionSynthesizer.earlierElections(of: election.communes, count: elections - 1, seed: seed)
            let made = Date()
            let paths = try election.write(to: output, stations: !noStations, geoJSON: !noGeojson)
            print(String(format: "made %d communes and %d stations in %.2f s, wrote %d files to %@ in %.2f s",
                         election.communes.count, election.stations.count, made.timeIntervalSince(start),
                         paths.count, output, Date().timeIntervalSince(made)))
        }
    }
}
