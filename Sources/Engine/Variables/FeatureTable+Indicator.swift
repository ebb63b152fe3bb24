extension FeatureTable {
    /// A 0/1 variable for local join counts:
    /// - `FIELD=VALUE`: 1 where the field shows VALUE;
    /// - `winner(all/valid)=PJD` or `winner(RNI,PAM,PJD)=PJD`: 1 where PJD
    ///   has the most votes of the listed count fields (ties go to the first listed);
    /// - a numeric 0/1 field.
    /// - Throws: when a field is absent, a numeric field holds a value other
    ///   than 0 and 1 (named with its record), or the party is not among those listed.
    public func indicator(_ text: String, file: String? = nil) throws -> [Double] {
        guard let eq = text.lastIndex(of: "=") else {
            let values = try numericValues(of: text, file: file)
            if let bad = values.firstIndex(where: { $0 != 0 && $0 != 1 }) {
                throw GeoVoteError.malformed(DataLocation(file: file, record: bad, field: text, value: column(named: text)?.values.displayValue(bad)),
                                             reason: "is not 0 or 1: local join counts need a binary variable, FIELD=VALUE or winner(…)=PARTY")
            }
            return values
        }
        let left = String(text[..<eq]), value = String(text[text.index(after: eq)...])
        if left.lowercased().hasPrefix("winner("), left.hasSuffix(")") {
            let inner = String(left.dropFirst(7).dropLast())
            let parties = try VariableSpec.list(inner, in: self, file: file).map(\.numerator)
            guard parties.contains(value) else {
                throw GeoVoteError.invalidArgument("\(value) is not among the parties of \(left): \(parties.joined(separator: ", "))")
            }
            let votes = try parties.map { try numericValues(of: $0, file: file) }
            return (0..<count).map { i in
                var best = 0
                for k in parties.indices where votes[k][i] > votes[best][i] { best = k }
                return parties[best] == value ? 1 : 0
            }
        }
        guard let column = column(named: left) else {
            throw GeoVoteError.invalidArgument("\(file ?? "the layer") has no field '\(left)'; fields: \(columns.map(\.name).joined(separator: ", "))")
        }
        return (0..<count).map { column.values.displayValue($0) == value ? 1 : 0 }
    }
}
