import Foundation
internal import CGeoTIFF

/// GeoTIFF through libtiff and libgeotiff: GeoVote's raster output, and the
/// grid of a template (`--like`).
///
/// Written files are Float32, tiled (256 × 256), DEFLATE-compressed with the
/// floating-point predictor, one band per plane (`PLANARCONFIG_SEPARATE`),
/// with GDAL's nodata tag (42113) and metadata tag (42112: band descriptions
/// and dataset items, as GDAL writes them), GeoKeys for an EPSG-coded CRS
/// (projected or geographic) and pixel-is-area cells. A BigTIFF is written
/// when the bands exceed 4 GiB. A CRS without an EPSG code is refused:
/// libgeotiff cannot turn WKT into GeoKeys.
public enum GeoTIFF {
    public struct WriteOptions: Sendable, Equatable {
        public var tileSize: Int = 256
        /// Reduced-resolution copies (averages of the cells with data), each
        /// a factor of the full grid: e.g. [2, 4, 8]; empty: none.
        public var overviews: [Int] = []
        public init(tileSize: Int = 256, overviews: [Int] = []) {
            self.tileSize = tileSize
            self.overviews = overviews
        }
    }

    static let modelTypeKey: Int32 = 1024, rasterTypeKey: Int32 = 1025, citationKey: Int32 = 1026
    static let geographicTypeKey: Int32 = 2048, projectedTypeKey: Int32 = 3072
    static let pixelScaleTag: UInt32 = 33550, tiePointsTag: UInt32 = 33922, transformationTag: UInt32 = 34264

    /// The EPSG code and kind GeoKeys need, or a clear refusal.
    static func epsg(of crs: CoordinateReferenceSystem?, path: String) throws -> (code: UInt16, geographic: Bool) {
        guard let crs else {
            throw GeoVoteError.unsupported("\(path): the layer has no CRS (no .prj): a GeoTIFF needs an EPSG-coded CRS; give the layer one (geovote project)")
        }
        guard let id = crs.identifier, id.uppercased().hasPrefix("EPSG:"), let code = UInt16(id.dropFirst(5)) else {
            throw GeoVoteError.unsupported("\(path): the CRS \(crs.name) has no EPSG code, and GeoTIFF keys can only be written for one: project the layer to an EPSG CRS first (geovote project --to EPSG:NNNN)")
        }
        return (code, crs.isGeographic)
    }

    /// Writes every band, whole or not at all (a temporary file renamed into place).
    public static func write(_ raster: Raster, to path: String, options: WriteOptions = .init()) throws {
        let (code, geographic) = try epsg(of: raster.grid.crs, path: path)
        guard !raster.bands.isEmpty else { throw GeoVoteError.invalidArgument("\(path): no band to write") }
        guard raster.bands.allSatisfy({ $0.values.count == raster.grid.cellCount }) else {
            throw GeoVoteError.invalidArgument("\(path): a band's size does not match the grid")
        }
        for f in options.overviews where f < 2 { throw GeoVoteError.invalidArgument("an overview factor is 2 or more, not \(f)") }
        try AtomicFile.checkWritable(path)
        let tmp = AtomicFile.temporaryPath(beside: path)
        AtomicFile.track(tmp)
        defer { AtomicFile.untrack(tmp) }
        do {
            let bytes = Double(raster.grid.cellCount) * Double(raster.bands.count) * 4
            guard let tif = gv_tiff_open(tmp, bytes > 3.5 * 1_073_741_824 ? "w8" : "w") else {
                throw GeoVoteError.io(path: path, reason: "cannot be written: \(lastError())")
            }
            var closed = false
            defer { if !closed { gv_tiff_close(tif) } }
            try writeImage(tif, raster: raster, grid: raster.grid, bands: raster.bands.map(\.values), path: path, options: options, reduced: false, code: code, geographic: geographic)
            for factor in options.overviews {
                let (grid, bands) = overview(raster, factor: factor)
                try writeImage(tif, raster: raster, grid: grid, bands: bands, path: path, options: options, reduced: true, code: code, geographic: geographic)
            }
            closed = true
            gv_tiff_close(tif)
            let error = lastError()
            guard error.isEmpty else { throw GeoVoteError.io(path: path, reason: "cannot be written: \(error)") }
        } catch {
            unlink(tmp)
            throw error
        }
        try AtomicFile.commit(tmp, to: path)
    }

