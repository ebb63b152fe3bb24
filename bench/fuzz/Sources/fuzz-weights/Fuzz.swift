import FuzzSupport
import GeoVoteEngine

/// A weights file in each of the three formats, for a layer of 5 units.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzWeights(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = UnsafeBufferPointer(start: data, count: size)
    for ext in ["gal", "gwt", "csv"] {
        let path = Scratch.file("w." + ext, bytes)
        Scratch.expectingOnlyGeoVoteErrors {
            let w = try WeightsFiles.read(path, ids: ["0", "1", "2", "3", "4"])
            _ = w.transformed(.row)
            try WeightsFiles.write(w, to: Scratch.folder + "/out." + ext)
        }
    }
    return 0
}
