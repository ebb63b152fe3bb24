import Foundation

/// A variable to analyse: a numeric field, the share of one count field in
/// another ("MP/valid"), or that share standardised by Empirical Bayes
/// ("eb:MP/valid", Assunção–Reis, as esda's Moran_Rate), computed on the fly.
public struct VariableSpec: Sendable, Hashable, CustomStringConvertible {
    public var numerator: String
    public var denominator: String?
    public var empiricalBayes: Bool

    public init(numerator: String, denominator: String? = nil, empiricalBayes: Bool = false) {
        self.numerator = numerator
        self.denominator = denominator
        self.empiricalBayes = empiricalBayes && denominator != nil
    }

    /// "FIELD", "NUM/DEN" or "eb:NUM/DEN".
    public init(parsing input: String) {
        var text = input.trimmingCharacters(in: .whitespaces)
        let eb = text.lowercased().hasPrefix("eb:")
        if eb { text.removeFirst(3) }
        let parts = text.split(separator: "/", maxSplits: 1).map { String($0).trimmingCharacters(in: .whitespaces) }
        self.init(numerator: parts.first ?? "", denominator: parts.count > 1 ? parts[1] : nil, empiricalBayes: eb)
    }

    /// "MP/valid" → "MP_valid", "eb:MP/valid" → "MP_valid_eb"; a field keeps its name.
    public var name: String { (denominator.map { "\(numerator)_\($0)" } ?? numerator) + (empiricalBayes ? "_eb" : "") }
    /// ``name`` with every character other than a letter, a digit or "_"
    /// made "_": a column name usable in SQL and QGIS expressions
    /// ("winner(all/valid)=PJD" → "winner_all_valid_PJD").
    public var columnName: String {
        let mapped = name.map { $0.isLetter || $0.isNumber || $0 == "_" ? String($0) : "_" }.joined()
        return mapped.split(separator: "_").joined(separator: "_")
    }

    public var description: String { (empiricalBayes ? "eb:" : "") + (denominator.map { "\(numerator)/\($0)" } ?? numerator) }

    /// Expands a list of specs: "RNI,PAM/valid" is RNI/valid and PAM/valid
    /// (a denominator applies to the names before it; "eb:" marks each one
    /// it is written on, "eb:all/valid" every party); "all/DEN" is every
    /// integer field after DEN in the table's order (results tables put the
    /// party columns after the valid ballots).
    public static func list(_ text: String, in table: FeatureTable, file: String? = nil) throws -> [VariableSpec] {
        var out: [VariableSpec] = []
        var pending: [String] = []
        for item in text.split(separator: ",").map({ String($0).trimmingCharacters(in: .whitespaces) }) where !item.isEmpty {
            let spec = VariableSpec(parsing: item)
            guard let den = spec.denominator else { pending.append(item); continue }
            if spec.numerator.lowercased() == "all" {
                guard let d = table.columns.firstIndex(where: { $0.name == den }) ?? table.columns.firstIndex(where: { $0.name.lowercased() == den.lowercased() }) else {
                    throw GeoVoteError.invalidArgument("\(file ?? "the layer") has no field '\(den)'; fields: \(table.columns.map(\.name).joined(separator: ", "))")
                }
                let parts = table.columns[(d + 1)...].filter { if case .integer = $0.values { true } else { false } }
                guard !parts.isEmpty else { throw GeoVoteError.invalidArgument("all/\(den): no integer field follows '\(den)' in \(file ?? "the layer")") }
                out += pending.map { VariableSpec(parsing: $0 + "/" + den) }
                out += parts.map { VariableSpec(numerator: $0.name, denominator: table.columns[d].name, empiricalBayes: spec.empiricalBayes) }
            } else {
                out += pending.map { VariableSpec(parsing: $0 + "/" + den) }
                out.append(spec)
            }
            pending = []
        }
        out += pending.map { VariableSpec(parsing: $0) }
        guard !out.isEmpty else { throw GeoVoteError.invalidArgument("no variable given") }
        return out
    }
}
