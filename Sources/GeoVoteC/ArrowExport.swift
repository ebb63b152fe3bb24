import CGeoVoteABI
import Foundation
import GeoVoteEngine

/// Memory that exported Arrow structures point into: buffers, C strings and
/// the structures themselves. Retained once by every structure that points
/// into it; freed when the last one is released.
final class ArrowMemory {
    private var blocks: [UnsafeMutableRawPointer] = []

    /// `bytes` zeroed bytes, 64-byte aligned as Arrow recommends.
    func allocate(bytes: Int) -> UnsafeMutableRawPointer {
        var pointer: UnsafeMutableRawPointer?
        guard posix_memalign(&pointer, 64, max(bytes, 1)) == 0, let pointer else { fatalError("out of memory exporting an Arrow buffer of \(bytes) bytes") }
        memset(pointer, 0, max(bytes, 1))
        blocks.append(pointer)
        return pointer
    }

    func allocate<T>(_: T.Type, count: Int) -> UnsafeMutablePointer<T> {
        allocate(bytes: MemoryLayout<T>.stride * count).bindMemory(to: T.self, capacity: count)
    }

    func cString(_ text: String) -> UnsafePointer<CChar> {
        let bytes = Array(text.utf8CString)
        let pointer = allocate(CChar.self, count: bytes.count)
        pointer.update(from: bytes, count: bytes.count)
        return UnsafePointer(pointer)
    }

    /// Arrow's binary metadata: int32 pair count, then each key and value as int32 length + bytes.
    func metadata(_ pairs: [(String, String)]) -> UnsafePointer<CChar>? {
        guard !pairs.isEmpty else { return nil }
        var bytes: [UInt8] = []
        func int32(_ v: Int) { withUnsafeBytes(of: Int32(v).littleEndian) { bytes += $0 } }
        int32(pairs.count)
        for (key, value) in pairs {
            int32(key.utf8.count)
            bytes += key.utf8
            int32(value.utf8.count)
            bytes += value.utf8
        }
        let pointer = allocate(bytes: bytes.count).bindMemory(to: CChar.self, capacity: bytes.count)
        bytes.withUnsafeBytes { UnsafeMutableRawPointer(pointer).copyMemory(from: $0.baseAddress!, byteCount: bytes.count) }
        return UnsafePointer(pointer)
    }

    deinit { blocks.forEach { free($0) } }
}

/// One exported column: its Arrow type, and its buffers in `memory`.
struct ExportedColumn {
    var name: String
    var format: String
    var metadata: [(String, String)] = []
    var length: Int
    var nullCount: Int
    var buffers: [UnsafeRawPointer?]
}

/// A table ready to cross the C interface: columns whose buffers are
/// filled, shared by the schema and the array made from them.
final class ExportedTable {
    let memory = ArrowMemory()
    var columns: [ExportedColumn] = []
    let count: Int

    init(count: Int) { self.count = count }

    /// The validity bitmap of `present` (nil when every value is there, as Arrow allows).
    private func validity(_ count: Int, missing: Int, present: (Int) -> Bool) -> UnsafeRawPointer? {
        guard missing > 0 else { return nil }
        let bits = memory.allocate(UInt8.self, count: (count + 7) / 8)
        for i in 0..<count where present(i) { bits[i >> 3] |= UInt8(1) << UInt8(i & 7) }
        return UnsafeRawPointer(bits)
    }

    private func fixed<T, S>(_ name: String, _ format: String, _ values: [T?], _ convert: (T) -> S) {
        let data = memory.allocate(S.self, count: values.count)
        var missing = 0
        for (i, v) in values.enumerated() {
            if let v { data[i] = convert(v) } else { missing += 1 }
        }
        columns.append(ExportedColumn(name: name, format: format, length: values.count, nullCount: missing,
                                      buffers: [validity(values.count, missing: missing) { values[$0] != nil }, UnsafeRawPointer(data)]))
    }