    private static func lastError() -> String { String(cString: gv_tiff_last_error()) }

    private static func writeImage(_ tif: OpaquePointer, raster: Raster, grid: RasterGrid, bands: [RasterValues], path: String, options: WriteOptions,
                                   reduced: Bool, code: UInt16, geographic: Bool) throws {
        let tile = options.tileSize
        func check(_ ok: Int32, _ what: String) throws {
            guard ok == 1 else { throw GeoVoteError.io(path: path, reason: "cannot be written: \(what): \(lastError())") }
        }
        if reduced { try check(gv_tiff_set_u32(tif, UInt32(TIFFTAG_SUBFILETYPE), UInt32(FILETYPE_REDUCEDIMAGE)), "subfile type") }
        try check(gv_tiff_set_u32(tif, UInt32(TIFFTAG_IMAGEWIDTH), UInt32(grid.columns)), "width")
        try check(gv_tiff_set_u32(tif, UInt32(TIFFTAG_IMAGELENGTH), UInt32(grid.rows)), "height")
        try check(gv_tiff_set_u16(tif, UInt32(TIFFTAG_BITSPERSAMPLE), 32), "bits per sample")
        try check(gv_tiff_set_u16(tif, UInt32(TIFFTAG_SAMPLEFORMAT), UInt16(SAMPLEFORMAT_IEEEFP)), "sample format")
        try check(gv_tiff_set_u16(tif, UInt32(TIFFTAG_SAMPLESPERPIXEL), UInt16(bands.count)), "samples per pixel")
        try check(gv_tiff_set_u16(tif, UInt32(TIFFTAG_PLANARCONFIG), UInt16(PLANARCONFIG_SEPARATE)), "planar configuration")
        try check(gv_tiff_set_u16(tif, UInt32(TIFFTAG_PHOTOMETRIC), UInt16(PHOTOMETRIC_MINISBLACK)), "photometric")
        if bands.count > 1 {
            let extra = [UInt16](repeating: UInt16(EXTRASAMPLE_UNSPECIFIED), count: bands.count - 1)
            try check(gv_tiff_set_u16_array(tif, UInt32(TIFFTAG_EXTRASAMPLES), UInt16(extra.count), extra), "extra samples")
        }
        try check(gv_tiff_set_u32(tif, UInt32(TIFFTAG_TILEWIDTH), UInt32(tile)), "tile width")
        try check(gv_tiff_set_u32(tif, UInt32(TIFFTAG_TILELENGTH), UInt32(tile)), "tile length")
        try check(gv_tiff_set_u16(tif, UInt32(TIFFTAG_COMPRESSION), UInt16(COMPRESSION_ADOBE_DEFLATE)), "compression")
        try check(gv_tiff_set_u16(tif, UInt32(TIFFTAG_PREDICTOR), UInt16(PREDICTOR_FLOATINGPOINT)), "predictor")
        try check(gv_tiff_set_string(tif, UInt32(GV_TIFFTAG_GDAL_NODATA), formatted(raster.nodata)), "nodata")
        if !reduced {
            try check(gv_tiff_set_string(tif, UInt32(GV_TIFFTAG_GDAL_METADATA), metadataXML(raster)), "metadata")
            try check(gv_tiff_set_string(tif, UInt32(TIFFTAG_SOFTWARE), "GeoVote \(GeoVoteVersion.string)"), "software")
            let scale = [grid.cellWidth, grid.cellHeight, 0]
            let tie = [0, 0, 0, grid.minX, grid.maxY, 0]
            try check(gv_tiff_set_doubles(tif, pixelScaleTag, 3, scale), "pixel scale")
            try check(gv_tiff_set_doubles(tif, tiePointsTag, 6, tie), "tie point")
            guard let gtif = GTIFNew(UnsafeMutableRawPointer(tif)) else { throw GeoVoteError.io(path: path, reason: "cannot be written: libgeotiff refused the file") }
            defer { GTIFFree(gtif) }
            _ = gv_gtif_set_short(gtif, modelTypeKey, geographic ? 2 : 1)
            _ = gv_gtif_set_short(gtif, rasterTypeKey, 1)
            _ = gv_gtif_set_short(gtif, geographic ? geographicTypeKey : projectedTypeKey, code)
            if let name = raster.grid.crs?.name { _ = gv_gtif_set_ascii(gtif, citationKey, name) }
            guard GTIFWriteKeys(gtif) == 1 else { throw GeoVoteError.io(path: path, reason: "cannot be written: the GeoKeys: \(lastError())") }
        }
        let tilesAcross = (grid.columns + tile - 1) / tile, tilesDown = (grid.rows + tile - 1) / tile
        let tileCount = tilesAcross * tilesDown
        // Tiles are encoded in parallel (libdeflate, one compressor per worker)
        // exactly as libtiff's codec would, then written in order as raw tiles.
        let workers = Parallel.workersUsed(count: tileCount, grain: 1)
        let compressors = PerWorker(count: workers) { _ in TileEncoder(tile: tile) }
        let nodata = raster.nodata
        for (b, values) in bands.enumerated() {
            let encoded = PerChunk<[UInt8]>(count: tileCount)
            Parallel.forEachChunk(count: tileCount, grain: 1, workers: workers) { worker, t, _ in
                let x0 = (t % tilesAcross) * tile, y0 = (t / tilesAcross) * tile
                encoded[t] = compressors[worker].encode(values, columns: grid.columns, rows: grid.rows, x0: x0, y0: y0, nodata: nodata)
            }
            for t in 0..<tileCount {
                guard let bytes = encoded[t], !bytes.isEmpty else { throw GeoVoteError.io(path: path, reason: "cannot be written: a tile could not be compressed") }
                let index = TIFFComputeTile(tif, UInt32((t % tilesAcross) * tile), UInt32((t / tilesAcross) * tile), 0, UInt16(b))
                let written = bytes.withUnsafeBytes { TIFFWriteRawTile(tif, index, UnsafeMutableRawPointer(mutating: $0.baseAddress), tmsize_t($0.count)) }
                guard written == bytes.count else { throw GeoVoteError.io(path: path, reason: "cannot be written (disk full?): \(lastError())") }
            }
        }
        guard TIFFWriteDirectory(tif) == 1 else { throw GeoVoteError.io(path: path, reason: "cannot be written: \(lastError())") }
    }

