import Foundation

/// The exactly covered fraction of every grid cell by every polygon of a layer.
///
/// Each polygon's rings are walked through the grid once: every edge adds,
/// to the cells it crosses, the signed area between it and the cell's right
/// side (the accumulation of scanline font rasterisers, carried in double
/// precision), and a running sum along each row turns those into the
/// polygon's area in each cell. Holes and multipart polygons count with
/// their orientation normalised (exteriors add, holes subtract), so the
/// result is the area of polygon ∩ cell divided by the cell's area — what
/// exactextract computes (Baston 2022), without a GEOS intersection per cell.
///
/// Work is split in bands of ``bandRows`` rows (boundaries depend on the
/// grid only); within a band polygons are visited in layer order, so the
/// fractions, and every sum made from them in band and entry order, are the
/// same for any number of threads.
public struct CoverageFractions: Sendable {
    public let grid: RasterGrid
    /// Each polygon's planar area in CRS units² (exteriors minus holes).
    public let areas: [Double]
    /// Each polygon's area inside the grid: Σ fraction × cell area.
    public let coveredAreas: [Double]
    let bands: [Band]

    /// Rows per band of work.
    public static let bandRows = 16

    struct Band: Sendable {
        var rows: Range<Int>
        /// Entries in polygon order, then row-major cell order within a polygon.
        var polygon: [Int32] = []
        /// Cell index within the band: (row − rows.lowerBound) × columns + column.
        var cell: [Int32] = []
        var fraction: [Double] = []
    }

    /// Computes the fractions of every polygonal geometry (other kinds and
    /// empty geometries cover nothing).
    public init(_ geometries: [Geometry], grid: RasterGrid, workers: Int = Parallel.defaultWorkerCount) {
        self.grid = grid
        let n = geometries.count
        // Ring orientation factors and areas, once per polygon.
        let prepared = Parallel.map(count: n, grain: 256, workers: workers) { GridPolygon(geometries[$0], grid: grid) }
        areas = prepared.map(\.area)
        let bandCount = (grid.rows + Self.bandRows - 1) / Self.bandRows
        // Which polygons touch which band, in polygon order.
        var lists = [[Int32]](repeating: [], count: bandCount)
        for (p, polygon) in prepared.enumerated() where !polygon.rowRange.isEmpty {
            for b in (polygon.rowRange.lowerBound / Self.bandRows)...((polygon.rowRange.upperBound - 1) / Self.bandRows) {
                lists[b].append(Int32(p))
            }
        }
        let members = lists
        let slots = PerChunk<Band>(count: bandCount)
        Parallel.forEachChunk(count: bandCount, grain: 1, workers: workers) { _, b, _ in
            let rows = (b * Self.bandRows)..<min(grid.rows, (b + 1) * Self.bandRows)
            var band = Band(rows: rows)
            var scratch: [Double] = []
            for p in members[b] {
                prepared[Int(p)].rasterise(rows: rows, grid: grid, scratch: &scratch) { cell, fraction in
                    band.polygon.append(p)
                    band.cell.append(Int32(cell))
                    band.fraction.append(fraction)
                }
            }
            slots[b] = band
        }
        bands = slots.inOrder
        var covered = [Double](repeating: 0, count: n)
        for band in bands {
            for k in band.polygon.indices { covered[Int(band.polygon[k])] += band.fraction[k] }
        }
        let cellArea = grid.cellArea
        coveredAreas = covered.map { $0 * cellArea }
    }

    /// Entries (cell, fraction) stored: cells covered, counted once per polygon.
    public var entryCount: Int { bands.reduce(0) { $0 + $1.cell.count } }

    /// The cells a polygon covers, in row-major order: (row, column, fraction).
    public func cells(ofPolygon p: Int) -> [(row: Int, column: Int, fraction: Double)] {
        var out: [(row: Int, column: Int, fraction: Double)] = []
        for band in bands {
            for k in band.polygon.indices where band.polygon[k] == Int32(p) {
                let c = Int(band.cell[k])
                out.append((band.rows.lowerBound + c / grid.columns, c % grid.columns, band.fraction[k]))
            }
        }
        return out
    }
}

/// One polygon in grid units, ready to be rasterised band by band.
struct GridPolygon: Sendable {
    /// Vertices in grid units: u = (x − minX) / cellWidth, v = (maxY − y) / cellHeight.
    var u: [Double] = []
    var v: [Double] = []
    /// Rings as ranges of `u`/`v` with their sign (+1: adds area).
    var rings: [(range: Range<Int>, sign: Double)] = []
    var area: Double = 0
    /// The rows and columns of the grid the polygon's box touches.
    var rowRange: Range<Int> = 0..<0
    var columnRange: Range<Int> = 0..<0