    /// Variable-length values (utf8, binary): int32 offsets, or int64 ("U", "Z") past 2 GiB.
    private func variable(_ name: String, small: String, large: String, _ values: [[UInt8]?], metadata: [(String, String)] = []) {
        let total = values.reduce(0) { $0 + ($1?.count ?? 0) }
        let wide = total > Int(Int32.max)
        let data = memory.allocate(UInt8.self, count: total)
        let offsetsRaw = memory.allocate(bytes: (values.count + 1) * (wide ? 8 : 4))
        var position = 0, missing = 0
        for (i, v) in values.enumerated() {
            if wide { offsetsRaw.storeBytes(of: Int64(position), toByteOffset: i * 8, as: Int64.self) } else {
                offsetsRaw.storeBytes(of: Int32(position), toByteOffset: i * 4, as: Int32.self)
            }
            guard let v else { missing += 1; continue }
            v.withUnsafeBufferPointer { (data + position).update(from: $0.baseAddress!, count: v.count) }
            position += v.count
        }
        if wide { offsetsRaw.storeBytes(of: Int64(position), toByteOffset: values.count * 8, as: Int64.self) } else {
            offsetsRaw.storeBytes(of: Int32(position), toByteOffset: values.count * 4, as: Int32.self)
        }
        columns.append(ExportedColumn(name: name, format: wide ? large : small, metadata: metadata, length: values.count, nullCount: missing,
                                      buffers: [validity(values.count, missing: missing) { values[$0] != nil }, UnsafeRawPointer(offsetsRaw), UnsafeRawPointer(data)]))
    }

    /// An attribute column: real → float64, integer → int64, logical →
    /// boolean, text and dates ("YYYYMMDD") → utf8.
    func add(_ column: Column) {
        switch column.values {
        case let .real(v): fixed(column.name, "g", v) { $0 }
        case let .integer(v): fixed(column.name, "l", v) { $0 }
        case let .text(v), let .date(v): variable(column.name, small: "u", large: "U", v.map { $0.map { Array($0.utf8) } })
        case let .logical(v):
            let bits = memory.allocate(UInt8.self, count: (v.count + 7) / 8)
            var missing = 0
            for (i, b) in v.enumerated() {
                if let b { if b { bits[i >> 3] |= UInt8(1) << UInt8(i & 7) } } else { missing += 1 }
            }
            columns.append(ExportedColumn(name: column.name, format: "b", length: v.count, nullCount: missing,
                                          buffers: [validity(v.count, missing: missing) { v[$0] != nil }, UnsafeRawPointer(bits)]))
        }
    }

    /// The geometries as WKB ("geometry", GeoArrow's `geoarrow.wkb` with the CRS); empty ones as null.
    func addGeometry(_ geometries: [Geometry], crs: CoordinateReferenceSystem?, workers: Int) {
        let wkb: [[UInt8]?] = Parallel.map(count: geometries.count, grain: 256, workers: workers) { i in
            geometries[i].isEmpty ? nil : geometries[i].wkb
        }
        var extensionMetadata = "{}"
        if let crs, let data = try? JSONSerialization.data(withJSONObject: ["crs": crs.definition], options: [.sortedKeys]) {
            extensionMetadata = String(decoding: data, as: UTF8.self)
        }
        variable("geometry", small: "z", large: "Z", wkb,
                 metadata: [("ARROW:extension:name", "geoarrow.wkb"), ("ARROW:extension:metadata", extensionMetadata)])
    }

    /// Every attribute column, then the geometry unless every geometry is empty (a CSV's).
    convenience init(_ table: FeatureTable, geometry: Bool, workers: Int) {
        self.init(count: table.count)
        table.columns.forEach(add)
        if geometry, table.geometries.contains(where: { !$0.isEmpty }) {
            addGeometry(table.geometries, crs: table.crs, workers: workers)
        }
    }

    // MARK: The C structures

    private static let releaseSchema: @convention(c) (UnsafeMutablePointer<ArrowSchema>?) -> Void = { schema in
        guard let schema, schema.pointee.release != nil else { return }
        for k in 0..<Int(schema.pointee.n_children) {
            if let child = schema.pointee.children[k], let release = child.pointee.release { release(child) }
        }
        Unmanaged<ArrowMemory>.fromOpaque(schema.pointee.private_data).release()
        schema.pointee.release = nil
    }

    private static let releaseArray: @convention(c) (UnsafeMutablePointer<ArrowArray>?) -> Void = { array in
        guard let array, array.pointee.release != nil else { return }
        for k in 0..<Int(array.pointee.n_children) {
            if let child = array.pointee.children[k], let release = child.pointee.release { release(child) }
        }
        Unmanaged<ArrowMemory>.fromOpaque(array.pointee.private_data).release()
        array.pointee.release = nil
    }

