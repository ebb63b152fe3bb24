/// HDBSCAN*'s condensed cluster tree and the flat clustering taken from it,
/// step for step as scikit-learn's `_tree.pyx` does, so that equal
/// hierarchies give equal labels, probabilities and cluster numbers.
///
/// Rows are (parent cluster, child, λ = 1/distance, child size); points are
/// `0..<n`, clusters `n…` with the root `n`. A child is a point that falls
/// out of its cluster at λ, or a cluster born at λ when its parent splits
/// into two parts of at least `minClusterSize` points each.
struct CondensedTree {
    var parent: [Int] = []
    var child: [Int] = []
    var lambda: [Double] = []
    var size: [Int] = []
    let pointCount: Int

    /// Condenses the single-linkage hierarchy of a sorted spanning tree.
    init(_ mst: MutualReachabilityTree, count n: Int, minClusterSize: Int) {
        pointCount = n
        guard n > 1 else { return }
        // The single-linkage hierarchy (scipy's format): node n + k joins
        // left[k] and right[k] at dist[k].
        let merges = n - 1
        var left = [Int](repeating: 0, count: merges), right = left, nodeSize = left
        var dist = [Double](repeating: 0, count: merges)
        var up = [Int](repeating: -1, count: 2 * n - 1)
        var sizeOf = [Int](repeating: 1, count: 2 * n - 1)
        func find(_ i: Int) -> Int {
            var root = i
            while up[root] >= 0 { root = up[root] }
            var x = i
            while up[x] >= 0 { let next = up[x]; up[x] = root; x = next }
            return root
        }
        for k in 0..<merges {
            let l = find(Int(mst.a[k])), r = find(Int(mst.b[k]))
            let node = n + k
            left[k] = l; right[k] = r; dist[k] = mst.weight[k]
            sizeOf[node] = sizeOf[l] + sizeOf[r]
            nodeSize[k] = sizeOf[node]
            up[l] = node; up[r] = node
        }
        func count(_ node: Int) -> Int { node >= n ? nodeSize[node - n] : 1 }
        // Breadth first from a node, as scikit-learn's bfs_from_hierarchy.
        func bfs(_ start: Int) -> [Int] {
            var result: [Int] = []
            var queue = [start]
            while !queue.isEmpty {
                result.append(contentsOf: queue)
                var next: [Int] = []
                for x in queue where x >= n { next.append(left[x - n]); next.append(right[x - n]) }
                queue = next
            }
            return result
        }
        let root = 2 * n - 2
        var relabel = [Int](repeating: 0, count: root + 1)
        relabel[root] = n
        var nextLabel = n + 1
        var ignore = [Bool](repeating: false, count: root + 1)
        func add(_ p: Int, _ c: Int, _ l: Double, _ s: Int) {
            parent.append(p); child.append(c); lambda.append(l); size.append(s)
        }
        func dropAll(_ sub: Int, from cluster: Int, at l: Double) {
            for x in bfs(sub) {
                if x < n { add(cluster, x, l, 1) }
                ignore[x] = true
            }
        }
        for node in bfs(root) {
            if ignore[node] || node < n { continue }
            let k = node - n
            let (l, r) = (left[k], right[k])
            let lam = dist[k] > 0 ? 1 / dist[k] : Double.infinity
            let (lc, rc) = (count(l), count(r))
            if lc >= minClusterSize && rc >= minClusterSize {
                relabel[l] = nextLabel; nextLabel += 1
                add(relabel[node], relabel[l], lam, lc)
                relabel[r] = nextLabel; nextLabel += 1
                add(relabel[node], relabel[r], lam, rc)
            } else if lc < minClusterSize && rc < minClusterSize {
                dropAll(l, from: relabel[node], at: lam)
                dropAll(r, from: relabel[node], at: lam)
            } else if lc < minClusterSize {
                relabel[r] = relabel[node]
                dropAll(l, from: relabel[node], at: lam)
            } else {
                relabel[l] = relabel[node]
                dropAll(r, from: relabel[node], at: lam)
            }
        }
    }

