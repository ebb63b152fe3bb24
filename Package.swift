// swift-tools-version:6.1
import PackageDescription

let package = Package(
    name: "GeoVote",
    platforms: [.macOS(.v13)],
    products: [
        // The library other tools import: `import GeoVoteEngine`.
        .library(name: "GeoVoteEngine", targets: ["GeoVoteEngine"]),
        .executable(name: "geovote", targets: ["geovote"]),
        .executable(name: "geovote-bench", targets: ["Bench"]),
        // The C ABI (include/geovote.h) as a shared library; `make library`
        // installs it as .build/release/libgeovote.so (the name "geovote" is the CLI's).
        .library(name: "GeoVoteC", type: .dynamic, targets: ["GeoVoteC"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        // `make docs` only (swift package generate-documentation); nothing links it.
        .package(url: "https://github.com/swiftlang/swift-docc-plugin", from: "1.5.0"),
    ],
    targets: [
        // System libraries, reached through one shim header each; implementation
        // details of the engine (imported with `internal import`).
        .systemLibrary(name: "CGeos", pkgConfig: "geos", providers: [.apt(["libgeos-dev"])]),
        .systemLibrary(name: "CProj", pkgConfig: "proj", providers: [.apt(["libproj-dev"])]),
        .systemLibrary(name: "CShapelib", pkgConfig: "shapelib", providers: [.apt(["libshp-dev"])]),
        .systemLibrary(name: "CSQLite", pkgConfig: "sqlite3", providers: [.apt(["libsqlite3-dev"])]),
        // cairo with pango's text layout (one module: pangocairo.h includes cairo.h).
        .systemLibrary(name: "CCairo", pkgConfig: "pangocairo", providers: [.apt(["libcairo2-dev", "libpango1.0-dev"])]),
        // libtiff and libgeotiff behind non-variadic wrappers (TIFFSetField and
        // GTIFKeySet are variadic) that also register GDAL's private tags.
        .target(
            name: "CGeoTIFF",
            path: "Sources/CGeoTIFF",
            // No fused multiply-add anywhere: the vectorised kernel loop gives the same bits on every CPU.
            // DWARF 4: valgrind 3.19 (make leakcheck) cannot read clang's DWARF 5.
            cSettings: [.unsafeFlags(["-ffp-contract=off", "-O3", "-gdwarf-4"])],
            linkerSettings: [.linkedLibrary("tiff"), .linkedLibrary("geotiff"), .linkedLibrary("deflate")]
        ),

        // The engine: the folder keeps its short name, the module does not
        // clash with other packages' "Engine".
        .target(
            name: "GeoVoteEngine",
            dependencies: ["CGeos", "CProj", "CShapelib", "CSQLite", "CGeoTIFF", "CCairo"],
            path: "Sources/Engine"
        ),
        // The C interface: include/geovote.h (Arrow C Data Interface structs,
        // gv_* declarations) and its Swift implementation over the public API.
        .systemLibrary(name: "CGeoVoteABI", path: "include"),
        .target(
            name: "GeoVoteC",
            dependencies: ["GeoVoteEngine", "CGeoVoteABI"],
            linkerSettings: [.unsafeFlags(["-Xlinker", "-soname=libgeovote.so", "-Xlinker", "--version-script=include/geovote.map"])]
        ),
        // The Morocco fixture generator, used by the CLI, the bench and the tests.
        .target(
            name: "Synthetic",
            dependencies: ["GeoVoteEngine"],
            resources: [.copy("Resources/morocco_outline.txt")]
        ),
        .executableTarget(
            name: "geovote",
            dependencies: [
                "GeoVoteEngine", "Synthetic",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(
            name: "Bench",
            dependencies: [
                "GeoVoteEngine", "Synthetic", "GeoVoteC", "CGeoVoteABI",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // Programs that use the library as another tool would: `import
        // GeoVoteEngine` and its public API only (an executable target cannot
        // reach internal symbols). Built with everything else; `make examples`
        // runs them on the fixture.
        .executableTarget(name: "hotspots-example", dependencies: ["GeoVoteEngine"], path: "Examples/hotspots-example"),
        .executableTarget(name: "strongholds-example", dependencies: ["GeoVoteEngine"], path: "Examples/strongholds-example"),
        .executableTarget(name: "rasters-example", dependencies: ["GeoVoteEngine"], path: "Examples/rasters-example"),
        // Paths to the fixtures and a tool runner, shared by the test targets.
        .target(name: "TestSupport", path: "Tests/Support"),
        .testTarget(
            name: "EngineTests",
            dependencies: ["GeoVoteEngine", "Synthetic", "TestSupport"]
        ),
        // Tests that run the built `geovote` binary.
        .testTarget(
            name: "CLITests",
            dependencies: ["GeoVoteEngine", "Synthetic", "TestSupport"]
        ),
    ],
    swiftLanguageModes: [.v6]
)