    /// Fills `out` with the schema: a struct of the columns. Each structure
    /// retains the memory and releases it (and its children) on release.
    func exportSchema(to out: UnsafeMutablePointer<ArrowSchema>) {
        let children = memory.allocate(UnsafeMutablePointer<ArrowSchema>?.self, count: columns.count)
        for (k, column) in columns.enumerated() {
            let child = memory.allocate(ArrowSchema.self, count: 1)
            child.pointee = ArrowSchema(format: memory.cString(column.format), name: memory.cString(column.name), metadata: memory.metadata(column.metadata),
                                        flags: Int64(ARROW_FLAG_NULLABLE), n_children: 0, children: nil, dictionary: nil,
                                        release: Self.releaseSchema, private_data: Unmanaged.passRetained(memory).toOpaque())
            children[k] = child
        }
        out.pointee = ArrowSchema(format: memory.cString("+s"), name: memory.cString(""), metadata: nil, flags: 0,
                                  n_children: Int64(columns.count), children: children, dictionary: nil,
                                  release: Self.releaseSchema, private_data: Unmanaged.passRetained(memory).toOpaque())
    }

    /// Fills `out` with the data: one struct array of `count` rows.
    func exportArray(to out: UnsafeMutablePointer<ArrowArray>) {
        let children = memory.allocate(UnsafeMutablePointer<ArrowArray>?.self, count: columns.count)
        for (k, column) in columns.enumerated() {
            let buffers = memory.allocate(UnsafeRawPointer?.self, count: column.buffers.count)
            for (b, buffer) in column.buffers.enumerated() { buffers[b] = buffer }
            let child = memory.allocate(ArrowArray.self, count: 1)
            child.pointee = ArrowArray(length: Int64(column.length), null_count: Int64(column.nullCount), offset: 0, n_buffers: Int64(column.buffers.count),
                                       n_children: 0, buffers: buffers, children: nil, dictionary: nil,
                                       release: Self.releaseArray, private_data: Unmanaged.passRetained(memory).toOpaque())
            children[k] = child
        }
        let validity = memory.allocate(UnsafeRawPointer?.self, count: 1)
        out.pointee = ArrowArray(length: Int64(count), null_count: 0, offset: 0, n_buffers: 1, n_children: Int64(columns.count),
                                 buffers: validity, children: children, dictionary: nil,
                                 release: Self.releaseArray, private_data: Unmanaged.passRetained(memory).toOpaque())
    }

    // MARK: A stream of one batch

    private final class StreamState {
        let table: ExportedTable
        var sent = false
        init(_ table: ExportedTable) { self.table = table }
    }

    /// Fills `out` with a stream whose schema is this table's and whose only batch is its rows.
    func exportStream(to out: UnsafeMutablePointer<ArrowArrayStream>) {
        out.pointee = ArrowArrayStream(
            get_schema: { stream, schema in
                guard let stream, let schema, let state = stream.pointee.private_data else { return EINVAL }
                Unmanaged<StreamState>.fromOpaque(state).takeUnretainedValue().table.exportSchema(to: schema)
                return 0
            },
            get_next: { stream, array in
                guard let stream, let array, let pointer = stream.pointee.private_data else { return EINVAL }
                let state = Unmanaged<StreamState>.fromOpaque(pointer).takeUnretainedValue()
                if state.sent {
                    array.pointee = ArrowArray(length: 0, null_count: 0, offset: 0, n_buffers: 0, n_children: 0, buffers: nil,
                                               children: nil, dictionary: nil, release: nil, private_data: nil)
                } else {
                    state.table.exportArray(to: array)
                    state.sent = true
                }
                return 0
            },
            get_last_error: { _ in nil },
            release: { stream in
                guard let stream, stream.pointee.release != nil else { return }
                if let state = stream.pointee.private_data { Unmanaged<StreamState>.fromOpaque(state).release() }
                stream.pointee.private_data = nil
                stream.pointee.release = nil
            },
            private_data: Unmanaged.passRetained(StreamState(self)).toOpaque())
    }
}
