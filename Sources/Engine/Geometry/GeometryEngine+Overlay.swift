internal import CGeos

extension GeometryEngine {
    /// The intersection of two geometries (GEOS overlay). When both are
    /// polygonal the result keeps only its polygonal parts (slivers that
    /// touch along a line or at a point are dropped), so it stays polygonal.
    public func intersection(_ a: Geometry, _ b: Geometry) throws -> Geometry {
        try withGEOS(a) { ga in
            try withGEOS(b) { gb in
                // NULL on error; the result is ours.
                guard let result = GEOSIntersection_r(context.handle, ga, gb) else { throw context.takeError("intersection failed") }
                defer { GEOSGeom_destroy_r(context.handle, result) }
                return try context.makeGeometry(result, preferPolygons: a.kind.isPolygonal && b.kind.isPolygonal)
            }
        }
    }

    /// The union of polygons (GEOS unary union).
    public func union(_ geometries: [Geometry]) throws -> Geometry {
        try union(geometries, coverage: false)
    }

    /// The union of polygons that form a coverage — no overlaps, neighbours
    /// sharing their edges vertex for vertex, as communes of one map do —
    /// by GEOS's coverage union, which drops the shared edges instead of
    /// overlaying (far faster). GEOS leaves the result undefined when the
    /// input is not a coverage, so the result is checked and, when it is not
    /// valid, the unary union is computed instead.
    public func coverageUnion(_ geometries: [Geometry]) throws -> Geometry {
        if let merged = try? union(geometries, coverage: true), try isValid(merged) { return merged }
        return try union(geometries, coverage: false)
    }

    private func union(_ geometries: [Geometry], coverage: Bool) throws -> Geometry {
        let handles = try geometries.map { try context.makeGEOS($0) }
        var pointers: [OpaquePointer?] = handles.map(\.pointer)
        // The collection takes ownership of the members: detach them from the handles.
        let collection = pointers.withUnsafeMutableBufferPointer {
            GEOSGeom_createCollection_r(context.handle, Int32(GEOS_GEOMETRYCOLLECTION.rawValue), $0.baseAddress, UInt32(geometries.count))
        }
        guard let collection else { throw context.takeError("collection failed") }
        handles.forEach { $0.release() }
        defer { GEOSGeom_destroy_r(context.handle, collection) }
        // Both return NULL on error; the result is ours.
        guard let result = coverage ? GEOSCoverageUnion_r(context.handle, collection) : GEOSUnaryUnion_r(context.handle, collection) else {
            throw context.takeError("union failed")
        }
        defer { GEOSGeom_destroy_r(context.handle, result) }
        return try context.makeGeometry(result, preferPolygons: true)
    }

    /// The convex hull (GEOS), or with `concaveRatio` in [0, 1) the concave
    /// hull of GEOS 3.11 (`GEOSConcaveHull_r`: 1 is the convex hull, smaller
    /// ratios follow the points more closely), without holes.
    public func hull(_ g: Geometry, concaveRatio: Double? = nil) throws -> Geometry {
        try withGEOS(g) { geom in
            // Both return NULL on error; the result is ours.
            let result = concaveRatio.map { GEOSConcaveHull_r(context.handle, geom, $0, 0) } ?? GEOSConvexHull_r(context.handle, geom)
            guard let result else { throw context.takeError("hull failed") }
            defer { GEOSGeom_destroy_r(context.handle, result) }
            return try context.makeGeometry(result)
        }
    }

