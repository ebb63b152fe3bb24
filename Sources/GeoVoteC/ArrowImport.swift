import CGeoVoteABI
import Foundation
import GeoVoteEngine

/// Reads a table from an Arrow stream: every batch, checked against the
/// Arrow specification's layout of its type before a byte is read, into a
/// `FeatureTable` (the values are copied: GeoVote's columns keep optional
/// values, not Arrow's validity bitmaps).
struct ArrowImport {
    /// How messages name the table.
    let source: String
    /// The WKB column's name; nil: the column marked `geoarrow.wkb`, else "geometry".
    let geometryColumn: String?
    /// The CRS definition; nil: from the geometry column's GeoArrow metadata.
    let crs: String?
    let workers: Int

    /// One column's description from the schema.
    struct Field {
        var name: String
        var format: String
        var metadata: [String: String]
    }

    /// A column being gathered over the batches.
    enum Values {
        case real([Double?]), integer([Int64?]), text([String?]), logical([Bool?]), date([String?]), geometry([Geometry?])
    }

    func fail(_ field: Field?, _ reason: String) -> InterfaceError {
        .arrow("\(source): " + (field.map { "column '\($0.name)' (Arrow format '\($0.format)'): " } ?? "") + reason)
    }

    /// Consumes and releases `stream`.
    func read(_ stream: UnsafeMutablePointer<ArrowArrayStream>) throws -> FeatureTable {
        guard let release = stream.pointee.release else { throw InterfaceError.arrow("\(source): the Arrow stream is released already") }
        defer { if stream.pointee.release != nil { release(stream) } }
        func streamError(_ code: Int32, _ doing: String) -> InterfaceError {
            let message = stream.pointee.get_last_error?(stream).map { String(cString: $0) } ?? ""
            return InterfaceError.arrow("\(source): the Arrow stream failed \(doing) (error \(code))" + (message.isEmpty ? "" : ": " + message))
        }
        guard let getSchema = stream.pointee.get_schema, let getNext = stream.pointee.get_next else {
            throw InterfaceError.arrow("\(source): the Arrow stream has no get_schema or get_next callback")
        }
        var schema = ArrowSchema()
        let code = getSchema(stream, &schema)
        guard code == 0 else { throw streamError(code, "giving its schema") }
        defer { if let r = schema.release { r(&schema) } }
        let fields = try self.fields(schema)
        let geometryName = try geometryField(fields)
        var columns = try fields.map { try start($0, geometry: $0.name == geometryName) }
        var rows = 0
        while true {
            var array = ArrowArray()
            let code = getNext(stream, &array)
            guard code == 0 else { throw streamError(code, "giving batch \(rows == 0 ? 1 : 2)") }
            guard array.release != nil else { break }
            defer { array.release?(&array) }
            rows += try append(array, fields: fields, to: &columns)
        }
        return try table(fields: fields, columns: columns, rows: rows, geometryName: geometryName)
    }

    // MARK: Schema

    func fields(_ schema: ArrowSchema) throws -> [Field] {
        guard let format = schema.format.map({ String(cString: $0) }) else { throw fail(nil, "the schema has no format") }
        guard format == "+s" else { throw fail(nil, "the stream's schema is '\(format)', not a struct (+s) of columns: pass a table or record batches") }
        guard schema.n_children >= 0, schema.n_children == 0 || schema.children != nil else { throw fail(nil, "the schema's children are missing") }
        var names = Set<String>()
        return try (0..<Int(schema.n_children)).map { k in
            guard let child = schema.children[k], let f = child.pointee.format else { throw fail(nil, "column \(k) has no schema") }
            let field = Field(name: child.pointee.name.map { String(cString: $0) } ?? "column\(k)", format: String(cString: f),
                              metadata: Self.metadata(child.pointee.metadata))
            guard child.pointee.dictionary == nil else {
                throw fail(field, "is dictionary-encoded (a pandas Categorical): convert it to its values first (astype(str))")
            }
            guard names.insert(field.name).inserted else { throw fail(field, "appears twice: column names must be unique") }
            return field
        }
    }

