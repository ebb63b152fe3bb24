#if canImport(Glibc)
import Glibc
#endif

/// The raw bytes of one DBF column: `width` bytes per record, records one
/// after the other (one allocation per column, not per cell).
struct RawDBFColumn {
    let width: Int
    var bytes: [UInt8]

    var count: Int { width == 0 ? 0 : bytes.count / width }

    /// The cell without its leading and trailing blanks (and trailing NULs),
    /// as shapelib trims it; empty when blank.
    func trimmed(_ r: Int) -> ArraySlice<UInt8> {
        var start = r * width, end = start + width
        while start < end && bytes[start] == 32 { start += 1 }
        while end > start && (bytes[end - 1] == 32 || bytes[end - 1] == 0) { end -= 1 }
        return bytes[start..<end]
    }
}

/// Parses the raw text of one DBF column into typed values, strictly.
///
/// - `N`/`F` with 0 decimals and a width up to 18: 64-bit integers; other
///   `N`/`F`: reals. Blank and `*` fills (dBase's NULL) are missing values;
///   anything else that is not a number is an error naming the value.
/// - `L`: T/t/Y/y true, F/f/N/n false, `?` or blank missing.
/// - `D`: eight digits YYYYMMDD; blank or "00000000" missing.
/// - `C` and any other type: text in the table's encoding; blank is missing.
struct DBFValueParser {
    let file: String
    let field: String
    let type: UInt8
    let width: Int
    let decimals: Int
    let encoding: TextEncoding

    private func fail(_ record: Int, _ bytes: ArraySlice<UInt8>, _ reason: String) -> GeoVoteError {
        let shown = encoding.decode(bytes) ?? String(decoding: bytes, as: UTF8.self)
        return .malformed(DataLocation(file: file, record: record, field: field, value: shown), reason: reason)
    }

    func parse(_ raw: RawDBFColumn) throws -> ColumnValues {
        let n = raw.count
        switch type {
        case UInt8(ascii: "N"), UInt8(ascii: "F"):
            var scratch = [CChar](repeating: 0, count: width + 2)
            if decimals == 0 && width <= 18 {
                var values = [Int64?](repeating: nil, count: n)
                for r in 0..<n {
                    let cell = raw.trimmed(r)
                    guard let text = Self.numericText(cell) else { continue }
                    if let v = Self.integer(text) {
                        values[r] = v
                    } else if let d = Self.real(text, scratch: &scratch), d == d.rounded(), abs(d) < 9.2e18 {
                        values[r] = Int64(d)  // "12.0" in an integer field
                    } else {
                        throw fail(r, cell, Self.real(text, scratch: &scratch) == nil ? "is not a number" : "is not an integer (the field has 0 decimals)")
                    }
                }
                return .integer(values)
            }
            var values = [Double?](repeating: nil, count: n)
            for r in 0..<n {
                let cell = raw.trimmed(r)
                guard let text = Self.numericText(cell) else { continue }
                // Unlike atof, "n/a", "1,5", "inf" and "0x10" are errors.
                guard let v = Self.real(text, scratch: &scratch) else { throw fail(r, cell, "is not a number") }
                values[r] = v
            }
            return .real(values)
        case UInt8(ascii: "L"):
            var values = [Bool?](repeating: nil, count: n)
            for r in 0..<n {
                let cell = raw.trimmed(r)
                guard let c = cell.first else { continue }
                switch c {
                case UInt8(ascii: "T"), UInt8(ascii: "t"), UInt8(ascii: "Y"), UInt8(ascii: "y"): values[r] = true
                case UInt8(ascii: "F"), UInt8(ascii: "f"), UInt8(ascii: "N"), UInt8(ascii: "n"): values[r] = false
                case UInt8(ascii: "?"): break
                default: throw fail(r, cell, "is not a logical value (T/F/Y/N/?)")
                }
            }
            return .logical(values)
        case UInt8(ascii: "D"):
            var values = [String?](repeating: nil, count: n)
            for r in 0..<n {
                let cell = raw.trimmed(r)
                if cell.isEmpty || cell.elementsEqual("00000000".utf8) { continue }
                guard cell.count == 8, cell.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else {
                    throw fail(r, cell, "is not a date (YYYYMMDD)")
                }
                values[r] = String(decoding: cell, as: UTF8.self)
            }
            return .date(values)
        default:
            var values = [String?](repeating: nil, count: n)
            for r in 0..<n {
                let cell = raw.trimmed(r)
                if cell.isEmpty { continue }
                guard let text = encoding.decode(cell) else {
                    throw GeoVoteError.textEncoding(DataLocation(file: file, record: r, field: field), .invalidBytes(encoding, line: nil))
                }
                values[r] = text
            }
            return .text(values)
        }
    }

    /// The number's bytes without a leading "+"; nil for a blank or `*` fill.
    static func numericText(_ cell: ArraySlice<UInt8>) -> ArraySlice<UInt8>? {
        if cell.isEmpty || cell.allSatisfy({ $0 == UInt8(ascii: "*") }) { return nil }
        return cell.first == UInt8(ascii: "+") ? cell.dropFirst() : cell
    }

    /// A decimal integer of at most 18 digits with an optional minus; nil otherwise.
    static func integer(_ text: ArraySlice<UInt8>) -> Int64? {
        var i = text.startIndex
        var negative = false
        if i < text.endIndex, text[i] == UInt8(ascii: "-") { negative = true; i += 1 }
        let digits = text.endIndex - i
        guard digits > 0, digits <= 18 else { return nil }
        var v: Int64 = 0
        while i < text.endIndex {
            let d = text[i] &- 0x30
            guard d < 10 else { return nil }
            v = v * 10 + Int64(d)
            i += 1
        }
        return negative ? -v : v
    }

    /// A finite decimal number (digits, sign, point, exponent only), read
    /// with correct rounding by strtod; nil otherwise.
    static func real(_ text: ArraySlice<UInt8>, scratch: inout [CChar]) -> Double? {
        guard !text.isEmpty, text.allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x2E || $0 == 0x2D || $0 == 0x2B || $0 | 0x20 == 0x65 }) else {
            return nil
        }
        if scratch.count < text.count + 1 { scratch = [CChar](repeating: 0, count: text.count + 1) }
        for (k, b) in text.enumerated() { scratch[k] = CChar(bitPattern: b) }
        scratch[text.count] = 0
        return scratch.withUnsafeMutableBufferPointer { buffer -> Double? in
            var end: UnsafeMutablePointer<CChar>?
            let v = strtod(buffer.baseAddress!, &end)
            guard let end, end - buffer.baseAddress! == text.count, v.isFinite else { return nil }
            return v
        }
    }
}
