import FuzzSupport
import GeoVoteEngine

/// A batch job file, parsed and validated (inputs are looked up, nothing runs).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzJob(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let path = Scratch.file("job.json", UnsafeBufferPointer(start: data, count: size))
    Scratch.expectingOnlyGeoVoteErrors {
        let batch = try HotSpotBatch(contentsOf: path)
        _ = try batch.validate()
    }
    return 0
}