    /// One worker's compressor and buffers.
    final class TileEncoder: @unchecked Sendable {
        let tile: Int
        let compressor: OpaquePointer
        var pixels: [Float]
        var scratch: [UInt8]
        var output: [UInt8]

        init(tile: Int) {
            self.tile = tile
            compressor = gv_deflate_new(6)
            pixels = [Float](repeating: 0, count: tile * tile)
            scratch = [UInt8](repeating: 0, count: tile * tile * 4)
            output = [UInt8](repeating: 0, count: gv_deflate_bound(compressor, tile * tile * 4))
        }

        deinit { gv_deflate_free(compressor) }

        /// The tile at (x0, y0), padded with nodata past the grid's edge, encoded.
        func encode(_ values: RasterValues, columns: Int, rows: Int, x0: Int, y0: Int, nodata: Float) -> [UInt8] {
            let w = min(tile, columns - x0), h = min(tile, rows - y0)
            let tile = self.tile
            values.withUnsafeBufferPointer { src in
                pixels.withUnsafeMutableBufferPointer { dst in
                    if w < tile || h < tile { dst.update(repeating: nodata) }
                    for r in 0..<h { (dst.baseAddress! + r * tile).update(from: src.baseAddress! + (y0 + r) * columns + x0, count: w) }
                }
            }
            let size = pixels.withUnsafeBufferPointer { p in
                scratch.withUnsafeMutableBufferPointer { s in
                    output.withUnsafeMutableBufferPointer { o in
                        gv_encode_float_tile(compressor, p.baseAddress, UInt32(tile), UInt32(tile), s.baseAddress, o.baseAddress, o.count)
                    }
                }
            }
            return Array(output[0..<size])
        }
    }

