internal import CGeos

/// Geometry operations computed by GEOS, on one thread.
///
/// Each engine owns one GEOS context and is not `Sendable`; for whole layers
/// use the parallel helpers (`GeometryEngine.map`), which make one engine per
/// worker before the parallel region starts. No GEOS pointer leaves this type.
///
/// ```swift
/// let geos = try GeometryEngine()
/// let a = try geos.area(polygon)
/// ```
public final class GeometryEngine {
    let context: GEOSContext

    public init() throws {
        context = try GEOSContext()
    }

    /// GEOS's version string, such as "3.11.1-CAPI-1.17.1".
    public static var geosVersion: String { String(cString: GEOSversion()) }

    func withGEOS<T>(_ g: Geometry, _ body: (OpaquePointer) throws -> T) throws -> T {
        let handle = try context.makeGEOS(g)
        return try withExtendedLifetime(handle) { try body(handle.pointer) }
    }

    /// Planar area in squared CRS units (0 for points and lines).
    public func area(_ g: Geometry) throws -> Double {
        try withGEOS(g) { geom in
            var area = 0.0
            // Returns 0 on error.
            guard GEOSArea_r(context.handle, geom, &area) != 0 else { throw context.takeError("area failed") }
            return area
        }
    }

    /// Planar length (perimeter for polygons) in CRS units.
    public func length(_ g: Geometry) throws -> Double {
        try withGEOS(g) { geom in
            var length = 0.0
            guard GEOSLength_r(context.handle, geom, &length) != 0 else { throw context.takeError("length failed") }
            return length
        }
    }

    private func pointResult(_ g: Geometry, _ op: (GEOSContextHandle_t, OpaquePointer) -> OpaquePointer?) throws -> Point? {
        try withGEOS(g) { geom in
            // NULL on error; the result is ours to destroy.
            guard let result = op(context.handle, geom) else { throw context.takeError("operation failed") }
            defer { GEOSGeom_destroy_r(context.handle, result) }
            if GEOSisEmpty_r(context.handle, result) != 0 { return nil }
            var x = 0.0, y = 0.0
            guard GEOSGeomGetX_r(context.handle, result, &x) != 0, GEOSGeomGetY_r(context.handle, result, &y) != 0 else {
                throw context.takeError("could not read the point")
            }
            return Point(x: x, y: y)
        }
    }

    /// The centroid (centre of mass of the highest dimension); nil when empty.
    public func centroid(_ g: Geometry) throws -> Point? {
        try pointResult(g) { GEOSGetCentroid_r($0, $1) }
    }

    /// A point guaranteed to lie inside the geometry; nil when empty.
    public func pointOnSurface(_ g: Geometry) throws -> Point? {
        try pointResult(g) { GEOSPointOnSurface_r($0, $1) }
    }

    /// Whether the geometry is valid in the OGC sense.
    public func isValid(_ g: Geometry) throws -> Bool {
        try validityReason(g) == nil
    }

    /// Why the geometry is invalid (GEOS's words, with the location), or nil
    /// when it is valid.
    public func validityReason(_ g: Geometry) throws -> String? {
        let handle: GEOSGeometryHandle
        do {
            handle = try context.makeGEOS(g)
        } catch let GeoVoteError.geos(message) {
            return message  // e.g. an unclosed ring cannot even be built
        }
        return try withExtendedLifetime(handle) {
            var reason: UnsafeMutablePointer<CChar>?
            var location: OpaquePointer?
            // Returns 1 valid, 0 invalid, 2 on error.
            let code = GEOSisValidDetail_r(context.handle, handle.pointer, 0, &reason, &location)
            defer {
                if let reason { GEOSFree_r(context.handle, reason) }
                if let location { GEOSGeom_destroy_r(context.handle, location) }
            }
            switch code {
            case 1: return nil
            case 0:
                var text = reason.map { String(cString: $0) } ?? "invalid"
                if let location {
                    var x = 0.0, y = 0.0
                    if GEOSGeomGetX_r(context.handle, location, &x) != 0, GEOSGeomGetY_r(context.handle, location, &y) != 0 {
                        text += " at (\(x), \(y))"
                    }
                }
                return text
            default:
                throw context.takeError("validity check failed")
            }
        }
    }

