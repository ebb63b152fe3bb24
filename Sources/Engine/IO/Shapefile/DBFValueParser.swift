/// Parses the raw text of one DBF column into typed values, strictly.
///
/// - `N`/`F` with 0 decimals and a width up to 18: 64-bit integers; other
///   `N`/`F`: reals. Blank and `*` fills (dBase's NULL) are missing values;
///   anything else that is not a number is an error naming the value.
/// - `L`: T/t/Y/y true, F/f/N/n false, `?` or blank missing.
/// - `D`: eight digits YYYYMMDD; blank or "00000000" missing.
/// - `C` and any other type: text in the table's encoding.
struct DBFValueParser {
    let file: String
    let field: String
    let type: UInt8
    let width: Int
    let decimals: Int
    let encoding: TextEncoding

    private func fail(_ record: Int, _ bytes: [UInt8], _ reason: String) -> GeoVoteError {
        let shown = encoding.decode(bytes) ?? String(decoding: bytes, as: UTF8.self)
        return .malformed(DataLocation(file: file, record: record, field: field, value: shown), reason: reason)
    }

    private static func trimmed(_ bytes: [UInt8]) -> String {
        numericText(bytes) ?? ""
    }

    func parse(_ raw: [[UInt8]?]) throws -> ColumnValues {
        switch type {
        case UInt8(ascii: "N"), UInt8(ascii: "F"):
            if decimals == 0 && width <= 18 {
                var values = [Int64?]()
                values.reserveCapacity(raw.count)
                for (r, bytes) in raw.enumerated() {
                    guard let bytes, let text = Self.numericText(bytes) else { values.append(nil); continue }
                    if let v = Int64(text) {
                        values.append(v)
                    } else if let d = Double(text), d == d.rounded(), abs(d) < 9.2e18 {
                        values.append(Int64(d))  // "12.0" in an integer field
                    } else {
                        throw fail(r, bytes, Double(text) == nil ? "is not a number" : "is not an integer (the field has 0 decimals)")
                    }
                }
                return .integer(values)
            }
            var values = [Double?]()
            values.reserveCapacity(raw.count)
            for (r, bytes) in raw.enumerated() {
                guard let bytes, let text = Self.numericText(bytes) else { values.append(nil); continue }
                // Swift's Double(String) rejects "n/a", "", "1,5" and accepts "1e-7".
                guard let v = Double(text), v.isFinite else {
                    throw fail(r, bytes, "is not a number")
                }
                values.append(v)
            }
            return .real(values)
        case UInt8(ascii: "L"):
            return .logical(try raw.enumerated().map { r, bytes in
                guard let bytes, let c = bytes.first(where: { $0 != 32 }) else { return nil }
                switch c {
                case UInt8(ascii: "T"), UInt8(ascii: "t"), UInt8(ascii: "Y"), UInt8(ascii: "y"): return true
                case UInt8(ascii: "F"), UInt8(ascii: "f"), UInt8(ascii: "N"), UInt8(ascii: "n"): return false
                case UInt8(ascii: "?"): return nil
                default: throw fail(r, bytes, "is not a logical value (T/F/Y/N/?)")
                }
            })
        case UInt8(ascii: "D"):
            return .date(try raw.enumerated().map { r, bytes in
                guard let bytes else { return nil }
                let text = Self.trimmed(bytes)
                if text.isEmpty || text == "00000000" { return nil }
                guard text.count == 8, text.allSatisfy(\.isASCIIDigit) else {
                    throw fail(r, bytes, "is not a date (YYYYMMDD)")
                }
                return String(text)
            })
        default:
            return .text(try raw.enumerated().map { r, bytes in
                guard let bytes else { return nil }
                guard let text = encoding.decode(bytes) else {
                    throw GeoVoteError.malformed(DataLocation(file: file, record: r, field: field),
                                                 reason: "holds bytes that are not valid \(encoding); pass --encoding")
                }
                return text
            })
        }
    }

    /// The number's text without padding; nil for a blank or `*` fill.
    static func numericText(_ bytes: [UInt8]) -> String? {
        var start = 0, end = bytes.count
        while start < end && bytes[start] == 32 { start += 1 }
        while end > start && (bytes[end - 1] == 32 || bytes[end - 1] == 0) { end -= 1 }
        if start == end { return nil }
        if bytes[start..<end].allSatisfy({ $0 == UInt8(ascii: "*") }) { return nil }
        var text = String(decoding: bytes[start..<end], as: UTF8.self)
        if text.hasPrefix("+") { text.removeFirst() }
        return text
    }
}

extension Character {
    var isASCIIDigit: Bool { isASCII && isNumber }
}
