import Foundation

/// LISA transitions of a party's share between two elections of a database.
public struct TransitionsResult: Sendable {
    /// The later election's units: `unit`, `s0_P`, `s1_P`, `q_from`, `q_to`
    /// (1 HH, 2 LH, 3 LL, 4 HL), `from`, `to` (their labels), `transition`
    /// (`HH->LH`), `move_type` (1–16, giddy's); with permutations also
    /// `p_from`, `p_to` and `significant_move` (1–64, giddy's).
    public var table: FeatureTable
    public var transitions: LISATransitions
    /// The elections as stored, and the party.
    public var from: String
    public var to: String
    public var party: String
    /// Units whose earlier share came by areal interpolation.
    public var interpolated: Int
    public var notes: [String]
}

extension ElectionDatabase {
    /// An election by its name, or by a part of it that names one election
    /// only (`2016` for `legislative-2016`).
    public func election(named text: String) throws -> String {
        let names = try elections().map(\.name)
        if names.contains(text) { return text }
        let matches = names.filter { $0.localizedCaseInsensitiveContains(text) }
        guard matches.count == 1 else {
            throw GeoVoteError.invalidArgument("\(path): '\(text)' names \(matches.isEmpty ? "no election" : "\(matches.count) elections (\(matches.joined(separator: ", ")))"); elections: \(names.isEmpty ? "none" : names.joined(separator: ", "))")
        }
        return matches[0]
    }

    /// How each unit of the later election moved between the Moran
    /// scatterplot quadrants of `party`'s share of valid votes, from the
    /// earlier election to the later (``LISATransitions``). The earlier
    /// shares come from ``swing(from:to:level:fromLevel:)``: by code where the
    /// boundary is the same, else by areal interpolation of the counts onto
    /// the later units.
    /// - Parameters:
    ///   - from: the earlier election (a name, or a part naming one).
    ///   - to: the later election.
    ///   - level: the later election's level.
    ///   - fromLevel: the earlier election's level (default: `level`).
    ///   - party: the party whose share of valid votes is analysed.
    ///   - weights: the neighbours among the later units (default queen).
    ///   - permutations: Local Moran's permutations for the significant moves (0: none).
    ///   - seed: their seed.
    ///   - alpha: an end point's significance level.
    ///   - workers: threads (the result does not depend on it).
    public func transitions(from: String, to: String, level: String, fromLevel: String? = nil, party: String,
                            weights: WeightsSpec = .contiguity(.queen), permutations: Int = 0, seed: UInt64 = 12345,
                            alpha: Double = 0.05, workers: Int = Parallel.defaultWorkerCount) throws -> TransitionsResult {
        let (early, late) = (try election(named: from), try election(named: to))
        guard early != late else { throw GeoVoteError.invalidArgument("transitions need two elections; both name \(early)") }
        let swing = try self.swing(from: early, to: late, level: level, fromLevel: fromLevel)
        let table = swing.table
        guard let c0 = table.column(named: "s0_\(party)"), let c1 = table.column(named: "s1_\(party)") else {
            let parties = table.columns.compactMap { $0.name.hasPrefix("s1_") ? String($0.name.dropFirst(3)) : nil }
            throw GeoVoteError.invalidArgument("\(path): '\(party)' is not a party of \(early) or \(late); parties: \(parties.joined(separator: ", "))")
        }
        let s0 = (0..<table.count).map { c0.values.number($0) }, s1 = (0..<table.count).map { c1.values.number($0) }
        let subset = DefinedSubset(reasons: (0..<table.count).map { s0[$0] == nil || s1[$0] == nil ? "no share of valid votes in one of the elections" : nil })
        let (w, _) = try weights.build(table, file: "\(path):\(late)", workers: workers)
        let permutation = permutations > 0 ? try ConditionalPermutation(permutations: permutations, seed: seed) : nil
        let t = try LISATransitions.run(first: subset.kept.map { s0[$0]! }, second: subset.kept.map { s1[$0]! }, weights: subset.restrict(w),
                                        permutation: permutation, alpha: alpha, workers: workers)
        // Back in the later units' order; units without both shares get nothing.
        func spread(_ v: [Int]) -> [Int64?] {
            var out = [Int64?](repeating: nil, count: table.count)
            for (k, i) in subset.kept.enumerated() where v[k] > 0 { out[i] = Int64(v[k]) }
            return out
        }
        func spreadText(_ f: (Int) -> String) -> [String?] {
            var out = [String?](repeating: nil, count: table.count)
            for (k, i) in subset.kept.enumerated() { let s = f(k); out[i] = s.isEmpty ? nil : s }
            return out
        }
        var columns = [table.column(named: "unit")!, c0, c1,
                       Column(name: "q_from", values: .integer(spread(t.from))), Column(name: "q_to", values: .integer(spread(t.to))),
                       Column(name: "from", values: .text(spreadText { t.from[$0] > 0 ? LISATransitions.labels[t.from[$0] - 1] : "" })),
                       Column(name: "to", values: .text(spreadText { t.to[$0] > 0 ? LISATransitions.labels[t.to[$0] - 1] : "" })),
                       Column(name: "transition", values: .text(spreadText { t.transition($0) })),
                       Column(name: "move_type", values: .integer(spread(t.moveTypes)))]
        if let p1 = t.pFrom, let p2 = t.pTo, let moves = t.significantMoves {
            columns.append(Column(name: "p_from", values: .real(subset.expand(p1).map { $0.isFinite ? $0 : nil })))
            columns.append(Column(name: "p_to", values: .real(subset.expand(p2).map { $0.isFinite ? $0 : nil })))
            columns.append(Column(name: "significant_move", values: .integer(spread(moves))))
        }
        var notes = swing.notes
        if let left = subset.leftOutSummary() { notes.append("\(party): \(left)") }
        return TransitionsResult(table: FeatureTable(geometries: table.geometries, columns: columns, crs: table.crs, sourceEncoding: .utf8),
                                 transitions: t, from: early, to: late, party: party, interpolated: swing.interpolated, notes: notes)
    }
}
