import Foundation

/// Reads a delimited text table (RFC 4180 CSV and its spreadsheet cousins)
/// into a `FeatureTable` without geometry — results tables keyed by commune
/// code, as French-locale spreadsheets write them.
///
/// - Separator: `,` `;` tab or `|`, detected as the one that splits the
///   first 50 records into the same number (> 1) of fields, the most
///   fields winning; or given.
/// - Quoted fields (`"…"`, with `""` for a quote) may hold separators and
///   line breaks. A UTF-8 byte-order mark is dropped. Text is UTF-8 unless
///   an encoding is given; bytes that are not UTF-8 are an error naming the
///   line and the `--encoding` option. Blank lines are skipped.
/// - Typing, per column, from every value: all integers → integer; all
///   numbers → real, with a decimal point, or with a decimal comma when the
///   separator is not a comma (French spreadsheets: `12,5`); anything else →
///   text. An integer written with a leading zero (`01001`) keeps the whole
///   column text, so codes survive. `textFields` forces columns to text.
///   An empty field is a missing value; "n/a" or "NA" make the column text,
///   so a statistic on it fails naming the value instead of reading 0.
/// - A row with more or fewer fields than the header is an error naming the
///   line; so is a duplicate column name.
public struct CSVReader {
    public var encoding: TextEncoding?
    /// The separator byte; nil detects it.
    public var separator: UInt8?
    /// Column names read as text whatever they hold.
    public var textFields: Set<String>
    /// The separator of the last read (given or detected).
    public private(set) var detectedSeparator: UInt8 = UInt8(ascii: ",")
    /// Remarks for the user about the last read (e.g. decimal commas seen).
    public private(set) var notes: [String] = []

    public init(encoding: TextEncoding? = nil, separator: UInt8? = nil, textFields: Set<String> = []) {
        self.encoding = encoding
        self.separator = separator
        self.textFields = textFields
    }

    public static let separators: [UInt8] = [UInt8(ascii: ","), UInt8(ascii: ";"), UInt8(ascii: "\t"), UInt8(ascii: "|")]

    /// The CSV as a layer without geometries (``FeatureTable/init(attributes:)``).
    public mutating func read(_ path: String) throws -> FeatureTable {
        FeatureTable(attributes: try readAttributes(path))
    }

    /// The CSV as a layer without geometries.
    public mutating func read(bytes input: [UInt8], file: String) throws -> FeatureTable {
        FeatureTable(attributes: try readAttributes(bytes: input, file: file))
    }

