/// Contiguity weights from polygons.
extension SpatialWeights {
    /// Which polygons count as neighbours.
    public enum ContiguityRule: String, Sendable, Hashable, CaseIterable {
        /// A shared vertex (libpysal default `Queen`; spdep `queen = TRUE`).
        case queen
        /// A shared edge: the same pair of consecutive vertices, in either
        /// direction (libpysal default `Rook`).
        case rook
        /// spdep `poly2nb(queen = TRUE)`: at least one boundary point of one
        /// polygon within `snap` of one of the other (in x and in y).
        case spdepQueen = "spdep-queen"
        /// spdep `poly2nb(queen = FALSE)`: at least two such vertex pairs — not
        /// necessarily an edge, and a ring's closing vertex counts as a
        /// vertex of its own, so some corner contacts are rook neighbours
        /// here and not in libpysal.
        case spdepRook = "spdep-rook"
        /// libpysal `Graph.build_contiguity(strict=True)`, queen: the
        /// polygons touch (boundaries meet, interiors disjoint) — overlapping
        /// polygons are not neighbours, and no vertex needs to be shared.
        case strictQueen = "strict-queen"
        /// libpysal strict rook: interiors disjoint and the boundaries share
        /// a line (DE-9IM F***1****).
        case strictRook = "strict-rook"
    }

    /// spdep's default snap: `sqrt(.Machine$double.eps)`.
    public static let spdepDefaultSnap = 1.4901161193847656e-08

    /// Contiguity by shared vertices or edges, exactly as libpysal builds it
    /// by default (`Queen.from_dataframe`, `Rook.from_dataframe`,
    /// `Graph.build_contiguity(strict=False)`): coordinates must match
    /// exactly. Binary, symmetric; polygons with no neighbour are islands.
    ///
    /// Method: every vertex (queen) or edge (rook) becomes a key of its exact
    /// coordinates; keys are bucketed by hash and sorted in parallel, and
    /// polygons sharing a key are linked. Never all pairs.
    /// - Complexity: O(V log V) for V vertices.
    public static func contiguity(_ table: FeatureTable, rule: ContiguityRule, snap: Double = spdepDefaultSnap,
                                  file: String? = nil) throws -> SpatialWeights {
        for (i, g) in table.geometries.enumerated() {
            guard g.kind.isPolygonal else {
                throw GeoVoteError.unsupported("contiguity needs polygons; \(file ?? "the layer") record \(i) is a \(g.kind.rawValue) (for points use distance weights: knn:K or distance:T)")
            }
            guard g.hasFiniteCoordinates else {
                throw GeoVoteError.malformed(DataLocation(file: file, record: i), reason: "has a NaN or infinite coordinate")
            }
        }
        if rule == .strictQueen || rule == .strictRook {
            return try strictContiguity(table, rook: rule == .strictRook, file: file)
        }
        if rule == .spdepQueen || rule == .spdepRook {
            return try spdepContiguity(table, minimumSharedPoints: rule == .spdepQueen ? 1 : 2, snap: snap)
        }
        // Keys made in parallel over chunks of polygons, each chunk filling its
        // own hash buckets; a bucket is the chunks' pieces in chunk order.
        let n = table.count, grain = 2048
        let chunks = PerChunk<[[ContiguityKey]]>(count: (n + grain - 1) / grain)
        let edges = rule == .rook
        table.geometries.withUnsafeBufferPointer { gb in
            let geometries = UnsafeSendableInput(gb)
            Parallel.forEachChunk(count: n, grain: grain) { _, chunk, range in
                var buckets = [[ContiguityKey]](repeating: [], count: Self.bucketCount)
                func add(_ key: ContiguityKey) { buckets[Int(key.hash >> UInt64(64 - Self.bucketBits))].append(key) }
                for p in range {
                    let g = geometries[p]
                    for r in 0..<g.ringCount {
                        let range = g.coordinates(ofRing: r)
                        if edges {
                            for v in range.dropLast() {
                                var a = (g.x[v], g.y[v]), b = (g.x[v + 1], g.y[v + 1])
                                if a == b { continue }  // repeated vertex: no edge
                                if (b.0, b.1) < (a.0, a.1) { swap(&a, &b) }
                                add(ContiguityKey(a: a, b: b, polygon: Int32(p)))
                            }
                        } else {
                            // A closed ring's last vertex repeats its first: one key is enough.
                            let closed = range.count > 1 && g.x[range.lowerBound] == g.x[range.upperBound - 1]
                                && g.y[range.lowerBound] == g.y[range.upperBound - 1]
                            for v in closed ? range.dropLast() : range[...] {
                                add(ContiguityKey(a: (g.x[v], g.y[v]), b: (0, 0), polygon: Int32(p)))
                            }
                        }
                    }
                }
                chunks[chunk] = buckets
            }
        }
        let pieces = chunks.inOrder
        let buckets = (0..<Self.bucketCount).map { b in pieces.flatMap { $0[b] } }
        return fromPairs(Self.sharedKeyPairs(buckets), count: n)
    }

