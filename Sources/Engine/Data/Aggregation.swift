/// Counts of points (polling stations) summed into the areas (communes)
/// they belong to: by code where the point's key matches an area's, by
/// location (point in polygon) where it has no code or an unknown one.
///
/// ```swift
/// let stations = try LayerIO.read("stations_utm29n.shp"), communes = try LayerIO.read("communes_utm29n.shp")
/// let sums = try Aggregation.run(points: stations, pointsFile: "stations_utm29n.shp", areas: communes,
///                                areasFile: "communes_utm29n.shp", pointKey: "commune", areaKey: "code")
/// sums.table   // the communes with units (stations) and every summed count
/// ```
///
/// Location: a point belongs to the lowest-index area whose polygon covers
/// it (boundary included), found through a grid of the areas' boxes and
/// GEOS prepared polygons, one set per worker. Sums: integer fields as
/// exact integers, reals added in point order. Points in no area are
/// listed in the result and a note, never dropped silently.
public enum Aggregation {
    public struct Result: Sendable {
        /// The areas, in their order: their text fields, `units`, then the sums.
        public var table: FeatureTable
        /// The area of each point, nil when none.
        public var assignment: [Int?]
        public var byCode: Int
        public var byLocation: Int
        /// Points in no area (no matching code, outside every polygon).
        public var unassigned: [Int]
        public var notes: [String]
    }

    /// - Parameters:
    ///   - points: the points with their counts.
    ///   - pointsFile: their path, named in errors.
    ///   - areas: the polygons.
    ///   - areasFile: their path, named in errors.
    ///   - pointKey: the points' field holding an area code (nil: by location only).
    ///   - areaKey: the areas' code field.
    ///   - fields: the numeric fields to sum (nil: every numeric field of the points).
    ///   - workers: threads (the result does not depend on it).
    public static func run(points: FeatureTable, pointsFile: String, areas: FeatureTable, areasFile: String,
                           pointKey: String? = nil, areaKey: String? = nil, fields: [String]? = nil,
                           workers: Int = Parallel.defaultWorkerCount) throws -> Result {
        if let p = points.crs, let a = areas.crs, p != a {
            throw GeoVoteError.invalidArgument("\(pointsFile) is in \(p) and \(areasFile) in \(a): project one to the other first")
        }
        func column(_ table: FeatureTable, _ name: String, _ file: String) throws -> Column {
            guard let c = table.column(named: name) else {
                throw GeoVoteError.malformed(DataLocation(file: file, field: name), reason: "is not a field of the layer; fields: \(table.columns.map(\.name).joined(separator: ", "))")
            }
            return c
        }
        var assignment = [Int?](repeating: nil, count: points.count)
        var byCode = 0
        if let pointKey, let areaKey {
            let pk = try column(points, pointKey, pointsFile), ak = try column(areas, areaKey, areasFile)
            var index: [String: Int] = [:]
            for j in 0..<areas.count {
                let code = ak.values.displayValue(j)
                guard !code.isEmpty else { continue }
                if let first = index[code] {
                    throw GeoVoteError.malformed(DataLocation(file: areasFile, record: j, field: ak.name, value: code), reason: "repeats the code of record \(first)")
                }
                index[code] = j
            }
            for i in 0..<points.count {
                if let j = index[pk.values.displayValue(i)] { assignment[i] = j; byCode += 1 }
            }
        }
        // The rest by location.
        let pending = (0..<points.count).filter { assignment[$0] == nil && !points.geometries[$0].isEmpty }
        let located = try locate(pending.map { points.geometries[$0] }, in: areas, file: areasFile, workers: workers)
        for (k, i) in pending.enumerated() { assignment[i] = located[k] }
        let byLocation = located.count { $0 != nil }
        let unassigned = (0..<points.count).filter { assignment[$0] == nil }

        let sumFields = try fields.map { try $0.map { try column(points, $0, pointsFile) } }
            ?? points.columns.filter { c in
                if case .integer = c.values { return c.name != pointKey } else if case .real = c.values { return c.name != pointKey } else { return false }
            }
        var columns = areas.columns.filter { if case .text = $0.values { true } else { false } }
        var units = [Int64](repeating: 0, count: areas.count)
        for case let j? in assignment { units[j] += 1 }
        columns.append(Column(name: "units", values: .integer(units.map { Optional($0) })))
        var notes: [String] = []
        for c in sumFields {
            switch c.values {
            case let .integer(v):
                var sums = [Int64?](repeating: 0, count: areas.count)
                var missing = 0
                for (i, a) in assignment.enumerated() {
                    guard let a else { continue }
                    guard let x = v[i] else { sums[a] = nil; missing += 1; continue }
                    if let s = sums[a] {
                        let (r, overflow) = s.addingReportingOverflow(x)
                        guard !overflow else { throw GeoVoteError.malformed(DataLocation(file: pointsFile, record: i, field: c.name), reason: "overflows the sum of its area") }
                        sums[a] = r
                    }
                }
                if missing > 0 { notes.append("\(pointsFile): field '\(c.name)' is missing at \(missing) points; their areas have no sum for it") }
                columns.append(Column(name: c.name, values: .integer(sums)))
            case let .real(v):
                var sums = [Double?](repeating: 0, count: areas.count)
                for (i, a) in assignment.enumerated() {
                    guard let a else { continue }
                    sums[a] = v[i].flatMap { x in sums[a].map { $0 + x } }
                }
                columns.append(Column(name: c.name, values: .real(sums)))
            default:
                throw GeoVoteError.malformed(DataLocation(file: pointsFile, field: c.name), reason: "is \(c.values.typeName), not a count to sum")
            }
        }
        if !unassigned.isEmpty {
            notes.append("\(pointsFile): \(unassigned.count) point\(unassigned.count == 1 ? " is" : "s are") in no area of \(areasFile) (records \(unassigned.prefix(8).map(String.init).joined(separator: ", "))\(unassigned.count > 8 ? ", …" : "")); not counted")
        }
        let table = FeatureTable(geometries: areas.geometries, columns: columns, crs: areas.crs, sourceEncoding: .utf8)
        return Result(table: table, assignment: assignment, byCode: byCode, byLocation: byLocation, unassigned: unassigned, notes: notes)
    }

