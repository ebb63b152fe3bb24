internal import CGeos

// Conversion between `Geometry` and GEOS geometries. Every C call notes how it
// signals failure.

extension GEOSContext {
    /// A GEOS coordinate sequence from a slice of the flat arrays.
    private func sequence(_ g: Geometry, _ range: Range<Int>) throws -> OpaquePointer {
        let seq = g.x.withUnsafeBufferPointer { xs in
            g.y.withUnsafeBufferPointer { ys in
                // Returns NULL on error.
                GEOSCoordSeq_copyFromArrays_r(
                    handle, xs.baseAddress! + range.lowerBound, ys.baseAddress! + range.lowerBound,
                    nil, nil, UInt32(range.count))
            }
        }
        guard let seq else { throw takeError("could not build a coordinate sequence") }
        return seq
    }

    private func linearRing(_ g: Geometry, ring r: Int) throws -> OpaquePointer {
        let seq = try sequence(g, g.coordinates(ofRing: r))
        // Takes ownership of seq (also on failure); returns NULL on error.
        guard let ring = GEOSGeom_createLinearRing_r(handle, seq) else {
            throw takeError("ring \(r) is not a valid linear ring")
        }
        return ring
    }

    private func polygon(_ g: Geometry, part p: Int) throws -> OpaquePointer {
        let rings = g.rings(ofPart: p)
        let shell = try linearRing(g, ring: rings.lowerBound)
        var holes: [OpaquePointer?] = []
        do {
            for r in rings.dropFirst() { holes.append(try linearRing(g, ring: r)) }
        } catch {
            GEOSGeom_destroy_r(handle, shell)
            for h in holes { GEOSGeom_destroy_r(handle, h) }
            throw error
        }
        // Takes ownership of shell and holes; returns NULL on error.
        let poly = holes.withUnsafeMutableBufferPointer { buffer in
            GEOSGeom_createPolygon_r(handle, shell, buffer.baseAddress, UInt32(buffer.count))
        }
        guard let poly else { throw takeError("could not build polygon \(p)") }
        return poly
    }

    /// A new GEOS geometry equal to `g`; the caller owns it.
    func makeGEOS(_ g: Geometry) throws -> GEOSGeometryHandle {
        clearError()
        let pointer: OpaquePointer
        switch g.kind {
        case .point:
            if g.isEmpty {
                guard let p = GEOSGeom_createEmptyPoint_r(handle) else { throw takeError("empty point") }
                pointer = p
            } else {
                // Returns NULL on error.
                guard let p = GEOSGeom_createPointFromXY_r(handle, g.x[0], g.y[0]) else { throw takeError("point") }
                pointer = p
            }
        case .lineString:
            if g.isEmpty {
                guard let p = GEOSGeom_createEmptyLineString_r(handle) else { throw takeError("empty line") }
                pointer = p
            } else {
                let seq = try sequence(g, g.coordinates(ofRing: 0))
                guard let p = GEOSGeom_createLineString_r(handle, seq) else { throw takeError("invalid line") }
                pointer = p
            }
        case .polygon:
            if g.isEmpty {
                guard let p = GEOSGeom_createEmptyPolygon_r(handle) else { throw takeError("empty polygon") }
                pointer = p
            } else {
                pointer = try polygon(g, part: 0)
            }
        case .multiPoint, .multiLineString, .multiPolygon:
            var members: [OpaquePointer?] = []
            do {
                for p in 0..<g.partCount {
                    switch g.kind {
                    case .multiPoint:
                        let i = Int(g.ringOffsets[p])
                        guard let m = GEOSGeom_createPointFromXY_r(handle, g.x[i], g.y[i]) else { throw takeError("point \(p)") }
                        members.append(m)
                    case .multiLineString:
                        let seq = try sequence(g, g.coordinates(ofRing: Int(g.partOffsets[p])))
                        guard let m = GEOSGeom_createLineString_r(handle, seq) else { throw takeError("line \(p)") }
                        members.append(m)
                    default:
                        members.append(try polygon(g, part: p))
                    }
                }
            } catch {
                for m in members { GEOSGeom_destroy_r(handle, m) }
                throw error
            }
            let type: Int32 = switch g.kind {
            case .multiPoint: Int32(GEOS_MULTIPOINT.rawValue)
            case .multiLineString: Int32(GEOS_MULTILINESTRING.rawValue)
            default: Int32(GEOS_MULTIPOLYGON.rawValue)
            }
            // Takes ownership of the members; returns NULL on error.
            let collection = members.withUnsafeMutableBufferPointer { buffer in
                GEOSGeom_createCollection_r(handle, type, buffer.baseAddress, UInt32(buffer.count))
            }
            guard let collection else { throw takeError("could not build a collection") }
            pointer = collection
        }
        return GEOSGeometryHandle(context: self, pointer: pointer)
    }

