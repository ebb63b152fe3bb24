/// A k-d tree over 2-D or 3-D points: the shared spatial index of weights,
/// clustering and rasters.
///
/// Built once (median splits on the widest axis, leaves of up to 16 points),
/// then read-only: queries from many threads at once are safe.
///
/// Tie rule: neighbours are ordered by (distance, index), so among points at
/// the same distance the lower input index comes first. Deterministic and
/// independent of the tree's shape.
public struct KDTree: Sendable {
    public let dimensions: Int
    /// Coordinates, `dimensions` per point, in input order.
    let coordinates: [Double]
    /// Point indices, permuted so that every node holds a contiguous range.
    let order: [Int32]
    let nodes: [Node]

    struct Node: Sendable {
        var start: Int32
        var end: Int32
        var left: Int32   // -1 for a leaf
        var right: Int32
        var lower: (Double, Double, Double)
        var upper: (Double, Double, Double)
    }

    public var count: Int { coordinates.count / dimensions }

    /// A tree over planar points.
    public init(x: [Double], y: [Double]) {
        precondition(x.count == y.count)
        var flat = [Double]()
        flat.reserveCapacity(2 * x.count)
        for i in x.indices {
            flat.append(x[i])
            flat.append(y[i])
        }
        self.init(coordinates: flat, dimensions: 2)
    }

    /// A tree over points stored flat, `dimensions` (2 or 3) values each.
    /// Coordinates must be finite (checked by the callers, which name the record).
    public init(coordinates: [Double], dimensions: Int) {
        precondition(dimensions == 2 || dimensions == 3)
        precondition(coordinates.count % dimensions == 0)
        self.dimensions = dimensions
        self.coordinates = coordinates
        let n = coordinates.count / dimensions
        var order = (0..<n).map(Int32.init)
        var nodes: [Node] = []
        nodes.reserveCapacity(max(1, 2 * n / 8))
        if n > 0 {
            _ = KDTree.build(&nodes, &order, coordinates, dimensions, 0, n)
        }
        self.order = order
        self.nodes = nodes
    }

    private static let leafSize = 16

    private static func build(_ nodes: inout [Node], _ order: inout [Int32], _ c: [Double], _ d: Int, _ start: Int, _ end: Int) -> Int32 {
        var lower = (Double.infinity, Double.infinity, Double.infinity)
        var upper = (-Double.infinity, -Double.infinity, -Double.infinity)
        for k in start..<end {
            let p = Int(order[k]) * d
            lower.0 = min(lower.0, c[p]); upper.0 = max(upper.0, c[p])
            lower.1 = min(lower.1, c[p + 1]); upper.1 = max(upper.1, c[p + 1])
            if d == 3 { lower.2 = min(lower.2, c[p + 2]); upper.2 = max(upper.2, c[p + 2]) }
        }
        if d == 2 { lower.2 = 0; upper.2 = 0 }
        let index = Int32(nodes.count)
        nodes.append(Node(start: Int32(start), end: Int32(end), left: -1, right: -1, lower: lower, upper: upper))
        if end - start <= leafSize { return index }
        let spans = [upper.0 - lower.0, upper.1 - lower.1, upper.2 - lower.2]
        let axis = spans.indices.max { spans[$0] < spans[$1] }!
        if spans[axis] == 0 { return index }  // all points equal: one leaf
        let mid = (start + end) / 2
        select(&order, c, d, axis, start, end, mid)
        let left = build(&nodes, &order, c, d, start, mid)
        let right = build(&nodes, &order, c, d, mid, end)
        nodes[Int(index)].left = left
        nodes[Int(index)].right = right
        return index
    }

    /// Quickselect: order[k] gets the k-th point along `axis`, smaller before, larger after.
    private static func select(_ order: inout [Int32], _ c: [Double], _ d: Int, _ axis: Int, _ start: Int, _ end: Int, _ k: Int) {
        var lo = start, hi = end - 1
        while lo < hi {
            let pivot = c[Int(order[(lo + hi) / 2]) * d + axis]
            var i = lo, j = hi
            while i <= j {
                while c[Int(order[i]) * d + axis] < pivot { i += 1 }
                while c[Int(order[j]) * d + axis] > pivot { j -= 1 }
                if i <= j {
                    order.swapAt(i, j)
                    i += 1
                    j -= 1
                }
            }
            if k <= j { hi = j } else if k >= i { lo = i } else { return }
        }
    }

    @inline(__always)
    func squaredDistance(_ i: Int, to q: (Double, Double, Double)) -> Double {
        let p = i * dimensions
        let dx = coordinates[p] - q.0, dy = coordinates[p + 1] - q.1
        if dimensions == 2 { return dx * dx + dy * dy }
        let dz = coordinates[p + 2] - q.2
        return dx * dx + dy * dy + dz * dz
    }

