import Foundation
internal import CCairo

/// PNG and PDF maps: cairo draws, pango lays out the text.
enum CairoMapDrawing {
    /// The font list every text is set in (fontconfig falls back per glyph).
    static let fontFamily = "Noto Sans, Noto Sans Arabic, DejaVu Sans"

    static func write(_ map: ThematicMap, to path: String, format: MapRenderer.Format, workers: Int) throws -> MapRenderer.Report {
        let tmp = AtomicFile.temporaryPath(beside: path)
        AtomicFile.track(tmp)
        defer { AtomicFile.untrack(tmp) }
        // NULL never: an error surface instead, reported by cairo_surface_status.
        let surface: OpaquePointer? = format == .pdf
            ? cairo_pdf_surface_create(tmp, Double(map.width), Double(map.height))
            : cairo_image_surface_create(CAIRO_FORMAT_RGB24, Int32(map.width), Int32(map.height))
        guard let surface, cairo_surface_status(surface) == CAIRO_STATUS_SUCCESS else {
            if let surface { cairo_surface_destroy(surface) }
            unlink(tmp)
            throw GeoVoteError.io(path: path, reason: "cannot be drawn: cairo could not make a \(map.width) × \(map.height) \(format.rawValue) surface")
        }
        var unknown: [(String, Int)] = []
        do {
            let cr = cairo_create(surface)!
            defer { cairo_destroy(cr) }
            draw(map, cr, workers: workers, unknown: &unknown)
            cairo_surface_flush(surface)
            if format == .png {
                // CAIRO_STATUS_SUCCESS or a write error.
                guard cairo_surface_write_to_png(surface, tmp) == CAIRO_STATUS_SUCCESS else {
                    cairo_surface_destroy(surface)
                    unlink(tmp)
                    throw GeoVoteError.io(path: path, reason: "cannot be written (folder not writable, or disk full)")
                }
            }
        }
        // A PDF is written when its surface is finished.
        cairo_surface_finish(surface)
        let status = cairo_surface_status(surface)
        cairo_surface_destroy(surface)
        guard status == CAIRO_STATUS_SUCCESS else {
            unlink(tmp)
            throw GeoVoteError.io(path: path, reason: "cannot be written: cairo: \(String(cString: cairo_status_to_string(status)))")
        }
        try AtomicFile.commit(tmp, to: path)
        return MapRenderer.Report(format: format, unknownGlyphs: unknown)
    }

    /// The map drawn in memory: its pixels row by row, 0xRRGGBB each.
    static func pixels(_ map: ThematicMap, workers: Int) throws -> [UInt32] {
        // An error surface (never NULL) on failure.
        let surface = cairo_image_surface_create(CAIRO_FORMAT_RGB24, Int32(map.width), Int32(map.height))!
        defer { cairo_surface_destroy(surface) }
        guard cairo_surface_status(surface) == CAIRO_STATUS_SUCCESS else {
            throw GeoVoteError.invalidArgument("cairo could not make a \(map.width) × \(map.height) image")
        }
        var unknown: [(String, Int)] = []
        let cr = cairo_create(surface)!
        draw(map, cr, workers: workers, unknown: &unknown)
        cairo_destroy(cr)
        cairo_surface_flush(surface)
        let stride = Int(cairo_image_surface_get_stride(surface))
        let data = cairo_image_surface_get_data(surface)!
        var out = [UInt32](repeating: 0, count: map.width * map.height)
        for r in 0..<map.height {
            let row = UnsafeRawPointer(data + r * stride).assumingMemoryBound(to: UInt32.self)
            for c in 0..<map.width { out[r * map.width + c] = row[c] & 0xffffff }
        }
        return out
    }

    static func unknownGlyphs(_ text: String) -> Int {
        let surface = cairo_image_surface_create(CAIRO_FORMAT_RGB24, 4, 4)!
        defer { cairo_surface_destroy(surface) }
        let cr = cairo_create(surface)!
        defer { cairo_destroy(cr) }
        let drawer = TextDrawer(cr)
        drawer.show(text, x: 0, y: 0, size: 10)
        return drawer.unknown.reduce(0) { $0 + $1.1 }
    }

    static func setColour(_ cr: OpaquePointer, _ c: RGBColour) {
        let (r, g, b) = c.unit
        cairo_set_source_rgb(cr, r, g, b)
    }

    static func addRings(_ cr: OpaquePointer, _ rings: [[Double]]) {
        for r in rings where r.count >= 4 {
            cairo_move_to(cr, r[0], r[1])
            var k = 2
            while k < r.count {
                cairo_line_to(cr, r[k], r[k + 1])
                k += 2
            }
            cairo_close_path(cr)
        }
    }

