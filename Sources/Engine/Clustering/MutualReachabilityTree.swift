/// The minimum spanning tree of the mutual-reachability graph of planar
/// points, without the n × n matrix: HDBSCAN*'s first step.
///
/// The mutual-reachability distance of points i and j is
/// `max(core[i], core[j], d(i, j))`, where `core[i]` is the distance from i to
/// its `minSamples`-th nearest point, itself counted (scikit-learn's
/// convention; the hdbscan package's `min_samples` is one less).
///
/// Algorithm: Borůvka (1926) over the k-d tree, the approach of March, Ram &
/// Gray (KDD 2010) and, in parallel, Wang, Yu, Gu & Shun (SIGMOD 2021). Each
/// round finds, for every component, its lightest edge to another component;
/// a point's search skips tree nodes whose points all belong to its own
/// component and nodes whose lower bound `max(core[i], minimum core in the
/// node, box distance)` exceeds the best edge found so far. Rounds run in
/// parallel over chunks of points sorted by component.
///
/// Ties: edges are ordered by (weight, lower endpoint, higher endpoint), a
/// strict total order, so the tree is unique and the same on any thread
/// count. Distances use scikit-learn's arithmetic (`√(dx² + dy²)`), so tied
/// weights are tied bit for bit in both.
/// - Complexity: O(n log n) per round in practice, O(log n) rounds.
struct MutualReachabilityTree {
    /// Edge k joins `a[k] < b[k]` at mutual-reachability distance `weight[k]`,
    /// sorted by (weight, a, b).
    var a: [Int32]
    var b: [Int32]
    var weight: [Double]
    var coreDistance: [Double]

    struct Edge: Comparable {
        var weight: Double
        var a: Int32
        var b: Int32
        static let none = Edge(weight: .infinity, a: .max, b: .max)
        static func < (l: Edge, r: Edge) -> Bool { (l.weight, l.a, l.b) < (r.weight, r.a, r.b) }
    }

    /// Core distances: the distance to the (minSamples − 1)-th nearest other
    /// point (0 when minSamples is 1).
    static func coreDistances(_ tree: KDTree, minSamples: Int, workers: Int) -> [Double] {
        let n = tree.count
        guard minSamples > 1 else { return [Double](repeating: 0, count: n) }
        return Parallel.map(count: n, grain: 512, workers: workers) { i in
            let near = tree.nearest(to: i, k: minSamples - 1)
            return near.last!.squaredDistance.squareRoot()
        }
    }

