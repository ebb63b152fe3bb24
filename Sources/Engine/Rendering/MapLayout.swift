import Foundation

/// Where everything of a ``ThematicMap`` goes on the page, in pixels
/// (y down): the map frame fitted to the features' extent with its aspect
/// kept, the legend panel on the right, the title on top, the scale bar
/// bottom left of the frame and the north arrow top right. Shared by the
/// SVG and the cairo renderers, so that both draw the same picture.
public struct MapLayout: Sendable {
    public let width: Double
    public let height: Double
    /// The map frame: x0, y0 (top left), x1, y1.
    public let frame: (x0: Double, y0: Double, x1: Double, y1: Double)
    /// Pixels per CRS unit.
    public let scale: Double
    let originX: Double, originY: Double, minX: Double, maxY: Double
    /// The legend panel's left edge.
    public let legendX: Double
    /// The scale bar: its length in CRS units (metres), in pixels, and its label.
    public let scaleBar: (units: Double, pixels: Double, label: String)?

    public static let legendWidth = 300.0
    public static let titleHeight = 48.0
    static let margin = 16.0

    public init(_ map: ThematicMap) {
        width = Double(map.width)
        height = Double(map.height)
        legendX = width - Self.legendWidth
        frame = (Self.margin, Self.titleHeight + 8, legendX - Self.margin, height - Self.margin)
        var box: BoundingBox?
        for g in map.geometries + map.outlines {
            guard let b = g.boundingBox, b.minX.isFinite, b.maxX.isFinite, b.minY.isFinite, b.maxY.isFinite else { continue }
            if box == nil { box = b } else { box!.include(b) }
        }
        let b = box ?? BoundingBox(minX: 0, minY: 0, maxX: 1, maxY: 1)
        let spanX = max(b.maxX - b.minX, 1e-9), spanY = max(b.maxY - b.minY, 1e-9)
        let frameWidth = frame.x1 - frame.x0, frameHeight = frame.y1 - frame.y0
        scale = min(frameWidth / spanX, frameHeight / spanY)
        // Centred in the frame.
        originX = frame.x0 + (frameWidth - spanX * scale) / 2
        originY = frame.y0 + (frameHeight - spanY * scale) / 2
        minX = b.minX
        maxY = b.maxY
        if map.crs != nil, !map.crs!.isGeographic {
            // A round length near a quarter of the frame: 1, 2 or 5 × 10^k.
            let target = frameWidth / 4 / scale
            let power = pow(10, floor(log10(target)))
            let nice = [5.0, 2, 1].map { $0 * power }.first { $0 <= target } ?? power
            let label = nice >= 1000 ? "\(Self.trim(nice / 1000)) km" : "\(Self.trim(nice)) m"
            scaleBar = (nice, nice * scale, label)
        } else {
            scaleBar = nil
        }
    }

    static func trim(_ v: Double) -> String {
        v == v.rounded() ? String(Int(v)) : String(format: "%g", v)
    }

    /// The pixel of a CRS coordinate.
    @inline(__always)
    public func pixel(_ x: Double, _ y: Double) -> (x: Double, y: Double) {
        (originX + (x - minX) * scale, originY + (maxY - y) * scale)
    }

    /// The rings of a feature in pixels, each an interleaved x, y list with
    /// the points closer than a third of a pixel to the last kept one left
    /// out (a ring keeps at least its first three points). Points give one
    /// "ring" of one point.
    func pixelRings(_ g: Geometry) -> [[Double]] {
        var rings: [[Double]] = []
        rings.reserveCapacity(g.ringCount)
        let tolerance = 1.0 / 9.0  // (1/3 px)²
        for r in 0..<g.ringCount {
            let range = g.coordinates(ofRing: r)
            var out: [Double] = []
            out.reserveCapacity(min(range.count, 64) * 2)
            var lastX = Double.nan, lastY = Double.nan
            for (k, i) in range.enumerated() {
                let p = pixel(g.x[i], g.y[i])
                let dx = p.x - lastX, dy = p.y - lastY
                if k < 3 || k == range.count - 1 || !(dx * dx + dy * dy < tolerance) {
                    out.append(p.x)
                    out.append(p.y)
                    lastX = p.x
                    lastY = p.y
                }
            }
            rings.append(out)
        }
        return rings
    }

    /// Where a feature's label goes: the area-weighted centroid of its
    /// largest ring (the point itself for points), in pixels.
    func labelPoint(_ g: Geometry) -> (x: Double, y: Double)? {
        guard !g.isEmpty else { return nil }
        if g.kind.isPuntal { return pixel(g.x[0], g.y[0]) }
        var best: (area: Double, x: Double, y: Double)?
        for r in 0..<g.ringCount {
            let range = g.coordinates(ofRing: r)
            guard range.count >= 3 else { continue }
            var a = 0.0, cx = 0.0, cy = 0.0
            let x0 = g.x[range.lowerBound], y0 = g.y[range.lowerBound]
            for i in range.dropLast() {
                let xa = g.x[i] - x0, ya = g.y[i] - y0, xb = g.x[i + 1] - x0, yb = g.y[i + 1] - y0
                let cross = xa * yb - xb * ya
                a += cross
                cx += (xa + xb) * cross
                cy += (ya + yb) * cross
            }
            guard a != 0, abs(a) > (best?.area ?? 0) else { continue }
            best = (abs(a), x0 + cx / (3 * a), y0 + cy / (3 * a))
        }
        return best.map { pixel($0.x, $0.y) }
    }

    /// The labels that fit: features taken largest first (by their box on
    /// the page), a label kept only when its box (estimated from its length:
    /// 0.6 em per character, 1.3 em high) overlaps no label kept before and
    /// lies inside the frame. The same placement in SVG and cairo.
    /// - Returns: the feature, its label and the label's centre, in drawing order.
    func placedLabels(_ map: ThematicMap, fontSize: Double) -> [(feature: Int, text: String, x: Double, y: Double)] {
        guard let labels = map.labels else { return [] }
        var candidates: [(feature: Int, size: Double)] = []
        for (i, label) in labels.enumerated() where label != nil {
            guard let b = map.geometries[i].boundingBox else { continue }
            candidates.append((i, (b.maxX - b.minX) * (b.maxY - b.minY)))
        }
        candidates.sort { $0.size != $1.size ? $0.size > $1.size : $0.feature < $1.feature }
        // Kept boxes in a coarse grid of 64-pixel cells.
        var grid: [Int: [(Double, Double, Double, Double)]] = [:]
        var out: [(feature: Int, text: String, x: Double, y: Double)] = []
        for (i, _) in candidates {
            guard let text = labels[i], let p = labelPoint(map.geometries[i]) else { continue }
            let halfWidth = 0.3 * fontSize * Double(text.count) + 1, halfHeight = 0.65 * fontSize
            let box = (p.x - halfWidth, p.y - halfHeight, p.x + halfWidth, p.y + halfHeight)
            guard box.0 >= frame.x0, box.2 <= frame.x1, box.1 >= frame.y0, box.3 <= frame.y1 else { continue }
            let cells = (Int(box.0 / 64)...Int(box.2 / 64)).flatMap { cx in (Int(box.1 / 64)...Int(box.3 / 64)).map { cx * 100_000 + $0 } }
            let clash = cells.contains { cell in
                grid[cell]?.contains { $0.0 < box.2 && box.0 < $0.2 && $0.1 < box.3 && box.1 < $0.3 } ?? false
            }
            guard !clash else { continue }
            for cell in cells { grid[cell, default: []].append(box) }
            out.append((i, text, p.x, p.y))
        }
        return out
    }
}
