import Foundation

/// Stronghold zones from a file to a file: what `geovote zones` runs.
public struct ZonesJob: Sendable, Hashable {
    /// The layer: communes with their counts, or (``fromHotSpots``) a hot-spot output.
    public var input: String
    /// Shares NUM/DEN; `all/valid` for every party.
    public var variables: String
    public var options: ZoneOptions
    /// The input is a `geovote hotspots` output: its classes are used, no statistic is run.
    public var fromHotSpots: Bool
    /// The field listed in `codes` (nil: the 0-based feature index).
    public var idField: String?
    /// .geojson, .shp (or .csv, attributes only).
    public var output: String
    public var encoding: TextEncoding?
    public var outputEncoding: TextEncoding
    public var keepCRS: Bool
    public var weightsFolder: String?

    /// The command line that made this job, recorded with a GeoPackage
    /// output (nil: the job's options are recorded).
    public var commandLine: String?

    public init(input: String, variables: String, options: ZoneOptions = ZoneOptions(), fromHotSpots: Bool = false, idField: String? = nil,
                output: String, encoding: TextEncoding? = nil, outputEncoding: TextEncoding = .utf8, keepCRS: Bool = false, weightsFolder: String? = nil) {
        self.input = input
        self.variables = variables
        self.options = options
        self.fromHotSpots = fromHotSpots
        self.idField = idField
        self.output = output
        self.encoding = encoding
        self.outputEncoding = outputEncoding
        self.keepCRS = keepCRS
        self.weightsFolder = weightsFolder
    }

    public struct Report: Sendable {
        public var result: ZoneResult
        public var written: [String]
        public var notes: [String]
    }

    /// A shapefile output's companion listing every member: `out.shp` → `out.members.csv`.
    public var membersPath: String {
        (output.lowercased().hasSuffix(".shp") ? String(output.dropLast(4)) : output) + ".members.csv"
    }

    /// - Parameter inputWrittenEarlier: the input is an earlier batch job's
    ///   output, not written yet: its readability is not checked.
    public func validate(inputWrittenEarlier: Bool = false) throws {
        try options.validate()
        _ = try LayerIO.Format(path: input)
        let format = try LayerIO.Format(path: output)
        guard inputWrittenEarlier || LayerIO.isReadable(input) else {
            throw GeoVoteError.io(path: input, reason: "cannot be read: no such file, or not readable")
        }
        if fromHotSpots, try LayerIO.Format(path: input) == .csv {
            throw GeoVoteError.unsupported("\(input): a CSV hot-spot output has no geometry to dissolve; write the hot spots as .shp or .geojson")
        }
        try AtomicFile.checkWritable(output)
        try LayerIO.checkOutput(output, doesNotOverwrite: [input])
        if format == .shapefile { try LayerIO.checkOutput(membersPath, doesNotOverwrite: [input]) }
    }

    public func run(layer given: FeatureTable? = nil, workers: Int = Parallel.defaultWorkerCount) throws -> Report {
        try validate()
        let (layer, readNotes) = try LayerIO.layer(given, orRead: input, encoding: encoding)
        var notes = readNotes
        let specs = try VariableSpec.list(variables, in: layer, file: input)
        let result: ZoneResult
        if fromHotSpots {
            let membership = try specs.map { try StrongholdZones.membership(fromHotSpotTable: layer, file: input, variable: $0, options: options) }
            let (weights, _) = try options.hotSpots.weights.build(layer, file: input, geodesic: options.hotSpots.geodesic, relativeTo: weightsFolder, workers: workers)
            result = try StrongholdZones.zones(layer, file: input, variables: specs, membership: membership, weights: weights, idField: idField, workers: workers)
        } else {
            result = try StrongholdZones.run(layer, file: input, variables: specs, options: options, idField: idField, relativeTo: weightsFolder, workers: workers)
        }
        notes += result.notes
        let format = try LayerIO.Format(path: output)
        var table = result.table()
        var written = [output]
        if format == .shapefile {
            // A DBF text holds 254 bytes: the full member lists go beside.
            let rows = result.zones.flatMap { z in z.codes.map { (z, $0) } }
            let members = FeatureTable(geometries: [Geometry](repeating: .empty(.point), count: rows.count), columns: [
                Column(name: "zone", values: .integer(rows.map { Int64($0.0.zone) })),
                Column(name: "party", values: .text(rows.map { $0.0.variable.numerator })),
                Column(name: "type", values: .text(rows.map { $0.0.type.rawValue })),
                Column(name: "code", values: .text(rows.map { $0.1 })),
            ])
            if let c = table.columns.firstIndex(where: { $0.name == "codes" }) {
                var cut = 0
                table.columns[c].values = .text(result.zones.map { z in
                    let fitted = Self.fitted(z.codes, bytes: 254)
                    if fitted.count < z.codes.count { cut += 1 }
                    return fitted.count == z.codes.count ? z.codes.joined(separator: ";")
                        : z.codes.prefix(fitted.count).joined(separator: ";") + ";…+\(z.codes.count - fitted.count)"
                })
                if cut > 0 { notes.append("\(cut) zone\(cut == 1 ? " lists" : "s list") more codes than a DBF field holds: 'codes' ends with …+N there; every member is in \(membersPath)") }
            }
            try CSVWriter().write(members, to: membersPath)
            written.append(membersPath)
        }
        if format == .geoJSON { try GeoJSONWriter.check(table, file: output, keepCRS: keepCRS) }
        notes += try LayerIO.write(table, to: output, options: .init(encoding: outputEncoding, keepCRS: keepCRS, csvGeometry: LayerIO.CSVGeometry.none, csvColumnTypes: true,
                                                                   provenance: Provenance(command: "zones", parameters: commandLine ?? "variables \(variables); \(options)", inputs: [input])))
        if format == .csv { written.append(CSVWriter.columnTypePath(output)) }
        return Report(result: result, written: written, notes: notes)
    }

    /// The leading codes whose `;`-joined text, with room for a `;…+N` tail, fits.
    /// UTF-8 bytes bound the bytes of every encoding GeoVote writes.
    static func fitted(_ codes: [String], bytes: Int) -> ArraySlice<String> {
        let total = codes.joined(separator: ";").utf8.count
        if total <= bytes { return codes[...] }
        var used = 0
        for (k, code) in codes.enumerated() {
            let next = used + (k == 0 ? 0 : 1) + code.utf8.count
            if next + 12 > bytes { return codes.prefix(k) }
            used = next
        }
        return codes[...]
    }
}
