internal import CSQLite
import Foundation

/// One SQLite connection, owned by this value and closed in `deinit`.
/// Used by one thread at a time (the GeoPackage reader and writer).
final class SQLiteDatabase {
    let handle: OpaquePointer
    let path: String

    /// Opens (and, with `create`, creates) a database file.
    init(path: String, readOnly: Bool = false, create: Bool = false) throws {
        var db: OpaquePointer?
        let flags = (readOnly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE) | (create ? SQLITE_OPEN_CREATE : 0) | SQLITE_OPEN_NOMUTEX
        // SQLITE_OK or an error code; a handle is returned even on failure and must be closed.
        let status = sqlite3_open_v2(path, &db, flags, nil)
        guard status == SQLITE_OK, let db else {
            let message = db.map { String(cString: sqlite3_errmsg($0)) } ?? "out of memory"
            if let db { sqlite3_close_v2(db) }
            throw GeoVoteError.io(path: path, reason: "cannot be opened as SQLite: \(message)")
        }
        handle = db
        self.path = path
        sqlite3_busy_timeout(db, 5000)
    }

    deinit { sqlite3_close_v2(handle) }

    var errorMessage: String { String(cString: sqlite3_errmsg(handle)) }

    func error(_ what: String) -> GeoVoteError {
        .io(path: path, reason: "\(what): SQLite: \(errorMessage)")
    }

    /// Runs statements without results.
    func execute(_ sql: String) throws {
        var message: UnsafeMutablePointer<CChar>?
        // SQLITE_OK, or an error code with a message to free.
        guard sqlite3_exec(handle, sql, nil, nil, &message) == SQLITE_OK else {
            let text = message.map { String(cString: $0) } ?? errorMessage
            sqlite3_free(message)
            throw GeoVoteError.io(path: path, reason: "SQLite: \(text) (in: \(sql.prefix(120)))")
        }
    }

    func prepare(_ sql: String) throws -> SQLiteStatement {
        var statement: OpaquePointer?
        // SQLITE_OK with a statement, or an error code.
        guard sqlite3_prepare_v2(handle, sql, -1, &statement, nil) == SQLITE_OK, let statement else {
            throw error("cannot prepare \(sql.prefix(120))")
        }
        return SQLiteStatement(statement, database: self)
    }

    /// The rows of a query, each column as text (nil for NULL).
    func rows(_ sql: String, _ arguments: [String] = []) throws -> [[String?]] {
        let statement = try prepare(sql)
        for (k, a) in arguments.enumerated() { try statement.bind(k + 1, text: a) }
        var out: [[String?]] = []
        while try statement.step() {
            out.append((0..<statement.columnCount).map { statement.text($0) })
        }
        return out
    }

    func scalarInt(_ sql: String) throws -> Int64? {
        let statement = try prepare(sql)
        guard try statement.step(), !statement.isNull(0) else { return nil }
        return statement.int64(0)
    }

    /// Forces the database file to disk (fsync), before it is renamed into place.
    func syncToDisk() throws {
        let fd = Foundation.open(path, O_RDONLY)
        guard fd >= 0 else { throw GeoVoteError.io(path: path, reason: "cannot be opened to sync") }
        defer { close(fd) }
        guard fsync(fd) == 0 else { throw GeoVoteError.io(path: path, reason: "cannot be synced to disk") }
    }

    /// The number of the last row inserted.
    var lastRowID: Int64 { sqlite3_last_insert_rowid(handle) }

    /// Registers `ST_IsEmpty`, `ST_MinX`, `ST_MaxX`, `ST_MinY`, `ST_MaxY` on
    /// GeoPackage geometry blobs: what the R-tree extension's triggers call.
    func registerGeoPackageFunctions() throws {
        let functions: [(String, Int32)] = [("ST_IsEmpty", 0), ("ST_MinX", 1), ("ST_MaxX", 2), ("ST_MinY", 3), ("ST_MaxY", 4)]
        for (name, code) in functions {
            // SQLITE_OK or an error code.
            let status = sqlite3_create_function_v2(handle, name, 1, SQLITE_UTF8 | SQLITE_DETERMINISTIC,
                                                    UnsafeMutableRawPointer(bitPattern: Int(code) + 1), { context, _, values in
                let code = Int(bitPattern: sqlite3_user_data(context)) - 1
                guard let value = values?[0] ?? nil, sqlite3_value_type(value) == SQLITE_BLOB,
                      let bytes = sqlite3_value_blob(value) else { sqlite3_result_null(context); return }
                let count = Int(sqlite3_value_bytes(value))
                let blob = UnsafeRawBufferPointer(start: bytes, count: count)
                guard let header = try? GeoPackageBinary.Header(blob) else { sqlite3_result_null(context); return }
                if code == 0 { sqlite3_result_int(context, header.isEmpty ? 1 : 0); return }
                guard let box = header.envelope ?? GeoPackageBinary.envelope(of: blob, header: header) else { sqlite3_result_null(context); return }
                let v = [box.minX, box.maxX, box.minY, box.maxY][code - 1]
                sqlite3_result_double(context, v)
            }, nil, nil, nil)
            guard status == SQLITE_OK else { throw error("cannot register \(name)") }
        }
    }
}

