import Foundation

/// The points that distance-based weights are built on: the features
/// themselves for point layers, polygon centroids (GEOS) otherwise — as
/// libpysal's `from_dataframe` does.
///
/// Distances are in CRS units. On a geographic CRS they are refused unless
/// `geodesic` is set, in which case points are placed on a sphere of radius
/// 6,371,000 m and distances are great-circle metres (libpysal's arc
/// distance with its 6371 km radius; spdep `longlat = TRUE`).
public struct WeightsPoints: Sendable {
    public let x: [Double]
    public let y: [Double]
    public let geodesic: Bool
    public static let earthRadiusMeters = 6_371_000.0

    public init(x: [Double], y: [Double], geodesic: Bool = false, file: String? = nil) throws {
        precondition(x.count == y.count)
        for i in x.indices where !x[i].isFinite || !y[i].isFinite {
            throw GeoVoteError.malformed(DataLocation(file: file, record: i, value: "(\(x[i]), \(y[i]))"), reason: "is not a finite coordinate")
        }
        if geodesic {
            for i in x.indices where abs(y[i]) > 90 || abs(x[i]) > 360 {
                throw GeoVoteError.malformed(DataLocation(file: file, record: i, value: "(\(x[i]), \(y[i]))"),
                                             reason: "is not a longitude/latitude: great-circle distances need a geographic CRS")
            }
        }
        self.x = x
        self.y = y
        self.geodesic = geodesic
    }

    /// The points of a layer, after checking that its CRS suits distances.
    public init(table: FeatureTable, geodesic: Bool = false, file: String? = nil) throws {
        try Self.checkCRS(table, geodesic: geodesic, file: file)
        var xs = [Double](repeating: .nan, count: table.count), ys = xs
        let points = try GeometryEngine.map(table.geometries, file: file) { geos, g -> Point? in
            if g.kind == .point, !g.isEmpty { return Point(x: g.x[0], y: g.y[0]) }
            return try geos.centroid(g)
        }
        for (i, p) in points.enumerated() {
            guard let p else {
                throw GeoVoteError.malformed(DataLocation(file: file, record: i), reason: "has an empty geometry: no point to measure distances from")
            }
            xs[i] = p.x
            ys[i] = p.y
        }
        try self.init(x: xs, y: ys, geodesic: geodesic, file: file)
    }

    static func checkCRS(_ table: FeatureTable, geodesic: Bool, file: String? = nil) throws {
        guard let crs = table.crs else { return }  // planar in its own units
        if crs.isGeographic && !geodesic {
            let proposed = table.boundingBox.flatMap { try? CoordinateReferenceSystem.suggestProjected(forLongitudeLatitude: $0) }
            throw GeoVoteError.geographicCRS(file: file, crs: crs.description, proposed: proposed.map { $0.identifier ?? $0.description })
        }
        if !crs.isGeographic && geodesic {
            throw GeoVoteError.unsupported("great-circle distances need longitude/latitude, but the layer's CRS \(crs) is projected (distances are already in \(crs.unitName))")
        }
    }

    public var count: Int { x.count }

    /// The k-d tree: planar (x, y), or unit-sphere 3-D points for geodesic.
    func tree() -> KDTree {
        if !geodesic { return KDTree(x: x, y: y) }
        var flat = [Double]()
        flat.reserveCapacity(3 * count)
        for i in 0..<count {
            let lon = x[i] * .pi / 180, lat = y[i] * .pi / 180
            flat.append(cos(lat) * cos(lon))
            flat.append(cos(lat) * sin(lon))
            flat.append(sin(lat))
        }
        return KDTree(coordinates: flat, dimensions: 3)
    }

    /// Distance (CRS units or metres) from a tree's squared distance.
    @inline(__always)
    func distance(fromSquared d2: Double) -> Double {
        if !geodesic { return d2.squareRoot() }
        let chord = d2.squareRoot()
        return 2 * Self.earthRadiusMeters * asin(min(1, chord / 2))
    }

    /// The tree radius (squared space) that holds every point within `distance`.
    func treeRadius(for distance: Double) -> Double {
        if !geodesic { return distance }
        let angle = min(distance / Self.earthRadiusMeters, .pi)
        return 2 * sin(angle / 2) * (1 + 1e-12)
    }
}
