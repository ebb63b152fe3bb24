/// DBSCAN (Ester, Kriegel, Sander & Xu 1996) on planar points, with
/// scikit-learn's conventions, so that its labels come out the same.
///
/// ```swift
/// let points = try ClusterPoints(table: stations, file: "stations_utm29n.shp")
/// let result = try DBSCAN.run(points, eps: 2_000, minSamples: 10)
/// result.labels   // -1 for noise, 0, 1, … in the order scikit-learn numbers them
/// ```
///
/// Conventions (those of `sklearn.cluster.DBSCAN`):
/// - A neighbour is a point within `eps`, inclusive, tested as
///   `dx² + dy² ≤ eps²` (the arithmetic of scikit-learn's k-d tree); a point
///   is its own neighbour.
/// - A point is **core** when the number of its neighbours — or, with
///   `weights`, the sum of their weights (scikit-learn's `sample_weight`) —
///   reaches `minSamples`.
/// - Clusters are the connected components of core points under the
///   neighbour relation, numbered in the order of their lowest-index core
///   point (scikit-learn starts a cluster at the first unlabelled core point
///   it meets, in input order).
/// - A **border** point (not core, with a core neighbour) joins the cluster
///   with the lowest number among its core neighbours' clusters: the first
///   scikit-learn's expansion reaches. Everything else is noise (−1).
///
/// How: points are binned in a grid of cells of side `eps/√2` (slightly
/// less), so every two points of a cell are neighbours (Gunawan 2013;
/// Gan & Tao 2015); neighbours are searched in the 21 cells around a cell.
/// Core flags and border labels are computed in parallel over cells; core
/// cells are merged with a union–find, one link per pair of neighbouring
/// cells. Cells are chunked by count, so the result does not depend on the
/// number of threads (it is a unique function of the input anyway).
/// - Complexity: O(n log n) for the grid, plus the neighbour tests, O(n·k)
///   for k points within eps on average.
public enum DBSCAN {
    /// Labels and core flags, in input order.
    public struct Result: Sendable, Equatable {
        /// Cluster of each point, `-1` for noise.
        public var labels: [Int]
        /// Whether each point is a core point.
        public var core: [Bool]
        /// Number of clusters.
        public var clusterCount: Int
    }

