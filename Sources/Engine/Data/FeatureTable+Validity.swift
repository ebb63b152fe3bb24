/// One invalid geometry: its record and GEOS's reason with the location.
public struct InvalidGeometry: Sendable, Equatable {
    public var record: Int
    public var reason: String

    public init(record: Int, reason: String) {
        self.record = record
        self.reason = reason
    }
}

extension FeatureTable {
    /// The polygonal and linear geometries that GEOS finds invalid
    /// (self-intersections, unclosed or too-short rings, …), in record
    /// order; checked in parallel.
    public func invalidGeometries(file: String? = nil) throws -> [InvalidGeometry] {
        let reasons = try GeometryEngine.map(geometries, file: file) { engine, g -> String? in
            g.isEmpty || g.kind.isPuntal ? nil : try engine.validityReason(g)
        }
        return reasons.enumerated().compactMap { i, r in r.map { InvalidGeometry(record: i, reason: $0) } }
    }

    /// The same table with every invalid geometry replaced by GEOS
    /// `MakeValid` (structure method; a polygon stays polygonal, so a bow tie
    /// becomes a multipolygon of two triangles). Returns the repaired records.
    public func repaired(file: String? = nil) throws -> (table: FeatureTable, repaired: [InvalidGeometry]) {
        let invalid = try invalidGeometries(file: file)
        guard !invalid.isEmpty else { return (self, []) }
        let engine = try GeometryEngine()
        var out = self
        for item in invalid {
            out.geometries[item.record] = try engine.makeValid(geometries[item.record])
        }
        return (out, invalid)
    }
}