    /// The CSV's typed columns.
    public mutating func readAttributes(_ path: String) throws -> AttributeTable {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw GeoVoteError.io(path: path, reason: FileManager.default.fileExists(atPath: path) ? "cannot be read" : "no such file")
        }
        return try readAttributes(bytes: [UInt8](data), file: path)
    }

    /// The typed columns of CSV bytes; `file` names them in errors.
    public mutating func readAttributes(bytes input: [UInt8], file: String) throws -> AttributeTable {
        notes = []
        var bytes = input
        // Byte-order marks (some exports write two) are not part of the first field name.
        while bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes.removeFirst(3) }
        let sep: UInt8
        if let separator {
            sep = separator
        } else {
            sep = try Self.detectSeparator(bytes, file: file)
        }
        detectedSeparator = sep
        let records = try Self.split(bytes, separator: sep, file: file, limit: nil)
        guard let header = records.first else {
            throw GeoVoteError.malformed(DataLocation(file: file), reason: "is empty: a CSV needs a header line")
        }
        let textEncoding = encoding ?? .utf8
        func decode(_ field: ArraySlice<UInt8>, line: Int, column: String?) throws -> String {
            if let s = textEncoding.decode(field) { return s }
            throw GeoVoteError.textEncoding(
                DataLocation(file: file, field: column, value: field.map { $0 < 0x80 ? String(Character(Unicode.Scalar($0))) : "\\x" + String($0, radix: 16, uppercase: true) }.joined()),
                .invalidBytes(textEncoding, line: line))
        }
        var names: [String] = []
        for (c, f) in header.fields.enumerated() {
            var name = try decode(f, line: header.line, column: nil).trimmingCharacters(in: .whitespaces)
            if name.isEmpty {
                name = "field_\(c + 1)"
                notes.append("\(file): column \(c + 1) has no name in the header; called it '\(name)'")
            }
            if let first = names.firstIndex(of: name) {
                throw GeoVoteError.malformed(DataLocation(file: file, field: name),
                                             reason: "is the name of columns \(first + 1) and \(c + 1) of the header (line \(header.line)); names must be unique")
            }
            names.append(name)
        }
        let rows = records.dropFirst()
        var cells = [[String?]](repeating: [], count: names.count)
        for c in names.indices { cells[c].reserveCapacity(rows.count) }
        for (r, record) in rows.enumerated() {
            guard record.fields.count == names.count else {
                throw GeoVoteError.malformed(
                    DataLocation(file: file, record: r),
                    reason: "line \(record.line) has \(record.fields.count) fields but the header has \(names.count) (separator '\(Self.display(sep))')")
            }
            for (c, f) in record.fields.enumerated() {
                let text = try decode(f, line: record.line, column: names[c])
                cells[c].append(text.isEmpty ? nil : text)
            }
        }
        let columns = names.indices.map { c in
            Column(name: names[c], values: textFields.contains(names[c]) ? .text(cells[c]) : Self.typed(cells[c], separator: sep))
        }
        return AttributeTable(count: rows.count, columns: columns, sourceEncoding: textEncoding)
    }

    static func display(_ sep: UInt8) -> String { sep == 9 ? "tab" : String(Character(Unicode.Scalar(sep))) }

    // MARK: Splitting

    struct Record {
        var fields: [ArraySlice<UInt8>]
        /// 1-based line where the record starts.
        var line: Int
    }

    /// Splits the bytes into records of fields (quotes removed and `""`
    /// unescaped); stops after `limit` records when given.
    static func split(_ bytes: [UInt8], separator sep: UInt8, file: String, limit: Int?) throws -> [Record] {
        var records: [Record] = []
        try split(bytes, separator: sep, file: file, limit: limit, into: &records)
        return records
    }

    /// As `split`, appending to `records` so that a caller can keep what
    /// was read before an error.
    static func split(_ bytes: [UInt8], separator sep: UInt8, file: String, limit: Int?, into records: inout [Record]) throws {
        let quote = UInt8(ascii: "\""), lf = UInt8(ascii: "\n"), cr = UInt8(ascii: "\r")
        var i = 0, line = 1
        let n = bytes.count
        while i < n {
            if let limit, records.count >= limit { break }
            // Skip blank lines.
            if bytes[i] == lf { i += 1; line += 1; continue }
            if bytes[i] == cr { i += 1; if i < n, bytes[i] == lf { i += 1 }; line += 1; continue }
            let startLine = line
            var fields: [ArraySlice<UInt8>] = []
            while true {
                if i < n, bytes[i] == quote {
                    // Quoted field.
                    var value: [UInt8] = []
                    i += 1
                    var closed = false
                    while i < n {
                        let b = bytes[i]
                        if b == quote {
                            if i + 1 < n, bytes[i + 1] == quote { value.append(quote); i += 2; continue }
                            i += 1
                            closed = true
                            break
                        }
                        if b == lf { line += 1 }
                        value.append(b)
                        i += 1
                    }
                    guard closed else {
                        throw GeoVoteError.malformed(DataLocation(file: file),
                                                     reason: "a quoted field that opens on line \(startLine) is never closed")
                    }
                    guard i >= n || bytes[i] == sep || bytes[i] == lf || bytes[i] == cr else {
                        throw GeoVoteError.malformed(DataLocation(file: file),
                                                     reason: "line \(line): text after the closing quote of a field (a quote inside a field must be doubled)")
                    }
                    fields.append(value[...])
                } else {
                    let start = i
                    while i < n, bytes[i] != sep, bytes[i] != lf, bytes[i] != cr { i += 1 }
                    fields.append(bytes[start..<i])
                }
                if i < n, bytes[i] == sep { i += 1; continue }
                // End of record.
                if i < n, bytes[i] == cr { i += 1 }
                if i < n, bytes[i] == lf { i += 1 }
                line += 1
                break
            }
            records.append(Record(fields: fields, line: startLine))
        }
    }

    static func detectSeparator(_ bytes: [UInt8], file: String) throws -> UInt8 {
        var best: (sep: UInt8, fields: Int, consistent: Bool)?
        for sep in separators {
            // A quoting error is reported by the real read; the records before it still count.
            var sample: [Record] = []
            try? split(bytes, separator: sep, file: file, limit: 50, into: &sample)
            guard let first = sample.first else { continue }
            let count = first.fields.count
            let consistent = count > 1 && sample.allSatisfy { $0.fields.count == count }
            let better: Bool
            if let b = best {
                better = (consistent && !b.consistent) || (consistent == b.consistent && count > b.fields)
            } else { better = true }
            if better { best = (sep, count, consistent) }
        }
        return best?.sep ?? UInt8(ascii: ",")
    }

    // MARK: Typing

    enum NumberShape { case integer, leadingZeroInteger, decimalPoint, decimalComma, notNumber }

    /// The shape of a number as spreadsheets write it; surrounding blanks allowed.
    static func shape(_ text: String) -> NumberShape {
        let u = Array(text.utf8.drop { $0 == 32 }.reversed().drop { $0 == 32 }.reversed())
        var i = 0
        if i < u.count, u[i] == UInt8(ascii: "-") || u[i] == UInt8(ascii: "+") { i += 1 }
        let intStart = i
        while i < u.count, u[i] >= 0x30, u[i] <= 0x39 { i += 1 }
        let intDigits = i - intStart
        if i == u.count {
            guard intDigits > 0 else { return .notNumber }
            return intDigits > 1 && u[intStart] == 0x30 ? .leadingZeroInteger : .integer
        }
        var shape = NumberShape.decimalPoint
        if u[i] == UInt8(ascii: ".") || u[i] == UInt8(ascii: ",") {
            shape = u[i] == UInt8(ascii: ".") ? .decimalPoint : .decimalComma
            i += 1
            let fracStart = i
            while i < u.count, u[i] >= 0x30, u[i] <= 0x39 { i += 1 }
            guard intDigits + (i - fracStart) > 0 else { return .notNumber }
        } else if intDigits == 0 {
            return .notNumber
        }
        if i < u.count, u[i] | 0x20 == UInt8(ascii: "e") {
            i += 1
            if i < u.count, u[i] == UInt8(ascii: "-") || u[i] == UInt8(ascii: "+") { i += 1 }
            let expStart = i
            while i < u.count, u[i] >= 0x30, u[i] <= 0x39 { i += 1 }
            guard i > expStart else { return .notNumber }
        }
        guard i == u.count else { return .notNumber }
        if intDigits > 1, u[intStart] == 0x30 { return .notNumber }  // "01.5": a code, not a number
        return shape
    }

    static func typed(_ values: [String?], separator: UInt8) -> ColumnValues {
        var integers = 0, points = 0, commas = 0
        for v in values {
            guard let v else { continue }
            switch shape(v) {
            case .integer: integers += 1
            case .decimalPoint: points += 1
            case .decimalComma: commas += 1
            case .leadingZeroInteger, .notNumber: return .text(values)
            }
        }
        if points + commas == 0 {
            if integers == 0 { return .text(values) }
            let parsed = values.map { $0.flatMap { Int64($0.trimmingCharacters(in: .whitespaces)) } }
            // Integers too large for 64 bits fall through to reals.
            if zip(values, parsed).allSatisfy({ ($0 == nil) == ($1 == nil) }) { return .integer(parsed) }
        }
        // Mixed "1.5" and "1,5" is ambiguous (thousands?): text.
        if points > 0 && commas > 0 { return .text(values) }
        if commas > 0 && separator == UInt8(ascii: ",") { return .text(values) }
        let reals = values.map { v in
            v.flatMap { Double($0.trimmingCharacters(in: .whitespaces).replacingOccurrences(of: ",", with: ".")) }
        }
        // A number beyond Double's range (1e400, a five-million-digit
        // integer) is not a number GeoVote can compute with: the column stays
        // text, so a statistic on it fails naming the value instead of
        // reading infinity.
        if reals.contains(where: { $0.map { !$0.isFinite } ?? false }) { return .text(values) }
        return .real(reals)
    }
}

