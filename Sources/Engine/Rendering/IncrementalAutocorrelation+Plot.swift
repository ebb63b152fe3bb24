import Foundation

extension IncrementalAutocorrelation {
    /// ArcGIS's Incremental Spatial Autocorrelation graph as an `<svg>`
    /// document: z of every band against its distance, joined by a line;
    /// dashed lines at z = 1.65 and 1.96; the first peak and the highest peak
    /// marked (`circle.peak`, `data-peak` first / highest / first highest);
    /// `circle.band` one per band with `data-distance` and `data-z`.
    /// - Parameters:
    ///   - width: pixels.
    ///   - height: pixels.
    public func plotSVG(width: Int = 720, height: Int = 420) -> String {
        let f = MapRenderer.fmt
        let w = Double(width), h = Double(height), left = 64.0, right = 24.0, top = 44.0, bottom = 52.0
        let defined = bands.filter { $0.z.isFinite }
        let distances = bands.map(\.distance)
        let xLow = distances.min() ?? 0, xHigh = max(distances.max() ?? 1, xLow + 1e-9)
        let zs = defined.map(\.z) + [0, 1.96]
        let yLow = min(zs.min() ?? 0, 0), yHigh = max(zs.max() ?? 1, 1.96) * 1.08
        func px(_ d: Double) -> Double { left + (d - xLow) / (xHigh - xLow) * (w - left - right) }
        func py(_ z: Double) -> Double { h - bottom - (z - yLow) / (yHigh - yLow) * (h - top - bottom) }
        var s = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        s += "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"isa\" width=\"\(width)\" height=\"\(height)\" viewBox=\"0 0 \(width) \(height)\" font-family=\"Noto Sans, DejaVu Sans, sans-serif\">\n"
        s += "<rect width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>\n"
        s += "<text x=\"\(f(w / 2))\" y=\"24\" font-size=\"15\" text-anchor=\"middle\">Spatial autocorrelation by distance — \(MapRenderer.escape(variable.description))</text>\n"
        // Axes, with five ticks each.
        s += "<g id=\"axes\" stroke=\"#444444\" font-size=\"11\" fill=\"#222222\">\n"
        s += "<line x1=\"\(f(left))\" y1=\"\(f(h - bottom))\" x2=\"\(f(w - right))\" y2=\"\(f(h - bottom))\"/><line x1=\"\(f(left))\" y1=\"\(f(top))\" x2=\"\(f(left))\" y2=\"\(f(h - bottom))\"/>\n"
        for k in 0...4 {
            let d = xLow + Double(k) / 4 * (xHigh - xLow), z = yLow + Double(k) / 4 * (yHigh - yLow)
            s += "<text x=\"\(f(px(d)))\" y=\"\(f(h - bottom + 16))\" text-anchor=\"middle\" stroke=\"none\">\(String(format: abs(d) >= 1000 ? "%.0f" : "%.4g", d))</text>"
            s += "<text x=\"\(f(left - 6))\" y=\"\(f(py(z) + 4))\" text-anchor=\"end\" stroke=\"none\">\(String(format: "%.3g", z))</text>\n"
        }
        s += "<text x=\"\(f(w / 2))\" y=\"\(f(h - 12))\" text-anchor=\"middle\" stroke=\"none\">distance (CRS units)</text>"
        s += "<text x=\"16\" y=\"\(f(h / 2))\" text-anchor=\"middle\" stroke=\"none\" transform=\"rotate(-90 16 \(f(h / 2)))\">z-score</text>\n</g>\n"
        // The two labels as one where the lines are too close to label apart.
        let apart = py(1.65) - py(1.96) >= 12
        for (z, label) in [(1.65, apart ? "1.65 (90 %)" : ""), (1.96, apart ? "1.96 (95 %)" : "1.65 / 1.96 (90 / 95 %)")] {
            s += "<line class=\"threshold\" data-z=\"\(z)\" x1=\"\(f(left))\" y1=\"\(f(py(z)))\" x2=\"\(f(w - right))\" y2=\"\(f(py(z)))\" stroke=\"#999999\" stroke-dasharray=\"4 3\"/>"
            guard !label.isEmpty else { continue }
            s += "<text x=\"\(f(w - right - 4))\" y=\"\(f(py(z) - 3))\" font-size=\"10\" text-anchor=\"end\" fill=\"#777777\">\(label)</text>\n"
        }
        let points = defined.map { "\(f(px($0.distance))),\(f(py($0.z)))" }.joined(separator: " ")
        s += "<polyline id=\"z\" points=\"\(points)\" fill=\"none\" stroke=\"#2166ac\" stroke-width=\"1.8\"/>\n"
        for b in defined {
            s += "<circle class=\"band\" data-band=\"\(b.band)\" data-distance=\"\(b.distance)\" data-z=\"\(b.z)\" cx=\"\(f(px(b.distance)))\" cy=\"\(f(py(b.z)))\" r=\"3.5\" fill=\"#2166ac\"><title>band \(b.band): distance \(String(format: "%.6g", b.distance)), I \(String(format: "%.4f", b.I)), z \(String(format: "%.3f", b.z))</title></circle>\n"
        }
        for (i, b) in bands.enumerated() where b.z.isFinite {
            let tags = (i == firstPeak ? ["first"] : []) + (i == highestPeak ? ["highest"] : [])
            guard !tags.isEmpty else { continue }
            s += "<circle class=\"peak\" data-peak=\"\(tags.joined(separator: " "))\" data-band=\"\(b.band)\" cx=\"\(f(px(b.distance)))\" cy=\"\(f(py(b.z)))\" r=\"8\" fill=\"none\" stroke=\"#d62f27\" stroke-width=\"2\"/>"
            s += "<text x=\"\(f(px(b.distance)))\" y=\"\(f(py(b.z) - 12))\" font-size=\"11\" text-anchor=\"middle\" fill=\"#d62f27\">\(tags.joined(separator: ", ")) peak</text>\n"
        }
        s += "</svg>\n"
        return s
    }
}
