// swift-tools-version:6.1
// libFuzzer targets for GeoVote's readers, built with Swift's own
// sanitizers: `make fuzz` (each for FUZZ_SECONDS), and `make test` for a
// short fixed budget. A separate package so that ordinary builds never
// see the fuzzers' entry points; it depends on the engine by path.
import Foundation
import PackageDescription

let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
let engine = Target.Dependency.product(name: "GeoVoteEngine", package: root.lastPathComponent)

// One executable per input format; libFuzzer supplies main.
let formats = ["shapefile", "dbf", "prj", "geojson", "csv", "weights", "job", "geopackage"]

let package = Package(
    name: "GeoVoteFuzz",
    platforms: [.macOS(.v13)],
    dependencies: [.package(path: root.path)],
    targets: [
        .target(name: "FuzzSupport", dependencies: [engine], path: "Sources/FuzzSupport"),
    ] + formats.map { format in
        .executableTarget(
            name: "fuzz-\(format)",
            dependencies: [engine, "FuzzSupport"],
            path: "Sources/fuzz-\(format)",
            swiftSettings: [.unsafeFlags(["-parse-as-library"])]
        )
    },
    swiftLanguageModes: [.v6]
)
