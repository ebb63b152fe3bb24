/// The planar points that clustering works on: a point layer's points, or a
/// polygon layer's centroids (GEOS), with the file they came from for errors.
///
/// Distances are in CRS units: a layer in longitude/latitude is refused with
/// a proposed projection (``GeoVoteError/geographicCRS(file:crs:proposed:)``),
/// as distance weights are; NaN or infinite coordinates are refused with
/// their record.
public struct ClusterPoints: Sendable {
    public let x: [Double]
    public let y: [Double]
    /// The file named in errors.
    public let file: String?
    /// The field the weights came from, named in errors.
    public var weightField: String?

    public var count: Int { x.count }

    /// Points given directly (planar coordinates).
    public init(x: [Double], y: [Double], file: String? = nil) throws {
        let checked = try WeightsPoints(x: x, y: y, geodesic: false, file: file)
        self.x = checked.x
        self.y = checked.y
        self.file = file
    }

    /// The points of a layer, after checking its CRS is projected.
    public init(table: FeatureTable, file: String? = nil) throws {
        let points = try WeightsPoints(table: table, geodesic: false, file: file)
        x = points.x
        y = points.y
        self.file = file
    }
}
