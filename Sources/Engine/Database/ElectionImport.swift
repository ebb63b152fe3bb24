import Foundation

/// What `geovote db import` brings into an election database: one level
/// of one election, its boundaries and its results.
///
/// Results come from `results` (a CSV, wide — a row per unit with the
/// totals and a column per party — or long — a row per unit and party,
/// with columns `party` and `votes`), joined to the boundaries by
/// `boundaryKey` = `resultsKey`; or, when `results` is nil, from the
/// boundaries' own fields (as in a shapefile with the counts).
///
/// Totals are found by name (case-insensitive) unless named: registered
/// (`registered`, `inscrits`), voters (`voters`, `votants`, `votes_cast`),
/// invalid (`invalid`, `nuls`), valid (`valid`, `exprimes`, `exprimés`).
/// Parties are `parties`, or else every other numeric column of the results.
public struct ElectionImport: Sendable {
    public var election: Election
    /// `region`, `province`, `commune`, `station`, … (letters, digits, `-_.`).
    public var level: String
    public var boundaries: FeatureTable
    public var boundariesFile: String
    public var results: AttributeTable?
    public var resultsFile: String?
    public var boundaryKey: String
    /// The results' code field (default: `boundaryKey`).
    public var resultsKey: String?
    public var registered: String?
    public var voters: String?
    public var invalid: String?
    public var valid: String?
    /// The party columns (default: every other numeric column).
    public var parties: [String]?
    /// Names and colours to record for the parties.
    public var partyTable: [Party]
    /// For points (stations): the level of the areas they belong to and
    /// the points' field holding the area's code; each point is checked
    /// to lie in its area.
    public var parentLevel: String?
    public var parentKey: String?
    /// Any finding is an error and nothing is written.
    public var strict: Bool
    /// Replace an earlier import of the same election and level.
    public var replace: Bool

    public init(election: Election, level: String, boundaries: FeatureTable, boundariesFile: String,
                results: AttributeTable? = nil, resultsFile: String? = nil, boundaryKey: String, resultsKey: String? = nil,
                registered: String? = nil, voters: String? = nil, invalid: String? = nil, valid: String? = nil,
                parties: [String]? = nil, partyTable: [Party] = [], parentLevel: String? = nil, parentKey: String? = nil,
                strict: Bool = false, replace: Bool = false) {
        self.election = election
        self.level = level
        self.boundaries = boundaries
        self.boundariesFile = boundariesFile
        self.results = results
        self.resultsFile = resultsFile
        self.boundaryKey = boundaryKey
        self.resultsKey = resultsKey
        self.registered = registered
        self.voters = voters
        self.invalid = invalid
        self.valid = valid
        self.parties = parties
        self.partyTable = partyTable
        self.parentLevel = parentLevel
        self.parentKey = parentKey
        self.strict = strict
        self.replace = replace
    }

    static let totalNames: [(role: String, names: [String])] = [
        ("registered", ["registered", "inscrits", "electeurs", "électeurs"]),
        ("voters", ["voters", "votants", "votes_cast", "ballots"]),
        ("invalid", ["invalid", "nuls", "invalid_votes"]),
        ("valid", ["valid", "exprimes", "exprimés", "valid_votes"]),
    ]
}

/// One thing validation found in an import, at one unit.
public struct ImportFinding: Sendable, Equatable, CustomStringConvertible {
    public enum Kind: String, Sendable {
        case votersAboveRegistered = "voters-above-registered"
        case invalidPlusValid = "invalid-plus-valid"
        case partiesSum = "parties-sum"
        case missingCount = "missing-count"
        case noBoundary = "no-boundary"
        case noResults = "no-results"
        case nameMismatch = "name-mismatch"
        case outsideParent = "outside-parent"
        case noParent = "no-parent"
    }
    public var kind: Kind
    /// File, record (0-based), field and value.
    public var location: DataLocation
    /// The unit's code.
    public var unit: String?
    public var message: String

    public var description: String {
        "\(location): \(unit.map { "unit \($0): " } ?? "")\(message) [\(kind.rawValue)]"
    }
}

