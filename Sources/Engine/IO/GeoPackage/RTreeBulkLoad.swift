import Foundation

/// Builds an SQLite R-tree in one pass (sort-tile-recursive packing) and
/// writes its shadow tables directly, instead of inserting the boxes one by
/// one through the R*-tree's insert path — as GDAL 3.8 does for GeoPackage
/// (its PR 8596).
///
/// The result is an ordinary SQLite R-tree: the format is SQLite's
/// (`<name>_node` blobs of the table's node size: a 2-byte depth in the
/// root, a 2-byte cell count, then per cell a big-endian 64-bit id and the
/// box as big-endian float32 minX, maxX, minY, maxY; `<name>_rowid` maps
/// each id to its leaf, `<name>_parent` each non-root node to its parent;
/// node 1 is the root), the float32 bounds rounded outward exactly as
/// SQLite's own inserts round them, every node at least a third full, so
/// that later inserts, updates and deletes (the GeoPackage triggers) work
/// on it as on a tree SQLite built. `rtreecheck()` accepts it (tested).
enum RTreeBulkLoad {
    struct Entry {
        var id: Int64
        var minX: Float, maxX: Float, minY: Float, maxY: Float
    }

    /// SQLite's rounding of a double to the float32 below (rtreeValueDown).
    static func down(_ d: Double) -> Float {
        var f = Float(d)
        if Double(f) > d { f = Float(d * (d < 0 ? 1 + 1 / 8_388_608.0 : 1 - 1 / 8_388_608.0)) }
        return f
    }

    /// …and above (rtreeValueUp).
    static func up(_ d: Double) -> Float {
        var f = Float(d)
        if Double(f) < d { f = Float(d * (d < 0 ? 1 - 1 / 8_388_608.0 : 1 + 1 / 8_388_608.0)) }
        return f
    }

    /// Fills the empty R-tree `name` (just created) with `entries`.
    static func fill(_ name: String, entries: [Entry], into db: SQLiteDatabase) throws {
        guard !entries.isEmpty else { return }
        let q = GeoPackage.quoted
        let rootSize = try db.scalarInt("SELECT length(data) FROM \(q(name + "_node")) WHERE nodeno = 1") ?? 0
        let cellBytes = 8 + 4 * 4
        let capacity = (Int(rootSize) - 4) / cellBytes
        guard capacity >= 4 else { throw GeoVoteError.io(path: db.path, reason: "R-tree \(name) has nodes of \(rootSize) bytes, too small to bulk-load") }
        // Levels bottom-up: each a list of nodes, each a list of entries
        // (leaf entries are features; above, the entry id is a child's index in the level below).
        var levels: [[[Entry]]] = []
        var current = entries
        repeat {
            let nodes = pack(current, capacity: capacity)
            levels.append(nodes)
            current = nodes.enumerated().map { k, cells in
                var box = cells[0]
                for c in cells.dropFirst() {
                    box.minX = min(box.minX, c.minX); box.maxX = max(box.maxX, c.maxX)
                    box.minY = min(box.minY, c.minY); box.maxY = max(box.maxY, c.maxY)
                }
                box.id = Int64(k)
                return box
            }
        } while current.count > 1
        // Node numbers top-down, breadth first: the root is 1.
        var numbers: [[Int64]] = levels.map { [Int64](repeating: 0, count: $0.count) }
        var next: Int64 = 1
        numbers[levels.count - 1][0] = next
        next += 1
        for level in stride(from: levels.count - 1, to: 0, by: -1) {
            for node in levels[level] {
                for cell in node {
                    numbers[level - 1][Int(cell.id)] = next
                    next += 1
                }
            }
        }
        try db.execute("DELETE FROM \(q(name + "_node")); DELETE FROM \(q(name + "_parent")); DELETE FROM \(q(name + "_rowid"))")
        let insertNode = try db.prepare("INSERT INTO \(q(name + "_node")) (nodeno, data) VALUES (?, ?)")
        let insertParent = try db.prepare("INSERT INTO \(q(name + "_parent")) (nodeno, parentnode) VALUES (?, ?)")
        let insertRowid = try db.prepare("INSERT INTO \(q(name + "_rowid")) (rowid, nodeno) VALUES (?, ?)")
        var blob = [UInt8](repeating: 0, count: Int(rootSize))
        func put16(_ v: Int, at offset: Int) { blob[offset] = UInt8(v >> 8); blob[offset + 1] = UInt8(v & 0xFF) }
        func put64(_ v: Int64, at offset: Int) {
            let u = UInt64(bitPattern: v)
            for b in 0..<8 { blob[offset + b] = UInt8((u >> (56 - 8 * UInt64(b))) & 0xFF) }
        }
        func put32(_ f: Float, at offset: Int) {
            let u = f.bitPattern
            for b in 0..<4 { blob[offset + b] = UInt8((u >> (24 - 8 * UInt32(b))) & 0xFF) }
        }
        for level in stride(from: levels.count - 1, through: 0, by: -1) {
            for (k, node) in levels[level].enumerated() {
                let number = numbers[level][k]
                for i in blob.indices { blob[i] = 0 }
                put16(number == 1 ? levels.count - 1 : 0, at: 0)
                put16(node.count, at: 2)
                for (c, cell) in node.enumerated() {
                    let offset = 4 + c * cellBytes
                    let id = level == 0 ? cell.id : numbers[level - 1][Int(cell.id)]
                    put64(id, at: offset)
                    put32(cell.minX, at: offset + 8); put32(cell.maxX, at: offset + 12)
                    put32(cell.minY, at: offset + 16); put32(cell.maxY, at: offset + 20)
                    if level == 0 {
                        try insertRowid.bind(1, int64: cell.id); try insertRowid.bind(2, int64: number)
                        try insertRowid.run()
                    } else {
                        try insertParent.bind(1, int64: id); try insertParent.bind(2, int64: number)
                        try insertParent.run()
                    }
                }
                try insertNode.bind(1, int64: number); try insertNode.bind(2, blob: blob)
                try insertNode.run()
            }
        }
    }

    /// Sort-tile-recursive packing: slices by x centre, each sorted by y
    /// centre, the sequence cut into nodes as even as possible (sizes
    /// differ by at most one, so every node is well above a third full).
    static func pack(_ entries: [Entry], capacity: Int) -> [[Entry]] {
        let nodeCount = (entries.count + capacity - 1) / capacity
        if nodeCount == 1 { return [entries] }
        let slices = Int(Double(nodeCount).squareRoot().rounded(.up))
        let perSlice = (entries.count + slices - 1) / slices
        let byX = entries.sorted { ($0.minX + $0.maxX, $0.id) < ($1.minX + $1.maxX, $1.id) }
        var ordered: [Entry] = []
        ordered.reserveCapacity(entries.count)
        var start = 0
        while start < byX.count {
            let end = min(byX.count, start + perSlice)
            ordered += byX[start..<end].sorted { ($0.minY + $0.maxY, $0.id) < ($1.minY + $1.maxY, $1.id) }
            start = end
        }
        var nodes: [[Entry]] = []
        nodes.reserveCapacity(nodeCount)
        let base = ordered.count / nodeCount, extra = ordered.count % nodeCount
        var i = 0
        for k in 0..<nodeCount {
            let size = base + (k < extra ? 1 : 0)
            nodes.append(Array(ordered[i..<(i + size)]))
            i += size
        }
        return nodes
    }
}
