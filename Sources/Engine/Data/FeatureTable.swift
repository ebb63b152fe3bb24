import Foundation

/// The values of one attribute column, typed. `nil` is a missing value.
public enum ColumnValues: Sendable, Equatable {
    case text([String?])
    case integer([Int64?])
    case real([Double?])
    case logical([Bool?])
    /// Calendar dates as "YYYYMMDD" (the DBF form).
    case date([String?])

    public var count: Int {
        switch self {
        case let .text(v): v.count
        case let .integer(v): v.count
        case let .real(v): v.count
        case let .logical(v): v.count
        case let .date(v): v.count
        }
    }

    /// A short name of the type, for `geovote info`.
    public var typeName: String {
        switch self {
        case .text: "text"
        case .integer: "integer"
        case .real: "real"
        case .logical: "logical"
        case .date: "date"
        }
    }

    /// Value `i` as text, for display ("" when missing).
    public func displayValue(_ i: Int) -> String {
        switch self {
        case let .text(v): v[i] ?? ""
        case let .integer(v): v[i].map { String($0) } ?? ""
        case let .real(v): v[i].map { String($0) } ?? ""
        case let .logical(v): v[i].map { $0 ? "true" : "false" } ?? ""
        case let .date(v): v[i] ?? ""
        }
    }

    /// Value `i` as a number: integers and reals; nil when missing or not numeric.
    public func number(_ i: Int) -> Double? {
        switch self {
        case let .integer(v): v[i].map(Double.init)
        case let .real(v): v[i]
        default: nil
        }
    }

    /// The number of missing values.
    public var missingCount: Int {
        switch self {
        case let .text(v): v.count { $0 == nil }
        case let .integer(v): v.count { $0 == nil }
        case let .real(v): v.count { $0 == nil }
        case let .logical(v): v.count { $0 == nil }
        case let .date(v): v.count { $0 == nil }
        }
    }
}

/// A named attribute column.
public struct Column: Sendable, Equatable {
    public var name: String
    public var values: ColumnValues

    public init(name: String, values: ColumnValues) {
        self.name = name
        self.values = values
    }
}

/// Geometries with typed attribute columns and a CRS: what every reader
/// returns and every writer takes. Rows are features, in input order.
public struct FeatureTable: Sendable, Equatable {
    public var geometries: [Geometry]
    public var columns: [Column]
    public var crs: CoordinateReferenceSystem?
    /// The text encoding the attributes were read from, when a file said so
    /// or it was detected.
    public var sourceEncoding: TextEncoding?

    public init(geometries: [Geometry], columns: [Column] = [], crs: CoordinateReferenceSystem? = nil, sourceEncoding: TextEncoding? = nil) {
        for column in columns {
            precondition(column.values.count == geometries.count, "column '\(column.name)' has \(column.values.count) values for \(geometries.count) features")
        }
        self.geometries = geometries
        self.columns = columns
        self.crs = crs
        self.sourceEncoding = sourceEncoding
    }

    public var count: Int { geometries.count }

    /// The column with this name (exact match first, then case-insensitive).
    public func column(named name: String) -> Column? {
        AttributeTable.column(named: name, in: columns)
    }

    /// The geometry kinds present, in a stable order.
    public var geometryKinds: [GeometryKind] {
        var seen = Set<GeometryKind>()
        for g in geometries where !g.isEmpty { seen.insert(g.kind) }
        return GeometryKind.allCases.filter { seen.contains($0) }
    }

    /// The box around every geometry; nil when all are empty.
    public var boundingBox: BoundingBox? {
        BoundingBox.union(geometries.lazy.map(\.boundingBox))
    }

    /// Number of empty geometries (null shapes).
    public var emptyGeometryCount: Int { geometries.count { $0.isEmpty } }
}

extension FeatureTable {
    /// The values of a numeric field as doubles, for statistics.
    /// - Throws: when the field is absent, or a value is missing or not
    ///   numeric (naming the file, record, field and value) — never a silent 0.
    public func numericValues(of field: String, file: String? = nil) throws -> [Double] {
        guard let column = column(named: field) else {
            throw GeoVoteError.invalidArgument("\(file ?? "the layer") has no field '\(field)'; fields: \(columns.map(\.name).joined(separator: ", "))")
        }
        return try (0..<count).map { i in
            guard let v = column.values.number(i) else {
                throw GeoVoteError.malformed(DataLocation(file: file, record: i, field: field, value: column.values.displayValue(i)),
                                             reason: "is missing or not numeric")
            }
            return v
        }
    }
}