/// What an import did.
public struct ImportReport: Sendable {
    /// The wide layer written.
    public var layer: String
    /// Units with results; boundaries written.
    public var units: Int
    public var boundaries: Int
    public var parties: [String]
    /// The fields read as registered, voters, invalid, valid (nil: none).
    public var totals: [String: String]
    public var findings: [ImportFinding]
    public var notes: [String]
}

extension ElectionDatabase {
    /// Imports one level of one election in one transaction: it lands whole
    /// or not at all (a killed import leaves the database as it was).
    ///
    /// Errors (nothing written): a count that is negative, not an integer or
    /// not a number; a repeated code; a missing key field; with `strict`,
    /// any finding. Findings (written, reported, never fixed): voters above
    /// registered, invalid + valid ≠ voters, parties not summing to valid,
    /// missing counts, results with no boundary and boundaries with no
    /// results, names that differ between the two files for one code (after
    /// ``NameFolding``), a station outside its commune.
    @discardableResult
    public func importResults(_ request: ElectionImport) throws -> ImportReport {
        try Self.checkName(request.election.name, what: "an election")
        try Self.checkName(request.level, what: "a level")
        if let date = request.election.date, !Self.isDate(date) {
            throw GeoVoteError.invalidArgument("--date '\(date)' is not a date YYYY-MM-DD")
        }
        let existing = try levels().contains { $0.election == request.election.name && $0.level == request.level }
        if existing && !request.replace {
            throw GeoVoteError.invalidArgument("\(path) already has level '\(request.level)' of election '\(request.election.name)': --replace to import it again")
        }
        let prepared = try Self.prepare(request)
        var findings = prepared.findings
        if let parent = request.parentLevel {
            findings += try stationFindings(request, parent: parent)
        }
        if request.strict, !findings.isEmpty {
            let shown = findings.prefix(5).map(\.description).joined(separator: "\n  ")
            throw GeoVoteError.invalidArgument("--strict: \(findings.count) finding\(findings.count == 1 ? "" : "s"), nothing imported:\n  \(shown)\(findings.count > 5 ? "\n  …" : "")")
        }
        let layer = Self.layerName(election: request.election.name, level: request.level)
        let (blobs, srs) = try GeoPackage.encode(prepared.wide, file: request.boundariesFile)
        try GeoPackage.update(path) { db in
            try Self.checkSchema(db, path: path)
            let e = request.election
            let upsert = try db.prepare("INSERT INTO geovote_elections VALUES (?, ?, ?) ON CONFLICT(name) DO UPDATE SET kind = coalesce(excluded.kind, kind), date = coalesce(excluded.date, date)")
            try upsert.bind(1, text: e.name); try upsert.bind(2, text: e.kind); try upsert.bind(3, text: e.date)
            try upsert.run()
            let party = try db.prepare("INSERT INTO geovote_parties (code) VALUES (?) ON CONFLICT(code) DO NOTHING")
            for p in prepared.parties { try party.bind(1, text: p); try party.run() }
            let named = try db.prepare("INSERT INTO geovote_parties VALUES (?, ?, ?, ?) ON CONFLICT(code) DO UPDATE SET name_ar = coalesce(excluded.name_ar, name_ar), name_fr = coalesce(excluded.name_fr, name_fr), colour = coalesce(excluded.colour, colour)")
            for p in request.partyTable {
                try named.bind(1, text: p.code); try named.bind(2, text: p.arabicName); try named.bind(3, text: p.frenchName); try named.bind(4, text: p.colour)
                try named.run()
            }
            try GeoPackage.writeLayer(prepared.wide, blobs: blobs, srs: srs, layer: layer,
                                      provenance: Provenance(command: "db import", parameters: "election=\(e.name) level=\(request.level) key=\(request.boundaryKey)",
                                                             inputs: [request.boundariesFile] + (request.resultsFile.map { [$0] } ?? [])),
                                      into: db)
            try Self.storeLevel(StoredLevel(election: e.name, level: request.level, layer: layer, unitKey: request.boundaryKey,
                                            totalFields: prepared.totalFields, parties: prepared.parties, boundaries: request.boundariesFile,
                                            results: request.resultsFile, units: prepared.units, findings: findings), into: db)
        }
        return ImportReport(layer: layer, units: prepared.units.count, boundaries: prepared.wide.count, parties: prepared.parties,
                            totals: prepared.totalFields, findings: findings, notes: prepared.notes)
    }

