import Foundation

/// ESRI ASCII grids (.asc): one band per file, with a `.prj` beside it.
///
/// A raster of several bands is written as one file per band, named
/// `STEM_BAND.asc` (`shares_MP.asc`, …); one band keeps the path given.
/// Square cells write `cellsize`, others `dx` and `dy` (as GDAL does).
/// Values are printed with the shortest text that reads back as the same
/// Float32.
public enum ASCIIGrid {
    /// The files ``write(_:to:)`` writes for a raster, in band order.
    public static func paths(for raster: Raster, path: String) -> [String] {
        guard raster.bands.count > 1 else { return [path] }
        let stem = path.hasSuffix(".asc") ? String(path.dropLast(4)) : path
        return raster.bands.map { band in stem + "_" + band.name.map { $0.isLetter || $0.isNumber || $0 == "-" ? String($0) : "_" }.joined() + ".asc" }
    }

    /// Writes each band (and its `.prj` when the grid has a CRS), each file whole.
    public static func write(_ raster: Raster, to path: String) throws {
        let g = raster.grid
        let targets = paths(for: raster, path: path)
        for target in targets { try AtomicFile.checkWritable(target) }
        for (band, target) in zip(raster.bands, targets) {
            var text = "ncols \(g.columns)\nnrows \(g.rows)\nxllcorner \(g.minX)\nyllcorner \(g.minY)\n"
            text += g.cellWidth == g.cellHeight ? "cellsize \(g.cellWidth)\n" : "dx \(g.cellWidth)\ndy \(g.cellHeight)\n"
            text += "NODATA_value \(GeoTIFF.formatted(raster.nodata))\n"
            var data = Data(text.utf8)
            data.reserveCapacity(data.count + g.cellCount * 10)
            for r in 0..<g.rows {
                var line = ""
                for c in 0..<g.columns {
                    let v = band.values[r * g.columns + c]
                    if c > 0 { line += " " }
                    line += v == raster.nodata ? GeoTIFF.formatted(raster.nodata) : "\(v)"
                }
                line += "\n"
                data.append(contentsOf: line.utf8)
            }
            try AtomicFile.write(data, to: target)
            if let crs = g.crs {
                let prj = (target.hasSuffix(".asc") ? String(target.dropLast(4)) : target) + ".prj"
                try AtomicFile.write(Data(crs.esriWKT.utf8), to: prj)
            }
        }
    }
}
