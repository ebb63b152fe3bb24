import Foundation
import FuzzSupport
import GeoVoteEngine

/// A .prj's text as a CRS (PROJ), then a transform to WGS 84 of one point.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzPrj(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let path = Scratch.file("p.prj", UnsafeBufferPointer(start: data, count: size))
    Scratch.expectingOnlyGeoVoteErrors {
        let crs = try CoordinateReferenceSystem(prjFile: path)
        var x = [10.0], y = [20.0]
        try CoordinateTransformer(from: crs, to: .wgs84).transform(x: &x, y: &y)
    }
    return 0
}
