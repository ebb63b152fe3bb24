import Foundation

/// What became of a stronghold zone from one election to the next.
public enum StrongholdStatus: String, Sendable, Hashable, CaseIterable, Codable {
    /// A later zone that overlaps an earlier zone of the same type.
    case kept
    /// A later zone that overlaps none.
    case gained
    /// An earlier zone that no later zone of the same type overlaps.
    case lost
}

/// One row of ``StrongholdChanges``: a later zone (kept or gained) with the
/// earlier zones it overlaps, or an earlier zone that was lost.
public struct StrongholdChange: Sendable {
    public var status: StrongholdStatus
    public var type: ZoneType
    /// Indices into ``StrongholdChanges/earlier``'s zones (the lost zone; the
    /// zones a kept zone overlaps, largest overlap first; none when gained).
    public var earlier: [Int]
    /// Index into ``StrongholdChanges/later``'s zones (nil when lost).
    public var later: Int?
    /// The overlap's area in km² (geodesic, as the zones' areas).
    public var overlapKm2: Double
}

/// The strongholds of a party kept, gained and lost between two elections.
public struct StrongholdChanges: Sendable {
    /// The two elections' zones, each on its own boundaries.
    public var earlier: ZoneResult, later: ZoneResult
    public var changes: [StrongholdChange]
    /// One row per change, with the later zone's outline (the earlier one's
    /// when lost): `status`, `type`, `zone_from` (earlier zone numbers,
    /// `;`-separated), `zone_to`, `rank_from`, `rank_to`, `units_from`,
    /// `units_to`, `area_from_km2`, `area_to_km2`, `overlap_km2`,
    /// `overlap_from` (share of the earlier zones' area the later zone covers),
    /// `overlap_to` (share of the later zone's area in the earlier zones),
    /// `share_from`, `share_to` (the party's share of valid votes in the zones).
    public var table: FeatureTable
    public var from: String, to: String, party: String
    public var notes: [String]

    /// How many zones of each type and status.
    public func count(_ status: StrongholdStatus, _ type: ZoneType) -> Int {
        changes.count { $0.status == status && $0.type == type }
    }

    /// Matches the zones of two elections by overlap: a later and an earlier
    /// zone of the same type match when their intersection covers at least
    /// `minimumOverlap` of the smaller one's area. Later zones that match are
    /// kept, the others gained; earlier zones that match none are lost.
    /// Areas are geodesic (``GeodesicArea``), so the rule is the same in any CRS.
    public static func match(earlier: ZoneResult, later: ZoneResult, minimumOverlap: Double = 0.05,
                             workers: Int = Parallel.defaultWorkerCount) throws -> [StrongholdChange] {
        guard minimumOverlap > 0, minimumOverlap <= 1 else {
            throw GeoVoteError.invalidArgument("the minimum overlap is \(minimumOverlap): give a share of the smaller zone's area, above 0 and at most 1")
        }
        let (a, b) = (earlier.zones, later.zones)
        // Candidate pairs: the same type and overlapping envelopes.
        var pairs: [(Int, Int)] = []
        let boxesA = a.map(\.geometry.boundingBox), boxesB = b.map(\.geometry.boundingBox)
        for j in b.indices {
            guard let bb = boxesB[j] else { continue }
            for i in a.indices where a[i].type == b[j].type {
                guard let ba = boxesA[i], ba.minX <= bb.maxX, bb.minX <= ba.maxX, ba.minY <= bb.maxY, bb.minY <= ba.maxY else { continue }
                pairs.append((i, j))
            }
        }
        let candidates = pairs
        let overlaps = try GeometryEngine.map(count: candidates.count, grain: 4, workers: workers) { engine, k in
            try engine.intersection(a[candidates[k].0].geometry, b[candidates[k].1].geometry)
        }
        let overlapAreas = try GeodesicArea.squareMeters(overlaps, crs: later.crs, workers: workers).map { $0 / 1e6 }
        var matchesOfLater = [[(Int, Double)]](repeating: [], count: b.count)
        var matched = [Bool](repeating: false, count: a.count)
        for (k, (i, j)) in candidates.enumerated() where overlapAreas[k] > 0 {
            let smaller = min(a[i].areaKm2, b[j].areaKm2)
            if smaller > 0, overlapAreas[k] >= minimumOverlap * smaller {
                matchesOfLater[j].append((i, overlapAreas[k]))
                matched[i] = true
            }
        }
        var changes: [StrongholdChange] = []
        for j in b.indices {
            let found = matchesOfLater[j].sorted { ($0.1, -$0.0) > ($1.1, -$1.0) }
            changes.append(StrongholdChange(status: found.isEmpty ? .gained : .kept, type: b[j].type, earlier: found.map(\.0), later: j,
                                            overlapKm2: found.reduce(0) { $0 + $1.1 }))
        }
        for i in a.indices where !matched[i] {
            changes.append(StrongholdChange(status: .lost, type: a[i].type, earlier: [i], later: nil, overlapKm2: 0))
        }
        return changes
    }
}

