import ArgumentParser
import GeoVoteEngine
import Foundation

struct DatabaseCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "db",
        abstract: "One election database in a GeoPackage: boundaries and results of several elections, validated on import.",
        discussion: """
        The database is an OGC GeoPackage (QGIS and GDAL open it): each imported \
        level of an election is a layer <election>_<level> (boundaries with the \
        results joined, readable by every command as DB.gpkg:LAYER), and GeoVote's \
        tables hold the elections, parties, results in long form, totals per unit \
        and what validation found.
        """,
        subcommands: [Create.self, Import.self, List.self, Export.self, AggregateLevel.self, Swing.self])

    struct Create: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create an election database (or add GeoVote's tables to an existing GeoPackage, keeping its layers).")

        @Argument(help: "The GeoPackage, DB.gpkg.")
        var database: String

        func run() throws {
            try runReportingErrors {
                try ElectionDatabase.create(at: database)
                print("created election database \(database) (schema \(ElectionDatabase.schemaVersion))")
            }
        }
    }

    struct Import: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Import one level of one election: boundaries and results, in one transaction.",
            discussion: """
            Results: --results FILE.csv joined to the boundaries by --key \
            BOUNDARYFIELD:RESULTSFIELD (or FIELD when both call it so); wide (a row per \
            unit: totals and a column per party) or long (a row per unit and party, \
            columns party and votes). Without --results, the boundaries' own fields.
            Totals by name unless given: registered|inscrits, voters|votants|votes_cast, \
            invalid|nuls, valid|exprimes. Parties: --parties, else every other numeric column.
            Errors (nothing imported): a negative, fractional or non-numeric count, a \
            repeated code. Findings (imported, listed on stderr, kept in the database, \
            never fixed; --strict makes any of them an error): voters above registered, \
            invalid + valid ≠ voters, parties not summing to valid, missing counts, \
            results without boundary and boundaries without results, names that differ \
            between the files for one code (Arabic alef forms, taa marbuta, alef \
            maqsura, tatweel and diacritics folded; French case and accents folded), \
            with --parent a station outside its commune.
            """)

        @Argument(help: "The election database, DB.gpkg.")
        var database: String

        @Option(name: .long, help: "The election's name, e.g. legislative-2021 (letters, digits, '-', '_', '.').")
        var election: String

        @Option(name: .long, help: "The level: region, province, commune, station, …")
        var level: String

        @Option(name: .long, help: "The election's kind (legislative, communal, regional, …).")
        var kind: String?

        @Option(name: .long, help: "The election's date, YYYY-MM-DD.")
        var date: String?

        @Option(name: .long, help: "The boundaries (polygons; points for stations): .shp, .geojson, FILE.gpkg[:LAYER].")
        var boundaries: String

        @Option(name: .long, help: "The results, a CSV (wide or long); default: the boundaries' own fields.")
        var results: String?

        @Option(name: .long, help: "CODE or BOUNDARYCODE:RESULTSCODE, the unit code in each file.")
        var key: String

        @Option(name: .long, help: "The registered-voters field (default: found by name).")
        var registered: String?

        @Option(name: .long, help: "The voters (ballots cast) field.")
        var voters: String?

        @Option(name: .long, help: "The invalid-ballots field.")
        var invalid: String?

        @Option(name: .long, help: "The valid-votes field.")
        var valid: String?

        @Option(name: .long, help: "The party columns, comma-separated (default: every other numeric column).")
        var parties: String?

        @Option(name: .long, help: "A CSV of party names and colours: code, name_ar, name_fr, colour (#RRGGBB).")
        var partyTable: String?

        @Option(name: .long, help: "For stations: the level of their communes, already imported for this election.")
        var parent: String?

        @Option(name: .long, help: "For stations: their field holding the commune's code.")
        var parentKey: String?

        @Flag(name: .long, help: "Any finding is an error; nothing is imported.")
        var strict = false

        @Flag(name: .long, help: "Replace an earlier import of this election and level.")
        var replace = false

        @OptionGroup var common: CommonOptions

        func run() throws {
            let encoding = try common.apply()
            try runReportingErrors {
                let db = try ElectionDatabase(path: database)
                let (b, notes) = try LayerIO.read(boundaries, options: .init(encoding: encoding))
                notes.forEach(printNote)
                var table: AttributeTable?
                if let results {
                    if results.lowercased().hasSuffix(".csv") {
                        var reader = CSVReader(encoding: encoding)
                        table = try reader.readAttributes(results)
                        reader.notes.forEach(printNote)
                    } else {
                        table = try LayerIO.read(results, options: .init(encoding: encoding)).table.attributes
                    }
                }
                let keys = key.split(separator: ":", maxSplits: 1).map(String.init)
                let request = ElectionImport(
                    election: Election(name: election, kind: kind, date: date), level: level, boundaries: b, boundariesFile: boundaries,
                    results: table, resultsFile: results, boundaryKey: keys.first ?? key, resultsKey: keys.count == 2 ? keys[1] : nil,
                    registered: registered, voters: voters, invalid: invalid, valid: valid,
                    parties: parties.map(commaList), partyTable: try partyTable.map(Party.read) ?? [],
                    parentLevel: parent, parentKey: parentKey, strict: strict, replace: replace)
                let report = try db.importResults(request)
                report.notes.forEach(printNote)
                for f in report.findings.prefix(20) { printNote(f.description) }
                if report.findings.count > 20 { printNote("… \(report.findings.count - 20) more findings: geovote db list \(database) --findings") }
                let totals = ["registered", "voters", "invalid", "valid"].map { "\($0)=\(report.totals[$0] ?? "-")" }.joined(separator: " ")
                print("imported \(election) \(level): \(report.units) units, \(report.boundaries) boundaries, \(report.parties.count) parties (\(report.parties.joined(separator: ","))), \(totals); \(report.findings.count) finding\(report.findings.count == 1 ? "" : "s"); layer \(database):\(report.layer)")
            }
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the elections, levels, parties, layers and analyses of a database.")

        @Argument(help: "The election database, DB.gpkg.")
        var database: String

        @Flag(name: .long, help: "Also print every finding of every import.")
        var findings = false

        func run() throws {
            try runReportingErrors {
                let db = try ElectionDatabase(path: database)
                let s = try db.summary()
                print("\(database): GeoVote election database, schema \(s.schemaVersion)")
                print("elections: \(s.elections.count)")
                for e in s.elections {
                    print("  \(e.name)\tkind=\(e.kind ?? "-")\tdate=\(e.date ?? "-")")
                    for l in s.levels where l.election == e.name {
                        print("    level \(l.level)\tunits=\(l.units)\tparties=\(l.parties.count)\tfindings=\(l.findings)\tlayer=\(l.layer)\timported=\(l.imported)")
                    }
                }
                print("parties: \(s.parties.count)")
                for p in s.parties {
                    print("  \(p.code)\t\(p.frenchName ?? "-")\t\(p.arabicName ?? "-")\t\(p.colour ?? "-")")
                }
                print("layers: \(s.layers.count)")
                for l in s.layers { print("  \(l.name)\t\(l.dataType)\t\(l.features)") }
                print("analyses: \(s.analyses.count)")
                for a in s.analyses { print("  \(a.layer)\t\(a.command)\t\(a.parameters)\tgeovote \(a.version)\t\(a.created)") }
                if findings {
                    for l in s.levels {
                        for f in try db.findings(election: l.election, level: l.level) { print("finding \(l.election) \(l.level): \(f)") }
                    }
                }
            }
        }
    }

    struct Export: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Write one level of one election (boundaries with results) to a file.")

        @Argument(help: "The election database, DB.gpkg.")
        var database: String

        @Option(name: .long, help: "The election.")
        var election: String

        @Option(name: .long, help: "The level.")
        var level: String

        @Option(name: .shortAndLong, help: "Output .shp, .geojson, .csv or FILE.gpkg[:LAYER].")
        var output: String

        @OptionGroup var out: OutputOptions

        func run() throws {
            let options = try out.writeOptions()
            try runReportingErrors {
                let db = try ElectionDatabase(path: database)
                let table = try db.layer(election: election, level: level)
                try LayerIO.checkOutput(output, doesNotOverwrite: [database + ":" + ElectionDatabase.layerName(election: election, level: level)])
                if try LayerIO.Format(path: output) == .geoJSON { try GeoJSONWriter.check(table, file: output, keepCRS: options.keepCRS) }
                try LayerIO.write(table, to: output, options: options).forEach(printNote)
                print("wrote \(table.count) units of \(election) \(level) to \(output)")
            }
        }
    }

    struct AggregateLevel: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "aggregate",
            abstract: "Sum a level into a coarser one (commune → province → region, or stations → communes); stored as a level of the same election.",
            discussion: """
            Totals and votes are added exactly (integers); a group one of whose members \
            lacks a count has no sum for it. Boundaries are dissolved (GEOS coverage \
            union); text fields are kept where every member agrees. Units without a \
            code in --by are reported, not counted. With --into LEVEL, points (stations) \
            go to that level's polygons: by the code in --by where an area has it, else \
            the lowest-index polygon covering them (GEOS prepared polygons); stations in \
            no polygon are reported, not counted.
            """)

        @Argument(help: "The election database, DB.gpkg.")
        var database: String

        @Option(name: .long, help: "The election.")
        var election: String

        @Option(name: .long, help: "The finer level (e.g. commune).")
        var from: String

        @Option(name: .long, help: "The new level (e.g. region).")
        var to: String

        @Option(name: .long, help: "The finer level's field holding the coarser unit's code (e.g. region); with --into, the stations' field holding their commune's code.")
        var by: String?

        @Option(name: .long, help: "Sum points (stations) into the polygons of this level (e.g. commune): by --by code, else by point in polygon.")
        var into: String?

        @Flag(name: .long, help: "Replace an earlier level of that name.")
        var replace = false

        @OptionGroup var common: CommonOptions

        func run() throws {
            _ = try common.apply()
            try runReportingErrors {
                let db = try ElectionDatabase(path: database)
                let report: AggregationReport
                if let into {
                    report = try db.aggregate(election: election, from: from, to: to, into: into, by: by, replace: replace)
                } else {
                    guard let by else { throw GeoVoteError.invalidArgument("db aggregate needs --by FIELD (or --into LEVEL for stations)") }
                    report = try db.aggregate(election: election, from: from, to: to, by: by, replace: replace)
                }
                report.notes.forEach(printNote)
                print("aggregated \(election) \(from) → \(to)\(into.map { " (areas of \($0))" } ?? "")\(by.map { " by \($0)" } ?? ""): \(report.members) units into \(report.units); layer \(database):\(report.layer)")
            }
        }
    }

    struct Swing: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Swing between two elections per unit: change in each party's share and in turnout, Pedersen volatility.",
            discussion: """
            Columns: unit, turnout0, turnout1, d_turnout, per party s0_P, s1_P, d_P \
            (shares of valid votes as fractions; d = later − earlier), pedersen (½ Σ |d_P|), \
            interp (share of the unit's earlier valid votes carried by areal \
            interpolation). Units of the later election whose code and boundary the \
            earlier one has take its counts; the others take the earlier counts by \
            area-weighted interpolation from the intersections of the two layers. \
            Any column is a variable for hotspots (e.g. --field d_PJD).
            """)

        @Argument(help: "The election database, DB.gpkg.")
        var database: String

        @Option(name: .long, help: "The earlier election.")
        var from: String

        @Option(name: .long, help: "The later election.")
        var to: String

        @Option(name: .long, help: "The level (of the later election).")
        var level: String

        @Option(name: .long, help: "The earlier election's level when it differs.")
        var fromLevel: String?

        @Option(name: .shortAndLong, help: "Output .shp, .geojson, .csv or FILE.gpkg[:LAYER] (the database itself included).")
        var output: String

        @OptionGroup var out: OutputOptions
        @OptionGroup var common: CommonOptions

        func run() throws {
            _ = try common.apply()
            var options = try out.writeOptions()
            try runReportingErrors {
                let db = try ElectionDatabase(path: database)
                let result = try db.swing(from: from, to: to, level: level, fromLevel: fromLevel)
                result.notes.forEach(printNote)
                options.provenance = Provenance(command: "db swing", parameters: "from=\(from) to=\(to) level=\(level)\(fromLevel.map { " from-level=\($0)" } ?? "")", inputs: [database])
                if try LayerIO.Format(path: output) == .geoJSON { try GeoJSONWriter.check(result.table, file: output, keepCRS: options.keepCRS) }
                try LayerIO.write(result.table, to: output, options: options).forEach(printNote)
                print("swing \(from) → \(to) at \(level): \(result.matched) units by code, \(result.interpolated) interpolated, earlier valid votes conserved \(String(format: "%.12f", result.conservation)); wrote \(output)")
            }
        }
    }
}

/// `a, b,c` → ["a", "b", "c"].
func commaList(_ text: String) -> [String] {
    text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
}