    /// libpysal's strict contiguity: candidate pairs from overlapping
    /// bounding boxes (a sweep over x, never all pairs), then GEOS's exact
    /// predicate per pair, in parallel with one engine per worker.
    static func strictContiguity(_ table: FeatureTable, rook: Bool, file: String?) throws -> SpatialWeights {
        let n = table.count
        let boxes = table.geometries.map(\.boundingBox)
        let order = (0..<n).filter { boxes[$0] != nil }.sorted { boxes[$0]!.minX < boxes[$1]!.minX }
        // Candidates (i, j), i < j, whose boxes meet (closed boxes: touching counts).
        var candidates: [[Int32]] = Array(repeating: [], count: n)
        for (a, i) in order.enumerated() {
            let bi = boxes[i]!
            for j in order[(a + 1)...] {
                let bj = boxes[j]!
                if bj.minX > bi.maxX { break }
                if bj.minY <= bi.maxY && bj.maxY >= bi.minY { candidates[min(i, j)].append(Int32(max(i, j))) }
            }
        }
        let used = Parallel.workersUsed(count: n, grain: 64)
        let engines = try PerWorker(count: used) { _ in try GeometryEngine() }
        let found = PerChunk<[(Int32, Int32)]>(count: (n + 63) / 64)
        let failures = PerChunk<Error>(count: (n + 63) / 64)
        table.geometries.withUnsafeBufferPointer { gb in
            let g = UnsafeSendableInput(gb)
            candidates.withUnsafeBufferPointer { cb in
                let c = UnsafeSendableInput(cb)
                Parallel.forEachChunk(count: n, grain: 64, workers: used) { w, chunk, range in
                    var pairs: [(Int32, Int32)] = []
                    do {
                        for i in range where !c[i].isEmpty {
                            let prepared = try PreparedPolygon(g[i], engine: engines[w])
                            for j in c[i] {
                                let hit = rook ? try prepared.relate(g[Int(j)], pattern: "F***1****") : try prepared.touches(g[Int(j)])
                                if hit { pairs.append((Int32(i), j)); pairs.append((j, Int32(i))) }
                            }
                        }
                    } catch {
                        failures[chunk] = error
                    }
                    found[chunk] = pairs
                }
            }
        }
        if let error = failures.inOrder.first {
            if case let GeoVoteError.geos(message) = error {
                throw GeoVoteError.malformed(DataLocation(file: file), reason: "GEOS: \(message) (an invalid polygon? repair it with make-valid first)")
            }
            throw error
        }
        return fromPairs(found.inOrder.flatMap { $0 }, count: n)
    }