    /// The lowest-index area covering each point (its first vertex).
    static func locate(_ points: [Geometry], in areas: FeatureTable, file: String, workers: Int) throws -> [Int?] {
        let boxes = areas.geometries.map(\.boundingBox)
        guard !points.isEmpty, let grid = BoxGrid(boxes, include: { areas.geometries[$0].kind.isPolygonal }) else {
            return [Int?](repeating: nil, count: points.count)
        }
        final class Cache { var prepared: [Int32: PreparedPolygon] = [:] }
        let grain = 4096
        let caches = PerWorker(count: Parallel.workersUsed(count: points.count, grain: grain, workers: workers)) { _ in Cache() }
        return try GeometryEngine.map(count: points.count, grain: grain, workers: workers, file: file) { engine, worker, k -> Int? in
            let g = points[k]
            guard g.coordinateCount > 0 else { return nil }
            let (x, y) = (g.x[0], g.y[0])
            let cache = caches[worker]
            for j in grid.candidates(x: x, y: y) {
                guard let box = boxes[Int(j)], x >= box.minX, x <= box.maxX, y >= box.minY, y <= box.maxY else { continue }
                let prepared: PreparedPolygon
                if let p = cache.prepared[j] { prepared = p } else {
                    prepared = try PreparedPolygon(areas.geometries[Int(j)], engine: engine)
                    cache.prepared[j] = prepared
                }
                if try prepared.covers(x: x, y: y) { return Int(j) }
            }
            return nil
        }
    }
}