    /// A valid version of the geometry (GEOS `MakeValid`, structure method,
    /// collapsed parts dropped). A polygonal input stays polygonal.
    public func makeValid(_ g: Geometry) throws -> Geometry {
        try withGEOS(g) { geom in
            // NULL on error.
            guard let params = GEOSMakeValidParams_create_r(context.handle) else { throw context.takeError("params") }
            defer { GEOSMakeValidParams_destroy_r(context.handle, params) }
            _ = GEOSMakeValidParams_setMethod_r(context.handle, params, GEOS_MAKE_VALID_STRUCTURE)
            _ = GEOSMakeValidParams_setKeepCollapsed_r(context.handle, params, 0)
            guard let result = GEOSMakeValidWithParams_r(context.handle, geom, params) else {
                throw context.takeError("make valid failed")
            }
            defer { GEOSGeom_destroy_r(context.handle, result) }
            let fixed = try context.makeGeometry(result, preferPolygons: g.kind.isPolygonal)
            if g.kind == .polygon, fixed.kind == .multiPolygon, fixed.partCount == 1 {
                return Geometry(kind: .polygon, x: fixed.x, y: fixed.y, ringOffsets: fixed.ringOffsets, partOffsets: fixed.partOffsets)
            }
            return fixed
        }
    }

    /// Well-known text with full precision (round-trips doubles).
    public func wkt(_ g: Geometry) throws -> String {
        try withGEOS(g) { geom in
            guard let writer = GEOSWKTWriter_create_r(context.handle) else { throw context.takeError("WKT writer") }
            defer { GEOSWKTWriter_destroy_r(context.handle, writer) }
            GEOSWKTWriter_setTrim_r(context.handle, writer, 1)
            GEOSWKTWriter_setRoundingPrecision_r(context.handle, writer, 17)
            // NULL on error; freed with GEOSFree_r.
            guard let text = GEOSWKTWriter_write_r(context.handle, writer, geom) else { throw context.takeError("WKT write") }
            defer { GEOSFree_r(context.handle, text) }
            return String(cString: text)
        }
    }

    /// Parses well-known text.
    public func geometry(wkt: String) throws -> Geometry {
        context.clearError()
        guard let reader = GEOSWKTReader_create_r(context.handle) else { throw context.takeError("WKT reader") }
        defer { GEOSWKTReader_destroy_r(context.handle, reader) }
        // NULL on a parse error.
        guard let geom = GEOSWKTReader_read_r(context.handle, reader, wkt) else {
            throw GeoVoteError.malformed(DataLocation(value: String(wkt.prefix(60))), reason: "is not valid WKT: " + (context.takeError("parse error").description))
        }
        defer { GEOSGeom_destroy_r(context.handle, geom) }
        return try context.makeGeometry(geom)
    }

    /// Well-known binary, little-endian, 2D.
    public func wkb(_ g: Geometry) throws -> [UInt8] {
        try withGEOS(g) { geom in
            guard let writer = GEOSWKBWriter_create_r(context.handle) else { throw context.takeError("WKB writer") }
            defer { GEOSWKBWriter_destroy_r(context.handle, writer) }
            GEOSWKBWriter_setByteOrder_r(context.handle, writer, Int32(GEOS_WKB_NDR.rawValue))
            var size = 0
            // NULL on error; freed with GEOSFree_r.
            guard let bytes = GEOSWKBWriter_write_r(context.handle, writer, geom, &size) else { throw context.takeError("WKB write") }
            defer { GEOSFree_r(context.handle, bytes) }
            return Array(UnsafeBufferPointer(start: bytes, count: size))
        }
    }

