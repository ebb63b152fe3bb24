import Foundation

/// What ``ElectionDatabase/aggregate(election:from:to:by:replace:)`` did.
public struct AggregationReport: Sendable {
    public var layer: String
    /// Units of the new level; units of the finer level summed.
    public var units: Int
    public var members: Int
    /// Finer units with no code in the grouping field: not counted, listed.
    public var ungrouped: [String]
    public var notes: [String]
}

extension ElectionDatabase {
    /// Sums a level into a coarser one by a code field of its layer
    /// (commune → province → region): totals and every party's votes added
    /// exactly as integers, the boundaries dissolved (GEOS coverage union,
    /// falling back to the unary union), text fields kept where every member
    /// agrees. Stored as level `to` of the same election, in one transaction.
    ///
    /// A sum over members one of which lacks a count is missing, not a
    /// smaller number; members without a code in `by` are reported.
    /// - Parameters:
    ///   - election: the election.
    ///   - from: the finer level, already imported.
    ///   - to: the new level's name.
    ///   - by: the finer layer's field holding the coarser unit's code.
    ///   - replace: replace an earlier level `to`.
    @discardableResult
    public func aggregate(election: String, from: String, to: String, by: String, replace: Bool = false) throws -> AggregationReport {
        try Self.checkName(to, what: "a level")
        let source = try level(election, from)
        if try levels().contains(where: { $0.election == election && $0.level == to }), !replace {
            throw GeoVoteError.invalidArgument("\(path) already has level '\(to)' of election '\(election)': --replace to aggregate it again")
        }
        let layer = try GeoPackage.read(path, layer: source.layer)
        let file = "\(path):\(source.layer)"
        guard let group = layer.column(named: by) else {
            throw GeoVoteError.malformed(DataLocation(file: file, field: by), reason: "is not a field of level \(from); fields: \(layer.columns.map(\.name).joined(separator: ", "))")
        }
        guard let unitKey = layer.column(named: source.unitKey) else {
            throw GeoVoteError.malformed(DataLocation(file: file, field: source.unitKey), reason: "(the unit key) is missing from the layer")
        }
        let results = try self.results(election: election, level: from)
        var resultRow: [String: Int] = [:]
        let unitColumn = results.column(named: "unit")!
        for i in 0..<results.count { resultRow[unitColumn.values.displayValue(i)] = i }

        var order: [String] = [], groupOf: [String: Int] = [:]
        var members: [[Int]] = []
        var ungrouped: [String] = []
        for i in 0..<layer.count {
            let code = unitKey.keyText(i) ?? ""
            guard let g = group.keyText(i) else { ungrouped.append(code.isEmpty ? "record \(i)" : code); continue }
            if groupOf[g] == nil { groupOf[g] = order.count; order.append(g); members.append([]) }
            members[groupOf[g]!].append(i)
        }
        // Each member's row in the results, once (nil: the unit has no results).
        let memberRows: [[Int?]] = members.map { m in m.map { resultRow[unitKey.keyText($0) ?? ""] } }
        // Sums in member order, exact; nil when a member lacks the count or has no results.
        let counted = results.columns.dropFirst()
        var columns: [Column] = [Column(name: by, values: .text(order.map { Optional($0) })),
                                 Column(name: "units", values: .integer(members.map { Int64($0.count) }))]
        for c in layer.columns where c.name != by && c.name != source.unitKey {
            guard case let .text(v) = c.values, !counted.contains(where: { $0.name == c.name }) else { continue }
            let kept: [String?] = members.map { m in
                let first = v[m[0]]
                return m.allSatisfy { v[$0] == first } ? first : nil
            }
            if kept.contains(where: { $0 != nil }) { columns.append(Column(name: c.name, values: .text(kept))) }
        }
        var sums: [[Int64?]] = []
        for c in counted {
            guard case let .integer(v) = c.values else { continue }
            let s: [Int64?] = try members.indices.map { g in
                var total: Int64 = 0
                for (i, row) in zip(members[g], memberRows[g]) {
                    guard let r = row, let x = v[r] else { return nil }
                    let (t, overflow) = total.addingReportingOverflow(x)
                    guard !overflow else { throw GeoVoteError.malformed(DataLocation(file: file, record: i, field: c.name), reason: "overflows the sum of its group") }
                    total = t
                }
                return total
            }
            sums.append(s)
            columns.append(Column(name: c.name, values: .integer(s)))
        }
        let memberList = members
        let geometries = try GeometryEngine.map(count: order.count, grain: 1, file: file) { engine, g in
            try engine.coverageUnion(memberList[g].map { layer.geometries[$0] })
        }
        let wide = FeatureTable(geometries: geometries, columns: columns, crs: layer.crs, sourceEncoding: .utf8)
        let name = Self.layerName(election: election, level: to)
        let (blobs, srs) = try GeoPackage.encode(wide, file: file)
        try GeoPackage.update(path) { db in
            try Self.checkSchema(db, path: path)
            try GeoPackage.writeLayer(wide, blobs: blobs, srs: srs, layer: name,
                                      provenance: Provenance(command: "db aggregate", parameters: "election=\(election) from=\(from) to=\(to) by=\(by)", inputs: [file]), into: db)
            let units = order.enumerated().map { g, code in Unit(code: code, totals: (0..<4).map { sums[$0][g] }, votes: source.parties.indices.map { sums[4 + $0][g] }) }
            try Self.storeLevel(StoredLevel(election: election, level: to, layer: name, unitKey: by,
                                            totalFields: ["registered": "registered", "voters": "voters", "invalid": "invalid", "valid": "valid"],
                                            parties: source.parties, boundaries: "aggregated from level \(from)", results: nil, units: units, findings: []), into: db)
        }
        var notes: [String] = []
        if !ungrouped.isEmpty {
            notes.append("\(file): \(ungrouped.count) unit\(ungrouped.count == 1 ? " has" : "s have") no '\(by)' (\(ungrouped.prefix(8).joined(separator: ", "))\(ungrouped.count > 8 ? ", …" : "")); not counted")
        }
        return AggregationReport(layer: name, units: order.count, members: members.reduce(0) { $0 + $1.count }, ungrouped: ungrouped, notes: notes)
    }
}