extension ElectionDatabase {
    /// The strongholds of `party` kept, gained and lost from election `from`
    /// to `to`: each election's stronghold zones on its own boundaries
    /// (``StrongholdZones/run(_:file:variables:options:idField:relativeTo:workers:)``
    /// on the share of valid votes, as `geovote zones`), matched by overlap
    /// (``StrongholdChanges/match(earlier:later:minimumOverlap:workers:)``).
    /// Boundaries may differ between the elections; they must share a CRS.
    public func strongholdChanges(from: String, to: String, level: String, fromLevel: String? = nil, party: String,
                                  options: ZoneOptions = ZoneOptions(), minimumOverlap: Double = 0.05,
                                  workers: Int = Parallel.defaultWorkerCount) throws -> StrongholdChanges {
        let (early, late) = (try election(named: from), try election(named: to))
        guard early != late else { throw GeoVoteError.invalidArgument("\(path): the two elections are both \(early): give two different ones") }
        let earlyLevel = try self.level(early, fromLevel ?? level), lateLevel = try self.level(late, level)
        for record in [earlyLevel, lateLevel] where !record.parties.contains(party) {
            throw GeoVoteError.invalidArgument("\(path): '\(party)' is not a party of \(record.election); its parties: \(record.parties.joined(separator: ", "))")
        }
        let earlyLayer = try layer(election: early, level: earlyLevel.level), lateLayer = try layer(election: late, level: lateLevel.level)
        if let a = earlyLayer.crs, let b = lateLayer.crs, a != b {
            throw GeoVoteError.invalidArgument("\(path): \(earlyLevel.layer) is in \(a) and \(lateLevel.layer) in \(b): matching zones needs one CRS")
        }
        let share = [VariableSpec(parsing: "\(party)/valid")]
        let before = try StrongholdZones.run(earlyLayer, file: "\(path):\(earlyLevel.layer)", variables: share, options: options,
                                             idField: earlyLevel.unitKey, workers: workers)
        let after = try StrongholdZones.run(lateLayer, file: "\(path):\(lateLevel.layer)", variables: share, options: options,
                                            idField: lateLevel.unitKey, workers: workers)
        let changes = try StrongholdChanges.match(earlier: before, later: after, minimumOverlap: minimumOverlap, workers: workers)
        let table = Self.changesTable(changes, earlier: before, later: after)
        return StrongholdChanges(earlier: before, later: after, changes: changes, table: table, from: early, to: late, party: party,
                                 notes: before.notes.map { "\(early): \($0)" } + after.notes.map { "\(late): \($0)" })
    }

    static func changesTable(_ changes: [StrongholdChange], earlier: ZoneResult, later: ZoneResult) -> FeatureTable {
        let (a, b) = (earlier.zones, later.zones)
        func sum(_ indices: [Int], _ value: (StrongholdZone) -> Double) -> Double { indices.reduce(0) { $0 + value(a[$1]) } }
        // The party's share of valid votes over several zones: their summed votes over their summed valid votes.
        func share(_ zones: [StrongholdZone]) -> Double? {
            guard zones.count > 1 else { return zones.first?.share }
            var votes = 0.0, valid = 0.0
            for zone in zones {
                guard let s = zone.share, let v = zone.totals.first(where: { $0.name == "valid" })?.value else { return nil }
                votes += s * v
                valid += v
            }
            return valid > 0 ? votes / valid : nil
        }
        let geometries = changes.map { c in c.later.map { b[$0].geometry } ?? a[c.earlier[0]].geometry }
        let areaFrom = changes.map { c in c.earlier.isEmpty ? nil : sum(c.earlier) { $0.areaKm2 } }
        let areaTo = changes.map { c in c.later.map { b[$0].areaKm2 } }
        let columns = [
            Column(name: "status", values: .text(changes.map(\.status.rawValue))),
            Column(name: "type", values: .text(changes.map(\.type.rawValue))),
            Column(name: "zone_from", values: .text(changes.map { c in c.earlier.isEmpty ? nil : c.earlier.map { String(a[$0].zone) }.joined(separator: ";") })),
            Column(name: "zone_to", values: .integer(changes.map { c in c.later.map { Int64(b[$0].zone) } })),
            Column(name: "rank_from", values: .integer(changes.map { c in c.earlier.first.map { Int64(a[$0].rank) } })),
            Column(name: "rank_to", values: .integer(changes.map { c in c.later.map { Int64(b[$0].rank) } })),
            Column(name: "units_from", values: .integer(changes.map { c in c.earlier.isEmpty ? nil : Int64(sum(c.earlier) { Double($0.members.count) }) })),
            Column(name: "units_to", values: .integer(changes.map { c in c.later.map { Int64(b[$0].members.count) } })),
            Column(name: "area_from_km2", values: .real(areaFrom)),
            Column(name: "area_to_km2", values: .real(areaTo)),
            Column(name: "overlap_km2", values: .real(changes.map { $0.status == .lost ? 0 : $0.overlapKm2 })),
            Column(name: "overlap_from", values: .real(changes.indices.map { k in
                changes[k].status == .kept ? areaFrom[k].flatMap { $0 > 0 ? changes[k].overlapKm2 / $0 : nil } : changes[k].status == .lost ? 0 : nil })),
            Column(name: "overlap_to", values: .real(changes.indices.map { k in
                changes[k].status == .lost ? nil : areaTo[k].flatMap { $0 > 0 ? changes[k].overlapKm2 / $0 : nil } })),
            Column(name: "share_from", values: .real(changes.map { c in c.earlier.isEmpty ? nil : share(c.earlier.map { a[$0] }) })),
            Column(name: "share_to", values: .real(changes.map { c in c.later.flatMap { b[$0].share } })),
        ]
        return FeatureTable(geometries: geometries, columns: columns, crs: later.crs, sourceEncoding: .utf8)
    }
}
