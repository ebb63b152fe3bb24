import Foundation

extension FeatureTable {
    /// The values of a variable: a numeric field, or numerator/denominator per feature.
    /// - Throws: naming the record when a value is missing or not numeric,
    ///   or when a denominator is 0 (the share is undefined).
    public func values(of spec: VariableSpec, file: String? = nil) throws -> [Double] {
        let num = try numericValues(of: spec.numerator, file: file)
        guard let den = spec.denominator else { return num }
        let d = try numericValues(of: den, file: file)
        if spec.empiricalBayes { return try EmpiricalBayes.assuncaoReis(events: num, population: d, file: file) }
        return try (0..<count).map { i in
            guard d[i] != 0 else {
                throw GeoVoteError.malformed(DataLocation(file: file, record: i, field: den, value: "0"),
                                             reason: "makes the share \(spec) undefined (division by zero)")
            }
            return num[i] / d[i]
        }
    }
}

extension FeatureTable {
    /// The values of a variable where they are defined, and why the others
    /// are not (for statistics that leave those features out, as GeoDa and
    /// ArcGIS do): a missing value, text that is not a number, a value that
    /// is not finite, a share whose denominator is 0 (or ≤ 0 for an
    /// Empirical Bayes rate, which is computed over the kept features only).
    /// Undefined positions hold NaN.
    /// - Throws: when a field is absent, or holds no number at all.
    public func definedValues(of spec: VariableSpec, file: String? = nil) throws -> (values: [Double], subset: DefinedSubset) {
        var (num, reasons) = try definedNumbers(of: spec.numerator, file: file)
        guard let den = spec.denominator else { return (num, DefinedSubset(reasons: reasons)) }
        let (d, denReasons) = try definedNumbers(of: den, file: file)
        for i in 0..<count where reasons[i] == nil {
            if let r = denReasons[i] {
                reasons[i] = r
            } else if spec.empiricalBayes ? !(d[i] > 0) : d[i] == 0 {
                reasons[i] = "\(den) is \(Self.text(d[i])): \(spec) is undefined"
            }
        }
        let subset = DefinedSubset(reasons: reasons)
        // Every feature left out: say why, rather than fail later on an
        // empty variable ("at least 3 observations", "differ in length").
        if count > 0, subset.kept.isEmpty {
            throw GeoVoteError.malformed(DataLocation(file: file, field: den),
                                         reason: "leaves no feature with a value of \(spec): \(reasons[0] ?? "")" + (count > 1 ? ", and so for every other record" : ""))
        }
        if spec.empiricalBayes {
            let rates = try EmpiricalBayes.assuncaoReis(events: subset.restrict(num), population: subset.restrict(d), file: file)
            return (subset.expand(rates), subset)
        }
        return ((0..<count).map { reasons[$0] == nil ? num[$0] / d[$0] : .nan }, subset)
    }

    /// A numeric field's values (NaN where undefined) and the reasons. A text
    /// column (a CSV field holding "n/a" stays text) is read where its values
    /// are numbers.
    func definedNumbers(of field: String, file: String?) throws -> ([Double], [String?]) {
        guard let column = column(named: field) else {
            throw GeoVoteError.invalidArgument("\(file ?? "the layer") has no field '\(field)'; fields: \(columns.map(\.name).joined(separator: ", "))")
        }
        var values = [Double](repeating: .nan, count: count), reasons = [String?](repeating: nil, count: count)
        for i in 0..<count {
            var v = column.values.number(i)
            if v == nil, case let .text(t) = column.values, let s = t[i] {
                v = Double(s.trimmingCharacters(in: .whitespaces))
            }
            if let v, v.isFinite {
                values[i] = v
            } else if let v {
                reasons[i] = "\(field) is \(v)"
            } else {
                let shown = column.values.displayValue(i)
                reasons[i] = shown.isEmpty ? "\(field) is missing" : "\(field) is \"\(shown)\", not a number"
            }
        }
        if !reasons.isEmpty, reasons.allSatisfy({ $0 != nil }) {
            throw GeoVoteError.malformed(DataLocation(file: file, record: 0, field: field, value: column.values.displayValue(0)),
                                         reason: "no record of '\(field)' holds a number")
        }
        return (values, reasons)
    }

    /// The values of `spec` under a missing-value policy: ``MissingValuePolicy/exclude``
    /// leaves undefined features out (``definedValues(of:file:)``),
    /// ``MissingValuePolicy/error`` stops at the first (``values(of:file:)``).
    public func values(of spec: VariableSpec, missing: MissingValuePolicy, file: String? = nil) throws -> (values: [Double], subset: DefinedSubset) {
        switch missing {
        case .exclude: return try definedValues(of: spec, file: file)
        case .error: return (try values(of: spec, file: file), .complete(count: count))
        }
    }

    static func text(_ v: Double) -> String { v == v.rounded() && abs(v) < 1e15 ? String(Int64(v)) : String(v) }
}