extension ElectionDatabase {
    /// Sums points (polling stations) into the areas of another level of
    /// the same election (communes): by code where the station's `by` field
    /// names an area, by point in polygon (``Aggregation``) where it has no
    /// code or one no area has. Stored as level `to`, with the areas'
    /// boundaries and codes; stations in no area are reported, not counted.
    /// - Parameters:
    ///   - election: the election.
    ///   - from: the stations' level.
    ///   - to: the new level's name (e.g. `commune-stations`).
    ///   - areas: the level whose polygons receive the stations (e.g. `commune`).
    ///   - by: the stations' field holding the area's code (nil: by location only).
    ///   - replace: replace an earlier level `to`.
    @discardableResult
    public func aggregate(election: String, from: String, to: String, into areas: String, by: String? = nil, replace: Bool = false) throws -> AggregationReport {
        try Self.checkName(to, what: "a level")
        let stations = try level(election, from), target = try level(election, areas)
        if try levels().contains(where: { $0.election == election && $0.level == to }), !replace {
            throw GeoVoteError.invalidArgument("\(path) already has level '\(to)' of election '\(election)': --replace to aggregate it again")
        }
        let pointsFile = "\(path):\(stations.layer)", areasFile = "\(path):\(target.layer)"
        let pointLayer = try GeoPackage.read(path, layer: stations.layer), areaLayer = try GeoPackage.read(path, layer: target.layer)
        // The stations' counts from the results tables, in layer order.
        let results = try self.results(election: election, level: from)
        var row: [String: Int] = [:]
        let unit = results.column(named: "unit")!
        for i in 0..<results.count { row[unit.values.displayValue(i)] = i }
        let key = pointLayer.column(named: stations.unitKey)
        let rows = (0..<pointLayer.count).map { key?.keyText($0).flatMap { row[$0] } }
        let counted = Array(results.columns.dropFirst())
        var columns = counted.map { Column(name: $0.name, values: $0.values.gathered(rows)) }
        if let by {
            guard let c = pointLayer.column(named: by) else {
                throw GeoVoteError.malformed(DataLocation(file: pointsFile, field: by), reason: "is not a field of level \(from); fields: \(pointLayer.columns.map(\.name).joined(separator: ", "))")
            }
            columns.insert(Column(name: "geovote_area_code", values: .text((0..<pointLayer.count).map { c.keyText($0) })), at: 0)
        }
        let points = FeatureTable(geometries: pointLayer.geometries, columns: columns, crs: pointLayer.crs)
        var areaTable = areaLayer
        if let k = areaLayer.column(named: target.unitKey) {
            areaTable.columns = [Column(name: target.unitKey, values: .text((0..<areaLayer.count).map { k.keyText($0) }))]
        }
        let sums = try Aggregation.run(points: points, pointsFile: pointsFile, areas: areaTable, areasFile: areasFile,
                                       pointKey: by == nil ? nil : "geovote_area_code", areaKey: target.unitKey, fields: counted.map(\.name))
        let codes = sums.table.column(named: target.unitKey)!
        let values = counted.map { c in sums.table.column(named: c.name)! }
        let units = (0..<sums.table.count).compactMap { j -> Unit? in
            guard let code = codes.keyText(j) else { return nil }
            let v = values.map { c -> Int64? in c.values.number(j).map { Int64($0) } }
            return Unit(code: code, totals: Array(v[0..<4]), votes: Array(v[4...]))
        }
        let name = Self.layerName(election: election, level: to)
        let (blobs, srs) = try GeoPackage.encode(sums.table, file: areasFile)
        try GeoPackage.update(path) { db in
            try Self.checkSchema(db, path: path)
            try GeoPackage.writeLayer(sums.table, blobs: blobs, srs: srs, layer: name,
                                      provenance: Provenance(command: "db aggregate", parameters: "election=\(election) from=\(from) to=\(to) into=\(areas)\(by.map { " by=\($0)" } ?? "")",
                                                             inputs: [pointsFile, areasFile]), into: db)
            try Self.storeLevel(StoredLevel(election: election, level: to, layer: name, unitKey: target.unitKey,
                                            totalFields: ["registered": "registered", "voters": "voters", "invalid": "invalid", "valid": "valid"],
                                            parties: stations.parties, boundaries: "level \(from) summed into the areas of level \(areas)", results: nil,
                                            units: units, findings: []), into: db)
        }
        let ungrouped = sums.unassigned.map { i in key?.keyText(i) ?? "record \(i)" }
        return AggregationReport(layer: name, units: units.count, members: pointLayer.count - ungrouped.count, ungrouped: ungrouped,
                                 notes: sums.notes + ["\(sums.byCode) stations by code, \(sums.byLocation) by location"])
    }
}