    /// spdep's `poly2nb`: polygons i and j are neighbours when at least
    /// `minimumSharedPoints` pairs (vertex of i, vertex of j) lie within
    /// `snap` of each other in x and in y (spdep's box test). As in spdep,
    /// the vertices are the feature's coordinates without the first one, so
    /// the closing vertex of every ring but the first counts twice: two
    /// polygons meeting at one point that closes a second ring of one of
    /// them are rook neighbours (virginia units 114 and 127).
    /// Vertices are hashed on a grid of cell `snap` (exact coordinates when
    /// snap is 0), so only nearby vertices are compared: never all pairs.
    static func spdepContiguity(_ table: FeatureTable, minimumSharedPoints: Int, snap: Double) throws -> SpatialWeights {
        guard snap >= 0, snap.isFinite else { throw GeoVoteError.invalidArgument("the snap distance must be ≥ 0, not \(snap)") }
        struct Vertex { var x: Double; var y: Double; var polygon: Int32 }
        var vertices: [Vertex] = []
        for (p, g) in table.geometries.enumerated() {
            // spdep takes sf's st_coordinates of the feature without its first
            // row: the first ring's closing vertex counts once, every other
            // ring's twice.
            for v in 1..<max(1, g.coordinateCount) {
                vertices.append(Vertex(x: g.x[v] + 0, y: g.y[v] + 0, polygon: Int32(p)))
            }
        }
        if let bad = vertices.first(where: { !$0.x.isFinite || !$0.y.isFinite }) {
            throw GeoVoteError.malformed(DataLocation(record: Int(bad.polygon), value: "(\(bad.x), \(bad.y))"), reason: "is not a finite coordinate")
        }
        // The grid only picks candidates (the box test below decides), so a
        // cell may be wider than snap: wide enough that no cell index leaves
        // ±2⁵⁰ (a vertex at 1e12, or a snap of 1e-300, overflowed Int64).
        let extent = vertices.reduce(0) { max($0, abs($1.x), abs($1.y)) }
        let cellSize = max(snap, extent / 0x1p50)
        func cell(_ v: Double) -> Int64 { snap > 0 ? Int64((v / cellSize).rounded(.down)) : 0 }
        struct CellKey: Hashable { var cx: Int64, cy: Int64, x: UInt64, y: UInt64 }
        func key(_ v: Vertex) -> CellKey {
            snap > 0 ? CellKey(cx: cell(v.x), cy: cell(v.y), x: 0, y: 0) : CellKey(cx: 0, cy: 0, x: v.x.bitPattern, y: v.y.bitPattern)
        }
        var grid: [CellKey: [Int32]] = [:]
        for (k, v) in vertices.enumerated() { grid[key(v), default: []].append(Int32(k)) }
        // Hits per unordered polygon pair (i < j).
        var hits: [Int64: Int] = [:]
        let n = Int64(table.count)
        for (k, v) in vertices.enumerated() {
            let base = key(v)
            let range: ClosedRange<Int64> = snap > 0 ? -1...1 : 0...0
            for dx in range {
                for dy in range {
                    let probe = snap > 0 ? CellKey(cx: base.cx + dx, cy: base.cy + dy, x: 0, y: 0) : base
                    for other in grid[probe] ?? [] where Int(other) > k {
                        let u = vertices[Int(other)]
                        guard u.polygon != v.polygon, abs(u.x - v.x) <= snap, abs(u.y - v.y) <= snap else { continue }
                        let (i, j) = (min(u.polygon, v.polygon), max(u.polygon, v.polygon))
                        hits[Int64(i) * n + Int64(j), default: 0] += 1
                    }
                }
            }
        }
        var pairs: [(Int32, Int32)] = []
        for (pair, count) in hits where count >= minimumSharedPoints {
            let i = Int32(pair / n), j = Int32(pair % n)
            pairs.append((i, j))
            pairs.append((j, i))
        }
        return fromPairs(pairs, count: table.count)
    }

    /// The directed pairs of polygons that share a key, from keys already
    /// bucketed by the top bits of their hash: the buckets are sorted in
    /// parallel by (hash, coordinates, polygon); the result depends on the
    /// keys only, never on the thread count.
    static let bucketBits = 6
    static let bucketCount = 1 << bucketBits