    /// A level's rows in GeoVote's tables (the old rows of that election
    /// and level out first), inside the caller's transaction.
    struct StoredLevel {
        var election: String
        var level: String
        var layer: String
        var unitKey: String
        var totalFields: [String: String]
        var parties: [String]
        var boundaries: String
        var results: String?
        var units: [Unit]
        var findings: [ImportFinding]
    }

    static func storeLevel(_ s: StoredLevel, into db: SQLiteDatabase) throws {
        // The old level out: its votes table, its rows in GeoVote's tables.
        if let old = try db.rows("SELECT layer FROM geovote_levels WHERE election = ? AND level = ?", [s.election, s.level]).first?[0] {
            try db.execute("DROP TABLE IF EXISTS \(GeoPackage.quoted(ElectionDatabase.votesTable(old)))")
        }
        for table in ["geovote_level_parties", "geovote_findings", "geovote_levels"] {
            let delete = try db.prepare("DELETE FROM \(table) WHERE election = ? AND level = ?")
            try delete.bind(1, text: s.election); try delete.bind(2, text: s.level)
            try delete.run()
        }
        // Rows in key order (SQLite's binary text order: UTF-8 bytes), so that each insert appends to the B-tree.
        let table = GeoPackage.quoted(ElectionDatabase.votesTable(s.layer))
        let partyColumns = s.parties.indices.map { ", p\($0) INTEGER" }.joined()
        try db.execute("DROP TABLE IF EXISTS \(table); CREATE TABLE \(table) (unit TEXT PRIMARY KEY NOT NULL, registered INTEGER, voters INTEGER, invalid INTEGER, valid INTEGER\(partyColumns)) WITHOUT ROWID")
        let insert = try db.prepare("INSERT INTO \(table) VALUES (?\(String(repeating: ", ?", count: 4 + s.parties.count)))")
        for u in s.units.sorted(by: { $0.code.utf8.lexicographicallyPrecedes($1.code.utf8) }) {
            try insert.bind(1, text: u.code)
            for (k, v) in (u.totals + u.votes).enumerated() { try insert.bind(2 + k, int64: v) }
            try insert.run()
        }
        let party = try db.prepare("INSERT INTO geovote_level_parties VALUES (?, ?, ?, ?)")
        for (k, p) in s.parties.enumerated() {
            try party.bind(1, text: s.election); try party.bind(2, text: s.level); try party.bind(3, int64: Int64(k)); try party.bind(4, text: p)
            try party.run()
        }
        let level = try db.prepare("INSERT INTO geovote_levels VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))")
        try level.bind(1, text: s.election); try level.bind(2, text: s.level); try level.bind(3, text: s.layer); try level.bind(4, text: s.unitKey)
        for (k, role) in ["registered", "voters", "invalid", "valid"].enumerated() { try level.bind(5 + k, text: s.totalFields[role]) }
        try level.bind(9, text: s.boundaries); try level.bind(10, text: s.results)
        try level.bind(11, int64: Int64(s.units.count))
        try level.run()
        let finding = try db.prepare("INSERT INTO geovote_findings VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")
        for f in s.findings {
            try finding.bind(1, text: s.election); try finding.bind(2, text: s.level); try finding.bind(3, text: f.kind.rawValue)
            try finding.bind(4, text: f.location.file); try finding.bind(5, int64: f.location.record.map(Int64.init)); try finding.bind(6, text: f.unit)
            try finding.bind(7, text: f.location.field); try finding.bind(8, text: f.location.value); try finding.bind(9, text: f.message)
            try finding.run()
        }
        try ElectionDatabase.rebuildViews(db)
    }

    static func isDate(_ s: String) -> Bool {
        let parts = s.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
              let y = Int(parts[0]), let m = Int(parts[1]), let d = Int(parts[2]) else { return false }
        return y > 0 && (1...12).contains(m) && (1...31).contains(d)
    }