    /// Runs DBSCAN.
    /// - Parameters:
    ///   - points: planar points (checked finite by ``ClusterPoints``).
    ///   - eps: neighbourhood radius, in the points' CRS units (> 0, finite).
    ///   - minSamples: neighbours (the point included) or summed weight a core
    ///     point needs (≥ 1).
    ///   - weights: optional non-negative, finite weight per point.
    ///   - workers: threads (the result does not depend on it).
    /// - Throws: `GeoVoteError.invalidArgument` for eps, minSamples or weights
    ///   out of range.
    public static func run(_ points: ClusterPoints, eps: Double, minSamples: Double, weights: [Double]? = nil,
                           workers: Int = Parallel.defaultWorkerCount) throws -> Result {
        let n = points.count
        guard eps.isFinite, eps > 0 else { throw GeoVoteError.invalidArgument("eps must be a positive distance in the layer's units, not \(eps)") }
        guard minSamples.isFinite, minSamples >= 1 else { throw GeoVoteError.invalidArgument("min_samples must be at least 1, not \(minSamples)") }
        if let weights {
            precondition(weights.count == n)
            if let i = weights.indices.first(where: { !weights[$0].isFinite || weights[$0] < 0 }) {
                throw GeoVoteError.malformed(DataLocation(file: points.file, record: i, field: points.weightField, value: String(weights[i])),
                                             reason: "is not a non-negative weight (DBSCAN sums the weights within eps)")
            }
        } else if minSamples > Double(n) {
            throw GeoVoteError.invalidArgument("min_samples (\(Int(minSamples))) is more than the \(n) points: no point can be core")
        }
        guard n > 0 else { return Result(labels: [], core: [], clusterCount: 0) }
        let grid = try CellGrid(points, eps: eps)
        let eps2 = eps * eps
        let cellCount = grid.cellCount
        let grain = 256

        // 1. Core flags, in parallel over cells.
        let core = grid.mapPoints(count: n, initial: false, grain: grain, workers: workers) { i, around in
            let (xi, yi) = (points.x[i], points.y[i])
            var total = 0.0
            for d in around {
                if grid.shortcut, grid.farthestSquared(from: (xi, yi), cell: d) < grid.surelyInside {
                    total += weights == nil ? Double(grid.range(of: d).count) : grid.cellWeight(d, weights!)
                } else {
                    for s in grid.range(of: d) {
                        let j = Int(grid.order[s])
                        let dx = xi - points.x[j], dy = yi - points.y[j]
                        if dx * dx + dy * dy <= eps2 { total += weights?[j] ?? 1 }
                    }
                }
                if total >= minSamples { return true }
            }
            return total >= minSamples
        }

        let isCore = core
        // 2. Links between core points: inside a cell all cores are linked
        //    (shortcut) or tested pairwise; between neighbouring cells, the
        //    first core pair within eps (shortcut) or every pair.
        let links = PerChunk<[(Int32, Int32)]>(count: (cellCount + grain - 1) / grain)
        Parallel.forEachChunk(count: cellCount, grain: grain, workers: workers) { _, chunk, cells in
            var found: [(Int32, Int32)] = []
            var around: [Int] = []
            for c in cells {
                let mine = grid.range(of: c).lazy.map { Int(grid.order[$0]) }.filter { isCore[$0] }
                guard let first = mine.first else { continue }
                if grid.shortcut {
                    for i in mine where i != first { found.append((Int32(first), Int32(i))) }
                }
                grid.neighbourCells(of: c, into: &around)
                for d in around where d >= c {
                    if d == c && grid.shortcut { continue }
                    outer: for i in mine {
                        for s in grid.range(of: d) {
                            let j = Int(grid.order[s])
                            guard isCore[j], d != c || j > i else { continue }
                            let dx = points.x[i] - points.x[j], dy = points.y[i] - points.y[j]
                            if dx * dx + dy * dy <= eps2 {
                                found.append((Int32(i), Int32(j)))
                                if grid.shortcut { break outer }
                            }
                        }
                    }
                }
            }
            links[chunk] = found
        }
        var sets = UnionFind(count: n)
        for chunk in links.inOrder { for (a, b) in chunk { sets.union(Int(a), Int(b)) } }

        // 3. Cluster numbers in the order of each cluster's lowest core index.
        var labels = [Int](repeating: -1, count: n)
        var number = [Int32](repeating: -1, count: n)  // by root
        var clusters = 0
        for i in 0..<n where core[i] {
            let root = sets.find(i)
            if number[root] < 0 { number[root] = Int32(clusters); clusters += 1 }
            labels[i] = Int(number[root])
        }

        // 4. Border points: the lowest cluster number among core neighbours.
        let coreLabels = labels
        let border = grid.mapPoints(count: n, initial: -1, grain: grain, workers: workers) { i, around in
            if isCore[i] { return coreLabels[i] }
            var best = Int.max
            for d in around {
                for s in grid.range(of: d) {
                    let j = Int(grid.order[s])
                    guard isCore[j], coreLabels[j] < best else { continue }
                    let dx = points.x[i] - points.x[j], dy = points.y[i] - points.y[j]
                    if dx * dx + dy * dy <= eps2 { best = coreLabels[j] }
                }
            }
            return best == Int.max ? -1 : best
        }
        labels = border
        return Result(labels: labels, core: core, clusterCount: clusters)
    }
}

/// Points binned in square cells of side a little under `eps/√2`, sorted
/// by cell: the neighbour search of DBSCAN.
struct CellGrid: Sendable {
    /// Point indices sorted by cell (then by index).
    let order: [Int32]
    /// Cell `c` holds `order[starts[c]..<starts[c + 1]]`.
    let starts: [Int32]
    /// Cell coordinates, sorted (column, then row).
    let columns: [Int64]
    let rows: [Int64]
    let side: Double
    let originX: Double, originY: Double
    /// Every two points of a cell, and every point of a cell whose farthest
    /// corner is nearer than `surelyInside`, are within eps. Off when the
    /// coordinates are too large for eps to be resolved safely.
    let shortcut: Bool
    let surelyInside: Double

    var cellCount: Int { columns.count }

