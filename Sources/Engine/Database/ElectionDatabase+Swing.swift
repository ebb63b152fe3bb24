import Foundation

/// The change between two elections at each unit of the later one.
public struct SwingResult: Sendable {
    /// The later election's units (geometry and code, `unit`) with, per
    /// party P, `s0_P` and `s1_P` (share of valid votes in the earlier and
    /// later election), `d_P` = s1 − s0; `turnout0`, `turnout1`
    /// (voters / registered), `d_turnout`; `pedersen` = ½ Σ |d_P| over every
    /// party of either election (a party absent from one has share 0 there);
    /// `interp`, the share of the unit's earlier valid votes carried by areal
    /// interpolation (0 where the unit's boundary did not change). Shares are
    /// fractions (0.1 = 10 %); missing where a denominator is 0 or unknown.
    public var table: FeatureTable
    /// Units matched by code with an identical boundary; units interpolated.
    public var matched: Int
    public var interpolated: Int
    /// Earlier valid votes inside the later boundaries, carried / present (1 when conserved).
    public var conservation: Double
    public var notes: [String]
}

extension ElectionDatabase {
    /// Swing from election `from` to election `to` at `level` (or, when
    /// the earlier election's boundaries are another level, `fromLevel`).
    ///
    /// A later unit whose code and boundary (vertex for vertex) are the
    /// earlier election's takes that unit's counts. Every other later unit
    /// takes, from every other earlier unit it overlaps, the earlier counts
    /// times the share of the earlier unit's area inside it (area-weighted
    /// areal interpolation of counts, extensive, as tobler's
    /// `area_interpolate`; intersection areas by GEOS). Shares are computed
    /// from the carried counts, never averaged.
    /// - Parameters:
    ///   - from: the earlier election.
    ///   - to: the later election.
    ///   - level: the later election's level, whose units the result has.
    ///   - fromLevel: the earlier election's level (default: `level`).
    public func swing(from: String, to: String, level: String, fromLevel: String? = nil) throws -> SwingResult {
        let early = try self.level(from, fromLevel ?? level), late = try self.level(to, level)
        let earlyLayer = try GeoPackage.read(path, layer: early.layer), lateLayer = try GeoPackage.read(path, layer: late.layer)
        if let a = earlyLayer.crs, let b = lateLayer.crs, a != b {
            throw GeoVoteError.invalidArgument("\(path): \(early.layer) is in \(a) and \(late.layer) in \(b): swing needs one CRS")
        }
        let earlyResults = try results(election: from, level: early.level), lateResults = try results(election: to, level: late.level)
        let parties = late.parties + early.parties.filter { !late.parties.contains($0) }
        // Counts per unit of each election, in layer order: registered, voters, valid, then parties.
        func counts(_ layer: FeatureTable, _ key: String, _ results: AttributeTable) -> [[Double?]] {
            var row: [String: Int] = [:]
            let unit = results.column(named: "unit")!
            for i in 0..<results.count { row[unit.values.displayValue(i)] = i }
            let keys = layer.column(named: key)
            let names = ["registered", "voters", "valid"] + parties
            let columns = names.map { results.column(named: $0) }
            return (0..<layer.count).map { i in
                guard let code = keys?.keyText(i), let r = row[code] else { return [Double?](repeating: nil, count: names.count) }
                return columns.map { c in c.map { $0.values.number(r) } ?? 0 }
            }
        }
        let before = counts(earlyLayer, early.unitKey, earlyResults), after = counts(lateLayer, late.unitKey, lateResults)
        let earlyKey = earlyLayer.column(named: early.unitKey), lateKey = lateLayer.column(named: late.unitKey)
        var earlyIndex: [String: Int] = [:]
        for i in 0..<earlyLayer.count { if let k = earlyKey?.keyText(i) { earlyIndex[k] = i } }
        var same = [Int?](repeating: nil, count: lateLayer.count)
        var taken = Set<Int>()
        for j in 0..<lateLayer.count {
            guard let k = lateKey?.keyText(j), let i = earlyIndex[k] else { continue }
            if earlyLayer.geometries[i] == lateLayer.geometries[j] { same[j] = i; taken.insert(i) }
        }
        // Areal weights between the changed units: (earlier unit, fraction of its area).
        let freeEarly = (0..<earlyLayer.count).filter { !taken.contains($0) && earlyLayer.geometries[$0].kind.isPolygonal }
        let changed = (0..<lateLayer.count).filter { same[$0] == nil }
        let weights = try Self.arealWeights(targets: changed.map { lateLayer.geometries[$0] }, sources: freeEarly.map { earlyLayer.geometries[$0] },
                                            file: "\(path):\(early.layer)")
        let width = 3 + parties.count
        var carried = [[Double?]](repeating: [Double?](repeating: 0, count: width), count: lateLayer.count)
        var interpolatedShare = [Double?](repeating: 0, count: lateLayer.count)
        for (j, i) in same.enumerated() { if let i { carried[j] = before[i] } }
        for (t, j) in changed.enumerated() {
            var sum = [Double?](repeating: 0, count: width)
            var split = 0.0
            for (s, fraction) in weights[t] {
                let source = before[freeEarly[s]]
                for k in 0..<width { sum[k] = sum[k].flatMap { a in source[k].map { a + $0 * fraction } } }
                if fraction < 1 - 1e-9, let v = source[2] { split += v * fraction }
            }
            carried[j] = sum
            interpolatedShare[j] = sum[2].map { $0 > 0 ? split / $0 : 0 }
        }
        func share(_ x: Double?, _ d: Double?) -> Double? {
            guard let x, let d, d > 0 else { return nil }
            return x / d
        }
        var columns = [Column(name: "unit", values: .text((0..<lateLayer.count).map { lateKey?.keyText($0) }))]
        let t0 = carried.map { share($0[1], $0[0]) }, t1 = after.map { share($0[1], $0[0]) }
        columns.append(Column(name: "turnout0", values: .real(t0)))
        columns.append(Column(name: "turnout1", values: .real(t1)))
        columns.append(Column(name: "d_turnout", values: .real(zip(t0, t1).map { a, b in a.flatMap { a in b.map { $0 - a } } })))
        var pedersen = [Double?](repeating: 0, count: lateLayer.count)
        for (p, party) in parties.enumerated() {
            let s0 = carried.map { share($0[3 + p], $0[2]) }, s1 = after.map { share($0[3 + p], $0[2]) }
            let d = zip(s0, s1).map { a, b in a.flatMap { a in b.map { $0 - a } } }
            for j in 0..<lateLayer.count { pedersen[j] = pedersen[j].flatMap { acc in d[j].map { acc + abs($0) / 2 } } }
            columns.append(Column(name: "s0_\(party)", values: .real(s0)))
            columns.append(Column(name: "s1_\(party)", values: .real(s1)))
            columns.append(Column(name: "d_\(party)", values: .real(d)))
        }
        columns.append(Column(name: "pedersen", values: .real(pedersen)))
        columns.append(Column(name: "interp", values: .real(interpolatedShare)))
        // Conservation: the earlier valid votes carried against those of the earlier units.
        let present = before.compactMap { $0[2] }.reduce(0, +)
        let moved = carried.compactMap { $0[2] }.reduce(0, +)
        var notes: [String] = []
        let unmatchedLate = weights.count { $0.isEmpty }
        if unmatchedLate > 0 { notes.append("\(unmatchedLate) units of \(to) overlap no unit of \(from): their earlier counts are 0") }
        if !changed.isEmpty {
            notes.append("\(changed.count) units of \(to) have boundaries \(from) does not have: earlier counts carried by areal interpolation (column interp)")
        }
        let table = FeatureTable(geometries: lateLayer.geometries, columns: columns, crs: lateLayer.crs, sourceEncoding: .utf8)
        return SwingResult(table: table, matched: same.count { $0 != nil }, interpolated: changed.count,
                           conservation: present > 0 ? moved / present : 1, notes: notes)
    }