/// A prepared statement, finalised in `deinit`.
final class SQLiteStatement {
    let handle: OpaquePointer
    let database: SQLiteDatabase

    init(_ handle: OpaquePointer, database: SQLiteDatabase) {
        self.handle = handle
        self.database = database
    }

    deinit { sqlite3_finalize(handle) }

    /// SQLite's "no destructor, copy now" marker for bound text and blobs.
    private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

    func bind(_ index: Int, text: String?) throws {
        // SQLITE_OK or an error code.
        let status = text.map { sqlite3_bind_text(handle, Int32(index), $0, -1, Self.transient) } ?? sqlite3_bind_null(handle, Int32(index))
        guard status == SQLITE_OK else { throw database.error("cannot bind a value") }
    }

    func bind(_ index: Int, int64: Int64?) throws {
        let status = int64.map { sqlite3_bind_int64(handle, Int32(index), $0) } ?? sqlite3_bind_null(handle, Int32(index))
        guard status == SQLITE_OK else { throw database.error("cannot bind a value") }
    }

    func bind(_ index: Int, double: Double?) throws {
        let status = double.map { sqlite3_bind_double(handle, Int32(index), $0) } ?? sqlite3_bind_null(handle, Int32(index))
        guard status == SQLITE_OK else { throw database.error("cannot bind a value") }
    }

    func bind(_ index: Int, blob: [UInt8]?) throws {
        let status: Int32
        if let blob {
            status = blob.withUnsafeBytes { sqlite3_bind_blob(handle, Int32(index), $0.baseAddress, Int32($0.count), Self.transient) }
        } else {
            status = sqlite3_bind_null(handle, Int32(index))
        }
        guard status == SQLITE_OK else { throw database.error("cannot bind a value") }
    }

    /// Steps; true when a row is ready, false when done.
    func step() throws -> Bool {
        switch sqlite3_step(handle) {
        case SQLITE_ROW: return true
        case SQLITE_DONE: return false
        default: throw database.error("statement failed")
        }
    }

    /// Runs an insert or update to its end and resets it for the next row.
    func run() throws {
        _ = try step()
        sqlite3_reset(handle)
        sqlite3_clear_bindings(handle)
    }


    var columnCount: Int { Int(sqlite3_column_count(handle)) }
    func isNull(_ i: Int) -> Bool { sqlite3_column_type(handle, Int32(i)) == SQLITE_NULL }
    func int64(_ i: Int) -> Int64 { sqlite3_column_int64(handle, Int32(i)) }
    func double(_ i: Int) -> Double { sqlite3_column_double(handle, Int32(i)) }
    /// The storage class: 1 integer, 2 float, 3 text, 4 blob, 5 null.
    func type(_ i: Int) -> Int32 { sqlite3_column_type(handle, Int32(i)) }

    func text(_ i: Int) -> String? {
        guard let p = sqlite3_column_text(handle, Int32(i)) else { return nil }
        let count = Int(sqlite3_column_bytes(handle, Int32(i)))
        return String(decoding: UnsafeBufferPointer(start: p, count: count), as: UTF8.self)
    }

    /// The raw bytes of a text column (to check its UTF-8).
    func textBytes(_ i: Int) -> [UInt8]? {
        guard let p = sqlite3_column_text(handle, Int32(i)) else { return nil }
        return Array(UnsafeBufferPointer(start: p, count: Int(sqlite3_column_bytes(handle, Int32(i)))))
    }

    func blob(_ i: Int) -> [UInt8]? {
        let count = Int(sqlite3_column_bytes(handle, Int32(i)))
        guard let p = sqlite3_column_blob(handle, Int32(i)) else { return count == 0 && !isNull(i) ? [] : nil }
        return Array(UnsafeRawBufferPointer(start: p, count: count))
    }
}
