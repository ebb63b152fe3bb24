/// Where a problem was found in user data: the file, the record (0-based
/// feature index as stored), the field and the offending value, each optional.
public struct DataLocation: Sendable, Equatable, CustomStringConvertible {
    public var file: String?
    public var record: Int?
    public var field: String?
    public var value: String?

    public init(file: String? = nil, record: Int? = nil, field: String? = nil, value: String? = nil) {
        self.file = file
        self.record = record
        self.field = field
        self.value = value
    }

    /// `file: record N, field 'F'`, leaving out what is unknown.
    public var description: String {
        var tail: [String] = []
        if let record { tail.append("record \(record)") }
        if let field { tail.append("field '\(field)'") }
        let where_ = tail.joined(separator: ", ")
        switch (file, where_.isEmpty) {
        case let (file?, false): return file + ": " + where_
        case let (file?, true): return file
        case (nil, _): return where_
        }
    }
}

/// Every error GeoVote reports about user data or the system libraries.
///
/// The message always says where (file, record, field) and what (the value):
/// `communes.dbf: record 17, field 'VOTES_MP': "n/a" is not a number`.
public enum GeoVoteError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A file is missing, unreadable or unwritable.
    case io(path: String, reason: String)
    /// A file is readable but its content is malformed.
    case malformed(DataLocation, reason: String)
    /// A value that the caller passed (an option, a parameter) is out of range.
    case invalidArgument(String)
    /// GEOS reported an error; the message is GEOS's own.
    case geos(String)
    /// PROJ reported an error; the message is PROJ's own.
    case proj(String)
    /// The operation needs something the data does not have.
    case unsupported(String)
    /// Distances were asked of a layer in longitude/latitude: reproject it
    /// (`proposed` is the UTM zone or national CRS that suits its extent, when
    /// one was found) or ask for great-circle distances.
    case geographicCRS(file: String?, crs: String, proposed: String?)
    /// A file's text cannot be decoded: where, and why.
    case textEncoding(DataLocation, EncodingProblem)
    /// Job `job` (1-based) of the batch file `file` failed with `error`.
    indirect case inJob(file: String, job: Int, GeoVoteError)

    public var description: String {
        switch self {
        case let .io(path, reason):
            return "\(path): \(reason)"
        case let .malformed(location, reason):
            let head = location.description
            var message = head.isEmpty ? "" : head + ": "
            if let value = location.value { message += "\"\(value)\" " }
            message += reason
            return message
        case let .invalidArgument(message):
            return message
        case let .geos(message):
            return "GEOS: \(message)"
        case let .proj(message):
            return "PROJ: \(message)"
        case let .unsupported(message):
            return message
        case let .geographicCRS(file, crs, proposed):
            return (file.map { $0 + ": " } ?? "") + "the layer's CRS \(crs) is geographic: distances in degrees are meaningless; "
                + "reproject it to a projected CRS\(proposed.map { " (\($0) suits its extent)" } ?? "") or measure great-circle distances in metres"
        case let .inJob(file, job, error):
            return "\(file): job \(job): \(error)"
        case let .textEncoding(location, problem):
            let head = location.description
            return (head.isEmpty ? "" : head + ": ") + (location.value.map { "\"\($0)\" " } ?? "") + problem.description
        }
    }
}

/// Why a file's text could not be decoded.
public enum EncodingProblem: Sendable, Equatable, CustomStringConvertible {
    /// The file (a `.cpg`) names an encoding GeoVote does not know.
    case unknownName
    /// Nothing declares the encoding (no `.cpg`; the DBF language driver, if
    /// any, is given) and the text is not UTF-8.
    case undeclared(languageDriver: String?)
    /// Bytes that are not valid in the encoding used; `line` for text files.
    case invalidBytes(TextEncoding, line: Int?)

    public var description: String {
        let known = TextEncoding.allCases.map(\.rawValue).joined(separator: ", ")
        switch self {
        case .unknownName:
            return "is not a text encoding GeoVote knows (\(known)); name the encoding"
        case let .undeclared(driver):
            return "declares no text encoding (no .cpg\(driver.map { ", language driver \($0)" } ?? "")) and its text is not UTF-8; name the encoding (\(known))"
        case let .invalidBytes(encoding, line):
            return (line.map { "on line \($0) " } ?? "") + "holds bytes that are not valid \(encoding); name the file's encoding (\(known))"
        }
    }
}

extension GeoVoteError: CustomDebugStringConvertible {
    public var debugDescription: String { description }
}