    static func sharedKeyPairs(_ input: [[ContiguityKey]]) -> [(Int32, Int32)] {
        var buckets = input
        let bucketCount = buckets.count
        let found = PerChunk<[(Int32, Int32)]>(count: bucketCount)
        buckets.withUnsafeMutableBufferPointer { bb in
            let b = UnsafeSendableBuffer(bb)
            Parallel.forEachChunk(count: bucketCount, grain: 1) { _, chunk, _ in
                b.base[chunk].sort()
                let bucket = b.base[chunk]
                var pairs: [(Int32, Int32)] = []
                var start = 0
                while start < bucket.count {
                    var end = start + 1
                    while end < bucket.count && bucket[end].sameCoordinates(bucket[start]) { end += 1 }
                    if end - start > 1 {
                        // Sorted by polygon within the run: distinct polygons in order.
                        var polygons: [Int32] = []
                        for e in bucket[start..<end] where polygons.last != e.polygon { polygons.append(e.polygon) }
                        if polygons.count > 1 {
                            for i in polygons { for j in polygons where j != i { pairs.append((i, j)) } }
                        }
                    }
                    start = end
                }
                found[chunk] = pairs
            }
        }
        return found.inOrder.flatMap { $0 }
    }

    /// Binary weights from directed pairs (repeats allowed): a counting sort
    /// by focal unit, then each row sorted and deduplicated in parallel.
    static func fromPairs(_ pairs: [(Int32, Int32)], count n: Int) -> SpatialWeights {
        var starts = [Int](repeating: 0, count: n + 1)
        for p in pairs { starts[Int(p.0) + 1] += 1 }
        for i in 0..<n { starts[i + 1] += starts[i] }
        let counts = starts
        var fill = counts
        var raw = [Int32](repeating: 0, count: pairs.count)
        for p in pairs {
            raw[fill[Int(p.0)]] = p.1
            fill[Int(p.0)] += 1
        }
        var rowLength = [Int](repeating: 0, count: n)
        raw.withUnsafeMutableBufferPointer { rb in
            rowLength.withUnsafeMutableBufferPointer { lb in
                let (r, l) = (UnsafeSendableBuffer(rb), UnsafeSendableBuffer(lb))
                Parallel.forEachChunk(count: n, grain: 1024) { _, _, range in
                    for i in range {
                        var row = UnsafeMutableBufferPointer(start: r.base + counts[i], count: counts[i + 1] - counts[i])
                        row.sort()
                        var kept = 0
                        for k in 0..<row.count where kept == 0 || row[kept - 1] != row[k] {
                            row[kept] = row[k]
                            kept += 1
                        }
                        l.base[i] = kept
                    }
                }
            }
        }
        var offsets = [Int](repeating: 0, count: n + 1)
        for i in 0..<n { offsets[i + 1] = offsets[i] + rowLength[i] }
        var neighbors = [Int32]()
        neighbors.reserveCapacity(offsets[n])
        for i in 0..<n { neighbors.append(contentsOf: raw[counts[i]..<(counts[i] + rowLength[i])]) }
        return SpatialWeights(offsets: offsets, neighbors: neighbors, weights: [Double](repeating: 1, count: neighbors.count), transform: .binary)
    }
}

/// A vertex or an edge with the polygon it belongs to, ordered by a hash of
/// its coordinates, then the exact coordinates, then polygon.
struct ContiguityKey: Comparable {
    let ax: Double, ay: Double, bx: Double, by: Double
    let polygon: Int32
    /// A mix of the coordinates' bits: orders keys cheaply and buckets them.
    let hash: UInt64

    init(a: (Double, Double), b: (Double, Double), polygon: Int32) {
        // -0.0 and 0.0 are the same coordinate.
        ax = a.0 + 0; ay = a.1 + 0; bx = b.0 + 0; by = b.1 + 0
        self.polygon = polygon
        var h = RandomStream.mix(ax.bitPattern)
        h = RandomStream.mix(h ^ ay.bitPattern)
        if bx != 0 || by != 0 {
            h = RandomStream.mix(h ^ bx.bitPattern)
            h = RandomStream.mix(h ^ by.bitPattern)
        }
        hash = h
    }

    func sameCoordinates(_ o: ContiguityKey) -> Bool { ax == o.ax && ay == o.ay && bx == o.bx && by == o.by }

    static func < (l: ContiguityKey, r: ContiguityKey) -> Bool {
        if l.hash != r.hash { return l.hash < r.hash }
        if l.ax != r.ax { return l.ax < r.ax }
        if l.ay != r.ay { return l.ay < r.ay }
        if l.bx != r.bx { return l.bx < r.bx }
        if l.by != r.by { return l.by < r.by }
        return l.polygon < r.polygon
    }
}
