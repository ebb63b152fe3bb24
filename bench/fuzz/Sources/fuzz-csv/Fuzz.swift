import FuzzSupport
import GeoVoteEngine

/// CSV read (typed columns), written back, and every numeric column read as numbers.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzCSV(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let path = Scratch.file("c.csv", UnsafeBufferPointer(start: data, count: size))
    Scratch.expectingOnlyGeoVoteErrors {
        var reader = CSVReader()
        let table = try reader.readAttributes(path)
        try CSVWriter(columnTypes: true).write(table, to: Scratch.folder + "/out.csv")
        for column in table.columns { _ = try? FeatureTable(attributes: table).numericValues(of: column.name) }
    }
    return 0
}