    /// Arrow's binary metadata as a dictionary.
    static func metadata(_ pointer: UnsafePointer<CChar>?) -> [String: String] {
        guard let pointer else { return [:] }
        let raw = UnsafeRawPointer(pointer)
        var position = 0
        func int32() -> Int {
            let v = raw.loadUnaligned(fromByteOffset: position, as: Int32.self)
            position += 4
            return Int(v)
        }
        func string() -> String {
            let n = max(int32(), 0)
            defer { position += n }
            return String(decoding: UnsafeRawBufferPointer(start: raw + position, count: n), as: UTF8.self)
        }
        var result: [String: String] = [:]
        let count = int32()
        guard count > 0, count < 10_000 else { return [:] }
        for _ in 0..<count {
            let key = string()
            result[key] = string()
        }
        return result
    }

    /// The column the geometry is read from.
    func geometryField(_ fields: [Field]) throws -> String? {
        if let geometryColumn {
            guard let field = fields.first(where: { $0.name == geometryColumn }) else {
                throw InterfaceError(status: .argument, description: "\(source): there is no column '\(geometryColumn)' for the geometry; columns: \(fields.map(\.name).joined(separator: ", "))")
            }
            guard field.format == "z" || field.format == "Z" else {
                throw fail(field, "is not binary: the geometry must be WKB (GeoPandas: to_arrow(geometry_encoding=\"WKB\"))")
            }
            return field.name
        }
        if let marked = fields.first(where: { $0.metadata["ARROW:extension:name"] == "geoarrow.wkb" }) { return marked.name }
        if let marked = fields.first(where: { ($0.metadata["ARROW:extension:name"] ?? "").hasPrefix("geoarrow.") }) {
            throw fail(marked, "holds GeoArrow's \(marked.metadata["ARROW:extension:name"]!) encoding: GeoVote takes WKB (GeoPandas: to_arrow(geometry_encoding=\"WKB\"))")
        }
        return fields.first(where: { $0.name == "geometry" && ($0.format == "z" || $0.format == "Z") })?.name
    }

    func start(_ field: Field, geometry: Bool) throws -> Values {
        if geometry { return .geometry([]) }
        switch field.format {
        case "g", "f": return .real([])
        case "c", "s", "i", "l", "C", "S", "I", "L": return .integer([])
        case "b": return .logical([])
        case "u", "U", "n": return .text([])
        case "tdD", "tdm": return .date([])
        case "z", "Z": throw fail(field, "is binary but not the geometry: GeoVote keeps no binary attribute (name it as the geometry column, or drop it)")
        case "e": throw fail(field, "is a half float: convert it to float32 or float64")
        case "vu", "vz": throw fail(field, "is a view type: convert it to string or binary")
        default:
            if field.format.hasPrefix("ts") || field.format.hasPrefix("tt") { throw fail(field, "is a time or timestamp: convert it to text or a number") }
            if field.format.hasPrefix("d:") { throw fail(field, "is a decimal: convert it to float64") }
            throw fail(field, "is a type GeoVote does not take: give numbers (int, float), booleans, strings, dates or WKB")
        }
    }

    // MARK: Batches

    /// Appends one struct batch; returns its rows.
    func append(_ array: ArrowArray, fields: [Field], to columns: inout [Values]) throws -> Int {
        guard array.length >= 0, array.offset >= 0 else { throw fail(nil, "a batch has length \(array.length) and offset \(array.offset)") }
        guard array.n_children == Int64(fields.count) else {
            throw fail(nil, "a batch has \(array.n_children) columns, the schema \(fields.count)")
        }
        guard array.null_count == 0 || array.n_buffers < 1 || array.buffers?[0] == nil else {
            throw fail(nil, "a batch has null rows: GeoVote takes tables, whose rows are never null")
        }
        guard fields.isEmpty || array.children != nil else { throw fail(nil, "a batch's columns are missing") }
        let n = Int(array.length), base = Int(array.offset)
        for (k, field) in fields.enumerated() {
            guard let child = array.children[k]?.pointee else { throw fail(field, "is missing from a batch") }
            try append(child, rows: base..<(base + n), field: field, to: &columns[k])
        }
        return n
    }