    var rowCount: Int { parent.count }
    var root: Int { pointCount }
    var clusterCount: Int { (parent.max() ?? pointCount) - pointCount + 1 }

    /// Excess of mass of each cluster (index cluster − n): Σ (λ − λ_birth) · size.
    func stability() -> [Double] {
        var birth = [Double](repeating: .nan, count: clusterCount)
        for r in 0..<rowCount where child[r] >= pointCount { birth[child[r] - pointCount] = lambda[r] }
        birth[0] = 0
        var result = [Double](repeating: 0, count: clusterCount)
        for r in 0..<rowCount {
            let p = parent[r] - pointCount
            result[p] += (lambda[r] - birth[p]) * Double(size[r])
        }
        return result
    }

    /// The largest λ among the rows of each cluster (index cluster − n).
    func deaths() -> [Double] {
        var result = [Double](repeating: 0, count: clusterCount)
        for r in 0..<rowCount { result[parent[r] - pointCount] = max(result[parent[r] - pointCount], lambda[r]) }
        return result
    }
}

/// The flat clustering of a condensed tree: selection, labels, membership
/// probabilities (scikit-learn) and GLOSH outlier scores (the hdbscan package).
extension CondensedTree {
    struct Flat {
        var labels: [Int]
        var probabilities: [Double]
        var outlierScores: [Double]
        var clusterCount: Int
        /// Selected clusters' stabilities, by label.
        var stabilities: [Double]
    }

