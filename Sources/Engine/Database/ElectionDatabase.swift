import Foundation

/// One GeoPackage holding a country's elections: boundaries by level,
/// results in long form with per-unit totals, a wide layer per election
/// and level for analysis, the parties, the findings of each import, and
/// the analyses written into it.
///
/// ```swift
/// try ElectionDatabase.create(at: "morocco.gpkg")
/// let db = try ElectionDatabase(path: "morocco.gpkg")
/// let report = try db.importResults(ElectionImport(
///     election: Election(name: "legislative-2021", kind: "legislative", date: "2021-09-08"),
///     level: "commune", boundaries: communes, boundariesFile: "communes.shp", boundaryKey: "code"))
/// report.findings          // per unit: sums that do not add up, unmatched codes, names that differ
/// let wide = try db.layer(election: "legislative-2021", level: "commune")   // a FeatureTable
/// ```
///
/// Tables (GeoVote's own, not registered in `gpkg_contents`, which
/// GeoPackage allows; GDAL and QGIS list only the layers):
/// - `geovote_meta` (key, value): `schema_version` (``schemaVersion``) and
///   the GeoVote version that created the file. A file with a newer schema
///   is refused, never misread.
/// - `geovote_elections` (name, kind, date), `geovote_parties` (code,
///   name_ar, name_fr, colour).
/// - `geovote_levels` (election, level, layer, unit key, the fields read as
///   totals, the source files, units, import time).
/// - `geovote_votes_<layer>`: a level's counts, a row per unit (code, the
///   four totals, `p0`, `p1`, … for its parties, listed in
///   `geovote_level_parties`), integers; and over all of them the views
///   `geovote_totals` (election, level, unit, registered, voters, invalid,
///   valid) and `geovote_results` (election, level, unit, party, votes):
///   the results in long form. (A view, not a table of 9 rows per unit:
///   an import of 500,000 communes writes 500,000 rows, not 5 million.)
/// - `geovote_findings` (election, level, kind, file, record, unit, field,
///   value, message): what validation found at the last import.
/// - `geovote_analyses`: see ``GeoPackage/write(_:to:layer:provenance:workers:)``.
///
/// Layers: `<election>_<level>` (lower case, other characters as `_`), the
/// boundaries with their fields and the results' fields joined (the wide
/// view), readable as `DB.gpkg:<layer>` by every command.
public final class ElectionDatabase {
    /// The schema this GeoVote writes and reads.
    public static let schemaVersion = 1

    public let path: String

    /// Opens an election database.
    /// - Throws: when the file is not a GeoPackage, has no GeoVote schema
    ///   (naming `geovote db create`), or has a newer schema than this GeoVote reads.
    public init(path: String) throws {
        self.path = path
        let db = try GeoPackage.open(path, readOnly: true)
        try Self.checkSchema(db, path: path)
    }

    static func checkSchema(_ db: SQLiteDatabase, path: String) throws {
        guard try db.scalarInt("SELECT count(*) FROM sqlite_master WHERE name = 'geovote_meta'") == 1 else {
            throw GeoVoteError.invalidArgument("\(path) is a GeoPackage but not a GeoVote election database: 'geovote db create \(path)' adds the tables (its layers stay)")
        }
        let text = try db.rows("SELECT value FROM geovote_meta WHERE key = 'schema_version'").first?[0] ?? nil
        guard let text, let version = Int(text) else {
            throw GeoVoteError.malformed(DataLocation(file: path, field: "geovote_meta.schema_version", value: text ?? ""), reason: "is not a schema version")
        }
        guard version <= schemaVersion else {
            let writer = try db.rows("SELECT value FROM geovote_meta WHERE key = 'geovote_version'").first?[0] ?? nil
            throw GeoVoteError.unsupported("\(path) has GeoVote database schema \(version) (written by GeoVote \(writer ?? "?")); this GeoVote (\(GeoVoteVersion.string)) reads schema \(schemaVersion) and older: use a newer GeoVote")
        }
    }

    /// Creates an election database: a new GeoPackage, or GeoVote's tables
    /// added to an existing GeoPackage (its tables and layers left as they are).
    /// - Throws: when `path` is already an election database, or exists and is not a GeoPackage.
    public static func create(at path: String) throws {
        if FileManager.default.fileExists(atPath: path) {
            let db = try GeoPackage.open(path, readOnly: true)
            if try db.scalarInt("SELECT count(*) FROM sqlite_master WHERE name = 'geovote_meta'") == 1 {
                try checkSchema(db, path: path)
                throw GeoVoteError.invalidArgument("\(path) is already a GeoVote election database")
            }
            try GeoPackage.update(path, createSchema)
        } else {
            try GeoPackage.create(path, createSchema)
        }
    }

