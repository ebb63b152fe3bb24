import Foundation

/// Reads a GeoJSON file (RFC 7946) into a `FeatureTable`.
///
/// - Accepts a FeatureCollection, a single Feature, or a bare geometry.
/// - Geometry: Point, MultiPoint, LineString, MultiLineString, Polygon,
///   MultiPolygon; `null` is an empty geometry. A GeometryCollection is an
///   error (a table column holds one geometry per feature, and GeoVote does
///   not flatten collections behind the user's back). A third coordinate
///   (height) is dropped, and the reader says so in its notes.
/// - Rings must be closed with at least 4 positions, as RFC 7946 requires;
///   an open ring is an error naming the feature, not closed silently.
///   Ring orientation is accepted either way and kept as written.
/// - CRS: WGS 84 longitude/latitude (RFC 7946). The pre-RFC `crs` member
///   (`{"type":"name","properties":{"name":"urn:ogc:def:crs:EPSG::26191"}}`),
///   which GeoVote writes with `--keep-crs`, is honoured.
/// - Properties become typed columns in order of first appearance: all
///   integers → integer; all numbers → real; all booleans → logical; all
///   strings → text, or date when every one is "YYYY-MM-DD"; a mix → text (numbers as written). Objects and arrays
///   are kept as their JSON text. A property absent from a feature is a
///   missing value. A feature's `id` becomes a column `id` unless a
///   property already has that name.
public struct GeoJSONReader {
    /// Things the reader changed or ignored, for the user (e.g. heights dropped).
    public private(set) var notes: [String] = []

    public init() {}