    @inline(__always)
    func boxDistance(_ node: Node, _ q: (Double, Double, Double)) -> Double {
        let dx = max(node.lower.0 - q.0, 0, q.0 - node.upper.0)
        let dy = max(node.lower.1 - q.1, 0, q.1 - node.upper.1)
        let dz = dimensions == 3 ? max(node.lower.2 - q.2, 0, q.2 - node.upper.2) : 0
        return dx * dx + dy * dy + dz * dz
    }

    func point(_ i: Int) -> (Double, Double, Double) {
        let p = i * dimensions
        return (coordinates[p], coordinates[p + 1], dimensions == 3 ? coordinates[p + 2] : 0)
    }

    /// The k nearest points to point `i` of the tree, excluding `i` itself,
    /// as (index, squared distance), ordered by (distance, index).
    /// - Complexity: O(log n + k) expected.
    public func nearest(to i: Int, k: Int) -> [(index: Int, squaredDistance: Double)] {
        nearest(to: point(i), k: k, excluding: i)
    }

    /// The k nearest points to a position, optionally excluding one index.
    public func nearest(to q: (Double, Double, Double), k: Int, excluding: Int = -1) -> [(index: Int, squaredDistance: Double)] {
        guard k > 0, !nodes.isEmpty else { return [] }
        // A sorted buffer of the best k by (d², index); k is small.
        var best: [(index: Int, squaredDistance: Double)] = []
        best.reserveCapacity(k + 1)
        func worse(_ a: (Int, Double), than b: (Int, Double)) -> Bool { a.1 > b.1 || (a.1 == b.1 && a.0 > b.0) }
        var stack: [Int32] = [0]
        while let top = stack.popLast() {
            let node = nodes[Int(top)]
            if best.count == k && boxDistance(node, q) > best[k - 1].squaredDistance { continue }
            if node.left < 0 {
                for slot in Int(node.start)..<Int(node.end) {
                    let j = Int(order[slot])
                    if j == excluding { continue }
                    let d = squaredDistance(j, to: q)
                    if best.count == k && worse((j, d), than: (best[k - 1].index, best[k - 1].squaredDistance)) { continue }
                    var pos = best.count
                    while pos > 0 && worse((best[pos - 1].index, best[pos - 1].squaredDistance), than: (j, d)) { pos -= 1 }
                    best.insert((j, d), at: pos)
                    if best.count > k { best.removeLast() }
                }
            } else {
                // Visit the nearer child first (pushed last).
                let l = nodes[Int(node.left)], r = nodes[Int(node.right)]
                if boxDistance(l, q) <= boxDistance(r, q) {
                    stack.append(node.right); stack.append(node.left)
                } else {
                    stack.append(node.left); stack.append(node.right)
                }
            }
        }
        return best
    }

    /// Every point within `radius` of point `i` (distance ≤ radius,
    /// inclusive), excluding `i`, ascending by index, with squared distances.
    public func within(radius: Double, of i: Int) -> [(index: Int, squaredDistance: Double)] {
        within(radius: radius, of: point(i), excluding: i)
    }

    public func within(radius: Double, of q: (Double, Double, Double), excluding: Int = -1) -> [(index: Int, squaredDistance: Double)] {
        var result: [(index: Int, squaredDistance: Double)] = []
        forEach(within: radius, of: q, excluding: excluding) { result.append(($0, $1)) }
        result.sort { $0.index < $1.index }
        return result
    }

    /// Calls `body(index, squaredDistance)` for every point within `radius`
    /// of point `i` (inclusive), excluding `i`, in the tree's order (fixed
    /// by the points, not sorted): for sums that need no list.
    public func forEach(within radius: Double, of i: Int, _ body: (Int, Double) -> Void) {
        forEach(within: radius, of: point(i), excluding: i, body)
    }

    func forEach(within radius: Double, of q: (Double, Double, Double), excluding: Int, _ body: (Int, Double) -> Void) {
        guard !nodes.isEmpty else { return }
        let r2 = radius * radius
        // Clearly inside or outside by squared distance; the square root
        // (the exact test, d ≤ radius) only near the boundary.
        let inside = r2 * (1 - 1e-12), outside = r2 * (1 + 1e-12)
        var stack: [Int32] = [0]
        stack.reserveCapacity(64)
        while let top = stack.popLast() {
            let node = nodes[Int(top)]
            if boxDistance(node, q) > outside { continue }
            if node.left < 0 {
                for slot in Int(node.start)..<Int(node.end) {
                    let j = Int(order[slot])
                    if j == excluding { continue }
                    let d = squaredDistance(j, to: q)
                    if d < inside || (d <= outside && d.squareRoot() <= radius) { body(j, d) }
                }
            } else {
                stack.append(node.left)
                stack.append(node.right)
            }
        }
    }
}
