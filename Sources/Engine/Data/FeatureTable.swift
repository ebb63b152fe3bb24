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
        columns.first { $0.name == name } ?? columns.first { $0.name.lowercased() == name.lowercased() }
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

/// A variable to analyse: a numeric field, the share of one count field in
/// another ("MP/valid"), or that share standardised by Empirical Bayes
/// ("eb:MP/valid", Assunção–Reis, as esda's Moran_Rate), computed on the fly.
public struct VariableSpec: Sendable, Equatable, CustomStringConvertible {
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

    private static func text(_ v: Double) -> String { v == v.rounded() && abs(v) < 1e15 ? String(Int64(v)) : String(v) }
}
