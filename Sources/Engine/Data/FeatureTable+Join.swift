import Foundation

/// The outcome of joining a results table to geometries by key.
public struct JoinResult: Sendable {
    /// The geometries in their order, with the results' columns added.
    public var table: FeatureTable
    /// Geometry features whose key is not in the results: (record, key).
    public var unmatchedGeometries: [(record: Int, key: String)]
    /// Results rows whose key is not among the geometries: (record, key).
    public var unmatchedResults: [(record: Int, key: String)]
    /// Results columns renamed because the geometry layer has the name: (old, new).
    public var renamedColumns: [(String, String)]
    /// Remarks, e.g. keys that would match without their leading zeros.
    public var notes: [String]
}

extension Column {
    /// A key value as text for matching: integers in decimal, integral reals
    /// without ".0", text with surrounding blanks removed; nil when missing.
    func keyText(_ i: Int) -> String? {
        switch values {
        case let .integer(v): return v[i].map { String($0) }
        case let .real(v):
            guard let x = v[i] else { return nil }
            return x == x.rounded() && abs(x) < 9e15 ? String(Int64(x)) : "\(x)"
        default:
            let t = values.displayValue(i)
            // Trimming (slow in Foundation) only when an end is blank.
            guard let first = t.unicodeScalars.first, let last = t.unicodeScalars.last else { return nil }
            guard CharacterSet.whitespaces.contains(first) || CharacterSet.whitespaces.contains(last) else { return t }
            let trimmed = t.trimmingCharacters(in: .whitespaces)
            return trimmed.isEmpty ? nil : trimmed
        }
    }
}

extension FeatureTable {
    /// The same join with the results of another layer (its geometries unused).
    public func joined(with results: FeatureTable, key: String, resultsKey: String? = nil,
                       file: String? = nil, resultsFile: String? = nil) throws -> JoinResult {
        try joined(with: results.attributes, key: key, resultsKey: resultsKey, file: file, resultsFile: resultsFile)
    }

    /// Joins `results` to these features: feature i gets the values of the
    /// results row with the same key, or missing values when there is none.
    ///
    /// - Keys are compared as text (see `keyText`): "01001" and 1001 differ,
    ///   and the notes say so when that is why keys fail to match.
    /// - A key that appears twice on either side is an error naming both
    ///   records; nothing is dropped silently: keys found on one side only
    ///   are returned for the report.
    /// - The results' key column is not copied; a results column whose name
    ///   the features already use gets a suffix (`_2`, …).
    public func joined(with results: AttributeTable, key: String, resultsKey: String? = nil,
                       file: String? = nil, resultsFile: String? = nil) throws -> JoinResult {
        let rightKeyName = resultsKey ?? key
        guard let leftKey = column(named: key) else {
            throw GeoVoteError.invalidArgument("\(file ?? "the layer") has no field '\(key)'; fields: \(columns.map(\.name).joined(separator: ", "))")
        }
        guard let rightKey = results.column(named: rightKeyName) else {
            throw GeoVoteError.invalidArgument("\(resultsFile ?? "the results") has no field '\(rightKeyName)'; fields: \(results.columns.map(\.name).joined(separator: ", "))")
        }
        func index(_ rows: Int, _ c: Column, _ f: String?) throws -> [String: Int] {
            var map: [String: Int] = [:]
            for i in 0..<rows {
                guard let k = c.keyText(i) else { continue }
                if let first = map[k] {
                    throw GeoVoteError.malformed(DataLocation(file: f, record: i, field: c.name, value: k),
                                                 reason: "is a duplicate key (also record \(first)); a join needs unique keys")
                }
                map[k] = i
            }
            return map
        }
        let leftIndex = try index(count, leftKey, file)
        let rightIndex = try index(results.count, rightKey, resultsFile)

        var rowOf = [Int?](repeating: nil, count: count)
        var unmatchedLeft: [(record: Int, key: String)] = []
        for i in 0..<count {
            let k = leftKey.keyText(i)
            if let k, let r = rightIndex[k] { rowOf[i] = r } else { unmatchedLeft.append((i, k ?? "")) }
        }
        var unmatchedRight: [(record: Int, key: String)] = []
        for r in 0..<results.count {
            let k = rightKey.keyText(r)
            if k == nil || leftIndex[k!] == nil { unmatchedRight.append((r, k ?? "")) }
        }

        var out = self
        var used = Set(columns.map { $0.name.lowercased() })
        var renamed: [(String, String)] = []
        for c in results.columns where c.name != rightKey.name {
            var name = c.name
            var suffix = 2
            while used.contains(name.lowercased()) { name = "\(c.name)_\(suffix)"; suffix += 1 }
            if name != c.name { renamed.append((c.name, name)) }
            used.insert(name.lowercased())
            out.columns.append(Column(name: name, values: c.values.gathered(rowOf)))
        }

        var notes: [String] = []
        if !unmatchedLeft.isEmpty, !unmatchedRight.isEmpty {
            func stripped(_ k: String) -> String {
                let s = k.drop { $0 == "0" }
                return s.isEmpty ? "0" : String(s)
            }
            // Empty keys (missing values) match nothing whatever their zeros.
            let right = Set(unmatchedRight.filter { !$0.key.isEmpty }.map { stripped($0.key) })
            let wouldMatch = unmatchedLeft.count { !$0.key.isEmpty && right.contains(stripped($0.key)) }
            if wouldMatch > 0 {
                notes.append("\(wouldMatch) unmatched keys would match if leading zeros were ignored (e.g. a code read as a number on one side): read that column as text or fix the codes")
            }
        }
        return JoinResult(table: out, unmatchedGeometries: unmatchedLeft, unmatchedResults: unmatchedRight,
                          renamedColumns: renamed, notes: notes)
    }
}

extension ColumnValues {
    /// The values at `rows` (nil → missing), in that order.
    public func gathered(_ rows: [Int?]) -> ColumnValues {
        switch self {
        case let .text(v): .text(rows.map { $0.flatMap { v[$0] } })
        case let .integer(v): .integer(rows.map { $0.flatMap { v[$0] } })
        case let .real(v): .real(rows.map { $0.flatMap { v[$0] } })
        case let .logical(v): .logical(rows.map { $0.flatMap { v[$0] } })
        case let .date(v): .date(rows.map { $0.flatMap { v[$0] } })
        }
    }
}