    /// Appends rows `rows` (of the parent) of one column.
    func append(_ a: ArrowArray, rows: Range<Int>, field: Field, to values: inout Values) throws {
        guard a.length >= Int64(rows.upperBound), a.offset >= 0 else {
            throw fail(field, "has \(a.length) values where the batch has \(rows.upperBound) rows")
        }
        guard a.dictionary == nil, a.n_children == 0 else { throw fail(field, "has children or a dictionary: not a flat column") }
        let expected: Int
        switch field.format {
        case "n": expected = 0
        case "u", "U", "z", "Z": expected = 3
        default: expected = 2
        }
        guard a.n_buffers == Int64(expected) else {
            throw fail(field, "has \(a.n_buffers) buffers; Arrow's layout of the type has \(expected)")
        }
        let start = Int(a.offset)
        if field.format == "n" {
            guard case var .text(list) = values else { return }
            list += Array(repeating: nil, count: rows.count)
            values = .text(list)
            return
        }
        let buffers = a.buffers!
        let bitmap = buffers[0]?.assumingMemoryBound(to: UInt8.self)
        guard bitmap != nil || a.null_count == 0 else { throw fail(field, "has \(a.null_count) nulls but no validity bitmap") }
        @inline(__always) func present(_ i: Int) -> Bool {
            guard let bitmap else { return true }
            let j = start + i
            return bitmap[j >> 3] & (UInt8(1) << UInt8(j & 7)) != 0
        }
        guard rows.isEmpty || buffers[1] != nil else { throw fail(field, "has no values buffer") }
        func fixed<T>(_: T.Type) -> UnsafePointer<T> { buffers[1]!.assumingMemoryBound(to: T.self) + start }
        func numbers<T>(_: T.Type, _ convert: (T) throws -> Int64) throws -> [Int64?] {
            guard !rows.isEmpty else { return [] }
            let p = fixed(T.self)
            return try rows.map { present($0) ? try convert(p[$0]) : nil }
        }
        switch (field.format, values) {
        case let ("g", .real(list)):
            values = .real(list + (rows.isEmpty ? [] : rows.map { present($0) ? fixed(Double.self)[$0] : nil }))
        case let ("f", .real(list)):
            values = .real(list + (rows.isEmpty ? [] : rows.map { present($0) ? Double(fixed(Float.self)[$0]) : nil }))
        case let (format, .integer(list)):
            let more: [Int64?]
            switch format {
            case "c": more = try numbers(Int8.self) { Int64($0) }
            case "s": more = try numbers(Int16.self) { Int64($0) }
            case "i": more = try numbers(Int32.self) { Int64($0) }
            case "l": more = try numbers(Int64.self) { $0 }
            case "C": more = try numbers(UInt8.self) { Int64($0) }
            case "S": more = try numbers(UInt16.self) { Int64($0) }
            case "I": more = try numbers(UInt32.self) { Int64($0) }
            default:
                more = try numbers(UInt64.self) { v in
                    guard let i = Int64(exactly: v) else { throw fail(field, "holds \(v), beyond the largest 64-bit signed integer") }
                    return i
                }
            }
            values = .integer(list + more)
        case let ("b", .logical(list)):
            let bits = buffers[1]?.assumingMemoryBound(to: UInt8.self)
            values = .logical(list + rows.map { i in
                guard present(i), let bits else { return nil }
                let j = start + i
                return bits[j >> 3] & (UInt8(1) << UInt8(j & 7)) != 0
            })
        case let ("tdD", .date(list)):
            values = .date(list + (rows.isEmpty ? [] : rows.map { present($0) ? Self.date(days: Int64(fixed(Int32.self)[$0])) : nil }))
        case let ("tdm", .date(list)):
            values = .date(list + (rows.isEmpty ? [] : rows.map { present($0) ? Self.date(days: fixed(Int64.self)[$0] / 86_400_000) : nil }))
        case let (format, .text(list)):
            let (ranges, data) = try spans(a, rows: rows, field: field, wide: format == "U", present: present)
            values = .text(list + ranges.map { r -> String? in
                guard let r else { return nil }
                guard let data, !r.isEmpty else { return "" }
                return String(decoding: UnsafeRawBufferPointer(start: data + r.lowerBound, count: r.count), as: UTF8.self)
            })
        case let (format, .geometry(list)):
            let (ranges, data) = try spans(a, rows: rows, field: field, wide: format == "Z", present: present)
            values = .geometry(list + (try decode(ranges, data: data, first: list.count, field: field)))
        default:
            throw fail(field, "changed type between batches")
        }
    }