    func flat(selection: HDBSCAN.Selection, epsilon: Double, allowSingleCluster: Bool, maxClusterSize: Int?) -> Flat {
        let n = pointCount
        guard rowCount > 0 else {
            return Flat(labels: [Int](repeating: -1, count: n), probabilities: [Double](repeating: 0, count: n),
                        outlierScores: [Double](repeating: 0, count: n), clusterCount: 0, stabilities: [])
        }
        let count = clusterCount
        var stability = stability()
        // The cluster tree: rows whose child is a cluster.
        var children = [[Int]](repeating: [], count: count)
        var clusterParent = [Int](repeating: -1, count: count)
        var birthLambda = [Double](repeating: 0, count: count)
        var clusterSize = [Int](repeating: 0, count: count)
        var clusterRows = 0
        for r in 0..<rowCount where size[r] > 1 {
            let (p, c) = (parent[r] - n, child[r] - n)
            children[p].append(c)
            clusterParent[c] = p
            birthLambda[c] = lambda[r]
            clusterSize[c] = size[r]
            clusterRows += 1
        }
        func descendants(_ c: Int) -> [Int] {
            var out: [Int] = [], queue = children[c]
            while let x = queue.popLast() { out.append(x); queue.append(contentsOf: children[x]) }
            return out
        }
        // Every cluster but the root (unless a single cluster is allowed), children first.
        let nodes = Array(stride(from: count - 1, through: allowSingleCluster ? 0 : 1, by: -1))
        var isCluster = [Bool](repeating: false, count: count)
        for c in nodes { isCluster[c] = true }
        if allowSingleCluster { clusterSize[0] = children[0].reduce(0) { $0 + clusterSize[$1] } }
        let maxSize = maxClusterSize ?? (n + 1)

        func traverseUpwards(_ leaf: Int) -> Int {
            let p = clusterParent[leaf]
            if p == 0 { return allowSingleCluster ? p : leaf }
            if 1 / birthLambda[p] > epsilon { return p }
            return traverseUpwards(p)
        }
        func epsilonSearch(_ leaves: [Int]) -> Set<Int> {
            var selected: [Int] = []
            var processed = Set<Int>()
            for leaf in leaves.sorted() {
                if 1 / birthLambda[leaf] < epsilon {
                    if !processed.contains(leaf) {
                        let chosen = traverseUpwards(leaf)
                        selected.append(chosen)
                        for sub in descendants(chosen) { processed.insert(sub) }
                    }
                } else {
                    selected.append(leaf)
                }
            }
            return Set(selected)
        }

        switch selection {
        case .excessOfMass:
            for node in nodes {
                let subtree = children[node].reduce(0.0) { $0 + stability[$1] }
                if subtree > stability[node] || clusterSize[node] > maxSize {
                    isCluster[node] = false
                    stability[node] = subtree
                } else {
                    for sub in descendants(node) { isCluster[sub] = false }
                }
            }
            if epsilon != 0, clusterRows > 0 {
                let chosen = nodes.filter { isCluster[$0] }
                var selected = Set<Int>()
                if chosen.count == 1 && chosen[0] == 0 {
                    if allowSingleCluster { selected = [0] }
                } else {
                    selected = epsilonSearch(chosen)
                }
                for c in nodes { isCluster[c] = selected.contains(c) }
            }
        case .leaf:
            var leaves: [Int] = []
            if clusterRows > 0 {
                var stack = [0]
                while let c = stack.popLast() {
                    if children[c].isEmpty { leaves.append(c) } else { stack.append(contentsOf: children[c]) }
                }
            }
            // No leaf (nothing ever split): every point is noise, as in scikit-learn.
            let selected = epsilon != 0 ? epsilonSearch(leaves) : Set(leaves)
            for c in 0..<count { isCluster[c] = selected.contains(c) }
        }

        let clusters = (0..<count).filter { isCluster[$0] }
        var labelOf = [Int](repeating: -1, count: count)
        for (k, c) in clusters.enumerated() { labelOf[c] = k }
        // The nearest selected ancestor of each cluster (parents come first).
        var owner = [Int](repeating: -1, count: count)
        for c in 0..<count {
            if isCluster[c] && c != 0 { owner[c] = c } else if c != 0 { owner[c] = owner[clusterParent[c]] }
        }
        let rootOnly = clusters == [0]
        var threshold = 0.0
        if rootOnly && allowSingleCluster {
            threshold = epsilon != 0 ? 1 / epsilon : (0..<rowCount).filter { parent[$0] == n }.map { lambda[$0] }.max() ?? 0
        }
        var labels = [Int](repeating: -1, count: n)
        var pointLambda = [Double](repeating: 0, count: n), pointParent = [Int](repeating: 0, count: n)
        for r in 0..<rowCount where child[r] < n {
            let p = parent[r] - n
            pointLambda[child[r]] = lambda[r]
            pointParent[child[r]] = p
            if owner[p] >= 0 {
                labels[child[r]] = labelOf[owner[p]]
            } else if rootOnly && allowSingleCluster && lambda[r] >= threshold {
                labels[child[r]] = labelOf[0]
            }
        }
        let death = deaths()
        var probabilities = [Double](repeating: 0, count: n)
        for i in 0..<n where labels[i] >= 0 {
            let maxLambda = death[clusters[labels[i]]]
            if maxLambda == 0 || pointLambda[i].isInfinite {
                probabilities[i] = 1
            } else {
                probabilities[i] = min(pointLambda[i], maxLambda) / maxLambda
            }
        }
        // GLOSH (Campello et al. 2015), as the hdbscan package: the largest λ
        // in the subtree of the point's cluster against the point's own λ.
        var subtreeDeath = death
        for c in stride(from: count - 1, through: 1, by: -1) {
            let p = clusterParent[c]
            if p >= 0 && subtreeDeath[c] > subtreeDeath[p] { subtreeDeath[p] = subtreeDeath[c] }
        }
        var outliers = [Double](repeating: 0, count: n)
        for i in 0..<n {
            let top = subtreeDeath[pointParent[i]], l = pointLambda[i]
            if top == 0 || !l.isFinite {
                outliers[i] = 0
            } else if top.isInfinite {
                outliers[i] = 1  // the package gives NaN: a cluster of duplicate points has infinite density
            } else {
                outliers[i] = (top - l) / top
            }
        }
        return Flat(labels: labels, probabilities: probabilities, outlierScores: outliers, clusterCount: clusters.count,
                    stabilities: clusters.map { stability[$0] })
    }
}
