/// Contiguity weights from polygons.
extension SpatialWeights {
    /// Which polygons count as neighbours.
    public enum ContiguityRule: String, Sendable {
        /// A shared vertex (libpysal default `Queen`; spdep `queen = TRUE`).
        case queen
        /// A shared edge: the same pair of consecutive vertices, in either
        /// direction (libpysal default `Rook`).
        case rook
    }

    /// Contiguity by shared vertices or edges, exactly as libpysal builds it
    /// by default (`Queen.from_dataframe`, `Rook.from_dataframe`,
    /// `Graph.build_contiguity(strict=False)`): coordinates must match
    /// exactly. Binary, symmetric; polygons with no neighbour are islands.
    ///
    /// Method: every vertex (queen) or edge (rook) becomes a key of its exact
    /// coordinates; keys are sorted, and polygons sharing a key are linked.
    /// Never all pairs. - Complexity: O(V log V) for V vertices.
    public static func contiguity(_ table: FeatureTable, rule: ContiguityRule, file: String? = nil) throws -> SpatialWeights {
        for (i, g) in table.geometries.enumerated() {
            guard g.kind.isPolygonal else {
                throw GeoVoteError.unsupported("contiguity needs polygons; \(file ?? "the layer") record \(i) is a \(g.kind.rawValue)")
            }
            guard g.hasFiniteCoordinates else {
                throw GeoVoteError.malformed(DataLocation(file: file, record: i), reason: "has a NaN or infinite coordinate")
            }
        }
        // (key, polygon, the coordinates that made the key)
        var entries: [ContiguityKey] = []
        entries.reserveCapacity(table.geometries.reduce(0) { $0 + $1.coordinateCount })
        for (p, g) in table.geometries.enumerated() {
            for r in 0..<g.ringCount {
                let range = g.coordinates(ofRing: r)
                switch rule {
                case .queen:
                    for v in range {
                        entries.append(ContiguityKey(a: (g.x[v], g.y[v]), b: (0, 0), polygon: Int32(p)))
                    }
                case .rook:
                    for v in range.dropLast() {
                        var a = (g.x[v], g.y[v]), b = (g.x[v + 1], g.y[v + 1])
                        if a == b { continue }  // repeated vertex: no edge
                        if (b.0, b.1) < (a.0, a.1) { swap(&a, &b) }
                        entries.append(ContiguityKey(a: a, b: b, polygon: Int32(p)))
                    }
                }
            }
        }
        entries.sort()
        var pairs: [(Int32, Int32)] = []
        var start = 0
        while start < entries.count {
            var end = start + 1
            while end < entries.count && entries[end].sameCoordinates(entries[start]) { end += 1 }
            if end - start > 1 {
                var polygons = entries[start..<end].map(\.polygon)
                polygons = Array(Set(polygons)).sorted()
                if polygons.count > 1 {
                    for i in polygons {
                        for j in polygons where j != i { pairs.append((i, j)) }
                    }
                }
            }
            start = end
        }
        return fromPairs(pairs, count: table.count)
    }

    /// Binary weights from directed pairs (repeats allowed).
    static func fromPairs(_ pairs: [(Int32, Int32)], count n: Int) -> SpatialWeights {
        var sorted = pairs
        sorted.sort { $0.0 != $1.0 ? $0.0 < $1.0 : $0.1 < $1.1 }
        var offsets = [Int](repeating: 0, count: n + 1)
        var neighbors: [Int32] = []
        neighbors.reserveCapacity(sorted.count)
        var last: (Int32, Int32) = (-1, -1)
        for pair in sorted where pair != last {
            neighbors.append(pair.1)
            offsets[Int(pair.0) + 1] += 1
            last = pair
        }
        for i in 0..<n { offsets[i + 1] += offsets[i] }
        return SpatialWeights(offsets: offsets, neighbors: neighbors, weights: [Double](repeating: 1, count: neighbors.count), transform: .binary)
    }
}

/// A vertex or an edge with the polygon it belongs to, ordered by exact
/// coordinates then polygon.
struct ContiguityKey: Comparable {
    let ax: Double, ay: Double, bx: Double, by: Double
    let polygon: Int32

    init(a: (Double, Double), b: (Double, Double), polygon: Int32) {
        // -0.0 and 0.0 are the same coordinate.
        ax = a.0 + 0; ay = a.1 + 0; bx = b.0 + 0; by = b.1 + 0
        self.polygon = polygon
    }

    func sameCoordinates(_ o: ContiguityKey) -> Bool { ax == o.ax && ay == o.ay && bx == o.bx && by == o.by }

    static func < (l: ContiguityKey, r: ContiguityKey) -> Bool {
        if l.ax != r.ax { return l.ax < r.ax }
        if l.ay != r.ay { return l.ay < r.ay }
        if l.bx != r.bx { return l.bx < r.bx }
        if l.by != r.by { return l.by < r.by }
        return l.polygon < r.polygon
    }
}