    init(_ g: Geometry, grid: RasterGrid) {
        guard g.kind.isPolygonal, !g.isEmpty else { return }
        var minU = Double.infinity, maxU = -Double.infinity, minV = Double.infinity, maxV = -Double.infinity
        for part in 0..<(g.partOffsets.count - 1) {
            for r in Int(g.partOffsets[part])..<Int(g.partOffsets[part + 1]) {
                let start = Int(g.ringOffsets[r]), end = Int(g.ringOffsets[r + 1])
                guard end - start >= 3 else { continue }
                // Shoelace area in CRS units (positive: counter-clockwise).
                var twice = 0.0
                let x0 = g.x[start], y0 = g.y[start]
                for i in start..<(end - 1) {
                    twice += (g.x[i] - x0) * (g.y[i + 1] - y0) - (g.x[i + 1] - x0) * (g.y[i] - y0)
                }
                twice += (g.x[end - 1] - x0) * (g.y[start] - y0) - (g.x[start] - x0) * (g.y[end - 1] - y0)
                guard twice != 0, twice.isFinite else { continue }
                let isHole = r != Int(g.partOffsets[part])
                // A counter-clockwise ring accumulates +1 (see rasterise); exteriors add, holes subtract.
                let sign: Double = (twice > 0) == !isHole ? 1 : -1
                area += (isHole ? -0.5 : 0.5) * abs(twice)
                let first = u.count
                for i in start..<end {
                    let uu = (g.x[i] - grid.minX) / grid.cellWidth, vv = (grid.maxY - g.y[i]) / grid.cellHeight
                    u.append(uu)
                    v.append(vv)
                    minU = min(minU, uu); maxU = max(maxU, uu); minV = min(minV, vv); maxV = max(maxV, vv)
                }
                // Closed explicitly, so every edge is (i, i + 1).
                if g.x[end - 1] != g.x[start] || g.y[end - 1] != g.y[start] {
                    u.append(u[first])
                    v.append(v[first])
                }
                rings.append((first..<u.count, sign))
            }
        }
        guard !rings.isEmpty, minU.isFinite, maxU.isFinite, minV.isFinite, maxV.isFinite else { rings = []; return }
        let c0 = max(0, Int(max(-1, minU.rounded(.down)))), c1 = min(grid.columns, Int(min(Double(grid.columns) + 1, maxU.rounded(.up))))
        let r0 = max(0, Int(max(-1, minV.rounded(.down)))), r1 = min(grid.rows, Int(min(Double(grid.rows) + 1, maxV.rounded(.up))))
        if c0 < c1, r0 < r1 {
            columnRange = c0..<c1
            rowRange = r0..<r1
        }
    }

    /// Emits (grid-band cell index, fraction) for the cells of `rows` the polygon covers.
    func rasterise(rows band: Range<Int>, grid: RasterGrid, scratch: inout [Double], emit: (Int, Double) -> Void) {
        let rowLow = max(band.lowerBound, rowRange.lowerBound), rowHigh = min(band.upperBound, rowRange.upperBound)
        guard rowLow < rowHigh, !columnRange.isEmpty else { return }
        let width = columnRange.count
        let stride = width + 2
        let height = rowHigh - rowLow
        let needed = height * stride
        if scratch.count < needed { scratch = [Double](repeating: 0, count: needed) } else {
            scratch.withUnsafeMutableBufferPointer { $0.baseAddress!.update(repeating: 0, count: needed) }
        }
        let du = Double(columnRange.lowerBound), dv = Double(rowLow)
        let w = Double(width), h = Double(height)
        scratch.withUnsafeMutableBufferPointer { accBuffer in
            let acc = accBuffer.baseAddress!
            u.withUnsafeBufferPointer { u in
                v.withUnsafeBufferPointer { v in
                    for ring in rings {
                        for i in ring.range.lowerBound..<(ring.range.upperBound - 1) {
                            let v0 = v[i] - dv, v1 = v[i + 1] - dv
                            if v0 == v1 || (v0 <= 0 && v1 <= 0) || (v0 >= h && v1 >= h) { continue }
                            Self.clippedLine(u[i] - du, v0, u[i + 1] - du, v1, width: w, height: height, stride: stride, sign: ring.sign, acc: acc)
                        }
                    }
                }
            }
            let cols = grid.columns
            for r in 0..<height {
                var running = 0.0
                let line = acc + r * stride
                let base = (rowLow - band.lowerBound + r) * cols + columnRange.lowerBound
                for c in 0..<width {
                    running += line[c]
                    if running > Self.negligible {
                        emit(base + c, min(running, 1))
                    }
                }
            }
        }
    }

