import Foundation
internal import CGeoTIFF

/// Nadaraya–Watson smoothing of station counts onto a grid: for each cell
/// centre c and field f, Σᵢ K(‖c − xᵢ‖ / h) · countᵢ,f; shares are ratios of
/// these sums (``VoteSurface``), so a station weighs by its size.
///
/// A fixed bandwidth visits, per band of rows, only the stations within the
/// kernel's reach of the band (stations sorted by y), and per station only
/// the columns within reach of each row (an exact d² ≤ R² test, so the cut is
/// the reference's). The Gaussian is separable, exp(−dx²/2h²)·exp(−dy²/2h²),
/// so a station costs one exponential per row and per column in reach, and
/// one multiply–add per cell and field. The adaptive bandwidth (distance to
/// the k-th nearest station, per cell) queries the k-d tree per cell.
/// Stations are summed in a fixed order (by y, then record), the same for
/// any number of threads.
struct KernelSmoother: Sendable {
    let x: [Double]
    let y: [Double]
    /// Station indices sorted by (y, index), and their y in that order.
    let order: [Int32]
    let sortedY: [Double]
    let counts: [Double]
    let fieldCount: Int
    let grid: RasterGrid
    let kernel: VoteSurfaceOptions.Kernel
    let bandwidth: Double?
    let neighbours: Int?
    /// In bandwidths; nil: unbounded (Gaussian without truncation).
    let reach: Double?
    let tree: KDTree?

    init(points: ClusterPoints, counts: [Double], fieldCount: Int, grid: RasterGrid, options: VoteSurfaceOptions) throws {
        guard points.count > 0 else { throw GeoVoteError.invalidArgument("\(points.file ?? "the layer") has no station to smooth") }
        x = points.x
        y = points.y
        let ys = points.y
        order = (0..<Int32(points.count)).sorted { ys[Int($0)] != ys[Int($1)] ? ys[Int($0)] < ys[Int($1)] : $0 < $1 }
        sortedY = order.map { ys[Int($0)] }
        self.counts = counts
        self.fieldCount = fieldCount
        self.grid = grid
        kernel = options.kernel
        bandwidth = options.bandwidth
        neighbours = options.adaptiveNeighbours
        reach = options.reach
        tree = options.adaptiveNeighbours != nil ? KDTree(x: points.x, y: points.y) : nil
    }

    /// True when the station's kernel can reach a cell centre of the grid.
    func reachesGrid(_ i: Int) -> Bool {
        guard let h = bandwidth, let reach else { return true }
        let r = reach * h
        let cx0 = grid.centreX(column: 0), cx1 = grid.centreX(column: grid.columns - 1)
        let cy1 = grid.centreY(row: 0), cy0 = grid.centreY(row: grid.rows - 1)
        let dx = max(0, cx0 - x[i], x[i] - cx1), dy = max(0, cy0 - y[i], y[i] - cy1)
        return dx * dx + dy * dy <= r * r
    }

    var accumulate: VoteSurface.Accumulator {
        let smoother = self
        return { _, rows, sums, support in
            if smoother.bandwidth != nil { smoother.fixed(rows: rows, sums: sums, support: support) } else { smoother.adaptive(rows: rows, sums: sums, support: support) }
        }
    }