    struct Unit {
        var code: String
        /// registered, voters, invalid, valid.
        var totals: [Int64?]
        var votes: [Int64?]
    }

    struct Prepared {
        var wide: FeatureTable
        var units: [Unit]
        var parties: [String]
        var totalFields: [String: String]
        var findings: [ImportFinding]
        var notes: [String]
    }

    /// Reads, joins and checks; writes nothing.
    static func prepare(_ request: ElectionImport) throws -> Prepared {
        let boundariesFile = request.boundariesFile
        guard request.boundaries.column(named: request.boundaryKey) != nil else {
            throw GeoVoteError.malformed(DataLocation(file: boundariesFile, field: request.boundaryKey),
                                         reason: "is not a field of the boundaries; fields: \(request.boundaries.columns.map(\.name).joined(separator: ", "))")
        }
        var findings: [ImportFinding] = []
        var notes: [String] = []
        let source: AttributeTable, sourceFile: String, sourceKey: String
        var wide = request.boundaries
        if var results = request.results {
            let file = request.resultsFile ?? "the results"
            let key = request.resultsKey ?? request.boundaryKey
            if results.column(named: "party") != nil, results.column(named: "votes") != nil {
                results = try pivot(results, key: key, file: file)
                notes.append("\(file): long form (a row per unit and party) read as \(results.count) units")
            }
            // Names both files share: a text field stays the boundaries' (the
            // results' copy is compared, below); a count is the results'.
            var boundaries = request.boundaries
            let shared = Set(results.columns.map { $0.name.lowercased() }).subtracting([key.lowercased(), request.boundaryKey.lowercased()])
            let replaced = boundaries.columns.filter { c in
                guard shared.contains(c.name.lowercased()) else { return false }
                if case .text = c.values { return false }
                return true
            }.map(\.name)
            boundaries.columns.removeAll { replaced.contains($0.name) }
            var joinable = results
            joinable.columns.removeAll { c in boundaries.columns.contains { $0.name.lowercased() == c.name.lowercased() } && c.name != key }
            if !replaced.isEmpty {
                notes.append("\(boundariesFile): fields \(replaced.joined(separator: ", ")) are also results columns; the layer has the results' values")
            }
            let join = try boundaries.joined(with: joinable, key: request.boundaryKey, resultsKey: key, file: boundariesFile, resultsFile: file)
            wide = join.table
            notes += join.notes
            notes += join.renamedColumns.map { "\(file): column '\($0.0)' is also a boundary field; the layer calls it '\($0.1)'" }
            for (record, code) in join.unmatchedResults {
                findings.append(ImportFinding(kind: .noBoundary, location: DataLocation(file: file, record: record, field: key, value: code), unit: code,
                                              message: code.isEmpty ? "has no code" : "has results but no boundary in \(boundariesFile)"))
            }
            for (record, code) in join.unmatchedGeometries {
                findings.append(ImportFinding(kind: .noResults, location: DataLocation(file: boundariesFile, record: record, field: request.boundaryKey, value: code), unit: code,
                                              message: code.isEmpty ? "has no code" : "has a boundary but no results in \(file)"))
            }
            findings += nameFindings(request.boundaries, boundariesFile, request.boundaryKey, results, file, key)
            source = results; sourceFile = file; sourceKey = key
        } else {
            source = request.boundaries.attributes; sourceFile = boundariesFile; sourceKey = request.boundaryKey
        }
        let keyColumn = source.column(named: sourceKey)!
        // Codes: present and unique.
        let codes: [String?] = (0..<source.count).map { keyColumn.keyText($0) }
        var seen: [String: Int] = [:]
        for (i, code) in codes.enumerated() {
            guard let code else { continue }
            if let first = seen[code] {
                throw GeoVoteError.malformed(DataLocation(file: sourceFile, record: i, field: sourceKey, value: code), reason: "repeats the code of record \(first)")
            }
            seen[code] = i
        }
        if request.results == nil {
            for (i, code) in codes.enumerated() where code == nil {
                findings.append(ImportFinding(kind: .noResults, location: DataLocation(file: sourceFile, record: i, field: sourceKey), unit: nil, message: "has no code"))
            }
        }
        // Totals and parties.
        func find(_ role: String, _ given: String?) throws -> String? {
            if let given {
                guard source.column(named: given) != nil else {
                    throw GeoVoteError.malformed(DataLocation(file: sourceFile, field: given), reason: "is not a field (--\(role)); fields: \(source.columns.map(\.name).joined(separator: ", "))")
                }
                return given
            }
            let names = ElectionImport.totalNames.first { $0.role == role }!.names
            return source.columns.first { names.contains($0.name.lowercased()) }?.name
        }
        var totalFields: [String: String] = [:]
        for (role, given) in [("registered", request.registered), ("voters", request.voters), ("invalid", request.invalid), ("valid", request.valid)] {
            if let f = try find(role, given) { totalFields[role] = f }
        }
        let taken = Set(totalFields.values).union([sourceKey])
        let parties: [String]
        if let given = request.parties {
            for p in given where source.column(named: p) == nil {
                throw GeoVoteError.malformed(DataLocation(file: sourceFile, field: p), reason: "is not a field (--parties); fields: \(source.columns.map(\.name).joined(separator: ", "))")
            }
            parties = given
        } else {
            parties = source.columns.filter { c in
                guard !taken.contains(c.name) else { return false }
                if case .integer = c.values { return true }
                if case .real = c.values { return true }
                return false
            }.map(\.name)
        }
        guard !parties.isEmpty else {
            throw GeoVoteError.malformed(DataLocation(file: sourceFile), reason: "has no party columns (numeric fields besides the key and totals): name them with --parties")
        }
        func counts(_ field: String?) throws -> [Int64?] {
            guard let field, let column = source.column(named: field) else { return [Int64?](repeating: nil, count: source.count) }
            func refuse(_ i: Int, _ reason: String) -> GeoVoteError {
                .malformed(DataLocation(file: sourceFile, record: i, field: field, value: column.values.displayValue(i)), reason: reason)
            }
            switch column.values {
            case let .integer(v):
                if let i = v.firstIndex(where: { ($0 ?? 0) < 0 }) { throw refuse(i, "is a negative count") }
                return v
            case let .real(v):
                return try v.indices.map { i -> Int64? in
                    guard let x = v[i] else { return nil }
                    guard x.isFinite, x == x.rounded(), abs(x) < 9e15 else { throw refuse(i, "is not a whole number of votes") }
                    guard x >= 0 else { throw refuse(i, "is a negative count") }
                    return Int64(x)
                }
            default:
                if let i = (0..<source.count).first(where: { !column.values.displayValue($0).isEmpty }) { throw refuse(i, "is not a number (a count of votes)") }
                return [Int64?](repeating: nil, count: source.count)
            }
        }
        let totalValues = try ["registered", "voters", "invalid", "valid"].map { try counts(totalFields[$0]) }
        let partyValues = try parties.map { try counts($0) }
        var units: [Unit] = []
        for i in 0..<source.count {
            guard let code = codes[i] else { continue }
            let t = totalValues.map { $0[i] }, v = partyValues.map { $0[i] }
            units.append(Unit(code: code, totals: t, votes: v))
            func add(_ kind: ImportFinding.Kind, _ field: String?, _ value: Int64?, _ message: String) {
                findings.append(ImportFinding(kind: kind, location: DataLocation(file: sourceFile, record: i, field: field, value: value.map(String.init)), unit: code, message: message))
            }
            if let r = t[0], let n = t[1], n > r { add(.votersAboveRegistered, totalFields["voters"], n, "\(n) voters but \(r) registered") }
            if let n = t[1], let x = t[2], let ok = t[3], x + ok != n { add(.invalidPlusValid, totalFields["voters"], n, "invalid \(x) + valid \(ok) = \(x + ok), not the \(n) voters") }
            if let ok = t[3], v.allSatisfy({ $0 != nil }) {
                let sum = v.reduce(Int64(0)) { $0 + $1! }
                if sum != ok { add(.partiesSum, totalFields["valid"], ok, "the parties sum to \(sum), not the \(ok) valid votes") }
            }
            for (p, x) in v.enumerated() where x == nil { add(.missingCount, parties[p], nil, "has no votes for \(parties[p])") }
            for (k, role) in ["registered", "voters", "invalid", "valid"].enumerated() where totalFields[role] != nil && t[k] == nil {
                add(.missingCount, totalFields[role], nil, "has no \(role) count")
            }
        }
        return Prepared(wide: wide, units: units, parties: parties, totalFields: totalFields, findings: findings, notes: notes)
    }

