import Foundation

/// Emerging hot spots of a party's share over several elections of a database.
public struct EmergingResult: Sendable {
    /// The last election's units: `unit`; per election k (1 = the earliest)
    /// `share_k`, `z_k`, `bin_k`; then `mk_S`, `mk_tau`, `mk_z`, `mk_p`
    /// (exact for ≤ 20 elections), `pattern` and `trend_testable`.
    public var table: FeatureTable
    public var result: EmergingHotSpots
    /// The elections as stored, in the order analysed.
    public var elections: [String]
    public var party: String
    public var notes: [String]
}

extension ElectionDatabase {
    /// Emerging hot spots of `party`'s share of valid votes over `elections`
    /// (in time order, ≥ 3), on the last election's units at `level`: each
    /// earlier election's shares carried onto them as ``swing(from:to:level:fromLevel:)``
    /// does (by code where the boundary is the same, else by areal
    /// interpolation of the counts). An earlier election without `level`
    /// uses its only level.
    public func emerging(elections names: [String], level: String, party: String, weights: WeightsSpec = .contiguity(.queen),
                         options: EmergingOptions = EmergingOptions(), workers: Int = Parallel.defaultWorkerCount) throws -> EmergingResult {
        let elections = try names.map { try election(named: $0) }
        guard elections.count >= 3 else {
            throw GeoVoteError.unsupported("\(elections.count) election\(elections.count == 1 ? "" : "s") given: emerging hot spots need at least 3 (e.g. --elections 2011,2016,2021)")
        }
        guard Set(elections).count == elections.count else { throw GeoVoteError.invalidArgument("an election is listed twice: \(elections.joined(separator: ", "))") }
        let last = elections.last!
        let all = try levels()
        var shares: [[Double?]] = [], lastShares: [Double?] = []
        var table: FeatureTable?
        var notes: [String] = []
        for earlier in elections.dropLast() {
            let theirs = all.filter { $0.election == earlier }.map(\.level)
            let fromLevel = theirs.contains(level) ? level : theirs.count == 1 ? theirs[0] : nil
            guard let fromLevel else {
                throw GeoVoteError.invalidArgument("\(path): \(earlier) has no level '\(level)' and several others (\(theirs.joined(separator: ", ")))")
            }
            let swing = try self.swing(from: earlier, to: last, level: level, fromLevel: fromLevel)
            guard let s0 = swing.table.column(named: "s0_\(party)"), let s1 = swing.table.column(named: "s1_\(party)") else {
                throw GeoVoteError.invalidArgument("\(path): '\(party)' is not a party of \(earlier) or \(last)")
            }
            if swing.interpolated > 0 { notes.append("\(earlier): \(swing.interpolated) units carried onto \(last)'s boundaries by areal interpolation") }
            shares.append((0..<swing.table.count).map { s0.values.number($0) })
            if table == nil {
                table = swing.table
                lastShares = (0..<swing.table.count).map { s1.values.number($0) }
            }
        }
        shares.append(lastShares)
        let units = table!
        let subset = DefinedSubset(reasons: (0..<units.count).map { i in
            shares.contains { $0[i] == nil } ? "no share of valid votes in some election" : nil
        })
        if let left = subset.leftOutSummary() { notes.append("\(party): \(left)") }
        guard subset.kept.count >= 3 else {
            throw GeoVoteError.invalidArgument("\(path): \(subset.kept.count) of \(units.count) units of \(last) have a share of valid votes in every election: an earlier election's boundaries do not overlap the last one's, or its results are missing")
        }
        let (w, _) = try weights.build(units, file: "\(path):\(last)", workers: workers)
        let cube = shares.map { s in subset.kept.map { s[$0]! } }
        let result = try EmergingHotSpots.run(cube, weights: subset.restrict(w).transformed(.binary), options: options, workers: workers)
        notes += result.notes
        var columns = [units.column(named: "unit")!]
        for k in 0..<elections.count {
            columns.append(Column(name: "share_\(k + 1)", values: .real(shares[k])))
            columns.append(Column(name: "z_\(k + 1)", values: .real(subset.expand(result.z[k]).map { $0.isFinite ? $0 : nil })))
            columns.append(Column(name: "bin_\(k + 1)", values: .integer(expandInt(result.bins[k].map(Int64.init), subset))))
        }
        let mk = result.trend
        columns.append(Column(name: "mk_S", values: .integer(expandInt(mk.map { $0.map { Int64($0.S) } }, subset))))
        columns.append(Column(name: "mk_tau", values: .real(expandOptional(mk.map { $0?.tau }, subset))))
        columns.append(Column(name: "mk_z", values: .real(expandOptional(mk.map { $0?.z }, subset))))
        columns.append(Column(name: "mk_p", values: .real(expandOptional(mk.map { $0?.p }, subset))))
        columns.append(Column(name: "pattern", values: .text(expandText(result.patterns.map(\.rawValue), subset))))
        columns.append(Column(name: "trend_testable", values: .logical(expandOptional(mk.map { $0.map { $0.smallestP <= options.trendAlpha } }, subset))))
        return EmergingResult(table: FeatureTable(geometries: units.geometries, columns: columns, crs: units.crs, sourceEncoding: .utf8),
                              result: result, elections: elections, party: party, notes: notes)
    }
}

private func expandOptional<T>(_ values: [T?], _ subset: DefinedSubset) -> [T?] {
    var out = [T?](repeating: nil, count: subset.count)
    for (k, i) in subset.kept.enumerated() { out[i] = values[k] }
    return out
}

private func expandInt(_ values: [Int64?], _ subset: DefinedSubset) -> [Int64?] { expandOptional(values, subset) }
private func expandInt(_ values: [Int64], _ subset: DefinedSubset) -> [Int64?] { expandOptional(values.map { Optional($0) }, subset) }
private func expandText(_ values: [String], _ subset: DefinedSubset) -> [String?] { expandOptional(values.map { Optional($0) }, subset) }