    /// A `Geometry` from a GEOS geometry (not consumed). Collections of mixed
    /// type keep their polygonal members when `preferPolygons` is set (what
    /// `makeValid` of a polygon needs), else fail.
    func makeGeometry(_ geom: OpaquePointer, preferPolygons: Bool = false) throws -> Geometry {
        // Returns -1 on error.
        let type = GEOSGeomTypeId_r(handle, geom)
        var parts: [[[Point]]] = []
        let kind: GeometryKind
        switch type {
        case Int32(GEOS_POINT.rawValue):
            kind = .point
            if GEOSisEmpty_r(handle, geom) == 0 { parts = [[try points(of: geom)]] }
        case Int32(GEOS_LINESTRING.rawValue), Int32(GEOS_LINEARRING.rawValue):
            kind = .lineString
            if GEOSisEmpty_r(handle, geom) == 0 { parts = [[try points(of: geom)]] }
        case Int32(GEOS_POLYGON.rawValue):
            kind = .polygon
            if GEOSisEmpty_r(handle, geom) == 0 { parts = [try rings(of: geom)] }
        case Int32(GEOS_MULTIPOINT.rawValue), Int32(GEOS_MULTILINESTRING.rawValue),
             Int32(GEOS_MULTIPOLYGON.rawValue), Int32(GEOS_GEOMETRYCOLLECTION.rawValue):
            var memberKind: GeometryKind? = switch type {
            case Int32(GEOS_MULTIPOINT.rawValue): .multiPoint
            case Int32(GEOS_MULTILINESTRING.rawValue): .multiLineString
            case Int32(GEOS_MULTIPOLYGON.rawValue): .multiPolygon
            default: nil
            }
            // Returns -1 on error.
            let count = GEOSGetNumGeometries_r(handle, geom)
            guard count >= 0 else { throw takeError("could not count members") }
            let collection = memberKind == nil
            for i in 0..<count {
                guard let member = GEOSGetGeometryN_r(handle, geom, i) else { throw takeError("member \(i)") }
                let sub = try makeGeometry(member, preferPolygons: preferPolygons)
                // A GeometryCollection: keep its polygons if asked (every
                // line or point member dropped, wherever it comes), else all one kind.
                if collection, preferPolygons, !sub.kind.isPolygonal { continue }
                if memberKind == nil {
                    memberKind = sub.kind.isPolygonal ? .multiPolygon : sub.kind.isPuntal ? .multiPoint : .multiLineString
                }
                for p in 0..<sub.partCount {
                    if (memberKind == .multiPolygon) != sub.kind.isPolygonal {
                        throw GeoVoteError.unsupported("a geometry collection of mixed types is not supported")
                    }
                    parts.append(sub.rings(ofPart: p).map { sub.points(ofRing: $0) })
                }
            }
            kind = memberKind ?? (preferPolygons ? .multiPolygon : .multiPoint)
        default:
            throw takeError("unknown GEOS geometry type \(type)")
        }
        if kind == .multiPoint {
            return .multiPoint(parts.flatMap { $0.flatMap { $0 } })
        }
        return Geometry.build(kind: kind, parts: parts)
    }

    private func points(of geom: OpaquePointer) throws -> [Point] {
        if GEOSGeomTypeId_r(handle, geom) == Int32(GEOS_POINT.rawValue) {
            var x = 0.0, y = 0.0
            // Return 0 on error.
            guard GEOSGeomGetX_r(handle, geom, &x) != 0, GEOSGeomGetY_r(handle, geom, &y) != 0 else {
                throw takeError("could not read a point")
            }
            return [Point(x: x, y: y)]
        }
        // The sequence belongs to geom; NULL on error.
        guard let seq = GEOSGeom_getCoordSeq_r(handle, geom) else { throw takeError("no coordinate sequence") }
        var size: UInt32 = 0
        // Returns 0 on error.
        guard GEOSCoordSeq_getSize_r(handle, seq, &size) != 0 else { throw takeError("no sequence size") }
        var xs = [Double](repeating: 0, count: Int(size)), ys = xs
        guard GEOSCoordSeq_copyToArrays_r(handle, seq, &xs, &ys, nil, nil) != 0 else {
            throw takeError("could not copy coordinates")
        }
        return zip(xs, ys).map { Point(x: $0, y: $1) }
    }

    private func rings(of polygon: OpaquePointer) throws -> [[Point]] {
        // Owned by the polygon; NULL on error.
        guard let shell = GEOSGetExteriorRing_r(handle, polygon) else { throw takeError("no exterior ring") }
        var result = [try points(of: shell)]
        // Returns -1 on error.
        let holes = GEOSGetNumInteriorRings_r(handle, polygon)
        guard holes >= 0 else { throw takeError("could not count holes") }
        for i in 0..<holes {
            guard let ring = GEOSGetInteriorRingN_r(handle, polygon, i) else { throw takeError("no hole \(i)") }
            result.append(try points(of: ring))
        }
        return result
    }
}
