import FuzzSupport
import GeoVoteEngine

/// The shapefile triple from one input (.shp, .shx, .dbf pieces), read, then
/// written back and read again when it was readable.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzShapefile(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let pieces = Scratch.split(UnsafeBufferPointer(start: data, count: size), parts: 3)
    let shp = Scratch.file("f.shp", pieces[0])
    _ = Scratch.file("f.shx", pieces[1])
    _ = Scratch.file("f.dbf", pieces[2])
    Scratch.expectingOnlyGeoVoteErrors {
        let table = try ShapefileReader().read(shp)
        try LayerIO.write(table, to: Scratch.folder + "/out.shp")
        _ = try ShapefileReader().read(Scratch.folder + "/out.shp")
    }
    return 0
}