    init(_ points: ClusterPoints, eps: Double) throws {
        let n = points.count
        let minX = points.x.min()!, minY = points.y.min()!
        let maxX = points.x.max()!, maxY = points.y.max()!
        // Below √2 so that rounding in the cell of a point cannot put two
        // points more than eps apart into one cell.
        side = eps / 2.0.squareRoot() * (1 - 1e-6)
        let span = max(maxX - minX, maxY - minY, abs(minX), abs(minY), abs(maxX), abs(maxY))
        guard span / side < 1e17 else {
            throw GeoVoteError.invalidArgument("eps \(eps) is below what the coordinates can resolve (they reach \(span)): use a larger eps")
        }
        shortcut = span / side < 1e8
        surelyInside = eps * eps * (1 - 1e-6)
        originX = minX
        originY = minY
        var keyed = [(Int64, Int64, Int32)]()
        keyed.reserveCapacity(n)
        for i in 0..<n {
            keyed.append((Int64(((points.x[i] - minX) / side).rounded(.down)), Int64(((points.y[i] - minY) / side).rounded(.down)), Int32(i)))
        }
        keyed.sort { ($0.0, $0.1, $0.2) < ($1.0, $1.1, $1.2) }
        var order = [Int32](), starts = [Int32](), columns = [Int64](), rows = [Int64]()
        order.reserveCapacity(n)
        for (k, entry) in keyed.enumerated() {
            if k == 0 || entry.0 != keyed[k - 1].0 || entry.1 != keyed[k - 1].1 {
                starts.append(Int32(k))
                columns.append(entry.0)
                rows.append(entry.1)
            }
            order.append(entry.2)
        }
        starts.append(Int32(n))
        self.order = order
        self.starts = starts
        self.columns = columns
        self.rows = rows
    }

    @inline(__always)
    func range(of cell: Int) -> Range<Int> { Int(starts[cell])..<Int(starts[cell + 1]) }

    /// `body(i, cells around i's cell)` for every point, in parallel over
    /// chunks of cells, each point's value stored at its input index.
    @inline(__always)
    func mapPoints<T>(count n: Int, initial: T, grain: Int, workers: Int, _ body: @Sendable (Int, [Int]) -> T) -> [T] {
        var out = [T](repeating: initial, count: n)
        out.withUnsafeMutableBufferPointer { buffer in
            let target = UnsafeSendableBuffer(buffer)
            Parallel.forEachChunk(count: cellCount, grain: grain, workers: workers) { _, _, cells in
                var around: [Int] = []
                for c in cells {
                    neighbourCells(of: c, into: &around)
                    for slot in range(of: c) {
                        let i = Int(order[slot])
                        target[i] = body(i, around)
                    }
                }
            }
        }
        return out
    }

    func cellWeight(_ cell: Int, _ weights: [Double]) -> Double {
        var total = 0.0
        for s in range(of: cell) { total += weights[Int(order[s])] }
        return total
    }

    /// The cell at (column, row), by binary search.
    func cell(column: Int64, row: Int64) -> Int? {
        var lo = 0, hi = columns.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if (columns[mid], rows[mid]) < (column, row) { lo = mid + 1 } else { hi = mid }
        }
        return lo < columns.count && columns[lo] == column && rows[lo] == row ? lo : nil
    }

    /// The non-empty cells that can hold a point within eps of a point of
    /// `cell` (the 5 × 5 block without its corners), ascending, itself included.
    func neighbourCells(of cell: Int, into around: inout [Int]) {
        around.removeAll(keepingCapacity: true)
        let (c, r) = (columns[cell], rows[cell])
        for dc in Int64(-2)...2 {
            for dr in Int64(-2)...2 where abs(dc) + abs(dr) < 4 {
                if let d = self.cell(column: c + dc, row: r + dr) { around.append(d) }
            }
        }
    }

    /// Squared distance from a position to the farthest corner of a cell.
    @inline(__always)
    func farthestSquared(from p: (Double, Double), cell: Int) -> Double {
        let x0 = originX + Double(columns[cell]) * side, y0 = originY + Double(rows[cell]) * side
        // Cells are widened by a hair: a point's cell comes from a rounded division.
        let pad = side * 1e-6
        let dx = max(abs(p.0 - (x0 - pad)), abs(x0 + side + pad - p.0))
        let dy = max(abs(p.1 - (y0 - pad)), abs(y0 + side + pad - p.1))
        return dx * dx + dy * dy
    }
}

/// Disjoint sets over `0..<count` (union by size, path halving).
struct UnionFind {
    private var parent: [Int32]
    private var size: [Int32]

    init(count: Int) {
        parent = (0..<count).map(Int32.init)
        size = [Int32](repeating: 1, count: count)
    }

    mutating func find(_ i: Int) -> Int {
        var x = i
        while Int(parent[x]) != x {
            parent[x] = parent[Int(parent[x])]
            x = Int(parent[x])
        }
        return x
    }

    /// Joins the sets of a and b; returns false when they were one already.
    @discardableResult
    mutating func union(_ a: Int, _ b: Int) -> Bool {
        var ra = find(a), rb = find(b)
        if ra == rb { return false }
        if size[ra] < size[rb] { swap(&ra, &rb) }
        parent[rb] = Int32(ra)
        size[ra] += size[rb]
        return true
    }
}