    /// Averages of the cells with data over `factor` × `factor` blocks; the
    /// winner band takes the block's most frequent class (ties: the smallest).
    static func overview(_ raster: Raster, factor: Int) -> (RasterGrid, [RasterValues]) {
        let g = raster.grid
        let cols = (g.columns + factor - 1) / factor, rows = (g.rows + factor - 1) / factor
        let grid = try! RasterGrid(minX: g.minX, maxY: g.maxY, cellWidth: g.cellWidth * Double(factor), cellHeight: g.cellHeight * Double(factor),
                                   columns: cols, rows: rows, crs: g.crs)
        let bands = raster.bands.map { band -> RasterValues in
            var out = [Float](repeating: raster.nodata, count: cols * rows)
            let categorical = band.name == "winner"
            for r in 0..<rows {
                for c in 0..<cols {
                    var sum = 0.0, n = 0
                    var tally: [Float: Int] = [:]
                    for rr in (r * factor)..<min(g.rows, (r + 1) * factor) {
                        for cc in (c * factor)..<min(g.columns, (c + 1) * factor) {
                            let v = band.values[rr * g.columns + cc]
                            if v == raster.nodata { continue }
                            if categorical { tally[v, default: 0] += 1 } else { sum += Double(v); n += 1 }
                        }
                    }
                    if categorical {
                        if let best = tally.max(by: { $0.value != $1.value ? $0.value < $1.value : $0.key > $1.key }) { out[r * cols + c] = best.key }
                    } else if n > 0 {
                        out[r * cols + c] = Float(sum / Double(n))
                    }
                }
            }
            return RasterValues(out)
        }
        return (grid, bands)
    }

