import Foundation
internal import CCairo

/// A quick-look PNG of one band, drawn with cairo, with its legend.
///
/// The colour ramp follows the band: `winner` is categorical (one colour per
/// field, in field order, the fields' names in the legend), `margin` and any
/// band with values of both signs diverging (ColorBrewer RdBu, centred on 0),
/// everything else sequential (viridis) from the band's minimum to its
/// maximum. Nodata cells are transparent. Large grids are drawn at an
/// integer reduction (the cell at each block's centre) so the image's longer
/// side is at most ``maximumSide``.
public enum QuickLook {
    public enum Ramp: String, Sendable {
        case sequential, diverging, categorical
    }

    public static let maximumSide = 2048

    /// The ramp a band is drawn with.
    public static func ramp(for band: RasterBand, nodata: Float) -> Ramp {
        if band.name == "winner" { return .categorical }
        if band.name == "margin" { return .diverging }
        var negative = false, positive = false
        for v in band.values where v != nodata {
            if v < 0 { negative = true } else if v > 0 { positive = true }
            if negative && positive { return .diverging }
        }
        return .sequential
    }

    static let viridis: [UInt32] = [0x440154, 0x482878, 0x3e4989, 0x31688e, 0x26828e, 0x1f9e89, 0x35b779, 0x6ece58, 0xb5de2b, 0xfde725]
    static let redBlue: [UInt32] = [0x67001f, 0xb2182b, 0xd6604d, 0xf4a582, 0xfddbc7, 0xf7f7f7, 0xd1e5f0, 0x92c5de, 0x4393c3, 0x2166ac, 0x053061]
    static let categories: [UInt32] = [0x4e79a7, 0xf28e2b, 0xe15759, 0x76b7b2, 0x59a14f, 0xedc948, 0xb07aa1, 0xff9da7, 0x9c755f, 0xbab0ac]

    /// The red, green and blue of 0xRRGGBB, in [0, 1].
    static func components(_ c: UInt32) -> (Double, Double, Double) {
        (Double((c >> 16) & 0xff) / 255, Double((c >> 8) & 0xff) / 255, Double(c & 0xff) / 255)
    }

    /// The colour at t ∈ [0, 1] of a ramp given by evenly spaced stops.
    static func colour(_ stops: [UInt32], _ t: Double) -> (Double, Double, Double) {
        let x = min(max(t.isFinite ? t : 0, 0), 1) * Double(stops.count - 1)
        let i = min(Int(x), stops.count - 2)
        let f = x - Double(i)
        let a = components(stops[i]), b = components(stops[i + 1])
        return ((1 - f) * a.0 + f * b.0, (1 - f) * a.1 + f * b.1, (1 - f) * a.2 + f * b.2)
    }

    /// The width in pixels of the legend drawn right of the map.
    public static let legendWidth = 220