/// Writes a table's attributes as CSV (RFC 4180, UTF-8, comma, `\n`);
/// geometry is not written. Reals in shortest round-trip form.
public struct CSVWriter {
    /// Write the geometry as a last column "WKT" (GDAL's CSV driver reads it as the geometry).
    public var wkt: Bool
    /// Write a `.csvt` beside the file: the column types GDAL reads
    /// (Integer64, Real, String, WKT), so that codes keep their leading zeros.
    public var columnTypes: Bool

    public init(wkt: Bool = false, columnTypes: Bool = false) {
        self.wkt = wkt
        self.columnTypes = columnTypes
    }

    /// The `.csvt` line: one quoted GDAL type per column (and WKT when written).
    public func columnTypeLine(_ table: FeatureTable) -> String { columnTypeLine(table.columns, wkt: wkt) }

    /// The `.csvt` line of an attribute table (no WKT column).
    public func columnTypeLine(_ table: AttributeTable) -> String { columnTypeLine(table.columns, wkt: false) }

    func columnTypeLine(_ columns: [Column], wkt: Bool) -> String {
        var types = columns.map { column -> String in
            switch column.values {
            case .integer: "Integer64"
            case .real: "Real"
            case .text, .logical, .date: "String"
            }
        }
        if wkt { types.append("WKT") }
        return types.map { "\"\($0)\"" }.joined(separator: ",") + "\n"
    }