    /// A Float32 as GDAL prints it ("-9999", "0.5").
    static func formatted(_ value: Float) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : "\(value)"
    }

    static func escaped(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
            .replacingOccurrences(of: "\"", with: "&quot;")
    }

    /// GDAL's metadata document: dataset items, then per band its description and items.
    static func metadataXML(_ raster: Raster) -> String {
        var lines = ["<GDALMetadata>"]
        for item in raster.metadata { lines.append("  <Item name=\"\(escaped(item.key))\">\(escaped(item.value))</Item>") }
        for (b, band) in raster.bands.enumerated() {
            for item in band.metadata { lines.append("  <Item name=\"\(escaped(item.key))\" sample=\"\(b)\">\(escaped(item.value))</Item>") }
            lines.append("  <Item name=\"DESCRIPTION\" sample=\"\(b)\" role=\"description\">\(escaped(band.name))</Item>")
        }
        lines.append("</GDALMetadata>")
        return lines.joined(separator: "\n")
    }

    /// One band of a GeoTIFF as doubles (row-major, row 0 at the top), with
    /// its grid and GDAL's nodata value when the file has one: 8-, 16-, 32- or
    /// 64-bit integers or floats, stripped or tiled, interleaved or not.
    public static func readBand(_ path: String, band: Int = 1) throws -> (grid: RasterGrid, values: [Double], nodata: Double?) {
        let grid = try readGrid(path)
        guard let tif = gv_tiff_open(path, "r") else { throw GeoVoteError.io(path: path, reason: "is not a TIFF file: \(lastError())") }
        defer { gv_tiff_close(tif) }
        var bits: UInt16 = 1, format: UInt16 = 1, samples: UInt16 = 1, planar: UInt16 = 1
        _ = gv_tiff_get_u16(tif, UInt32(TIFFTAG_BITSPERSAMPLE), &bits)
        _ = gv_tiff_get_u16(tif, UInt32(TIFFTAG_SAMPLEFORMAT), &format)
        _ = gv_tiff_get_u16(tif, UInt32(TIFFTAG_SAMPLESPERPIXEL), &samples)
        _ = gv_tiff_get_u16(tif, UInt32(TIFFTAG_PLANARCONFIG), &planar)
        guard [8, 16, 32, 64].contains(bits), [1, 2, 3].contains(format), !(format == 3 && bits < 32) else {
            throw GeoVoteError.unsupported("\(path): \(bits)-bit samples of format \(format) are not read (integers or floats of 8 to 64 bits are)")
        }
        guard band >= 1, band <= Int(samples) else { throw GeoVoteError.invalidArgument("\(path) has \(samples) bands, not a band \(band)") }
        var nodata: Double?
        var text: UnsafePointer<CChar>?
        if gv_tiff_get_string(tif, UInt32(GV_TIFFTAG_GDAL_NODATA), &text) == 1, let text {
            nodata = Double(String(cString: text).trimmingCharacters(in: .whitespaces))
        }
        let bytes = Int(bits) / 8
        let separate = planar == UInt16(PLANARCONFIG_SEPARATE) && samples > 1
        let step = separate ? 1 : Int(samples)
        let offset = separate ? 0 : band - 1
        func sample(_ base: UnsafeRawPointer, _ k: Int) -> Double {
            let at = base + k * bytes
            switch (format, bits) {
            case (3, 32): return Double(at.loadUnaligned(as: Float.self))
            case (3, _): return at.loadUnaligned(as: Double.self)
            case (2, 8): return Double(at.loadUnaligned(as: Int8.self))
            case (2, 16): return Double(at.loadUnaligned(as: Int16.self))
            case (2, 32): return Double(at.loadUnaligned(as: Int32.self))
            case (2, _): return Double(at.loadUnaligned(as: Int64.self))
            case (_, 8): return Double(at.load(as: UInt8.self))
            case (_, 16): return Double(at.loadUnaligned(as: UInt16.self))
            case (_, 32): return Double(at.loadUnaligned(as: UInt32.self))
            default: return Double(at.loadUnaligned(as: UInt64.self))
            }
        }
        var values = [Double](repeating: 0, count: grid.cellCount)
        let plane = UInt16(separate ? band - 1 : 0)
        if TIFFIsTiled(tif) != 0 {
            var tw: UInt32 = 0, th: UInt32 = 0
            _ = gv_tiff_get_u32(tif, UInt32(TIFFTAG_TILEWIDTH), &tw)
            _ = gv_tiff_get_u32(tif, UInt32(TIFFTAG_TILELENGTH), &th)
            let size = Int(TIFFTileSize(tif))
            guard tw > 0, th > 0, size > 0 else { throw GeoVoteError.malformed(DataLocation(file: path, record: nil, field: "TileWidth", value: "\(tw) × \(th)"), reason: "is not a tile size") }
            let buffer = UnsafeMutableRawPointer.allocate(byteCount: size, alignment: 8)
            defer { buffer.deallocate() }
            for y0 in stride(from: 0, to: grid.rows, by: Int(th)) {
                for x0 in stride(from: 0, to: grid.columns, by: Int(tw)) {
                    let index = TIFFComputeTile(tif, UInt32(x0), UInt32(y0), 0, plane)
                    guard TIFFReadEncodedTile(tif, index, buffer, tmsize_t(size)) >= 0 else {
                        throw GeoVoteError.malformed(DataLocation(file: path, record: Int(index), field: "tile", value: "\(x0),\(y0)"), reason: "cannot be decoded: \(lastError())")
                    }
                    for r in 0..<min(Int(th), grid.rows - y0) {
                        for c in 0..<min(Int(tw), grid.columns - x0) {
                            values[(y0 + r) * grid.columns + x0 + c] = sample(buffer, (r * Int(tw) + c) * step + offset)
                        }
                    }
                }
            }
        } else {
            var rowsPerStrip: UInt32 = 0
            if gv_tiff_get_u32(tif, UInt32(TIFFTAG_ROWSPERSTRIP), &rowsPerStrip) != 1 || rowsPerStrip == 0 || Int(rowsPerStrip) > grid.rows { rowsPerStrip = UInt32(grid.rows) }
            let size = Int(TIFFStripSize(tif))
            guard size > 0 else { throw GeoVoteError.malformed(DataLocation(file: path, record: nil, field: "StripByteCounts", value: "0"), reason: "is not a strip size") }
            let buffer = UnsafeMutableRawPointer.allocate(byteCount: size, alignment: 8)
            defer { buffer.deallocate() }
            for y0 in stride(from: 0, to: grid.rows, by: Int(rowsPerStrip)) {
                let index = TIFFComputeStrip(tif, UInt32(y0), plane)
                guard TIFFReadEncodedStrip(tif, index, buffer, tmsize_t(size)) >= 0 else {
                    throw GeoVoteError.malformed(DataLocation(file: path, record: Int(index), field: "strip", value: "row \(y0)"), reason: "cannot be decoded: \(lastError())")
                }
                for r in 0..<min(Int(rowsPerStrip), grid.rows - y0) {
                    for c in 0..<grid.columns { values[(y0 + r) * grid.columns + c] = sample(buffer, (r * grid.columns + c) * step + offset) }
                }
            }
        }
        return (grid, values, nodata)
    }

    /// The grid of a GeoTIFF (size, geotransform, CRS), for `--like`.
    /// - Throws: a file that is not a TIFF, has no georeferencing, is rotated,
    ///   or whose CRS has no EPSG key.
    public static func readGrid(_ path: String) throws -> RasterGrid {
        guard FileManager.default.isReadableFile(atPath: path) else { throw GeoVoteError.io(path: path, reason: "cannot be read: no such file, or not readable") }
        guard let tif = gv_tiff_open(path, "r") else { throw GeoVoteError.io(path: path, reason: "is not a TIFF file: \(lastError())") }
        defer { gv_tiff_close(tif) }
        var width: UInt32 = 0, height: UInt32 = 0
        guard gv_tiff_get_u32(tif, UInt32(TIFFTAG_IMAGEWIDTH), &width) == 1, gv_tiff_get_u32(tif, UInt32(TIFFTAG_IMAGELENGTH), &height) == 1, width > 0, height > 0 else {
            throw GeoVoteError.malformed(DataLocation(file: path, record: nil, field: "ImageWidth/ImageLength", value: "\(width) × \(height)"), reason: "is not an image size")
        }
        var count: UInt16 = 0
        var values: UnsafePointer<Double>?
        if gv_tiff_get_doubles(tif, transformationTag, &count, &values) == 1 {
            throw GeoVoteError.unsupported("\(path): the grid is given by a transformation matrix (rotated or sheared): only north-up grids can be templates")
        }
        guard gv_tiff_get_doubles(tif, pixelScaleTag, &count, &values) == 1, count >= 2, let scale = values else {
            throw GeoVoteError.malformed(DataLocation(file: path, record: nil, field: "ModelPixelScale", value: "absent"), reason: "is needed: the file is not georeferenced")
        }
        let sx = scale[0], sy = scale[1]
        guard gv_tiff_get_doubles(tif, tiePointsTag, &count, &values) == 1, count >= 6, let tie = values else {
            throw GeoVoteError.malformed(DataLocation(file: path, record: nil, field: "ModelTiepoint", value: "absent"), reason: "is needed: the file is not georeferenced")
        }
        var minX = tie[3] - tie[0] * sx, maxY = tie[4] + tie[1] * sy
        guard let gtif = GTIFNew(UnsafeMutableRawPointer(tif)) else { throw GeoVoteError.io(path: path, reason: "libgeotiff cannot read its keys") }
        defer { GTIFFree(gtif) }
        var rasterType: UInt16 = 1
        _ = gv_gtif_get_short(gtif, rasterTypeKey, &rasterType)
        if rasterType == 2 {  // pixel is point: the tie point is a cell centre
            minX -= sx / 2
            maxY += sy / 2
        }
        var model: UInt16 = 0, code: UInt16 = 0
        _ = gv_gtif_get_short(gtif, modelTypeKey, &model)
        var crs: CoordinateReferenceSystem?
        let key = model == 2 ? geographicTypeKey : projectedTypeKey
        if gv_gtif_get_short(gtif, key, &code) == 1, code != 0, code != 32767 {
            crs = try CoordinateReferenceSystem(epsg: Int(code))
        } else {
            throw GeoVoteError.unsupported("\(path): its CRS has no EPSG code in its GeoKeys: GeoVote takes templates in an EPSG-coded CRS")
        }
        return try RasterGrid(minX: minX, maxY: maxY, cellWidth: sx, cellHeight: sy, columns: Int(width), rows: Int(height), crs: crs)
    }
}
