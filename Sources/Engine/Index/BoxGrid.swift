/// A uniform grid over a set of boxes, about one cell per box: the boxes
/// that may hold a point, or meet a box, without testing every one.
/// Used for point-in-polygon (``Aggregation``) and polygon overlays
/// (areal interpolation).
struct BoxGrid: Sendable {
    let extent: BoundingBox
    let side: Int
    let cellWidth: Double
    let cellHeight: Double
    /// The boxes in each cell (row-major), in index order.
    let cells: [[Int32]]

    /// Nil when no box is given; `include` leaves boxes out (e.g. non-polygons).
    init?(_ boxes: [BoundingBox?], include: (Int) -> Bool = { _ in true }) {
        guard let extent = BoundingBox.union(boxes) else { return nil }
        self.extent = extent
        side = max(1, Int(Double(boxes.count).squareRoot().rounded(.up)))
        cellWidth = max(extent.maxX - extent.minX, 1e-12) / Double(side)
        cellHeight = max(extent.maxY - extent.minY, 1e-12) / Double(side)
        var grid = [[Int32]](repeating: [], count: side * side)
        for (i, box) in boxes.enumerated() {
            guard let box, include(i) else { continue }
            let (c0, r0) = Self.cell(box.minX, box.minY, extent, side, cellWidth, cellHeight)
            let (c1, r1) = Self.cell(box.maxX, box.maxY, extent, side, cellWidth, cellHeight)
            for r in r0...r1 { for c in c0...c1 { grid[r * side + c].append(Int32(i)) } }
        }
        cells = grid
    }

    private static func cell(_ x: Double, _ y: Double, _ e: BoundingBox, _ side: Int, _ w: Double, _ h: Double) -> (Int, Int) {
        (min(side - 1, max(0, Int((x - e.minX) / w))), min(side - 1, max(0, Int((y - e.minY) / h))))
    }

    /// The boxes of the point's cell (empty outside the extent), in index order.
    func candidates(x: Double, y: Double) -> [Int32] {
        guard x >= extent.minX, x <= extent.maxX, y >= extent.minY, y <= extent.maxY else { return [] }
        let (c, r) = Self.cell(x, y, extent, side, cellWidth, cellHeight)
        return cells[r * side + c]
    }

    /// The boxes of every cell the box meets, once each, in index order.
    func candidates(meeting box: BoundingBox) -> [Int32] {
        guard box.minX <= extent.maxX, box.maxX >= extent.minX, box.minY <= extent.maxY, box.maxY >= extent.minY else { return [] }
        let (c0, r0) = Self.cell(box.minX, box.minY, extent, side, cellWidth, cellHeight)
        let (c1, r1) = Self.cell(box.maxX, box.maxY, extent, side, cellWidth, cellHeight)
        if c0 == c1 && r0 == r1 { return cells[r0 * side + c0] }
        var found = Set<Int32>()
        for r in r0...r1 { for c in c0...c1 { found.formUnion(cells[r * side + c]) } }
        return found.sorted()
    }
}
