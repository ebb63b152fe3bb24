import FuzzSupport
import GeoVoteEngine

/// A GeoPackage file: its layers listed, then each read (SQLite's own
/// errors for a damaged file, GeoVote's for bad tables and geometry blobs).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzGeoPackage(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let path = Scratch.file("d.gpkg", UnsafeBufferPointer(start: data, count: size))
    Scratch.expectingOnlyGeoVoteErrors {
        for layer in try GeoPackage.layers(in: path).prefix(4) {
            _ = try GeoPackage.read(path, layer: layer)
        }
    }
    return 0
}
