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
    /// The operation needs something the data does not have (e.g. a projected CRS).
    case unsupported(String)

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
        }
    }
}

extension GeoVoteError: CustomDebugStringConvertible {
    public var debugDescription: String { description }
}