    public mutating func read(_ path: String) throws -> FeatureTable {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw GeoVoteError.io(path: path, reason: FileManager.default.fileExists(atPath: path) ? "cannot be read" : "no such file")
        }
        return try read(bytes: [UInt8](data), file: path)
    }

    public mutating func read(bytes: [UInt8], file: String) throws -> FeatureTable {
        var state = State(file: file)
        var s = JSONScanner(bytes: bytes, file: file)
        guard s.peek() == UInt8(ascii: "{") else { throw s.error("a GeoJSON file must hold a JSON object") }
        let top = try state.readObject(&s, record: nil)
        try s.expectEnd()
        switch top {
        case .collection: break
        case .feature(let f): state.append(f)
        case .geometry(let g): state.append(Feature(geometry: g))
        }
        notes = state.heightNote.map { [$0] } ?? []
        return try state.table()
    }

    // MARK: - Internals

    struct Feature {
        var geometry: Geometry
        var properties: [(String, JSONScanner.Scalar)] = []
        var id: JSONScanner.Scalar? = nil
    }

    enum TopLevel {
        case collection
        case feature(Feature)
        case geometry(Geometry)
    }

    struct State {
        let file: String
        var geometries: [Geometry] = []
        /// Column name → (first-appearance order, value per feature that has it).
        var columnOrder: [String] = []
        var columnValues: [String: [(Int, JSONScanner.Scalar)]] = [:]
        var ids: [(Int, JSONScanner.Scalar)] = []
        var crs: CoordinateReferenceSystem? = nil
        var droppedHeights = 0

        init(file: String) { self.file = file }

        mutating func append(_ f: Feature) {
            let index = geometries.count
            geometries.append(f.geometry)
            for (name, value) in f.properties {
                if columnValues[name] == nil { columnOrder.append(name); columnValues[name] = [] }
                columnValues[name]!.append((index, value))
            }
            if let id = f.id { ids.append((index, id)) }
        }

        /// Reads a top-level or feature-level object of any GeoJSON type.
        mutating func readObject(_ s: inout JSONScanner, record: Int?) throws -> TopLevel {
            var type: String?
            var coordinates: Coordinates?
            var geometry: Geometry??
            var properties: [(String, JSONScanner.Scalar)] = []
            var id: JSONScanner.Scalar?
            var sawFeatures = false
            try s.object { s, key in
                switch key {
                case "type": type = try s.string()
                case "coordinates": coordinates = try Coordinates.read(&s)
                    case "geometry":
                    if try s.isNull() { geometry = .some(nil) } else {
                        guard case .geometry(let g) = try readObject(&s, record: record) else {
                            throw s.error("'geometry' must be a geometry object", record: record)
                        }
                        geometry = g
                    }
                case "properties":
                    if try !s.isNull() {
                        guard s.peek() == UInt8(ascii: "{") else { throw s.error("'properties' must be an object or null", record: record) }
                        try s.object { s, name in properties.append((name, try s.scalar())) }
                    }
                case "id": id = try s.scalar()
                case "features":
                    guard record == nil else { throw s.error("a Feature cannot hold 'features'", record: record) }
                    sawFeatures = true
                    try s.array { s in
                        let index = geometries.count
                        guard s.peek() == UInt8(ascii: "{"), case .feature(let f) = try readObject(&s, record: index) else {
                            throw s.error("every element of 'features' must be a Feature", record: index)
                        }
                        append(f)
                    }
                case "crs":
                    crs = try Self.readCRS(&s)
                default:
                    try s.skipValue()  // bbox, foreign members
                }
            }
            guard let type else { throw s.error("object has no 'type' member", record: record) }
            switch type {
            case "FeatureCollection":
                guard sawFeatures else { throw s.error("FeatureCollection has no 'features' array", record: record) }
                return .collection
            case "Feature":
                guard let geometry else { throw s.error("Feature has no 'geometry' member (RFC 7946 §3.2: use null)", record: record) }
                return .feature(Feature(geometry: geometry ?? .empty(.polygon), properties: properties, id: id))
            case "GeometryCollection":
                throw s.error("GeometryCollection is not supported: split it into features of one geometry each", record: record)
            default:
                guard let kind = Self.kinds[type] else { throw s.error("unknown GeoJSON type '\(type)'", record: record) }
                guard let coordinates else { throw s.error("\(type) has no 'coordinates'", record: record) }
                droppedHeights += coordinates.heights
                return .geometry(try coordinates.geometry(kind, error: { s.error($0, record: record) }))
            }
        }

        static let kinds: [String: GeometryKind] = Dictionary(uniqueKeysWithValues: GeometryKind.allCases.map { ($0.rawValue, $0) })

        /// The 2008 `crs` member: a named CRS ("EPSG:26191", URN or OGC URL).
        static func readCRS(_ s: inout JSONScanner) throws -> CoordinateReferenceSystem? {
            if try s.isNull() { return nil }
            var name: String?
            try s.object { s, key in
                if key == "properties" {
                    try s.object { s, k in
                        if k == "name", case .string(let v) = try s.scalar() { name = v } else { try s.skipValue() }
                    }
                } else { try s.skipValue() }
            }
            guard let name else { throw s.error("the 'crs' member has no properties.name (only named CRSs are read)") }
            if ["urn:ogc:def:crs:OGC:1.3:CRS84", "urn:ogc:def:crs:OGC::CRS84", "OGC:CRS84"].contains(name) { return .wgs84 }
            do { return try CoordinateReferenceSystem(definition: name) } catch {
                throw s.error("the 'crs' member names '\(name)', which PROJ does not know")
            }
        }

        func table() throws -> FeatureTable {
            let n = geometries.count
            var columns = try columnOrder.map { name in
                Column(name: name, values: try Self.typed(columnValues[name]!, count: n))
            }
            if !ids.isEmpty, !columnOrder.contains("id") {
                columns.insert(Column(name: "id", values: try Self.typed(ids, count: n)), at: 0)
            }
            let table = FeatureTable(geometries: geometries, columns: columns, crs: crs ?? .wgs84, sourceEncoding: .utf8)
            return table
        }

        var heightNote: String? {
            droppedHeights > 0 ? "\(file): \(droppedHeights) positions had a third coordinate (height); GeoVote keeps x and y only" : nil
        }

        /// "YYYY-MM-DD", as GeoVote (and GDAL) write dates.
        static func isISODate(_ t: String) -> Bool {
            let u = Array(t.utf8)
            guard u.count == 10, u[4] == UInt8(ascii: "-"), u[7] == UInt8(ascii: "-") else { return false }
            return [0, 1, 2, 3, 5, 6, 8, 9].allSatisfy { u[$0] >= 0x30 && u[$0] <= 0x39 }
        }

        static func typed(_ values: [(Int, JSONScanner.Scalar)], count: Int) throws -> ColumnValues {
            var integers = 0, reals = 0, booleans = 0, texts = 0
            for (_, v) in values {
                switch v {
                case .null: break
                case .integer: integers += 1
                case .real: reals += 1
                case .bool: booleans += 1
                case .string, .raw: texts += 1
                }
            }
            if texts == 0, booleans == 0, integers > 0, reals == 0 {
                var out = [Int64?](repeating: nil, count: count)
                for (i, v) in values { if case .integer(let x, _) = v { out[i] = x } }
                return .integer(out)
            }
            if texts == 0, booleans == 0, reals > 0 {
                var out = [Double?](repeating: nil, count: count)
                for (i, v) in values {
                    if case .integer(let x, _) = v { out[i] = Double(x) }
                    if case .real(let x, _) = v { out[i] = x }
                }
                return .real(out)
            }
            if texts == 0, integers == 0, reals == 0, booleans > 0 {
                var out = [Bool?](repeating: nil, count: count)
                for (i, v) in values { if case .bool(let b) = v { out[i] = b } }
                return .logical(out)
            }
            if texts > 0, integers == 0, reals == 0, booleans == 0,
               values.allSatisfy({ if case .string(let t) = $0.1 { Self.isISODate(t) } else { $0.1 == .null } }) {
                var out = [String?](repeating: nil, count: count)
                for (i, v) in values { if case .string(let t) = v { out[i] = t.replacingOccurrences(of: "-", with: "") } }
                return .date(out)
            }
            var out = [String?](repeating: nil, count: count)
            for (i, v) in values {
                switch v {
                case .null: break
                case .bool(let b): out[i] = b ? "true" : "false"
                case .integer(_, let t), .real(_, let t): out[i] = t
                case .string(let t), .raw(let t): out[i] = t
                }
            }
            return .text(out)
        }
    }

    /// The `coordinates` member in flat form: positions, and for each
    /// nesting level the end index of every array at that level.
    struct Coordinates {
        var x = ContiguousArray<Double>()
        var y = ContiguousArray<Double>()
        /// ends[0]: end (in positions) of each array of positions;
        /// ends[1]: end (in ends[0] entries) of each array of those; …
        var ends: [[Int32]] = [[], [], []]
        var depth = 0
        var heights = 0
        var empty = false

        static func read(_ s: inout JSONScanner) throws -> Coordinates {
            var c = Coordinates()
            guard s.peek() == UInt8(ascii: "[") else { throw s.error("'coordinates' must be an array") }
            c.depth = try c.readArray(&s, top: true)
            c.empty = c.depth < 0
            return c
        }

        /// Reads one array; returns its depth (0 = a position).
        mutating func readArray(_ s: inout JSONScanner, top: Bool = false, level: Int = 0) throws -> Int {
            // A MultiPolygon nests 4 arrays; refuse deeper before recursing (stack).
            guard level < 4 else { throw s.error("coordinates are nested more than 4 arrays deep") }
            try s.expect(UInt8(ascii: "["))
            let next = s.peek()
            if next == UInt8(ascii: "]") {
                // `"coordinates": []` is an empty geometry; an empty inner array is an error.
                guard top else { throw s.error("empty coordinate array inside 'coordinates'") }
                s.position += 1
                return -1
            }
            if next != UInt8(ascii: "[") {
                // A position: two or more numbers.
                let px = try s.number()
                try s.expect(UInt8(ascii: ","))
                let py = try s.number()
                var extra = 0
                while s.consume(UInt8(ascii: ",")) { _ = try s.number(); extra += 1 }
                try s.expect(UInt8(ascii: "]"))
                guard px.isFinite, py.isFinite else { throw s.error("coordinate out of range") }
                if extra > 0 { heights += 1 }
                x.append(px)
                y.append(py)
                return 0
            }
            var depth: Int?
            repeat {
                let d = try readArray(&s, level: level + 1)
                if let depth, depth != d { throw s.error("coordinate arrays are nested unevenly") }
                depth = d
                if d > 0 {
                    guard d - 1 < ends.count else { throw s.error("coordinates are nested too deeply") }
                    ends[d - 1].append(Int32(d == 1 ? x.count : ends[d - 2].count))
                }
            } while s.consume(UInt8(ascii: ","))
            try s.expect(UInt8(ascii: "]"))
            return depth! + 1
        }

        func geometry(_ kind: GeometryKind, error: (String) -> GeoVoteError) throws -> Geometry {
            if empty { return .empty(kind) }
            let expected: Int = switch kind {
            case .point: 0
            case .multiPoint, .lineString: 1
            case .polygon, .multiLineString: 2
            case .multiPolygon: 3
            }
            guard depth == expected else {
                throw error("\(kind.rawValue) coordinates must be nested \(expected) deep, found \(depth)")
            }
            let n = Int32(x.count)
            switch kind {
            case .point:
                return .point(x: x[0], y: y[0])
            case .multiPoint:
                let o = ContiguousArray(0...n)
                return Geometry(kind: kind, x: x, y: y, ringOffsets: o, partOffsets: o)
            case .lineString:
                guard n >= 2 else { throw error("a LineString needs at least 2 positions") }
                return Geometry(kind: kind, x: x, y: y, ringOffsets: [0, n], partOffsets: [0, 1])
            case .multiLineString:
                let rings = ContiguousArray([0] + ends[0])
                for r in 0..<rings.count - 1 where rings[r + 1] - rings[r] < 2 {
                    throw error("line \(r) of the MultiLineString has fewer than 2 positions")
                }
                return Geometry(kind: kind, x: x, y: y, ringOffsets: rings, partOffsets: ContiguousArray(0...Int32(rings.count - 1)))
            case .polygon, .multiPolygon:
                let rings = ContiguousArray([0] + ends[0])
                for r in 0..<rings.count - 1 {
                    let a = Int(rings[r]), b = Int(rings[r + 1])
                    guard b - a >= 4 else { throw error("ring \(r) has \(b - a) positions; RFC 7946 needs at least 4") }
                    guard x[a] == x[b - 1], y[a] == y[b - 1] else {
                        throw error("ring \(r) is not closed (its last position differs from its first, as RFC 7946 requires)")
                    }
                }
                let parts: ContiguousArray<Int32> = kind == .polygon ? [0, Int32(rings.count - 1)] : ContiguousArray([0] + ends[1])
                return Geometry(kind: kind, x: x, y: y, ringOffsets: rings, partOffsets: parts)
            }
        }
    }
}
