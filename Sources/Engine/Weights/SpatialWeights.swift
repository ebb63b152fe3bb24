/// Spatial weights as an immutable sparse matrix in compressed rows (CSR).
///
/// Row `i` lists the neighbours of observation `i` (0-based, input order)
/// in `neighbors[offsets[i] ..< offsets[i + 1]]`, ascending, with their
/// weights in the same positions of `weights`. Observations with no
/// neighbour are islands: they stay in the matrix, listed by `islands`,
/// never dropped. Transforms return a new value.
///
/// Equivalent: libpysal `W` / `Graph` (`neighbors`, `weights`, `islands`,
/// `cardinalities`, `transform`), spdep `nb` + `listw`.
public struct SpatialWeights: Sendable, Equatable {
    public let offsets: [Int]
    public let neighbors: [Int32]
    public let weights: [Double]
    /// Which transform produced the weights (`.binary` for raw builders
    /// that give 1s, `.none` for raw non-binary weights).
    public let transform: WeightsTransform

    /// Builds weights from CSR arrays. Rows must be sorted ascending without
    /// repeats; this is checked.
    public init(offsets: [Int], neighbors: [Int32], weights: [Double], transform: WeightsTransform = .none) {
        precondition(offsets.first == 0 && offsets.last == neighbors.count && neighbors.count == weights.count,
                     "inconsistent CSR arrays")
        let n = offsets.count - 1
        for i in 0..<n {
            var previous: Int32 = -1
            for k in offsets[i]..<offsets[i + 1] {
                precondition(neighbors[k] > previous && Int(neighbors[k]) < n, "row \(i) is not sorted or out of range")
                previous = neighbors[k]
            }
        }
        self.offsets = offsets
        self.neighbors = neighbors
        self.weights = weights
        self.transform = transform
    }

    /// Builds weights from neighbour lists (any order, no repeats); weights 1
    /// unless given.
    public init(neighborLists: [[Int]], weightLists: [[Double]]? = nil, transform: WeightsTransform? = nil) {
        var offsets = [0], neighbors = [Int32](), weights = [Double]()
        offsets.reserveCapacity(neighborLists.count + 1)
        for (i, list) in neighborLists.enumerated() {
            let order = list.indices.sorted { list[$0] < list[$1] }
            for k in order {
                neighbors.append(Int32(list[k]))
                weights.append(weightLists?[i][k] ?? 1)
            }
            offsets.append(neighbors.count)
        }
        self.init(offsets: offsets, neighbors: neighbors, weights: weights, transform: transform ?? (weightLists == nil ? .binary : .none))
    }

    /// Number of observations.
    public var count: Int { offsets.count - 1 }
    /// Number of (directed) links: non-zero entries.
    public var linkCount: Int { neighbors.count }

    /// The neighbours of `i`, ascending.
    public func neighbors(of i: Int) -> ArraySlice<Int32> { neighbors[offsets[i]..<offsets[i + 1]] }
    /// The weights of `i`'s neighbours, in the order of `neighbors(of:)`.
    public func weights(of i: Int) -> ArraySlice<Double> { weights[offsets[i]..<offsets[i + 1]] }

    /// w_ij, 0 when j is not a neighbour of i. - Complexity: O(log cardinality).
    public func weight(_ i: Int, _ j: Int) -> Double {
        var lo = offsets[i], hi = offsets[i + 1]
        while lo < hi {
            let mid = (lo + hi) / 2
            if Int(neighbors[mid]) < j { lo = mid + 1 } else { hi = mid }
        }
        return lo < offsets[i + 1] && Int(neighbors[lo]) == j ? weights[lo] : 0
    }

    /// Number of neighbours of each observation (libpysal `cardinalities`).
    public var cardinalities: [Int] { (0..<count).map { offsets[$0 + 1] - offsets[$0] } }

    /// Observations without neighbours (a self-link alone counts as none).
    public var islands: [Int] {
        (0..<count).filter { i in neighbors(of: i).allSatisfy { Int($0) == i } }
    }

    /// Whether w_ij == w_ji for every pair (and the same links both ways).
    public var isSymmetric: Bool {
        for i in 0..<count {
            for k in offsets[i]..<offsets[i + 1] where weight(Int(neighbors[k]), i) != weights[k] { return false }
        }
        return true
    }

    /// Row sums of the weights.
    public var rowSums: [Double] {
        (0..<count).map { i in weights[offsets[i]..<offsets[i + 1]].reduce(0, +) }
    }

    /// S0 = Σ_i Σ_j w_ij.
    public var s0: Double { rowSums.reduce(0, +) }

    /// Connected components of the graph (links taken both ways): a label
    /// per observation, labels numbered from 0 in order of first appearance.
    public var componentLabels: [Int] {
        let n = count
        var parent = Array(0..<n)
        func find(_ a: Int) -> Int {
            var a = a
            while parent[a] != a {
                parent[a] = parent[parent[a]]
                a = parent[a]
            }
            return a
        }
        for i in 0..<n {
            for j in neighbors(of: i) {
                let (ri, rj) = (find(i), find(Int(j)))
                if ri != rj { parent[max(ri, rj)] = min(ri, rj) }
            }
        }
        var label = [Int: Int]()
        return (0..<n).map { i in
            let root = find(i)
            if let l = label[root] { return l }
            let l = label.count
            label[root] = l
            return l
        }
    }

    /// The number of connected components.
    public var componentCount: Int { (componentLabels.max() ?? -1) + 1 }
}

/// The weight transforms of libpysal (`W.transform`) and spdep (`style`).
public enum WeightsTransform: String, Sendable, CaseIterable {
    /// Raw weights as built (non-binary builders).
    case none = "O"
    /// 1 for every link (libpysal "B", spdep "B").
    case binary = "B"
    /// Each row sums to 1 (libpysal "R", spdep "W").
    case row = "R"
    /// Every weight divided by S0, so all sum to 1 (libpysal "D", spdep "C" scaled to 1).
    case doubly = "D"
    /// Variance-stabilising (libpysal "V", spdep "S", Tiefelsdorf et al. 1999).
    case varianceStabilizing = "V"
}
