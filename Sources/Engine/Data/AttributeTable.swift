/// Typed attribute columns without geometries: a results file, a join's
/// report of unmatched keys — tables that have no place on a map.
///
/// A ``FeatureTable`` is an attribute table with a geometry per row
/// (``FeatureTable/attributes`` gives its attributes alone); readers of
/// plain tables (``CSVReader/readAttributes(_:)``) and writers
/// (``CSVWriter/write(_:to:)-(AttributeTable,_)``) take this type so that no fake
/// geometry is made up.
public struct AttributeTable: Sendable, Equatable {
    public var columns: [Column]
    /// Rows; every column has this many values.
    public let count: Int
    /// The text encoding the attributes were read from, when known.
    public var sourceEncoding: TextEncoding?

    public init(count: Int, columns: [Column] = [], sourceEncoding: TextEncoding? = nil) {
        for column in columns {
            precondition(column.values.count == count, "column '\(column.name)' has \(column.values.count) values for \(count) rows")
        }
        self.count = count
        self.columns = columns
        self.sourceEncoding = sourceEncoding
    }

    /// The column with this name (exact match first, then case-insensitive).
    public func column(named name: String) -> Column? {
        Self.column(named: name, in: columns)
    }

    static func column(named name: String, in columns: [Column]) -> Column? {
        columns.first { $0.name == name } ?? columns.first { $0.name.lowercased() == name.lowercased() }
    }
}

extension FeatureTable {
    /// The attribute columns alone.
    public var attributes: AttributeTable { AttributeTable(count: count, columns: columns, sourceEncoding: sourceEncoding) }

    /// A layer of attribute rows whose geometries are all empty points: what
    /// ``LayerIO`` returns for a CSV, so that weights read from a file can
    /// still be used on it. Geometric operations on it fail naming the file.
    public init(attributes: AttributeTable) {
        self.init(geometries: Array(repeating: .empty(.point), count: attributes.count), columns: attributes.columns,
                  sourceEncoding: attributes.sourceEncoding)
    }
}

extension JoinResult {
    /// The unmatched keys as a table (`side` geometries|results, `record`,
    /// `key`): what `geovote join --unmatched` writes.
    public var unmatchedReport: AttributeTable {
        let all = unmatchedGeometries.map { ("geometries", $0) } + unmatchedResults.map { ("results", $0) }
        return AttributeTable(count: all.count, columns: [
            Column(name: "side", values: .text(all.map(\.0))),
            Column(name: "record", values: .integer(all.map { Int64($0.1.record) })),
            Column(name: "key", values: .text(all.map { $0.1.key })),
        ])
    }
}