    static func draw(_ map: ThematicMap, _ cr: OpaquePointer, workers: Int, unknown: inout [(String, Int)]) {
        let layout = MapLayout(map)
        let rings = MapRenderer.pixelRings(map, layout, workers: workers)
        cairo_set_source_rgb(cr, 1, 1, 1)
        cairo_paint(cr)
        cairo_set_fill_rule(cr, CAIRO_FILL_RULE_EVEN_ODD)
        cairo_set_line_join(cr, CAIRO_LINE_JOIN_ROUND)
        // One path per class: far fewer fills than one per feature.
        let puntal = map.geometries.contains { $0.kind.isPuntal }
        // Points: overlapping discs must not cancel each other out (even-odd would).
        if puntal { cairo_set_fill_rule(cr, CAIRO_FILL_RULE_WINDING) }
        let radius = MapRenderer.pointRadius(map)
        for entry in -1..<map.legend.count {
            let colour = entry < 0 ? MapPalette.noData : map.legend[entry].colour
            var any = false
            for i in map.geometries.indices where (map.classes[i] ?? -1) == entry {
                any = true
                if puntal {
                    for r in rings[i] where r.count >= 2 {
                        cairo_new_sub_path(cr)
                        cairo_arc(cr, r[0], r[1], radius, 0, 2 * .pi)
                    }
                } else {
                    addRings(cr, rings[i])
                }
            }
            guard any else { continue }
            setColour(cr, colour)
            cairo_fill(cr)
        }
        // Boundaries, all at once.
        if !puntal {
            for r in rings { addRings(cr, r) }
            cairo_set_source_rgb(cr, 0.4, 0.4, 0.4)
            cairo_set_line_width(cr, map.geometries.count > 5000 ? 0.15 : 0.4)
            cairo_stroke(cr)
        }
        if !map.outlines.isEmpty {
            for g in map.outlines { addRings(cr, layout.pixelRings(g)) }
            cairo_set_source_rgb(cr, 0, 0, 0)
            cairo_set_line_width(cr, 1.6)
            cairo_stroke(cr)
        }
        let text = TextDrawer(cr)
        defer { unknown = text.unknown }
        for label in layout.placedLabels(map, fontSize: 11) {
            text.show(label.text, x: label.x, y: label.y, size: 8, centred: true, colour: RGBColour(0x222222))
        }
        if map.isEmpty {
            text.show("no data", x: (layout.frame.x0 + layout.frame.x1) / 2, y: (layout.frame.y0 + layout.frame.y1) / 2,
                      size: 22, centred: true, colour: RGBColour(0x888888))
        }
        text.show(map.title, x: MapLayout.margin, y: 12, size: 16, bold: true)
        // Legend.
        let lx = layout.legendX + 8
        var y = 70.0
        for (colour, label, _, _) in MapRenderer.legendRows(map) {
            setColour(cr, colour)
            cairo_rectangle(cr, lx, y, 18, 14)
            cairo_fill_preserve(cr)
            cairo_set_source_rgb(cr, 0.4, 0.4, 0.4)
            cairo_set_line_width(cr, 0.5)
            cairo_stroke(cr)
            text.show(label, x: lx + 26, y: y - 1, size: 9.5)
            y += 22
        }
        for note in map.notes {
            y += 4
            y += text.show(note, x: lx, y: y, size: 7, colour: RGBColour(0x555555), wrap: MapLayout.legendWidth - 24)
        }
        if let bar = layout.scaleBar {
            let x0 = layout.frame.x0 + 8, yb = layout.frame.y1 - 14
            cairo_set_source_rgb(cr, 0, 0, 0)
            cairo_rectangle(cr, x0, yb, bar.pixels, 5)
            cairo_fill(cr)
            text.show(bar.label, x: x0, y: yb - 18, size: 9)
        }
        let (nx, ny) = MapRenderer.northArrow(layout)
        cairo_move_to(cr, nx, ny)
        cairo_line_to(cr, nx - 8, ny + 24)
        cairo_line_to(cr, nx, ny + 18)
        cairo_line_to(cr, nx + 8, ny + 24)
        cairo_close_path(cr)
        cairo_set_source_rgb(cr, 0, 0, 0)
        cairo_fill(cr)
        text.show("N", x: nx, y: ny + 26, size: 10, centred: true)
    }

    /// Lays out and draws text with pango, counting unknown glyphs.
    final class TextDrawer {
        let cr: OpaquePointer
        let layout: OpaquePointer
        var unknown: [(String, Int)] = []

        init(_ cr: OpaquePointer) {
            self.cr = cr
            // Never NULL (GLib aborts on out of memory); freed with g_object_unref.
            layout = pango_cairo_create_layout(cr)
        }

        deinit { g_object_unref(UnsafeMutableRawPointer(layout)) }

        /// Draws `text` with its top left (or top centre) at x, y; returns its height.
        @discardableResult
        func show(_ text: String, x: Double, y: Double, size: Double, bold: Bool = false, centred: Bool = false,
                  colour: RGBColour = RGBColour(0x000000), wrap: Double? = nil) -> Double {
            let description = pango_font_description_from_string("\(CairoMapDrawing.fontFamily) \(bold ? "Bold " : "")\(size)")
            defer { pango_font_description_free(description) }
            pango_layout_set_font_description(layout, description)
            pango_layout_set_width(layout, wrap.map { Int32($0 * Double(PANGO_SCALE)) } ?? -1)
            pango_layout_set_wrap(layout, PANGO_WRAP_WORD_CHAR)
            pango_layout_set_text(layout, text, -1)
            let missing = Int(pango_layout_get_unknown_glyphs_count(layout))
            if missing > 0 { unknown.append((text, missing)) }
            var width: Int32 = 0, height: Int32 = 0
            pango_layout_get_pixel_size(layout, &width, &height)
            CairoMapDrawing.setColour(cr, colour)
            cairo_move_to(cr, centred ? x - Double(width) / 2 : x, centred ? y - Double(height) / 2 : y)
            pango_cairo_show_layout(cr, layout)
            return Double(height)
        }
    }
}
