#if canImport(Glibc)
import Glibc
#endif

/// A strict JSON (RFC 8259) reader over UTF-8 bytes, used by the GeoJSON
/// reader. It walks the text without building a tree, so the caller decides
/// what to keep: coordinates go straight into flat arrays, property values
/// become scalars, and anything else is skipped or kept as raw JSON text.
///
/// Numbers are converted by the C library's `strtod`, which rounds
/// correctly: a coordinate written in shortest round-trip form reads back
/// bit-exact. Errors carry the byte offset and the line.
struct JSONScanner {
    let bytes: [UInt8]
    var position = 0
    let file: String
    /// Objects and arrays open around the current position.
    private var depth = 0
    /// Deeper nesting is refused: the readers recurse, and a few kilobytes
    /// of brackets would overflow the stack. GeoJSON needs 4 levels for
    /// coordinates; properties rarely more than a few.
    static let maximumDepth = 200
    private var numberScratch = [CChar](repeating: 0, count: 64)

    init(bytes: [UInt8], file: String) {
        self.bytes = bytes
        self.file = file
        // A UTF-8 byte-order mark is tolerated (RFC 8259 §8.1 allows ignoring it).
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { position = 3 }
    }

    /// A scalar property value. Numbers keep their source text so that a
    /// column that mixes numbers and text shows them as written.
    enum Scalar: Equatable {
        case null
        case bool(Bool)
        case integer(Int64, text: String)
        case real(Double, text: String)
        case string(String)
        /// An object or array, as its JSON text.
        case raw(String)
    }

    // MARK: Errors

    var line: Int { bytes[0..<min(position, bytes.count)].count { $0 == 0x0A } + 1 }

    func error(_ reason: String, record: Int? = nil) -> GeoVoteError {
        .malformed(DataLocation(file: file, record: record), reason: "\(reason) (line \(line), byte \(position))")
    }

    // MARK: Tokens

    mutating func skipWhitespace() {
        while position < bytes.count {
            switch bytes[position] {
            case 0x20, 0x09, 0x0A, 0x0D: position += 1
            default: return
            }
        }
    }

    /// The next non-blank byte, not consumed; nil at the end.
    mutating func peek() -> UInt8? {
        skipWhitespace()
        return position < bytes.count ? bytes[position] : nil
    }

    mutating func expect(_ byte: UInt8) throws {
        guard peek() == byte else {
            throw error("expected '\(Character(Unicode.Scalar(byte)))'" + describeHere())
        }
        position += 1
    }

    private func describeHere() -> String {
        guard position < bytes.count else { return " but the file ends" }
        return " but found '\(Character(Unicode.Scalar(bytes[position])))'"
    }

    /// Consumes `byte` when it is next.
    mutating func consume(_ byte: UInt8) -> Bool {
        if peek() == byte { position += 1; return true }
        return false
    }

    /// Walks the members of an object, calling `body` with each key; `body`
    /// must consume the value.
    private mutating func enter() throws {
        depth += 1
        guard depth <= Self.maximumDepth else {
            throw error("nests objects and arrays more than \(Self.maximumDepth) deep")
        }
    }

    mutating func object(_ body: (inout JSONScanner, String) throws -> Void) throws {
        try enter()
        defer { depth -= 1 }
        try expect(UInt8(ascii: "{"))
        if consume(UInt8(ascii: "}")) { return }
        repeat {
            let key = try string()
            try expect(UInt8(ascii: ":"))
            try body(&self, key)
        } while consume(UInt8(ascii: ","))
        try expect(UInt8(ascii: "}"))
    }

    /// Walks the elements of an array; `body` must consume each element.
    mutating func array(_ body: (inout JSONScanner) throws -> Void) throws {
        try enter()
        defer { depth -= 1 }
        try expect(UInt8(ascii: "["))
        if consume(UInt8(ascii: "]")) { return }
        repeat {
            try body(&self)
        } while consume(UInt8(ascii: ","))
        try expect(UInt8(ascii: "]"))
    }

    mutating func string() throws -> String {
        try expect(UInt8(ascii: "\""))
        var out = [UInt8]()
        while true {
            guard position < bytes.count else { throw error("unterminated string") }
            let b = bytes[position]
            position += 1
            switch b {
            case UInt8(ascii: "\""):
                guard let text = String(validating: out, as: UTF8.self) else { throw error("string is not valid UTF-8") }
                return text
            case UInt8(ascii: "\\"):
                guard position < bytes.count else { throw error("unterminated string") }
                let e = bytes[position]
                position += 1
                switch e {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(e)
                case UInt8(ascii: "b"): out.append(0x08)
                case UInt8(ascii: "f"): out.append(0x0C)
                case UInt8(ascii: "n"): out.append(0x0A)
                case UInt8(ascii: "r"): out.append(0x0D)
                case UInt8(ascii: "t"): out.append(0x09)
                case UInt8(ascii: "u"):
                    var scalar = try hex4()
                    if (0xD800..<0xDC00).contains(scalar) {
                        // A surrogate pair: the low half must follow.
                        guard position + 1 < bytes.count, bytes[position] == UInt8(ascii: "\\"), bytes[position + 1] == UInt8(ascii: "u") else {
                            throw error("lone UTF-16 surrogate in a \\u escape")
                        }
                        position += 2
                        let low = try hex4()
                        guard (0xDC00..<0xE000).contains(low) else { throw error("bad UTF-16 surrogate pair in a \\u escape") }
                        scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                    }
                    guard let u = Unicode.Scalar(scalar) else { throw error("\\u escape is not a Unicode scalar") }
                    out.append(contentsOf: Array(String(Character(u)).utf8))
                default:
                    throw error("unknown escape '\\\(Character(Unicode.Scalar(e)))'")
                }
            case 0..<0x20:
                throw error("control character in a string (must be escaped)")
            default:
                out.append(b)
            }
        }
    }