    /// For each target polygon, the source polygons it overlaps with the
    /// fraction of each source's area inside it (GEOS intersection areas),
    /// sources in index order. Candidates from a grid of the sources' boxes.
    static func arealWeights(targets: [Geometry], sources: [Geometry], file: String) throws -> [[(Int, Double)]] {
        guard !targets.isEmpty, !sources.isEmpty else { return [[(Int, Double)]](repeating: [], count: targets.count) }
        let boxes = sources.map(\.boundingBox)
        let areas = try GeometryEngine.map(sources, file: file) { engine, g in try engine.area(g) }
        guard let grid = BoxGrid(boxes) else { return [[(Int, Double)]](repeating: [], count: targets.count) }
        return try GeometryEngine.map(count: targets.count, grain: 16, file: file) { engine, t -> [(Int, Double)] in
            guard let box = targets[t].boundingBox else { return [] }
            var out: [(Int, Double)] = []
            for i in grid.candidates(meeting: box) {
                let s = Int(i)
                guard let b = boxes[s], b.minX <= box.maxX, b.maxX >= box.minX, b.minY <= box.maxY, b.maxY >= box.minY, areas[s] > 0 else { continue }
                let overlap = try engine.area(try engine.intersection(targets[t], sources[s]))
                if overlap > 0 { out.append((s, overlap / areas[s])) }
            }
            return out
        }
    }
}