    /// The first index in `sortedY` with a value ≥ `value`.
    private func lowerBound(_ value: Double) -> Int {
        var lo = 0, hi = sortedY.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if sortedY[mid] < value { lo = mid + 1 } else { hi = mid }
        }
        return lo
    }

    private func fixed(rows: Range<Int>, sums: UnsafeMutablePointer<Double>, support: UnsafeMutablePointer<Double>) {
        let h = bandwidth!
        let cols = grid.columns
        let F = fieldCount
        let radius = reach.map { $0 * h }
        let r2 = radius.map { $0 * $0 } ?? .infinity
        let yTop = grid.centreY(row: rows.lowerBound), yBottom = grid.centreY(row: rows.upperBound - 1)
        let first = radius.map { lowerBound(yBottom - $0) } ?? 0
        let last = radius.map { lowerBound((yTop + $0).nextUp) } ?? sortedY.count
        guard first < last else { return }
        let inverse2h2 = 1 / (2 * h * h)
        let inverseH2 = 1 / (h * h)
        let cw = grid.cellWidth, minX = grid.minX
        let bandCells = rows.count * cols
        var gx = [Double](repeating: 0, count: cols)
        // The multipliers and rows of one row's update: the fields, then the support.
        let factors = UnsafeMutablePointer<Double>.allocate(capacity: F + 1)
        let targets = UnsafeMutablePointer<UnsafeMutablePointer<Double>?>.allocate(capacity: F + 1)
        defer { factors.deallocate(); targets.deallocate() }
        counts.withUnsafeBufferPointer { counts in
            gx.withUnsafeMutableBufferPointer { gx in
                for s in first..<last {
                    let i = Int(order[s])
                    let xs = x[i], ys = y[i]
                    // Columns within reach of the station at all.
                    var c0 = 0, c1 = cols - 1
                    if let radius {
                        c0 = max(0, Int(((xs - radius - minX) / cw - 0.5).rounded(.up)) - 1)
                        c1 = min(cols - 1, Int(((xs + radius - minX) / cw - 0.5).rounded(.down)) + 1)
                        guard c0 <= c1 else { continue }
                    }
                    if kernel == .gaussian {
                        for c in c0...c1 {
                            let dx = minX + (Double(c) + 0.5) * cw - xs
                            gx[c] = exp(-dx * dx * inverse2h2)
                        }
                    }
                    let v = counts.baseAddress! + i * F
                    for r in rows {
                        let dy = grid.centreY(row: r) - ys
                        let dy2 = dy * dy
                        if dy2 > r2 { continue }
                        var lo = c0, hi = c1
                        if radius != nil {
                            let half = (r2 - dy2).squareRoot()
                            lo = max(c0, Int(((xs - half - minX) / cw - 0.5).rounded(.up)) - 1)
                            hi = min(c1, Int(((xs + half - minX) / cw - 0.5).rounded(.down)) + 1)
                            // The exact test at both ends: d² ≤ R², as the reference.
                            while lo <= hi, Self.squared(minX + (Double(lo) + 0.5) * cw - xs) + dy2 > r2 { lo += 1 }
                            while hi >= lo, Self.squared(minX + (Double(hi) + 0.5) * cw - xs) + dy2 > r2 { hi -= 1 }
                            if lo > hi { continue }
                        }
                        let line = (r - rows.lowerBound) * cols
                        if kernel == .gaussian {
                            // One AXPY per field over the row's cells in reach (field-major sums).
                            let wy = exp(-dy2 * inverse2h2)
                            for f in 0..<F {
                                factors[f] = wy * v[f]
                                targets[f] = sums + f * bandCells + line + lo
                            }
                            factors[F] = wy
                            targets[F] = support + line + lo
                            gv_axpy_fields(hi - lo + 1, gx.baseAddress! + lo, F + 1, factors, targets)
                        } else {
                            for c in lo...hi {
                                let dx = minX + (Double(c) + 0.5) * cw - xs
                                let t = 1 - (dx * dx + dy2) * inverseH2
                                if t <= 0 { continue }
                                let w = t * t
                                let cell = line + c
                                support[cell] += w
                                for f in 0..<F { sums[f * bandCells + cell] += w * v[f] }
                            }
                        }
                    }
                }
            }
        }
    }

    @inline(__always) static func squared(_ v: Double) -> Double { v * v }

    private func adaptive(rows: Range<Int>, sums: UnsafeMutablePointer<Double>, support: UnsafeMutablePointer<Double>) {
        let tree = tree!, k = min(neighbours!, x.count)
        let cols = grid.columns, F = fieldCount
        counts.withUnsafeBufferPointer { counts in
            for r in rows {
                let cy = grid.centreY(row: r)
                for c in 0..<cols {
                    let cx = grid.centreX(column: c)
                    guard let kth = tree.nearest(to: (cx, cy, 0), k: k).last else { continue }
                    // The k-th distance, from the same d² the reference computes.
                    let j = kth.index
                    let h2 = Self.squared(x[j] - cx) + Self.squared(y[j] - cy)
                    let cell = (r - rows.lowerBound) * cols + c
                    let bandCells = rows.count * cols
                    var candidates: [Int]
                    var r2 = Double.infinity
                    if let reach {
                        r2 = reach * reach * h2
                        candidates = tree.within(radius: r2.squareRoot() * (1 + 1e-12), of: (cx, cy, 0)).map(\.index).sorted()
                    } else {
                        candidates = Array(0..<x.count)
                    }
                    for i in candidates {
                        let d2 = Self.squared(x[i] - cx) + Self.squared(y[i] - cy)
                        guard d2 <= r2 else { continue }
                        let w: Double
                        if h2 == 0 {
                            w = d2 == 0 ? 1 : 0  // k stations on the centre: they alone count
                        } else if kernel == .gaussian {
                            w = exp(-d2 / (2 * h2))
                        } else {
                            let t = 1 - d2 / h2
                            w = t > 0 ? t * t : 0
                        }
                        if w == 0 { continue }
                        support[cell] += w
                        let v = counts.baseAddress! + i * F
                        for f in 0..<F { sums[f * bandCells + cell] += w * v[f] }
                    }
                }
            }
        }
    }
}