    /// Fractions below this are rounding, not area (a cell's fraction is a
    /// running sum of terms of size one).
    static let negligible = 1e-13

    /// Splits an edge at the window's left and right sides, so every piece is
    /// inside or flattened onto a side (a piece left of the window adds its
    /// whole height to every cell of the row, one to the right adds nothing).
    @inline(__always)
    static func clippedLine(_ u0: Double, _ v0: Double, _ u1: Double, _ v1: Double, width: Double, height: Int, stride: Int, sign: Double, acc: UnsafeMutablePointer<Double>) {
        if u0 >= 0, u1 >= 0, u0 <= width, u1 <= width {
            line(u0, v0, u1, v1, height: height, stride: stride, sign: sign, acc: acc)
            return
        }
        // Crossings with u = 0 and u = width, in order along the edge.
        var cuts: [Double] = [0]
        for side in [0.0, width] where (u0 - side) * (u1 - side) < 0 {
            cuts.append((side - u0) / (u1 - u0))
        }
        cuts.append(1)
        cuts.sort()
        var pu = u0, pv = v0
        for k in 1..<cuts.count {
            let t = cuts[k]
            let qu = t == 1 ? u1 : u0 + t * (u1 - u0), qv = t == 1 ? v1 : v0 + t * (v1 - v0)
            let mid = 0.5 * (pu + qu)
            let clampU: Double = mid < 0 ? 0 : (mid > width ? width : -1)
            if clampU >= 0 {
                line(clampU, pv, clampU, qv, height: height, stride: stride, sign: sign, acc: acc)
            } else {
                line(min(max(pu, 0), width), pv, min(max(qu, 0), width), qv, height: height, stride: stride, sign: sign, acc: acc)
            }
            pu = qu
            pv = qv
        }
    }

    /// Adds one edge's signed areas to the accumulation rows (u right, v down;
    /// an edge going down adds, one going up subtracts).
    @inline(__always)
    static func line(_ ua: Double, _ va: Double, _ ub: Double, _ vb: Double, height: Int, stride: Int, sign: Double, acc: UnsafeMutablePointer<Double>) {
        if va == vb { return }
        var dir = sign
        var (x0, y0, x1, y1) = (ua, va, ub, vb)
        if y0 > y1 {
            (x0, y0, x1, y1) = (ub, vb, ua, va)
            dir = -dir
        }
        let dxdy = (x1 - x0) / (y1 - y0)
        let yStart = max(0, Int(y0.rounded(.down)))
        let yEnd = min(height, Int(y1.rounded(.up)))
        guard yStart < yEnd else { return }
        var x = x0
        if y0 < 0 { x -= y0 * dxdy }
        for row in yStart..<yEnd {
            let line = acc + row * stride
            let top = max(Double(row), y0), bottom = min(Double(row + 1), y1)
            let dy = bottom - top
            if dy <= 0 { continue }
            // x at the bottom of this row's piece (exact at the edge's end).
            let xNext = bottom == y1 ? x1 : x + dxdy * dy
            let d = dy * dir
            let (xa, xb) = x < xNext ? (x, xNext) : (xNext, x)
            let xaFloor = xa.rounded(.down)
            let xai = Int(xaFloor)
            let xbCeil = xb.rounded(.up)
            let xbi = Int(xbCeil)
            if xbi <= xai + 1 {
                let xmf = 0.5 * (x + xNext) - xaFloor
                line[xai] += d - d * xmf
                line[xai + 1] += d * xmf
            } else {
                let s = 1 / (xb - xa)
                let xaf = xa - xaFloor
                let a0 = 0.5 * s * (1 - xaf) * (1 - xaf)
                let xbf = xb - xbCeil + 1
                let am = 0.5 * s * xbf * xbf
                line[xai] += d * a0
                if xbi == xai + 2 {
                    line[xai + 1] += d * (1 - a0 - am)
                } else {
                    let a1 = s * (1.5 - xaf)
                    line[xai + 1] += d * (a1 - a0)
                    var xi = xai + 2
                    while xi < xbi - 1 {
                        line[xi] += d * s
                        xi += 1
                    }
                    let a2 = a1 + Double(xbi - xai - 3) * s
                    line[xbi - 1] += d * (1 - a2 - am)
                }
                line[xbi] += d * am
            }
            x = xNext
        }
    }
}