    /// Parses well-known binary.
    public func geometry(wkb: [UInt8]) throws -> Geometry {
        context.clearError()
        guard let reader = GEOSWKBReader_create_r(context.handle) else { throw context.takeError("WKB reader") }
        defer { GEOSWKBReader_destroy_r(context.handle, reader) }
        // NULL on a parse error.
        guard let geom = GEOSWKBReader_read_r(context.handle, reader, wkb, wkb.count) else {
            throw GeoVoteError.malformed(DataLocation(), reason: "is not valid WKB: " + context.takeError("parse error").description)
        }
        defer { GEOSGeom_destroy_r(context.handle, geom) }
        return try context.makeGeometry(geom)
    }
}

extension GeometryEngine {
    /// Applies `body` to every geometry in parallel, one engine per worker,
    /// results in input order. The first failure in input order is thrown,
    /// with the index of the geometry that caused it.
    ///
    /// - Complexity: O(n) calls to `body`, spread over every core.
    public static func map<T: Sendable>(
        _ geometries: [Geometry],
        workers: Int = Parallel.defaultWorkerCount,
        file: String? = nil,
        _ body: @Sendable (GeometryEngine, Geometry) throws -> T
    ) throws -> [T] {
        try geometries.withUnsafeBufferPointer { input in
            let source = UnsafeSendableInput(input)
            return try map(count: geometries.count, workers: workers, file: file) { engine, i in try body(engine, source[i]) }
        }
    }

    /// Applies `body` to every index of `0..<count` in parallel (chunks of
    /// `grain`), one engine per worker, results in index order; the first
    /// failure in index order is thrown, with its index as the record.
    public static func map<T: Sendable>(
        count n: Int,
        grain: Int = 256,
        workers: Int = Parallel.defaultWorkerCount,
        file: String? = nil,
        _ body: @Sendable (GeometryEngine, Int) throws -> T
    ) throws -> [T] {
        try map(count: n, grain: grain, workers: workers, file: file) { engine, _, i in try body(engine, i) }
    }

    /// The same, telling `body` its worker (`0..<Parallel.workersUsed(count:grain:workers:)`),
    /// for worker-local state such as prepared geometries of that worker's engine.
    public static func map<T: Sendable>(
        count n: Int,
        grain: Int = 256,
        workers: Int = Parallel.defaultWorkerCount,
        file: String? = nil,
        _ body: @Sendable (GeometryEngine, _ worker: Int, Int) throws -> T
    ) throws -> [T] {
        let used = Parallel.workersUsed(count: n, grain: grain, workers: workers)
        let engines = try PerWorker(count: used) { _ in try GeometryEngine() }
        let failures = PerChunk<(Int, Error)>(count: (n + grain - 1) / grain)
        let results: [T?] = [T?](unsafeUninitializedCapacity: n) { buffer, initialized in
            let out = UnsafeSendableBuffer(buffer)
            Parallel.forEachChunk(count: n, grain: grain, workers: used) { worker, chunk, range in
                let engine = engines[worker]
                for i in range {
                    do {
                        (out.base + i).initialize(to: try body(engine, worker, i))
                    } catch {
                        (out.base + i).initialize(to: nil)
                        if failures[chunk] == nil { failures[chunk] = (i, error) }
                    }
                }
            }
            initialized = n
        }
        if let (index, error) = failures.inOrder.first {
            if case let GeoVoteError.geos(message) = error {
                throw GeoVoteError.malformed(DataLocation(file: file, record: index), reason: "GEOS: " + message)
            }
            throw error
        }
        return results.map { $0! }
    }
}

/// Read-only access to an input buffer from parallel chunks.
public struct UnsafeSendableInput<Element>: @unchecked Sendable {
    public let buffer: UnsafeBufferPointer<Element>
    public init(_ buffer: UnsafeBufferPointer<Element>) { self.buffer = buffer }
    @inlinable public subscript(i: Int) -> Element { buffer[i] }
}