    static func createSchema(_ db: SQLiteDatabase) throws {
        try db.execute("""
        CREATE TABLE geovote_meta (key TEXT PRIMARY KEY NOT NULL, value TEXT NOT NULL);
        INSERT INTO geovote_meta VALUES ('schema_version', '\(schemaVersion)');
        INSERT INTO geovote_meta VALUES ('geovote_version', '\(GeoVoteVersion.string)');
        CREATE TABLE geovote_elections (name TEXT PRIMARY KEY NOT NULL, kind TEXT, date TEXT);
        CREATE TABLE geovote_parties (code TEXT PRIMARY KEY NOT NULL, name_ar TEXT, name_fr TEXT, colour TEXT);
        CREATE TABLE geovote_levels (election TEXT NOT NULL REFERENCES geovote_elections(name), level TEXT NOT NULL, layer TEXT NOT NULL,
          unit_key TEXT NOT NULL, registered_field TEXT, voters_field TEXT, invalid_field TEXT, valid_field TEXT,
          boundaries TEXT NOT NULL, results TEXT, units INTEGER NOT NULL, imported TEXT NOT NULL, PRIMARY KEY (election, level));
        CREATE TABLE geovote_level_parties (election TEXT NOT NULL, level TEXT NOT NULL, k INTEGER NOT NULL, party TEXT NOT NULL,
          PRIMARY KEY (election, level, k));
        CREATE TABLE geovote_findings (election TEXT NOT NULL, level TEXT NOT NULL, kind TEXT NOT NULL, file TEXT, record INTEGER, unit TEXT,
          field TEXT, value TEXT, message TEXT NOT NULL);
        """)
        try rebuildViews(db)
    }

    /// The votes table of a level: a row per unit (the code, the four
    /// totals, then `p0`, `p1`, … in the order of the level's parties).
    static func votesTable(_ layer: String) -> String { "geovote_votes_" + layer }

    /// The long-form views over every level's votes table:
    /// `geovote_totals` (election, level, unit, registered, voters, invalid,
    /// valid) and `geovote_results` (election, level, unit, party, votes).
    static func rebuildViews(_ db: SQLiteDatabase) throws {
        let levels = try db.rows("SELECT election, level, layer, (SELECT count(*) FROM geovote_level_parties p WHERE p.election = l.election AND p.level = l.level) FROM geovote_levels l ORDER BY election, level")
        func literal(_ s: String?) -> String { "'" + (s ?? "").replacingOccurrences(of: "'", with: "''") + "'" }
        var totals: [String] = [], results: [String] = []
        for l in levels {
            let table = GeoPackage.quoted(votesTable(l[2] ?? ""))
            let count = Int(l[3] ?? "0") ?? 0
            totals.append("SELECT \(literal(l[0])) AS election, \(literal(l[1])) AS level, unit, registered, voters, invalid, valid FROM \(table)")
            guard count > 0 else { continue }
            let pick = (0..<count).map { "WHEN \($0) THEN v.p\($0)" }.joined(separator: " ")
            results.append("SELECT \(literal(l[0])) AS election, \(literal(l[1])) AS level, v.unit AS unit, lp.party AS party, CASE lp.k \(pick) END AS votes FROM \(table) v JOIN geovote_level_parties lp ON lp.election = \(literal(l[0])) AND lp.level = \(literal(l[1]))")
        }
        let emptyTotals = "SELECT NULL AS election, NULL AS level, NULL AS unit, NULL AS registered, NULL AS voters, NULL AS invalid, NULL AS valid WHERE 0"
        let emptyResults = "SELECT NULL AS election, NULL AS level, NULL AS unit, NULL AS party, NULL AS votes WHERE 0"
        try db.execute("""
        DROP VIEW IF EXISTS geovote_totals; DROP VIEW IF EXISTS geovote_results;
        CREATE VIEW geovote_totals AS \(totals.isEmpty ? emptyTotals : totals.joined(separator: " UNION ALL "));
        CREATE VIEW geovote_results AS \(results.isEmpty ? emptyResults : results.joined(separator: " UNION ALL "));
        """)
    }

    /// The layer name of an election's level: `legislative-2021`, `commune` → `legislative_2021_commune`.
    public static func layerName(election: String, level: String) -> String {
        let raw = "\(election)_\(level)".lowercased()
        return String(raw.unicodeScalars.map { s -> Character in
            (s.properties.isAlphabetic || ("0"..."9").contains(Character(s))) && s.isASCII ? Character(s) : "_"
        })
    }