    private mutating func hex4() throws -> UInt32 {
        guard position + 4 <= bytes.count else { throw error("short \\u escape") }
        var v: UInt32 = 0
        for _ in 0..<4 {
            let b = bytes[position]
            position += 1
            let d: UInt32
            switch b {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): d = UInt32(b - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): d = UInt32(b - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): d = UInt32(b - UInt8(ascii: "A") + 10)
            default: throw error("bad hex digit in a \\u escape")
            }
            v = v << 4 | d
        }
        return v
    }

    /// The byte range of a number token, checked against the JSON grammar.
    private mutating func numberToken() throws -> (Range<Int>, isInteger: Bool) {
        skipWhitespace()
        let start = position
        func digits() -> Int {
            let s = position
            while position < bytes.count, bytes[position] >= 0x30, bytes[position] <= 0x39 { position += 1 }
            return position - s
        }
        if position < bytes.count, bytes[position] == UInt8(ascii: "-") { position += 1 }
        let intStart = position
        guard digits() > 0 else { position = start; throw error("expected a number" + describeHere()) }
        if bytes[intStart] == UInt8(ascii: "0"), position - intStart > 1 {
            position = start
            throw error("a JSON number cannot have a leading zero")
        }
        var isInteger = true
        if position < bytes.count, bytes[position] == UInt8(ascii: ".") {
            position += 1
            isInteger = false
            guard digits() > 0 else { throw error("expected digits after the decimal point") }
        }
        if position < bytes.count, bytes[position] | 0x20 == UInt8(ascii: "e") {
            position += 1
            isInteger = false
            if position < bytes.count, bytes[position] == UInt8(ascii: "+") || bytes[position] == UInt8(ascii: "-") { position += 1 }
            guard digits() > 0 else { throw error("expected digits in the exponent") }
        }
        return (start..<position, isInteger)
    }

    mutating func number() throws -> Double {
        let (range, _) = try numberToken()
        return parseDouble(range)
    }

    private mutating func parseDouble(_ range: Range<Int>) -> Double {
        if range.count >= numberScratch.count { numberScratch = [CChar](repeating: 0, count: range.count + 1) }
        for (k, i) in range.enumerated() { numberScratch[k] = CChar(bitPattern: bytes[i]) }
        numberScratch[range.count] = 0
        return numberScratch.withUnsafeBufferPointer { strtod($0.baseAddress!, nil) }
    }

    private mutating func literal(_ word: String) throws {
        let w = Array(word.utf8)
        guard position + w.count <= bytes.count, Array(bytes[position..<position + w.count]) == w else {
            throw error("unexpected text" + describeHere())
        }
        position += w.count
    }

    /// Skips any value.
    mutating func skipValue() throws {
        switch peek() {
        case UInt8(ascii: "{"): try object { s, _ in try s.skipValue() }
        case UInt8(ascii: "["): try array { try $0.skipValue() }
        case UInt8(ascii: "\""): _ = try string()
        case UInt8(ascii: "t"): try literal("true")
        case UInt8(ascii: "f"): try literal("false")
        case UInt8(ascii: "n"): try literal("null")
        case nil: throw error("the file ends where a value was expected")
        default: _ = try numberToken()
        }
    }

    /// Reads any value as a property scalar; objects and arrays are kept as
    /// their JSON text.
    mutating func scalar() throws -> Scalar {
        switch peek() {
        case UInt8(ascii: "\""): return .string(try string())
        case UInt8(ascii: "t"): try literal("true"); return .bool(true)
        case UInt8(ascii: "f"): try literal("false"); return .bool(false)
        case UInt8(ascii: "n"): try literal("null"); return .null
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            let start = position
            try skipValue()
            return .raw(String(decoding: bytes[start..<position], as: UTF8.self))
        case nil: throw error("the file ends where a value was expected")
        default:
            let (range, isInteger) = try numberToken()
            let text = String(decoding: bytes[range], as: UTF8.self)
            if isInteger, let v = Int64(text) { return .integer(v, text: text) }
            let v = parseDouble(range)
            guard v.isFinite else { throw error("number \(text) is out of range") }
            return .real(v, text: text)
        }
    }

    mutating func isNull() throws -> Bool {
        if peek() == UInt8(ascii: "n") { try literal("null"); return true }
        return false
    }

    mutating func expectEnd() throws {
        guard peek() == nil else { throw error("unexpected text after the end of the JSON value") }
    }
}
