// swift-tools-version:6.1
// Programs that use GeoVoteEngine as another tool would: through its public
// API only, with the library as a path dependency. `make examples` builds
// and runs them (`make test` does too).
import Foundation
import PackageDescription

// A path dependency's identity is its folder's name, which depends on
// where the repository was cloned.
let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()

let package = Package(
    name: "GeoVoteExamples",
    platforms: [.macOS(.v13)],
    dependencies: [
        // In another project: .package(url: "https://github.com/OWNER/geovote", from: "0.1.0")
        .package(path: root.path),
    ],
    targets: [
        .executableTarget(
            name: "hotspots-example",
            dependencies: [.product(name: "GeoVoteEngine", package: root.lastPathComponent)]
        ),
        .executableTarget(
            name: "strongholds-example",
            dependencies: [.product(name: "GeoVoteEngine", package: root.lastPathComponent)]
        ),
        .executableTarget(
            name: "rasters-example",
            dependencies: [.product(name: "GeoVoteEngine", package: root.lastPathComponent)]
        ),
    ],
    swiftLanguageModes: [.v6]
)