    /// Long results (unit, party, votes, and totals repeated on each row) as one row per unit.
    static func pivot(_ long: AttributeTable, key: String, file: String) throws -> AttributeTable {
        guard let keyColumn = long.column(named: key) else {
            throw GeoVoteError.malformed(DataLocation(file: file, field: key), reason: "is not a field of the results; fields: \(long.columns.map(\.name).joined(separator: ", "))")
        }
        let party = long.column(named: "party")!, votes = long.column(named: "votes")!
        var order: [String] = [], rowOf: [String: Int] = [:]
        var partyOrder: [String] = [], partyIndex: [String: Int] = [:]
        var firstRecord: [Int] = []
        // Each record's unit row and party index, computed once.
        var unitOf = [Int](repeating: 0, count: long.count), partyOf = [Int](repeating: 0, count: long.count)
        for i in 0..<long.count {
            guard let code = keyColumn.keyText(i) else {
                throw GeoVoteError.malformed(DataLocation(file: file, record: i, field: key), reason: "has no code")
            }
            if rowOf[code] == nil { rowOf[code] = order.count; order.append(code); firstRecord.append(i) }
            let p = party.values.displayValue(i).trimmingCharacters(in: .whitespaces)
            guard !p.isEmpty else { throw GeoVoteError.malformed(DataLocation(file: file, record: i, field: "party"), reason: "has no party code") }
            if partyIndex[p] == nil { partyIndex[p] = partyOrder.count; partyOrder.append(p) }
            unitOf[i] = rowOf[code]!
            partyOf[i] = partyIndex[p]!
        }
        var table = [[Int64?]](repeating: [Int64?](repeating: nil, count: order.count), count: partyOrder.count)
        var filled = [[Bool]](repeating: [Bool](repeating: false, count: order.count), count: partyOrder.count)
        for i in 0..<long.count {
            let u = unitOf[i], p = partyOf[i]
            let location = DataLocation(file: file, record: i, field: "votes", value: votes.values.displayValue(i))
            guard !filled[p][u] else {
                throw GeoVoteError.malformed(location, reason: "repeats party \(partyOrder[p]) of unit \(order[u])")
            }
            filled[p][u] = true
            switch votes.values {
            case let .integer(v): table[p][u] = v[i]
            case let .real(v):
                guard let x = v[i] else { break }
                guard x.isFinite, x == x.rounded(), abs(x) < 9e15 else { throw GeoVoteError.malformed(location, reason: "is not a whole number of votes") }
                table[p][u] = Int64(x)
            default:
                if !votes.values.displayValue(i).isEmpty { throw GeoVoteError.malformed(location, reason: "is not a number (a count of votes)") }
            }
        }
        // The other columns (totals, names) are per unit: equal on every row of a unit.
        var columns = [Column(name: key, values: .text(order.map { Optional($0) }))]
        for c in long.columns where ![key, "party", "votes"].contains(c.name) {
            for i in 0..<long.count {
                let u = unitOf[i]
                if c.values.displayValue(i) != c.values.displayValue(firstRecord[u]) {
                    throw GeoVoteError.malformed(DataLocation(file: file, record: i, field: c.name, value: c.values.displayValue(i)),
                                                 reason: "differs from record \(firstRecord[u]) of the same unit \(order[u]) ('\(c.values.displayValue(firstRecord[u]))')")
                }
            }
            columns.append(Column(name: c.name, values: c.values.gathered(firstRecord)))
        }
        for (p, name) in partyOrder.enumerated() {
            if columns.contains(where: { $0.name == name }) {
                throw GeoVoteError.malformed(DataLocation(file: file, field: "party", value: name), reason: "is a party code and also a column name")
            }
            columns.append(Column(name: name, values: .integer(table[p])))
        }
        return AttributeTable(count: order.count, columns: columns, sourceEncoding: long.sourceEncoding)
    }

