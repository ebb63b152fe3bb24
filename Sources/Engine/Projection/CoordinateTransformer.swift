internal import CProj

/// Transforms coordinates between two CRSs with PROJ, in parallel.
///
/// Axis order is normalised for GIS (`proj_normalize_for_visualization`):
/// x is longitude or easting, y latitude or northing, whatever the CRS's
/// official axis order. Each worker has its own PROJ context and operation.
public struct CoordinateTransformer: Sendable {
    public let source: CoordinateReferenceSystem
    public let target: CoordinateReferenceSystem

    /// Checks that PROJ finds an operation between the two CRSs.
    public init(from source: CoordinateReferenceSystem, to target: CoordinateReferenceSystem) throws {
        self.source = source
        self.target = target
        _ = try Self.makeOperation(ProjContext(), source, target)
    }

    static func makeOperation(_ context: ProjContext, _ source: CoordinateReferenceSystem, _ target: CoordinateReferenceSystem) throws -> ProjObject {
        // NULL when no operation exists.
        guard let raw = proj_create_crs_to_crs(context.handle, source.definition, target.definition, nil) else {
            throw context.error("no transformation from \(source) to \(target)")
        }
        defer { proj_destroy(raw) }
        // NULL on error; a new object.
        guard let normalized = proj_normalize_for_visualization(context.handle, raw) else {
            throw context.error("cannot normalise axis order")
        }
        return ProjObject(context: context, pointer: normalized)
    }

    /// Transforms coordinates in place; 4096 points a chunk over every core.
    ///
    /// - Throws: `GeoVoteError.malformed` when a point cannot be transformed
    ///   (PROJ returns infinity); its `record` is the index of the first
    ///   such point and its `value` the input coordinates.
    /// - Complexity: O(n).
    public func transform(x: inout [Double], y: inout [Double], workers: Int = Parallel.defaultWorkerCount) throws {
        precondition(x.count == y.count)
        let n = x.count
        guard n > 0 else { return }
        let grain = 4096
        let used = Parallel.workersUsed(count: n, grain: grain, workers: workers)
        let (source, target) = (self.source, self.target)
        // The first context on this thread, then one per worker.
        let operations = try PerWorker(count: used) { _ in try Self.makeOperation(ProjContext(), source, target) }
        let failures = PerChunk<(Int, Double, Double)>(count: (n + grain - 1) / grain)
        x.withUnsafeMutableBufferPointer { xb in
            y.withUnsafeMutableBufferPointer { yb in
                let xs = UnsafeSendableBuffer(xb), ys = UnsafeSendableBuffer(yb)
                Parallel.forEachChunk(count: n, grain: grain, workers: used) { worker, chunk, range in
                    let op = operations[worker]
                    let count = range.count
                    let stride = MemoryLayout<Double>.stride
                    let inputX = Array(UnsafeBufferPointer(start: xs.base + range.lowerBound, count: count))
                    let inputY = Array(UnsafeBufferPointer(start: ys.base + range.lowerBound, count: count))
                    // Returns the number of transformed points.
                    _ = proj_trans_generic(
                        op.pointer, PJ_FWD,
                        xs.base + range.lowerBound, stride, count,
                        ys.base + range.lowerBound, stride, count,
                        nil, 0, 0, nil, 0, 0)
                    for i in range where !xs[i].isFinite || !ys[i].isFinite {
                        let j = i - range.lowerBound
                        if inputX[j].isFinite && inputY[j].isFinite {
                            failures[chunk] = (i, inputX[j], inputY[j])
                            break
                        }
                    }
                }
            }
        }
        if let (index, px, py) = failures.inOrder.first {
            throw GeoVoteError.malformed(
                DataLocation(record: index, value: "(\(px), \(py))"),
                reason: "cannot be transformed from \(source) to \(target)")
        }
    }

    /// Transforms one point.
    public func transform(_ p: Point) throws -> Point {
        var x = [p.x], y = [p.y]
        try transform(x: &x, y: &y, workers: 1)
        return Point(x: x[0], y: y[0])
    }

    /// The box, in the target CRS, that holds the transform of a box of the
    /// source CRS (edges densified with 21 points, as PROJ does).
    public func transformBounds(_ box: BoundingBox) throws -> BoundingBox {
        let context = ProjContext()
        let op = try Self.makeOperation(context, source, target)
        var out = BoundingBox(minX: 0, minY: 0, maxX: 0, maxY: 0)
        // Returns 0 on error.
        guard proj_trans_bounds(context.handle, op.pointer, PJ_FWD, box.minX, box.minY, box.maxX, box.maxY,
                                &out.minX, &out.minY, &out.maxX, &out.maxY, 21) != 0 else {
            throw context.error("cannot transform the box \(box)")
        }
        return out
    }
}

extension CoordinateReferenceSystem {
    /// The version of PROJ in use, such as "9.1.1".
    public static var projVersion: String {
        let info = proj_info()
        return String(cString: info.version)
    }
}
