import Foundation

/// The cells points (polling stations, incidents) are aggregated into.
public enum TessellationShape: String, Sendable, Hashable, CaseIterable, Codable {
    /// Square cells from the points' lower-left corner (ArcGIS's fishnet).
    case fishnet
    /// Pointy-top hexagons; the cell size is the distance between the
    /// centres of neighbouring cells (the width between opposite sides).
    case hexagon
}

/// Square or hexagonal cells over a point layer, and ArcGIS's rule for
/// their size.
///
/// ```swift
/// let stations = try LayerIO.read("stations_utm29n.shp").0
/// let size = try Tessellation.cellSize(for: WeightsPoints(table: stations)).size
/// let cells = try Tessellation.occupiedCells(of: stations, shape: .hexagon, size: size)
/// ```
public enum Tessellation {
    /// ArcGIS's cell size (Optimized Hot Spot Analysis `scaleDecision`):
    /// of the distinct locations' nearest-neighbour distances, the larger
    /// of the mean and the median, times the larger of 2 and their ratio.
    /// - Returns: the size and the decision in words.
    public static func cellSize(for points: WeightsPoints, workers: Int = Parallel.defaultWorkerCount) throws -> (size: Double, decision: String) {
        var seen = Set<[Double]>(), xs = [Double](), ys = [Double]()
        for i in 0..<points.count where seen.insert([points.x[i], points.y[i]]).inserted {
            xs.append(points.x[i])
            ys.append(points.y[i])
        }
        let pattern = try PointPattern(try WeightsPoints(x: xs, y: ys), standardDeviations: 0, includeCoincident: false, workers: workers)
        let (mean, median) = (pattern.nonZeroAverage, pattern.nonZeroMedian)
        let (name, larger, ratio) = mean > median ? ("mean", mean, mean / median) : ("median", median, median / mean)
        let scale = max(2, ratio)
        let size = larger * scale
        return (size, String(format: "cell size %.4f: the %@ nearest-neighbour distance of %d distinct locations (%.4f) times %.4f", size, name, xs.count, larger, scale))
    }

    /// The cells that hold at least one point, as polygons with a text
    /// field `cell` (fishnet `R<row>C<col>`, hexagon `Q<q>R<r>` in axial
    /// coordinates), ordered by row then column; the grid starts at the
    /// points' lower-left corner.
    public static func occupiedCells(of points: FeatureTable, shape: TessellationShape, size: Double, file: String? = nil,
                                     workers: Int = Parallel.defaultWorkerCount) throws -> FeatureTable {
        guard size.isFinite, size > 0 else { throw GeoVoteError.invalidArgument("the cell size is \(size): give a positive distance in the layer's units") }
        let p = try WeightsPoints(table: points, file: file)
        guard p.count > 0 else { throw GeoVoteError.unsupported("no points to aggregate") }
        let ox = p.x.min()!, oy = p.y.min()!
        let width = p.x.max()! - ox, height = p.y.max()! - oy
        let estimate = (width / size + 2) * (height / size + 2)
        // Only occupied cells are made, but their indices must stay exact.
        guard estimate < 1e15 else { throw GeoVoteError.invalidArgument("the cell size \(size) is too small for an extent of \(width) × \(height)") }
        let radius = size / 3.0.squareRoot()
        func cell(_ i: Int) -> (Int, Int) {
            let x = p.x[i] - ox, y = p.y[i] - oy
            switch shape {
            case .fishnet:
                return (Int((y / size).rounded(.down)), Int((x / size).rounded(.down)))
            case .hexagon:
                // Axial coordinates of a pointy-top hexagon, rounded in cube space.
                let root3: Double = 3.0.squareRoot()
                let q: Double = (root3 / 3 * x - y / 3) / radius
                let r: Double = (2.0 / 3 * y) / radius
                var rq = q.rounded(), rr = r.rounded()
                let s: Double = -q - r
                let rs = s.rounded()
                let dq: Double = abs(rq - q), dr: Double = abs(rr - r), ds: Double = abs(rs - s)
                if dq > dr && dq > ds { rq = -rr - rs } else if dr > ds { rr = -rq - rs }
                return (Int(rr), Int(rq))
            }
        }
        var occupied = Set<SIMD2<Int>>()
        for i in 0..<p.count { let (row, col) = cell(i); occupied.insert(SIMD2(row, col)) }
        let keys = occupied.sorted { $0.x != $1.x ? $0.x < $1.x : $0.y < $1.y }.map { ($0.x, $0.y) }
        var geometries: [Geometry] = [], names: [String?] = []
        geometries.reserveCapacity(keys.count)
        for (row, col) in keys {
            switch shape {
            case .fishnet:
                let x0 = ox + Double(col) * size, y0 = oy + Double(row) * size
                geometries.append(.polygon([[Point(x: x0, y: y0), Point(x: x0 + size, y: y0), Point(x: x0 + size, y: y0 + size),
                                             Point(x: x0, y: y0 + size), Point(x: x0, y: y0)]]))
                names.append("R\(row)C\(col)")
            case .hexagon:
                let cx = ox + radius * 3.0.squareRoot() * (Double(col) + Double(row) / 2), cy = oy + radius * 1.5 * Double(row)
                var ring = (0..<6).map { k -> Point in
                    let angle = Double.pi / 180 * (30 + 60 * Double(k))
                    return Point(x: cx + radius * cos(angle), y: cy + radius * sin(angle))
                }
                ring.append(ring[0])
                geometries.append(.polygon([ring]))
                names.append("Q\(col)R\(row)")
            }
        }
        return FeatureTable(geometries: geometries, columns: [Column(name: "cell", values: .text(names))], crs: points.crs)
    }
}