    /// Text fields of the same name in both files whose folded values differ for one code.
    static func nameFindings(_ boundaries: FeatureTable, _ boundariesFile: String, _ boundaryKey: String,
                             _ results: AttributeTable, _ resultsFile: String, _ resultsKey: String) -> [ImportFinding] {
        guard let bk = boundaries.column(named: boundaryKey), let rk = results.column(named: resultsKey) else { return [] }
        var rowOf: [String: Int] = [:]
        for i in 0..<results.count { if let k = rk.keyText(i) { rowOf[k] = i } }
        var out: [ImportFinding] = []
        for column in boundaries.columns where column.name != boundaryKey {
            guard case let .text(left) = column.values, let other = results.column(named: column.name), case let .text(right) = other.values, column.name != resultsKey else { continue }
            for i in 0..<boundaries.count {
                guard let code = bk.keyText(i), let r = rowOf[code], let a = left[i], let b = right[r] else { continue }
                if NameFolding.fold(a) != NameFolding.fold(b) {
                    out.append(ImportFinding(kind: .nameMismatch, location: DataLocation(file: resultsFile, record: r, field: column.name, value: b), unit: code,
                                             message: "is '\(a)' in \(boundariesFile) (record \(i))"))
                }
            }
        }
        return out
    }

    /// Each station against the polygon of the unit it names.
    func stationFindings(_ request: ElectionImport, parent: String) throws -> [ImportFinding] {
        guard let parentKey = request.parentKey else {
            throw GeoVoteError.invalidArgument("--parent \(parent) needs --parent-key FIELD, the stations' field holding the \(parent)'s code")
        }
        guard let key = request.boundaries.column(named: parentKey) else {
            throw GeoVoteError.malformed(DataLocation(file: request.boundariesFile, field: parentKey), reason: "is not a field of the stations (--parent-key)")
        }
        let record = try level(request.election.name, parent)
        let areas = try GeoPackage.read(path, layer: record.layer)
        if let a = areas.crs, let p = request.boundaries.crs, a != p {
            throw GeoVoteError.invalidArgument("\(request.boundariesFile) is in \(p) and level \(parent) in \(a): project the stations first")
        }
        guard let areaKey = areas.column(named: record.unitKey) else { return [] }
        var areaOf: [String: Int] = [:]
        for j in 0..<areas.count { if let k = areaKey.keyText(j) { areaOf[k] = j } }
        let areaIndex = areaOf
        let stations = request.boundaries
        let file = request.boundariesFile
        // Each worker prepares a commune's polygon once (GEOS prepared geometry), for all its stations.
        final class Cache { var prepared: [Int: PreparedPolygon] = [:] }
        let grain = 4096, workers = Parallel.defaultWorkerCount
        let caches = PerWorker(count: Parallel.workersUsed(count: stations.count, grain: grain, workers: workers)) { _ in Cache() }
        let verdicts = try GeometryEngine.map(count: stations.count, grain: grain, workers: workers, file: file) { engine, worker, i -> ImportFinding? in
            guard let code = key.keyText(i) else { return nil }
            let location = DataLocation(file: file, record: i, field: parentKey, value: code)
            guard let j = areaIndex[code] else {
                return ImportFinding(kind: .noParent, location: location, unit: request.boundaries.column(named: request.boundaryKey)?.keyText(i),
                                     message: "names \(parent) \(code), which level \(parent) does not have")
            }
            let g = stations.geometries[i]
            guard g.coordinateCount > 0 else { return nil }
            let cache = caches[worker]
            let polygon: PreparedPolygon
            if let p = cache.prepared[j] { polygon = p } else {
                polygon = try PreparedPolygon(areas.geometries[j], engine: engine)
                cache.prepared[j] = polygon
            }
            if try polygon.covers(x: g.x[0], y: g.y[0]) { return nil }
            return ImportFinding(kind: .outsideParent, location: location, unit: request.boundaries.column(named: request.boundaryKey)?.keyText(i),
                                 message: "lies outside \(parent) \(code) (at \(g.x[0]), \(g.y[0]))")
        }
        return verdicts.compactMap { $0 }
    }
}