    /// The CSV bytes of a layer: its columns, and its geometries as a last
    /// column `WKT` when ``wkt`` is set.
    public func encode(_ table: FeatureTable, file: String = "the CSV") throws -> [UInt8] {
        try encode(table.attributes, wkt: wkt ? try Self.wellKnownText(table, file: file) : nil, file: file)
    }

    /// The CSV bytes of an attribute table.
    public func encode(_ table: AttributeTable, file: String = "the CSV") throws -> [UInt8] {
        try encode(table, wkt: nil, file: file)
    }

    func encode(_ table: AttributeTable, wkt wktText: [String]?, file: String) throws -> [UInt8] {
        var out = [UInt8]()
        func field(_ s: String) {
            if s.utf8.contains(where: { $0 == UInt8(ascii: ",") || $0 == UInt8(ascii: "\"") || $0 == 10 || $0 == 13 }) {
                out.append(UInt8(ascii: "\""))
                for b in s.utf8 {
                    if b == UInt8(ascii: "\"") { out.append(b) }
                    out.append(b)
                }
                out.append(UInt8(ascii: "\""))
            } else {
                out.append(contentsOf: s.utf8)
            }
        }
        for (c, column) in table.columns.enumerated() {
            if c > 0 { out.append(UInt8(ascii: ",")) }
            field(column.name)
        }
        if wktText != nil { if !table.columns.isEmpty { out.append(UInt8(ascii: ",")) }; field("WKT") }
        out.append(10)
        for i in 0..<table.count {
            for (c, column) in table.columns.enumerated() {
                if c > 0 { out.append(UInt8(ascii: ",")) }
                if case let .real(v) = column.values, let x = v[i] {
                    guard x.isFinite else {
                        throw GeoVoteError.malformed(DataLocation(file: file, record: i, field: column.name), reason: "is \(x); write a missing value instead")
                    }
                    var t = "\(x)"
                    if t.hasSuffix(".0") { t.removeLast(2) }
                    field(t)
                } else {
                    field(column.values.displayValue(i))
                }
            }
            if let wktText {
                if !table.columns.isEmpty { out.append(UInt8(ascii: ",")) }
                // Always quoted: WKT holds commas.
                out.append(UInt8(ascii: "\""))
                out.append(contentsOf: wktText[i].utf8)
                out.append(UInt8(ascii: "\""))
            }
            out.append(10)
        }
        return out
    }

    /// Each geometry as WKT (empty text for an empty geometry), with GEOS.
    static func wellKnownText(_ table: FeatureTable, file: String) throws -> [String] {
        try GeometryEngine.map(table.geometries, file: file) { geos, g in g.isEmpty ? "" : try geos.wkt(g) }
    }

    /// Writes a layer (see ``encode(_:file:)-(FeatureTable,_)``), whole: to a
    /// temporary file beside the target, then renamed; the `.csvt` after it.
    public func write(_ table: FeatureTable, to path: String) throws {
        try AtomicFile.write(Data(try encode(table, file: path)), to: path)
        if columnTypes { try AtomicFile.write(Data(columnTypeLine(table).utf8), to: Self.columnTypePath(path)) }
    }

    /// Writes an attribute table, whole, and its `.csvt` when asked.
    public func write(_ table: AttributeTable, to path: String) throws {
        try AtomicFile.write(Data(try encode(table, file: path)), to: path)
        if columnTypes { try AtomicFile.write(Data(columnTypeLine(table).utf8), to: Self.columnTypePath(path)) }
    }

    /// `out.csv` → `out.csvt`.
    public static func columnTypePath(_ path: String) -> String {
        (path.lowercased().hasSuffix(".csv") ? String(path.dropLast(4)) : path) + ".csvt"
    }
}
