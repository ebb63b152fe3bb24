#if canImport(Glibc)
import Glibc
#endif

/// The text encodings GeoVote reads and writes in attribute files.
///
/// Moroccan data come in UTF-8, in the Arabic code pages Windows-1256 and
/// ISO-8859-6, and in the Western code pages Windows-1252 and ISO-8859-1.
/// Conversion goes through the C library's iconv, which knows them all
/// (Foundation's `String.Encoding` has no Windows-1256).
public enum TextEncoding: String, Sendable, CaseIterable, CustomStringConvertible {
    case utf8 = "UTF-8"
    case windows1256 = "CP1256"
    case iso8859_6 = "ISO-8859-6"
    case windows1252 = "CP1252"
    case iso8859_1 = "ISO-8859-1"

    public var description: String { rawValue }

    /// The DBF language-driver id (byte 29 of the header) for this encoding,
    /// as ArcGIS and GDAL write it; nil where none is defined.
    public var languageDriverID: UInt8? {
        switch self {
        case .utf8: nil
        case .windows1256: 0x7E  // ANSI Arabic (ArcGIS)
        case .iso8859_6: nil
        case .windows1252: 0x57  // ANSI (ArcGIS's "87")
        case .iso8859_1: nil
        }
    }

    /// Parses a user's or a `.cpg`'s name for an encoding: "UTF-8", "utf8",
    /// "65001", "1256", "CP1256", "windows-1256", "ISO-8859-6", "8859_6",
    /// "arabic", "1252", "latin1", … Returns nil when unknown.
    public init?(name: String) {
        let key = name.uppercased().filter { !" \t\r\n\u{FEFF}".contains($0) }
            .replacingAll("_", with: "-")
        switch key {
        case "UTF-8", "UTF8", "65001", "UTF-8-BOM": self = .utf8
        case "1256", "CP1256", "WINDOWS-1256", "ANSI-1256", "WIN1256", "ARABIC-WINDOWS", "MS-ARAB": self = .windows1256
        case "ISO-8859-6", "ISO8859-6", "8859-6", "88596", "ARABIC", "ISO-IR-127", "28596", "ASMO-708": self = .iso8859_6
        case "1252", "CP1252", "WINDOWS-1252", "ANSI-1252", "WIN1252", "ANSI": self = .windows1252
        case "ISO-8859-1", "ISO8859-1", "8859-1", "88591", "LATIN1", "LATIN-1", "28591", "ISO-IR-100", "LDID/87": self = key == "LDID/87" ? .windows1252 : .iso8859_1
        case "LDID/126", "LDID/0X7E": self = .windows1256
        case "LDID/3", "LDID/1", "LDID/2": self = .windows1252
        default: return nil
        }
    }

    /// Decodes bytes; nil when they are not valid text in this encoding.
    public func decode<C: Collection>(_ bytes: C) -> String? where C.Element == UInt8 {
        if self == .utf8 {
            var iterator = bytes.makeIterator()
            var utf8 = UTF8()
            var scalars = String.UnicodeScalarView()
            loop: while true {
                switch utf8.decode(&iterator) {
                case let .scalarValue(s): scalars.append(s)
                case .emptyInput: break loop
                case .error: return nil
                }
            }
            return String(scalars)
        }
        if self == .iso8859_1 {
            return String(String.UnicodeScalarView(bytes.map { Unicode.Scalar($0) }))
        }
        guard let out = IconvConverter.convert(Array(bytes), from: rawValue, to: "UTF-8") else { return nil }
        return String(decoding: out, as: UTF8.self)
    }

    /// Encodes text; nil when a character has no code in this encoding.
    public func encode(_ text: String) -> [UInt8]? {
        if self == .utf8 { return Array(text.utf8) }
        return IconvConverter.convert(Array(text.utf8), from: "UTF-8", to: rawValue)
    }
}

/// A thin wrapper over iconv(3); one descriptor a call, so it is thread-safe.
enum IconvConverter {
    static func convert(_ input: [UInt8], from: String, to: String) -> [UInt8]? {
        // iconv_open returns (iconv_t)-1 when the pair is unknown.
        let cd = iconv_open(to, from)
        guard let cd, cd != iconv_t(bitPattern: -1) else { return nil }
        defer { iconv_close(cd) }
        if input.isEmpty { return [] }
        var output = [UInt8](repeating: 0, count: input.count * 4 + 16)
        var source = input.map { CChar(bitPattern: $0) }
        let produced: Int? = source.withUnsafeMutableBufferPointer { src in
            output.withUnsafeMutableBufferPointer { dst in
                var inPointer: UnsafeMutablePointer<CChar>? = src.baseAddress
                var inLeft = src.count
                var outPointer: UnsafeMutablePointer<CChar>? = UnsafeMutableRawPointer(dst.baseAddress!).assumingMemoryBound(to: CChar.self)
                var outLeft = dst.count
                // Returns (size_t)-1 on an invalid or unconvertible sequence.
                let result = iconv(cd, &inPointer, &inLeft, &outPointer, &outLeft)
                if result == -1 || result > 0 && to != "UTF-8" || inLeft != 0 { return nil }
                return dst.count - outLeft
            }
        }
        guard let produced else { return nil }
        return Array(output[0..<produced])
    }
}

extension String {
    func replacingAll(_ target: Character, with replacement: Character) -> String {
        String(map { $0 == target ? replacement : $0 })
    }
}
