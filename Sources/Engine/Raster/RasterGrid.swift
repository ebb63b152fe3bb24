import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A north-up grid of square or rectangular cells in a CRS.
///
/// Row 0 is at the top (the largest y), column 0 at the left; the centre of
/// cell (row, column) is at `(minX + (column + ½)·cellWidth, maxY − (row + ½)·cellHeight)`.
/// This is GDAL's geotransform `(minX, cellWidth, 0, maxY, 0, −cellHeight)`
/// with pixel-is-area cells.
public struct RasterGrid: Sendable, Equatable, CustomStringConvertible {
    public let minX: Double
    public let maxY: Double
    public let cellWidth: Double
    public let cellHeight: Double
    public let columns: Int
    public let rows: Int
    public let crs: CoordinateReferenceSystem?

    public init(minX: Double, maxY: Double, cellWidth: Double, cellHeight: Double, columns: Int, rows: Int, crs: CoordinateReferenceSystem?) throws {
        guard cellWidth.isFinite, cellWidth > 0, cellHeight.isFinite, cellHeight > 0 else {
            throw GeoVoteError.invalidArgument("a raster's resolution is a positive number of CRS units, not \(cellWidth) × \(cellHeight)")
        }
        guard minX.isFinite, maxY.isFinite else { throw GeoVoteError.invalidArgument("a raster's origin must be finite, not (\(minX), \(maxY))") }
        guard columns > 0, rows > 0 else { throw GeoVoteError.invalidArgument("a raster has at least one row and one column, not \(rows) × \(columns)") }
        guard columns <= Self.maximumSide, rows <= Self.maximumSide else {
            throw GeoVoteError.invalidArgument("a raster of \(rows) × \(columns) cells is too large (at most \(Self.maximumSide) on a side)")
        }
        self.minX = minX
        self.maxY = maxY
        self.cellWidth = cellWidth
        self.cellHeight = cellHeight
        self.columns = columns
        self.rows = rows
        self.crs = crs
    }

    /// The grid that covers `extent` with cells of `resolution`, the extent
    /// snapped outward to multiples of the resolution (GDAL's `-tap`), so
    /// grids of the same resolution line up cell for cell.
    public init(extent: BoundingBox, resolution: Double, crs: CoordinateReferenceSystem?) throws {
        guard resolution.isFinite, resolution > 0 else {
            throw GeoVoteError.invalidArgument("the resolution is a positive number of CRS units, not \(resolution)")
        }
        guard extent.minX.isFinite, extent.minY.isFinite, extent.maxX.isFinite, extent.maxY.isFinite, extent.minX <= extent.maxX, extent.minY <= extent.maxY else {
            throw GeoVoteError.invalidArgument("the extent \(extent) is not a finite box with min ≤ max")
        }
        let x0 = (extent.minX / resolution).rounded(.down) * resolution
        let y0 = (extent.minY / resolution).rounded(.down) * resolution
        var x1 = (extent.maxX / resolution).rounded(.up) * resolution
        var y1 = (extent.maxY / resolution).rounded(.up) * resolution
        if x1 <= x0 { x1 = x0 + resolution }
        if y1 <= y0 { y1 = y0 + resolution }
        let columnCount = ((x1 - x0) / resolution).rounded()
        let rowCount = ((y1 - y0) / resolution).rounded()
        guard columnCount <= Double(Self.maximumSide), rowCount <= Double(Self.maximumSide) else {
            throw GeoVoteError.invalidArgument(String(format: "the extent %@ at resolution %g is %.0f × %.0f cells (%.1f GiB per Float32 band): at most %d on a side; use a coarser resolution",
                                                      "\(extent)", resolution, rowCount, columnCount, rowCount * columnCount * 4 / 1_073_741_824, Self.maximumSide))
        }
        try self.init(minX: x0, maxY: y1, cellWidth: resolution, cellHeight: resolution, columns: Int(columnCount), rows: Int(rowCount), crs: crs)
    }

    /// At most this many cells on a side (GeoTIFF's 32-bit sizes leave room; memory does not).
    public static let maximumSide = 1 << 20

    public var cellCount: Int { rows * columns }
    public var maxX: Double { minX + Double(columns) * cellWidth }
    public var minY: Double { maxY - Double(rows) * cellHeight }
    public var cellArea: Double { cellWidth * cellHeight }
    public var extent: BoundingBox { BoundingBox(minX: minX, minY: minY, maxX: maxX, maxY: maxY) }

    /// GDAL's geotransform.
    public var geoTransform: [Double] { [minX, cellWidth, 0, maxY, 0, -cellHeight] }

    public func centreX(column: Int) -> Double { minX + (Double(column) + 0.5) * cellWidth }
    public func centreY(row: Int) -> Double { maxY - (Double(row) + 0.5) * cellHeight }