    /// Election and level names: letters, digits, `-`, `_`, `.`, up to 64 characters.
    static func checkName(_ name: String, what: String) throws {
        let allowed = name.unicodeScalars.allSatisfy { $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains(Character($0)) || "-_.".unicodeScalars.contains($0)) }
        guard !name.isEmpty, name.count <= 64, allowed else {
            throw GeoVoteError.invalidArgument("'\(name)' cannot name \(what): use ASCII letters, digits, '-', '_' or '.' (e.g. legislative-2021, commune)")
        }
    }

    // MARK: Reading

    /// The elections, in name order.
    public func elections() throws -> [Election] {
        let db = try GeoPackage.open(path, readOnly: true)
        return try db.rows("SELECT name, kind, date FROM geovote_elections ORDER BY name").map { Election(name: $0[0] ?? "", kind: $0[1], date: $0[2]) }
    }

    /// The parties, in the order they were first imported.
    public func parties() throws -> [Party] {
        let db = try GeoPackage.open(path, readOnly: true)
        return try db.rows("SELECT code, name_ar, name_fr, colour FROM geovote_parties ORDER BY rowid").map {
            Party(code: $0[0] ?? "", arabicName: $0[1], frenchName: $0[2], colour: $0[3])
        }
    }

    /// The levels imported for each election.
    public func levels() throws -> [ElectionLevel] {
        let db = try GeoPackage.open(path, readOnly: true)
        let findings = Dictionary(uniqueKeysWithValues: try db.rows("SELECT election || char(0) || level, count(*) FROM geovote_findings GROUP BY election, level").map {
            ($0[0] ?? "", Int($0[1] ?? "0") ?? 0)
        })
        var parties: [String: [String]] = [:]
        for r in try db.rows("SELECT election || char(0) || level, party FROM geovote_level_parties ORDER BY election, level, k") {
            parties[r[0] ?? "", default: []].append(r[1] ?? "")
        }
        return try db.rows("SELECT election, level, layer, unit_key, boundaries, results, units, imported FROM geovote_levels ORDER BY election, level").map { r in
            ElectionLevel(election: r[0] ?? "", level: r[1] ?? "", layer: r[2] ?? "", unitKey: r[3] ?? "",
                          parties: parties["\(r[0] ?? "")\u{0}\(r[1] ?? "")"] ?? [], boundaries: r[4] ?? "", results: r[5],
                          units: Int(r[6] ?? "0") ?? 0, imported: r[7] ?? "", findings: findings["\(r[0] ?? "")\u{0}\(r[1] ?? "")"] ?? 0)
        }
    }

    /// The findings of the last import of an election's level.
    public func findings(election: String, level: String) throws -> [ImportFinding] {
        let db = try GeoPackage.open(path, readOnly: true)
        return try db.rows("SELECT kind, file, record, unit, field, value, message FROM geovote_findings WHERE election = ? AND level = ? ORDER BY rowid", [election, level]).map { r in
            guard let kind = ImportFinding.Kind(rawValue: r[0] ?? "") else {
                throw GeoVoteError.malformed(DataLocation(file: path, field: "geovote_findings.kind", value: r[0] ?? ""), reason: "is not a kind of finding this GeoVote knows")
            }
            return ImportFinding(kind: kind,
                          location: DataLocation(file: r[1], record: r[2].flatMap { Int($0) }, field: r[4], value: r[5]), unit: r[3], message: r[6] ?? "")
        }
    }

    /// The level's record, or an error naming the levels there are.
    func level(_ election: String, _ level: String) throws -> ElectionLevel {
        let all = try levels()
        guard let found = all.first(where: { $0.election == election && $0.level == level }) else {
            let there = all.map { "\($0.election) \($0.level)" }
            throw GeoVoteError.invalidArgument("\(path) has no level '\(level)' of election '\(election)'; it has: \(there.isEmpty ? "none (geovote db import adds one)" : there.joined(separator: ", "))")
        }
        return found
    }

    /// The wide layer of an election's level: boundaries and results.
    public func layer(election: String, level: String) throws -> FeatureTable {
        try GeoPackage.read(path, layer: try self.level(election, level).layer)
    }

    /// The results of an election's level: one row per unit (in code
    /// order, by UTF-8 bytes) with `unit`, the totals and one column per party.
    public func results(election: String, level: String) throws -> AttributeTable {
        let record = try self.level(election, level)
        let db = try GeoPackage.open(path, readOnly: true)
        let parties = (0..<record.parties.count).map { ", p\($0)" }.joined()
        let statement = try db.prepare("SELECT unit, registered, voters, invalid, valid\(parties) FROM \(GeoPackage.quoted(Self.votesTable(record.layer))) ORDER BY unit")
        var units: [String?] = []
        var counts = [[Int64?]](repeating: [], count: 4 + record.parties.count)
        while try statement.step() {
            units.append(statement.text(0))
            for k in counts.indices { counts[k].append(statement.isNull(k + 1) ? nil : statement.int64(k + 1)) }
        }
        let names = ["registered", "voters", "invalid", "valid"] + record.parties
        return AttributeTable(count: units.count, columns: [Column(name: "unit", values: .text(units))] + zip(names, counts).map { Column(name: $0, values: .integer($1)) },
                              sourceEncoding: .utf8)
    }

    /// Everything `geovote db list` prints.
    public func summary() throws -> Summary {
        let db = try GeoPackage.open(path, readOnly: true)
        let version = try db.rows("SELECT value FROM geovote_meta WHERE key = 'schema_version'").first?[0].flatMap { Int($0) } ?? 0
        var layers: [Summary.Layer] = []
        for r in try db.rows("SELECT table_name, data_type FROM gpkg_contents ORDER BY rowid") {
            let name = r[0] ?? ""
            let count = try db.scalarInt("SELECT count(*) FROM \(GeoPackage.quoted(name))") ?? 0
            layers.append(Summary.Layer(name: name, dataType: r[1] ?? "", features: Int(count)))
        }
        let analyses = try GeoPackage.analyses(in: path).map { Summary.Analysis(layer: $0.layer, command: $0.provenance.command, parameters: $0.provenance.parameters, version: $0.version, created: $0.created) }
        return Summary(schemaVersion: version, elections: try elections(), levels: try levels(), parties: try parties(), layers: layers, analyses: analyses)
    }
}