    /// Draws `band` (default: the first) of a raster into a PNG, whole or not at all.
    public static func write(_ raster: Raster, band name: String? = nil, to path: String, title: String? = nil) throws {
        guard let band = name.map({ n in raster.bands.first { $0.name == n } }) ?? raster.bands.first else {
            throw GeoVoteError.invalidArgument("the raster has no band '\(name ?? "")'; bands: \(raster.bands.map(\.name).joined(separator: ", "))")
        }
        try AtomicFile.checkWritable(path)
        let g = raster.grid
        let step = max(1, (max(g.columns, g.rows) + maximumSide - 1) / maximumSide)
        let width = (g.columns + step - 1) / step, height = (g.rows + step - 1) / step
        let ramp = ramp(for: band, nodata: raster.nodata)
        // The range of the values, in one pass without copying them.
        var lowest = Float.infinity, highest = -Float.infinity
        for v in band.values where v != raster.nodata {
            lowest = min(lowest, v)
            highest = max(highest, v)
        }
        let low = lowest.isFinite ? Double(lowest) : 0, high = highest.isFinite ? Double(highest) : 1
        let bound = max(abs(low), abs(high))
        let classes = ramp == .categorical ? band.metadata.filter { $0.key.hasPrefix("WINNER_") }.map(\.value) : []
        func rgb(_ v: Float) -> (Double, Double, Double) {
            switch ramp {
            case .sequential: return colour(viridis, high > low ? (Double(v) - low) / (high - low) : 0.5)
            case .diverging: return colour(redBlue, bound > 0 ? 0.5 + 0.5 * Double(v) / bound : 0.5)
            case .categorical:
                let i = Int(v) - 1
                return components(categories[((i % categories.count) + categories.count) % categories.count])
            }
        }
        let totalWidth = width + legendWidth, totalHeight = max(height, 60 + 24 * max(classes.count, 6))
        guard let surface = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, Int32(totalWidth), Int32(totalHeight)),
              cairo_surface_status(surface) == CAIRO_STATUS_SUCCESS else {
            throw GeoVoteError.io(path: path, reason: "cannot be drawn: cairo could not make a \(totalWidth) × \(totalHeight) image")
        }
        defer { cairo_surface_destroy(surface) }
        let cr = cairo_create(surface)
        defer { cairo_destroy(cr) }
        cairo_set_source_rgb(cr, 1, 1, 1)
        cairo_paint(cr)
        cairo_surface_flush(surface)
        let stride = Int(cairo_image_surface_get_stride(surface))
        let pixels = cairo_image_surface_get_data(surface)!
        for r in 0..<height {
            let row = min(g.rows - 1, r * step + step / 2)
            let line = (pixels + r * stride).withMemoryRebound(to: UInt32.self, capacity: width) { $0 }
            for c in 0..<width {
                let v = band.values[row * g.columns + min(g.columns - 1, c * step + step / 2)]
                guard v != raster.nodata else { line[c] = 0xffe8e8e8; continue }
                let (red, green, blue) = rgb(v)
                line[c] = 0xff000000 | UInt32(red * 255) << 16 | UInt32(green * 255) << 8 | UInt32(blue * 255)
            }
        }
        cairo_surface_mark_dirty(surface)
        // The legend.
        let x0 = Double(width) + 16
        cairo_select_font_face(cr, "sans-serif", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL)
        cairo_set_font_size(cr, 14)
        cairo_set_source_rgb(cr, 0, 0, 0)
        cairo_move_to(cr, x0, 24)
        cairo_show_text(cr, title ?? band.name)
        cairo_set_font_size(cr, 12)
        if ramp == .categorical {
            for (i, name) in classes.enumerated() {
                let y = 44 + Double(i) * 24
                let (red, green, blue) = rgb(Float(i + 1))
                cairo_set_source_rgb(cr, red, green, blue)
                cairo_rectangle(cr, x0, y, 16, 16)
                cairo_fill(cr)
                cairo_set_source_rgb(cr, 0, 0, 0)
                cairo_move_to(cr, x0 + 24, y + 13)
                cairo_show_text(cr, name)
            }
        } else {
            let barHeight = Double(min(240, max(40, totalHeight - 80)))
            for k in 0..<Int(barHeight) {
                let t = 1 - Double(k) / (barHeight - 1)
                let (red, green, blue) = ramp == .sequential ? colour(viridis, t) : colour(redBlue, t)
                cairo_set_source_rgb(cr, red, green, blue)
                cairo_rectangle(cr, x0, 40 + Double(k), 20, 1)
                cairo_fill(cr)
            }
            let top = ramp == .sequential ? high : bound, bottom = ramp == .sequential ? low : -bound
            cairo_set_source_rgb(cr, 0, 0, 0)
            for (text, y) in [(String(format: "%.4g", top), 50.0), (String(format: "%.4g", bottom), 40 + barHeight)] {
                cairo_move_to(cr, x0 + 28, y)
                cairo_show_text(cr, text)
            }
        }
        cairo_surface_flush(surface)
        let tmp = AtomicFile.temporaryPath(beside: path)
        AtomicFile.track(tmp)
        defer { AtomicFile.untrack(tmp) }
        guard cairo_surface_write_to_png(surface, tmp) == CAIRO_STATUS_SUCCESS else {
            unlink(tmp)
            throw GeoVoteError.io(path: path, reason: "cannot be written (folder not writable, or disk full)")
        }
        try AtomicFile.commit(tmp, to: path)
    }
}