    /// The Voronoi cells of the sites, in the order of the sites: cell i is
    /// the polygon of points nearer to site i than to any other, clipped to
    /// `box` (GEOS's diagram extends to its envelope). GEOS returns cells in
    /// its own order; each is matched back to its site through a point
    /// inside it, which by definition is nearest to that site.
    /// - Precondition: the sites are distinct.
    public func voronoiCells(x: [Double], y: [Double], box: BoundingBox) throws -> [Geometry] {
        let n = x.count
        let sites = Geometry(kind: .multiPoint, x: ContiguousArray(x), y: ContiguousArray(y),
                             ringOffsets: ContiguousArray(0...Int32(n)), partOffsets: ContiguousArray(0...Int32(n)))
        let envelope = Geometry.polygon([[Point(x: box.minX, y: box.minY), Point(x: box.maxX, y: box.minY),
                                          Point(x: box.maxX, y: box.maxY), Point(x: box.minX, y: box.maxY),
                                          Point(x: box.minX, y: box.minY)]])
        let tree = KDTree(x: x, y: y)
        var cells = [Geometry?](repeating: nil, count: n)
        try withGEOS(sites) { gs in
            try withGEOS(envelope) { ge in
                // NULL on error; a GeometryCollection of polygons, ours to destroy.
                guard let diagram = GEOSVoronoiDiagram_r(context.handle, gs, ge, 0, 0) else {
                    throw context.takeError("Voronoi diagram failed")
                }
                defer { GEOSGeom_destroy_r(context.handle, diagram) }
                let count = GEOSGetNumGeometries_r(context.handle, diagram)
                guard count == Int32(n) else { throw GeoVoteError.geos("Voronoi diagram has \(count) cells for \(n) sites (duplicate sites?)") }
                for i in 0..<count {
                    guard let member = GEOSGetGeometryN_r(context.handle, diagram, i) else { throw context.takeError("cell \(i)") }
                    let cell = try context.makeGeometry(member)
                    guard let inside = try pointOnSurface(cell) else { throw GeoVoteError.geos("empty Voronoi cell") }
                    let site = tree.nearest(to: (inside.x, inside.y, 0), k: 1)[0].index
                    guard cells[site] == nil else { throw GeoVoteError.geos("two Voronoi cells matched site \(site)") }
                    cells[site] = try intersection(cell, envelope)
                }
            }
        }
        return cells.map { $0! }
    }
}

/// A polygon prepared for fast repeated point-in-polygon and containment
/// tests (GEOS prepared geometry). Not `Sendable`: one per thread.
public final class PreparedPolygon {
    let engine: GeometryEngine
    let handle: GEOSGeometryHandle
    let prepared: OpaquePointer

    public init(_ g: Geometry, engine: GeometryEngine) throws {
        self.engine = engine
        handle = try engine.context.makeGEOS(g)
        // NULL on error.
        guard let p = GEOSPrepare_r(engine.context.handle, handle.pointer) else { throw engine.context.takeError("prepare failed") }
        prepared = p
    }

    deinit {
        GEOSPreparedGeom_destroy_r(engine.context.handle, prepared)
    }

    /// True when the point is inside or on the boundary.
    public func covers(x: Double, y: Double) throws -> Bool {
        try pointTest(x, y, "point-in-polygon") { GEOSPreparedIntersects_r($0, prepared, $1) }
    }

    /// True when the point is inside (not on the boundary).
    public func contains(x: Double, y: Double) throws -> Bool {
        try pointTest(x, y, "contains") { GEOSPreparedContains_r($0, prepared, $1) }
    }

    private func pointTest(_ x: Double, _ y: Double, _ name: String, _ test: (GEOSContextHandle_t, OpaquePointer) -> CChar) throws -> Bool {
        // NULL on error.
        guard let point = GEOSGeom_createPointFromXY_r(engine.context.handle, x, y) else { throw engine.context.takeError("point") }
        defer { GEOSGeom_destroy_r(engine.context.handle, point) }
        // 1 true, 0 false, 2 error.
        let r = test(engine.context.handle, point)
        guard r != 2 else { throw engine.context.takeError("\(name) failed") }
        return r == 1
    }

    /// True when the boundaries meet and the interiors do not (GEOS touches).
    public func touches(_ g: Geometry) throws -> Bool {
        try predicate(g, "touches") { GEOSPreparedTouches_r($0, prepared, $1) }
    }

    /// The DE-9IM relation of this polygon and `g` matches `pattern` (e.g.
    /// "F***1****": interiors disjoint, boundaries share a line).
    public func relate(_ g: Geometry, pattern: String) throws -> Bool {
        try predicate(g, "relate") { GEOSRelatePattern_r($0, handle.pointer, $1, pattern) }
    }

    /// True when `g` lies entirely inside.
    public func contains(_ g: Geometry) throws -> Bool {
        try predicate(g, "contains") { GEOSPreparedContains_r($0, prepared, $1) }
    }

    /// Runs a GEOS predicate on `g` (1 true, 0 false, 2 error).
    private func predicate(_ g: Geometry, _ name: String, _ test: (GEOSContextHandle_t, OpaquePointer) -> CChar) throws -> Bool {
        let h = try engine.context.makeGEOS(g)
        return try withExtendedLifetime(h) {
            let r = test(engine.context.handle, h.pointer)
            guard r != 2 else { throw engine.context.takeError("\(name) failed") }
            return r == 1
        }
    }
}
