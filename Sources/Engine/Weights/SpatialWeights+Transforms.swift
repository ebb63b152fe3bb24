extension SpatialWeights {
    /// The same links with transformed weights (libpysal `W.transform = …`).
    ///
    /// Transforms start from the binary weights when the current weights are
    /// binary, else from the current ones (as libpysal starts from the
    /// original weights; call it on the raw weights).
    /// - `.binary`: w_ij = 1.
    /// - `.row`: w_ij / Σ_j w_ij (islands stay empty rows).
    /// - `.doubly`: w_ij / S0.
    /// - `.varianceStabilizing`: q_i = 1/√(Σ_j w_ij²), w*_ij = q_i w_ij,
    ///   then scaled so that Σ w* = n (libpysal "V").
    public func transformed(_ kind: WeightsTransform) -> SpatialWeights {
        var w = weights
        switch kind {
        case .none:
            break
        case .binary:
            w = [Double](repeating: 1, count: weights.count)
        case .row:
            for i in 0..<count {
                let range = offsets[i]..<offsets[i + 1]
                let s = weights[range].reduce(0, +)
                if s != 0 { for k in range { w[k] = weights[k] / s } }
            }
        case .doubly:
            let s0 = self.s0
            w = weights.map { $0 / s0 }
        case .varianceStabilizing:
            for i in 0..<count {
                let range = offsets[i]..<offsets[i + 1]
                let q = weights[range].reduce(0) { $0 + $1 * $1 }.squareRoot()
                if q != 0 { for k in range { w[k] = weights[k] / q } }
            }
            let total = w.reduce(0, +)
            let scale = Double(count) / total
            w = w.map { $0 * scale }
        }
        return SpatialWeights(offsets: offsets, neighbors: neighbors, weights: w, transform: kind)
    }

    /// The union of links both ways: j ∈ N(i) or i ∈ N(j). A link present one
    /// way keeps its weight for the other way; present both ways, each keeps its own.
    public func symmetrized() -> SpatialWeights {
        var lists = (0..<count).map { i in Dictionary(uniqueKeysWithValues: zip(neighbors(of: i).map(Int.init), weights(of: i))) }
        for i in 0..<count {
            for (j, wij) in zip(neighbors(of: i), weights(of: i)) where lists[Int(j)][i] == nil {
                lists[Int(j)][i] = wij
            }
        }
        return SpatialWeights(neighborLists: lists.map { Array($0.keys) }, weightLists: lists.map { Array($0.values) }, transform: transform)
    }

    /// The weights under `transform`: themselves when they already carry it
    /// (or `transform` is `.none`), else `transformed(transform)`.
    public func applying(_ transform: WeightsTransform) -> SpatialWeights {
        transform == .none || transform == self.transform ? self : transformed(transform)
    }

    /// Each row with the self-link (i, i) set to `value` (Gi* needs it).
    public func withDiagonal(_ value: Double = 1) -> SpatialWeights {
        withDiagonal([Double](repeating: value, count: count))
    }

    /// Each row with its self-link set to `values[i]`.
    /// One pass over the rows (sorted, as every row is): the self-link is
    /// replaced where there is one, else inserted in order.
    public func withDiagonal(_ values: [Double]) -> SpatialWeights {
        var offsets = [Int](), n = [Int32](), w = [Double]()
        offsets.reserveCapacity(count + 1)
        n.reserveCapacity(neighbors.count + count)
        w.reserveCapacity(neighbors.count + count)
        offsets.append(0)
        for i in 0..<count {
            var placed = false
            for k in self.offsets[i]..<self.offsets[i + 1] {
                let j = Int(neighbors[k])
                if j == i { continue }
                if !placed, j > i {
                    n.append(Int32(i))
                    w.append(values[i])
                    placed = true
                }
                n.append(neighbors[k])
                w.append(weights[k])
            }
            if !placed {
                n.append(Int32(i))
                w.append(values[i])
            }
            offsets.append(n.count)
        }
        return SpatialWeights(offsets: offsets, neighbors: n, weights: w, transform: transform)
    }

    /// The largest weight of each row (0 for an island).
    public var rowMaxima: [Double] {
        (0..<count).map { weights(of: $0).max() ?? 0 }
    }

    /// The weights Gi* needs, with the self-weight esda's `G_Local(star=True)`
    /// gives them: 1 for binary weights, else the row's largest weight
    /// (e.g. kernel or inverse-distance weights). Transform afterwards.
    public func withGiStarSelfWeights() -> SpatialWeights {
        withDiagonal(transform == .binary ? [Double](repeating: 1, count: count) : rowMaxima)
    }

    /// Each row without its self-link.
    public func withoutDiagonal() -> SpatialWeights {
        var offsets = [0], n = [Int32](), w = [Double]()
        for i in 0..<count {
            for k in self.offsets[i]..<self.offsets[i + 1] where Int(neighbors[k]) != i {
                n.append(neighbors[k])
                w.append(weights[k])
            }
            offsets.append(n.count)
        }
        return SpatialWeights(offsets: offsets, neighbors: n, weights: w, transform: transform)
    }

    /// Contiguity of order k: j is a k-th order neighbour of i when the
    /// shortest path between them has k links (libpysal `higher_order`,
    /// spdep `nblag`); with `cumulative`, orders 1…k together
    /// (`nblag_cumul`). Binary weights.
    public func higherOrder(_ k: Int, cumulative: Bool = false) -> SpatialWeights {
        precondition(k >= 1, "order must be at least 1")
        let n = count
        var lists: [[Int]] = []
        lists.reserveCapacity(n)
        var distance = [Int](repeating: -1, count: n)
        for i in 0..<n {
            var frontier = [i], visited = [i]
            distance[i] = 0
            var result: [Int] = []
            for order in 1...k {
                var next: [Int] = []
                for u in frontier {
                    for v in neighbors(of: u) where distance[Int(v)] < 0 {
                        distance[Int(v)] = order
                        next.append(Int(v))
                        visited.append(Int(v))
                    }
                }
                if cumulative || order == k { result += next }
                frontier = next
            }
            for v in visited { distance[v] = -1 }
            lists.append(result)
        }
        return SpatialWeights(neighborLists: lists)
    }
}
