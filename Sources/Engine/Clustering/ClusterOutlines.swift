/// Zones from density clusters: each DBSCAN or HDBSCAN cluster's outline
/// (GEOS's concave hull, or the convex hull) with the vote totals of its
/// members — the stations' counterpart of ``StrongholdZones``.
///
/// The outline is the hull of the members' points (a polygon layer's
/// vertices). Hulls of interleaved clusters may overlap, and a station of
/// one cluster may lie inside another's hull: a hull draws where a cluster
/// is, it does not partition the map. A cluster whose points are fewer than
/// three distinct or collinear has no area: its outline is empty (a note
/// says which).
public enum ClusterOutlines {
    public enum Hull: String, Sendable, Hashable, CaseIterable {
        case concave, convex
    }

    /// GEOS's concave-hull ratio GeoVote uses unless told: 0.3 (1 is the
    /// convex hull, 0 the tightest; shapely's default 0 is very jagged).
    public static let defaultRatio = 0.3

    /// One cluster's outline and totals.
    public struct Outline: Sendable {
        public var cluster: Int
        public var members: [Int]
        public var codes: [String]
        public var geometry: Geometry
        /// On the WGS 84 ellipsoid (planar units² / 10⁶ without a CRS).
        public var areaKm2: Double
        public var totals: [(name: String, value: Double?)]
        /// The party with the most votes in the cluster, and its share of the valid ballots.
        public var winner: String?
        public var winnerShare: Double?
    }

    public struct Result: Sendable {
        public var outlines: [Outline]
        public var countFields: [String]
        public var crs: CoordinateReferenceSystem?
        public var notes: [String]

        /// One row per cluster: `cluster`, `units`, `codes`, `area_km2`, the
        /// summed counts under their names, `winner`, `winner_share`.
        public func table() -> FeatureTable {
            var columns: [Column] = [
                Column(name: "cluster", values: .integer(outlines.map { Int64($0.cluster) })),
                Column(name: "units", values: .integer(outlines.map { Int64($0.members.count) })),
                Column(name: "codes", values: .text(outlines.map { $0.codes.joined(separator: ";") })),
                Column(name: "area_km2", values: .real(outlines.map(\.areaKm2))),
            ]
            for (f, name) in countFields.enumerated() {
                let values = outlines.map { $0.totals[f].value }
                let integral = values.allSatisfy { v in v.map { $0 == $0.rounded() && abs($0) < 9e15 } ?? true }
                columns.append(Column(name: name, values: integral ? .integer(values.map { $0.map { Int64($0) } }) : .real(values)))
            }
            columns.append(Column(name: "winner", values: .text(outlines.map(\.winner))))
            columns.append(Column(name: "winner_share", values: .real(outlines.map(\.winnerShare))))
            return FeatureTable(geometries: outlines.map(\.geometry), columns: columns, crs: crs, sourceEncoding: .utf8)
        }
    }

    /// The outlines of every cluster of `result` (noise has none).
    /// - Parameters:
    ///   - table: the clustered layer.
    ///   - file: its path, named in errors.
    ///   - result: its clustering.
    ///   - hull: concave (default) or convex.
    ///   - ratio: the concave hull's ratio in [0, 1].
    ///   - idField: the field listed in `codes` (nil: the feature index).
    ///   - workers: threads (the result does not depend on it).
    public static func make(_ table: FeatureTable, file: String, result: ClusterResult, hull: Hull = .concave, ratio: Double = defaultRatio,
                            idField: String? = nil, workers: Int = Parallel.defaultWorkerCount) throws -> Result {
        precondition(result.labels.count == table.count)
        guard ratio.isFinite, ratio >= 0, ratio <= 1 else { throw GeoVoteError.invalidArgument("the concave hull's ratio is between 0 and 1, not \(ratio)") }
        if let idField, table.column(named: idField) == nil {
            throw GeoVoteError.malformed(DataLocation(file: file, field: idField), reason: "is not a field of the layer; fields: \(table.columns.map(\.name).joined(separator: ", "))")
        }
        let ids: [String] = idField.flatMap { table.column(named: $0) }.map { c in (0..<table.count).map { c.values.displayValue($0) } }
            ?? (0..<table.count).map(String.init)
        var members = [[Int]](repeating: [], count: result.clusterCount)
        for (i, l) in result.labels.enumerated() where l >= 0 { members[l].append(i) }
        let groups = members
        let hulls = try GeometryEngine.map(count: groups.count, grain: 1, workers: workers) { engine, k -> Geometry in
            var points: [Point] = []
            for i in groups[k] {
                let g = table.geometries[i]
                for v in 0..<g.coordinateCount { points.append(Point(x: g.x[v], y: g.y[v])) }
            }
            let shape = try engine.hull(.multiPoint(points), concaveRatio: hull == .concave ? ratio : nil)
            return shape.kind.isPolygonal ? shape : .empty(.polygon)
        }
        var notes: [String] = []
        let flat = hulls.indices.filter { hulls[$0].isEmpty }
        if !flat.isEmpty {
            notes.append("cluster\(flat.count == 1 ? "" : "s") \(flat.prefix(8).map(String.init).joined(separator: ", "))\(flat.count > 8 ? ", …" : ""): fewer than 3 distinct points, or collinear — no outline")
        }
        let areas = try GeodesicArea.squareMeters(hulls, crs: table.crs, workers: workers)
        let counts = try CountFields(layerCounts: table, file: file)
        notes += counts.notes
        let outlines = groups.enumerated().map { k, group -> Outline in
            let totals = counts.totals(of: group)
            let parties = totals.filter { counts.parties.contains($0.name) }
            let best = parties.max { ($0.value ?? -1) < ($1.value ?? -1) }
            let valid = totals.first { $0.name.lowercased() == "valid" }?.value
            return Outline(cluster: k, members: group, codes: group.map { ids[$0] }, geometry: hulls[k], areaKm2: areas[k] / 1e6, totals: totals,
                           winner: best?.value == nil ? nil : best?.name,
                           winnerShare: best?.value.flatMap { v in valid.flatMap { $0 > 0 ? v / $0 : nil } })
        }
        return Result(outlines: outlines, countFields: counts.names, crs: table.crs, notes: notes)
    }
}

extension CountFields {
    /// The counts of a results layer without a chosen share: `registered`,
    /// `voters`, `valid` and the party fields after `valid`, those it has.
    init(layerCounts table: FeatureTable, file: String) throws {
        self.init()
        for name in ["registered", "voters", "valid"] { try add(table, name, required: false, file: file) }
        if table.column(named: "valid") != nil, let specs = try? VariableSpec.list("all/valid", in: table, file: file) {
            parties = specs.map(\.numerator)
            for name in parties { try add(table, name, required: false, file: file) }
        }
    }
}
