import FuzzSupport
import GeoVoteEngine

/// GeoJSON read, and written back when it was readable.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzGeoJSON(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let path = Scratch.file("g.geojson", UnsafeBufferPointer(start: data, count: size))
    Scratch.expectingOnlyGeoVoteErrors {
        let table = try LayerIO.read(path)
        try LayerIO.write(table, to: Scratch.folder + "/out.geojson")
    }
    return 0
}