/// An election: its name (e.g. `legislative-2021`), kind and date.
public struct Election: Sendable, Equatable {
    public var name: String
    /// `legislative`, `communal`, `regional`, … (free text).
    public var kind: String?
    /// `YYYY-MM-DD`.
    public var date: String?

    public init(name: String, kind: String? = nil, date: String? = nil) {
        self.name = name
        self.kind = kind
        self.date = date
    }
}

/// A party: its code as in the results' columns, names, display colour.
public struct Party: Sendable, Equatable {
    public var code: String
    public var arabicName: String?
    public var frenchName: String?
    /// `#RRGGBB`.
    public var colour: String?

    public init(code: String, arabicName: String? = nil, frenchName: String? = nil, colour: String? = nil) {
        self.code = code
        self.arabicName = arabicName
        self.frenchName = frenchName
        self.colour = colour
    }

    /// Reads a party table: a CSV with `code` and any of `name_ar`, `name_fr`, `colour`.
    /// - Throws: when `code` is missing or repeated, or a colour is not `#RRGGBB`.
    public static func read(_ path: String) throws -> [Party] {
        var reader = CSVReader(textFields: ["code", "name_ar", "name_fr", "colour"])
        let table = try reader.readAttributes(path)
        guard let codes = table.column(named: "code") else {
            throw GeoVoteError.malformed(DataLocation(file: path, field: "code"), reason: "is missing: a party table has columns code, name_ar, name_fr, colour")
        }
        func text(_ name: String, _ i: Int) -> String? { table.column(named: name).flatMap { c in c.values.displayValue(i).isEmpty ? nil : c.values.displayValue(i) } }
        var seen = Set<String>()
        return try (0..<table.count).map { i in
            let code = codes.values.displayValue(i).trimmingCharacters(in: .whitespaces)
            guard !code.isEmpty, seen.insert(code).inserted else {
                throw GeoVoteError.malformed(DataLocation(file: path, record: i, field: "code", value: code), reason: code.isEmpty ? "is empty" : "repeats a party code")
            }
            let colour = text("colour", i)
            if let colour, !(colour.count == 7 && colour.first == "#" && colour.dropFirst().allSatisfy(\.isHexDigit)) {
                throw GeoVoteError.malformed(DataLocation(file: path, record: i, field: "colour", value: colour), reason: "is not a colour #RRGGBB")
            }
            return Party(code: code, arabicName: text("name_ar", i), frenchName: text("name_fr", i), colour: colour)
        }
    }
}

/// One imported level of an election.
public struct ElectionLevel: Sendable, Equatable {
    public var election: String
    public var level: String
    /// The wide layer's name in the GeoPackage.
    public var layer: String
    /// The boundaries' field holding the unit code.
    public var unitKey: String
    /// The party codes, in column order.
    public var parties: [String]
    /// The files imported.
    public var boundaries: String
    public var results: String?
    public var units: Int
    /// UTC time of the import.
    public var imported: String
    /// What validation found (see ``ElectionDatabase/findings(election:level:)``).
    public var findings: Int
}

extension ElectionDatabase {
    /// What a database holds.
    public struct Summary: Sendable {
        public struct Layer: Sendable {
            public var name: String
            /// `features`, `attributes`, `tiles`, …
            public var dataType: String
            public var features: Int
        }
        public struct Analysis: Sendable {
            public var layer: String
            public var command: String
            public var parameters: String
            public var version: String
            public var created: String
        }
        public var schemaVersion: Int
        public var elections: [Election]
        public var levels: [ElectionLevel]
        public var parties: [Party]
        public var layers: [Layer]
        public var analyses: [Analysis]
    }
}