    public var description: String {
        "\(rows) rows × \(columns) columns of \(cellWidth) × \(cellHeight)\(crs.map { " in \($0)" } ?? ""), extent \(extent)"
    }

    /// Refuses a grid whose bands would not fit in memory, saying how much
    /// they need and how much the machine has.
    /// - Parameter bytesPerCell: what the computation holds per cell (all bands and buffers).
    public func checkFits(bytesPerCell: Int) throws {
        let needed = Double(cellCount) * Double(bytesPerCell)
        let available = Self.physicalMemory
        if needed > 0.8 * available {
            throw GeoVoteError.invalidArgument(String(format: "a grid of %d × %d cells needs %.1f GiB for its bands, and this machine has %.1f GiB: use a coarser resolution or a smaller extent",
                                                      rows, columns, needed / 1_073_741_824, available / 1_073_741_824))
        }
    }

    /// The machine's physical memory in bytes.
    public static var physicalMemory: Double {
        Double(sysconf(Int32(_SC_PHYS_PAGES))) * Double(sysconf(Int32(_SC_PAGESIZE)))
    }
}

/// A band's cells: Float32 values in row-major order, in one buffer that
/// bands share instead of copying (a raster of 12 bands of 16 million cells
/// is 768 MB). Immutable once made.
public final class RasterValues: @unchecked Sendable, RandomAccessCollection, Equatable, CustomStringConvertible {
    let base: UnsafeMutablePointer<Float>
    public let count: Int

    /// Cells the maker writes, each exactly once, before the values are shared.
    init(uninitializedCount count: Int) {
        self.count = count
        base = .allocate(capacity: Swift.max(count, 1))
    }

    public convenience init(_ values: [Float]) {
        self.init(uninitializedCount: values.count)
        values.withUnsafeBufferPointer { base.initialize(from: $0.baseAddress!, count: values.count) }
    }

    deinit { base.deallocate() }

    public var startIndex: Int { 0 }
    public var endIndex: Int { count }
    public subscript(i: Int) -> Float {
        precondition(i >= 0 && i < count, "cell \(i) outside 0..<\(count)")
        return base[i]
    }

    public func withUnsafeBufferPointer<R>(_ body: (UnsafeBufferPointer<Float>) throws -> R) rethrows -> R {
        try body(UnsafeBufferPointer(start: base, count: count))
    }

    public static func == (a: RasterValues, b: RasterValues) -> Bool {
        a === b || (a.count == b.count && a.withUnsafeBufferPointer { x in b.withUnsafeBufferPointer { y in x.elementsEqual(y) } })
    }

    public var description: String { "\(count) cells" }
}

/// One band of a raster, with a nodata value where nothing was computed.
public struct RasterBand: Sendable, Equatable {
    /// The band's description (a party code, "turnout", "winner", …).
    public var name: String
    /// Row-major, row 0 at the top.
    public var values: RasterValues
    /// Band-level metadata written with the band (GDAL metadata items).
    public var metadata: [(key: String, value: String)]

    public init(name: String, values: RasterValues, metadata: [(key: String, value: String)] = []) {
        self.name = name
        self.values = values
        self.metadata = metadata
    }

    public init(name: String, values: [Float], metadata: [(key: String, value: String)] = []) {
        self.init(name: name, values: RasterValues(values), metadata: metadata)
    }

    public static func == (a: RasterBand, b: RasterBand) -> Bool {
        a.name == b.name && a.values == b.values && a.metadata.map(\.key) == b.metadata.map(\.key) && a.metadata.map(\.value) == b.metadata.map(\.value)
    }
}

/// Bands on one grid: what the raster computations return and the writers take.
public struct Raster: Sendable, Equatable {
    public var grid: RasterGrid
    public var bands: [RasterBand]
    /// The value of cells with no data (never NaN in a file GeoVote writes).
    public var nodata: Float
    /// Dataset-level metadata (the method, the parameters, the party table).
    public var metadata: [(key: String, value: String)]

    public static let defaultNodata: Float = -9999

    public init(grid: RasterGrid, bands: [RasterBand], nodata: Float = Raster.defaultNodata, metadata: [(key: String, value: String)] = []) {
        self.grid = grid
        self.bands = bands
        self.nodata = nodata
        self.metadata = metadata
    }

    public func band(named name: String) -> RasterBand? { bands.first { $0.name == name } }

    public static func == (a: Raster, b: Raster) -> Bool {
        a.grid == b.grid && a.bands == b.bands && a.nodata == b.nodata
            && a.metadata.map(\.key) == b.metadata.map(\.key) && a.metadata.map(\.value) == b.metadata.map(\.value)
    }
}