    /// Where each value of a string or binary column lies in its data buffer
    /// (nil: null), checking that the offsets rise.
    func spans(_ a: ArrowArray, rows: Range<Int>, field: Field, wide: Bool, present: (Int) -> Bool) throws -> ([Range<Int>?], UnsafeRawPointer?) {
        guard !rows.isEmpty else { return ([], nil) }
        let buffers = a.buffers!
        guard let offsets = buffers[1] else { throw fail(field, "has no offsets buffer") }
        let start = Int(a.offset)
        func offset(_ i: Int) -> Int { wide ? Int(offsets.load(fromByteOffset: i * 8, as: Int64.self)) : Int(offsets.load(fromByteOffset: i * 4, as: Int32.self)) }
        let data = buffers[2]
        let ranges = try rows.map { i -> Range<Int>? in
            let (from, to) = (offset(start + i), offset(start + i + 1))
            guard from >= 0, to >= from else { throw fail(field, "row \(i): its offsets \(from) → \(to) do not rise") }
            guard present(i) else { return nil }
            guard to == from || data != nil else { throw fail(field, "has no data buffer") }
            return from..<to
        }
        return (ranges, data)
    }

    /// WKB → geometries straight from the Arrow buffer, in parallel; the
    /// first failure in row order is thrown, naming its record.
    func decode(_ ranges: [Range<Int>?], data: UnsafeRawPointer?, first: Int, field: Field) throws -> [Geometry?] {
        let source = self.source
        nonisolated(unsafe) let base = data
        let parsed: [Result<Geometry?, GeoVoteError>] = Parallel.map(count: ranges.count, grain: 256, workers: workers) { i in
            guard let r = ranges[i], !r.isEmpty, let base else { return .success(nil) }
            do { return .success(try Geometry(wkb: UnsafeRawBufferPointer(start: base + r.lowerBound, count: r.count))) } catch {
                let reason = if case let GeoVoteError.malformed(_, reason) = error { reason } else { "\(error)" }
                return .failure(.malformed(DataLocation(file: source, record: first + i, field: field.name), reason: reason))
            }
        }
        return try parsed.map { try $0.get() }
    }

    /// Days since 1970-01-01 as "YYYYMMDD" (proleptic Gregorian).
    static func date(days: Int64) -> String {
        // Howard Hinnant's civil_from_days.
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        let y = yoe + era * 400 + (m <= 2 ? 1 : 0)
        return String(format: "%04lld%02lld%02lld", y, m, d)
    }

    // MARK: The table

    func table(fields: [Field], columns: [Values], rows: Int, geometryName: String?) throws -> FeatureTable {
        var attributes: [Column] = []
        var geometries = [Geometry](repeating: .empty(.point), count: rows)
        var crs: CoordinateReferenceSystem?
        for (field, values) in zip(fields, columns) {
            switch values {
            case let .real(v): attributes.append(Column(name: field.name, values: .real(v)))
            case let .integer(v): attributes.append(Column(name: field.name, values: .integer(v)))
            case let .text(v): attributes.append(Column(name: field.name, values: .text(v)))
            case let .logical(v): attributes.append(Column(name: field.name, values: .logical(v)))
            case let .date(v): attributes.append(Column(name: field.name, values: .date(v)))
            case let .geometry(parsed):
                // A null is an empty geometry of the layer's kind.
                let kind = parsed.lazy.compactMap { $0 }.first?.kind ?? .point
                geometries = parsed.map { $0 ?? .empty(kind) }
                let text = self.crs ?? Self.crsText(field.metadata["ARROW:extension:metadata"])
                if let text, !text.isEmpty {
                    do { crs = try CoordinateReferenceSystem(definition: text) } catch {
                        throw InterfaceError(status: .argument, description: "\(source): column '\(field.name)': its CRS is not one PROJ knows: \(error)")
                    }
                }
            }
        }
        if geometryName == nil, let crs = self.crs, !crs.isEmpty {
            throw InterfaceError(status: .argument, description: "\(source): a CRS was given but the table has no geometry column")
        }
        return FeatureTable(geometries: geometries, columns: attributes, crs: crs)
    }

    /// The "crs" of GeoArrow's extension metadata: a string, or PROJJSON.
    static func crsText(_ json: String?) -> String? {
        guard let json, let object = try? JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any], let crs = object["crs"] else { return nil }
        if let text = crs as? String { return text }
        guard JSONSerialization.isValidJSONObject(crs), let data = try? JSONSerialization.data(withJSONObject: crs) else { return nil }
        return String(decoding: data, as: UTF8.self)
    }
}
