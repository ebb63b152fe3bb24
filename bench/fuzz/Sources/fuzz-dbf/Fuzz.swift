import FuzzSupport
import GeoVoteEngine

/// A .dbf alone, beside a valid 12-point .shp/.shx (the reader checks the
/// record counts against each other after reading both).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzDBF(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    Scratch.fixture("sample/capitals.shp", as: "d.shp")
    Scratch.fixture("sample/capitals.shx", as: "d.shx")
    let dbf = Scratch.file("d.dbf", UnsafeBufferPointer(start: data, count: size))
    Scratch.expectingOnlyGeoVoteErrors {
        _ = try ShapefileReader().readWithNotes(String(dbf.dropLast(4)) + ".shp")
    }
    return 0
}
