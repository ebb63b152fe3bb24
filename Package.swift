// swift-tools-version:6.1
import PackageDescription

let package = Package(
    name: "GeoVote",
    platforms: [.macOS(.v13)],
    products: [
        .library(name: "Engine", targets: ["Engine"]),
        .executable(name: "geovote", targets: ["geovote"]),
        .executable(name: "geovote-bench", targets: ["Bench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        // System libraries, reached through one shim header each.
        .systemLibrary(name: "CGeos", pkgConfig: "geos", providers: [.apt(["libgeos-dev"])]),
        .systemLibrary(name: "CProj", pkgConfig: "proj", providers: [.apt(["libproj-dev"])]),
        .systemLibrary(name: "CShapelib", pkgConfig: "shapelib", providers: [.apt(["libshp-dev"])]),

        .target(
            name: "Engine",
            dependencies: ["CGeos", "CProj", "CShapelib"]
        ),
        .executableTarget(
            name: "geovote",
            dependencies: [
                "Engine",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(
            name: "Bench",
            dependencies: [
                "Engine",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(
            name: "EngineTests",
            dependencies: ["Engine"],
            resources: []
        ),
    ],
    swiftLanguageModes: [.v6]
)