    init(points: ClusterPoints, minSamples: Int, workers: Int) {
        let n = points.count
        let tree = KDTree(x: points.x, y: points.y)
        let core = Self.coreDistances(tree, minSamples: minSamples, workers: workers)
        coreDistance = core
        a = []; b = []; weight = []
        a.reserveCapacity(max(0, n - 1)); b.reserveCapacity(max(0, n - 1)); weight.reserveCapacity(max(0, n - 1))
        guard n > 1 else { return }
        let nodes = tree.nodes
        // The smallest core distance in each node (children follow their parent).
        var nodeCore = [Double](repeating: .infinity, count: nodes.count)
        for k in stride(from: nodes.count - 1, through: 0, by: -1) {
            let node = nodes[k]
            if node.left < 0 {
                var m = Double.infinity
                for s in Int(node.start)..<Int(node.end) { m = min(m, core[Int(tree.order[s])]) }
                nodeCore[k] = m
            } else {
                nodeCore[k] = min(nodeCore[Int(node.left)], nodeCore[Int(node.right)])
            }
        }
        let minCore = nodeCore
        // Points in ascending core distance: early points of a component find
        // light edges, which prune the searches of the rest.
        let byCore = (0..<n).sorted { (core[$0], $0) < (core[$1], $1) }.map(Int32.init)
        var sets = UnionFind(count: n)
        var component = (0..<n).map(Int32.init)
        var components = n
        let grain = 512
        while components > 1 {
            // Uniform component of each node, or -1.
            var nodeComponent = [Int32](repeating: -1, count: nodes.count)
            for k in stride(from: nodes.count - 1, through: 0, by: -1) {
                let node = nodes[k]
                if node.left < 0 {
                    let first = component[Int(tree.order[Int(node.start)])]
                    var same = true
                    for s in Int(node.start)..<Int(node.end) where component[Int(tree.order[s])] != first { same = false; break }
                    nodeComponent[k] = same ? first : -1
                } else {
                    let l = nodeComponent[Int(node.left)]
                    nodeComponent[k] = l >= 0 && l == nodeComponent[Int(node.right)] ? l : -1
                }
            }
            // Points grouped by component (counting sort, stable in core order).
            var counts = [Int](repeating: 0, count: components + 1)
            for i in 0..<n { counts[Int(component[i]) + 1] += 1 }
            for c in 0..<components { counts[c + 1] += counts[c] }
            var grouped = [Int32](repeating: 0, count: n)
            var fill = counts
            for p in byCore { let c = Int(component[Int(p)]); grouped[fill[c]] = p; fill[c] += 1 }

            let chunks = (n + grain - 1) / grain
            let found = PerChunk<[(Int32, Edge)]>(count: chunks)
            let comp = component, nodeComp = nodeComponent, members = grouped
            Parallel.forEachChunk(count: n, grain: grain, workers: workers) { _, chunk, range in
                var out: [(Int32, Edge)] = []
                var current: Int32 = -1
                var best = Edge.none
                var stack: [Int32] = []
                stack.reserveCapacity(128)
                for slot in range {
                    let i = Int(members[slot])
                    let ci = comp[i]
                    if ci != current {
                        if current >= 0 { out.append((current, best)) }
                        current = ci
                        best = .none
                    }
                    let coreI = core[i]
                    if coreI > best.weight { continue }
                    let (xi, yi) = (points.x[i], points.y[i])
                    stack.removeAll(keepingCapacity: true)
                    stack.append(0)
                    while let top = stack.popLast() {
                        let k = Int(top)
                        if nodeComp[k] == ci { continue }
                        let node = nodes[k]
                        let bx = max(node.lower.0 - xi, 0, xi - node.upper.0)
                        let by = max(node.lower.1 - yi, 0, yi - node.upper.1)
                        if max(coreI, minCore[k], (bx * bx + by * by).squareRoot()) > best.weight { continue }
                        if node.left < 0 {
                            for s in Int(node.start)..<Int(node.end) {
                                let j = Int(tree.order[s])
                                guard comp[j] != ci else { continue }
                                let dx = xi - points.x[j], dy = yi - points.y[j]
                                let w = max(coreI, core[j], (dx * dx + dy * dy).squareRoot())
                                if w > best.weight { continue }
                                let edge = Edge(weight: w, a: Int32(min(i, j)), b: Int32(max(i, j)))
                                if edge < best { best = edge }
                            }
                        } else {
                            let l = nodes[Int(node.left)], r = nodes[Int(node.right)]
                            func box(_ m: KDTree.Node) -> Double {
                                let dx = max(m.lower.0 - xi, 0, xi - m.upper.0), dy = max(m.lower.1 - yi, 0, yi - m.upper.1)
                                return dx * dx + dy * dy
                            }
                            if box(l) <= box(r) {
                                stack.append(node.right); stack.append(node.left)
                            } else {
                                stack.append(node.left); stack.append(node.right)
                            }
                        }
                    }
                }
                if current >= 0 { out.append((current, best)) }
                found[chunk] = out
            }
            var lightest = [Edge](repeating: .none, count: components)
            for list in found.inOrder { for (c, e) in list where e < lightest[Int(c)] { lightest[Int(c)] = e } }
            for e in lightest where e.a != .max {
                if sets.union(Int(e.a), Int(e.b)) {
                    a.append(e.a); b.append(e.b); weight.append(e.weight)
                }
            }
            // Renumber the components 0..<count.
            var number = [Int32](repeating: -1, count: n)
            var next: Int32 = 0
            for i in 0..<n {
                let r = sets.find(i)
                if number[r] < 0 { number[r] = next; next += 1 }
                component[i] = number[r]
            }
            precondition(Int(next) < components, "Borůvka made no progress")
            components = Int(next)
        }
        let sorted = (0..<a.count).sorted { Edge(weight: weight[$0], a: a[$0], b: b[$0]) < Edge(weight: weight[$1], a: a[$1], b: b[$1]) }
        a = sorted.map { a[$0] }
        b = sorted.map { b[$0] }
        weight = sorted.map { weight[$0] }
    }
}
