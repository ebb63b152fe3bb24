internal import CProj

/// Areas on the WGS 84 ellipsoid (Karney 2013, PROJ's `geod_polygonarea`):
/// what a zone's `area_km2` is, whatever the layer's projection.
public enum GeodesicArea {
    /// WGS 84 semi-major axis and flattening.
    static let a = 6_378_137.0, f = 1 / 298.257223563

    /// The area in square metres of a polygon or multipolygon whose x are
    /// longitudes and y latitudes (degrees): exterior rings minus holes.
    public static func squareMeters(longitudeLatitude g: Geometry) -> Double {
        guard g.kind.isPolygonal else { return 0 }
        var geod = geod_geodesic()
        geod_init(&geod, a, f)
        var total = 0.0
        for part in 0..<g.partCount {
            for ring in Int(g.partOffsets[part])..<Int(g.partOffsets[part + 1]) {
                let start = Int(g.ringOffsets[ring]), end = Int(g.ringOffsets[ring + 1])
                // The closing vertex repeats the first: leave it out.
                let count = end - start > 1 && g.x[start] == g.x[end - 1] && g.y[start] == g.y[end - 1] ? end - start - 1 : end - start
                guard count >= 3 else { continue }
                var lats = (start..<start + count).map { g.y[$0] }
                var lons = (start..<start + count).map { g.x[$0] }
                var area = 0.0
                geod_polygonarea(&geod, &lats, &lons, Int32(count), &area, nil)
                total += ring == Int(g.partOffsets[part]) ? abs(area) : -abs(area)
            }
        }
        return total
    }

    /// The ellipsoidal areas of geometries in `crs`, in square metres (one
    /// PROJ transformation for all of them); nil CRS: planar areas in the
    /// geometries' own units squared, by GEOS.
    public static func squareMeters(_ geometries: [Geometry], crs: CoordinateReferenceSystem?, workers: Int = Parallel.defaultWorkerCount) throws -> [Double] {
        guard let crs else { return try GeometryEngine.map(geometries, workers: workers) { engine, g in try engine.area(g) } }
        if crs.isGeographic { return Parallel.map(count: geometries.count, grain: 64, workers: workers) { squareMeters(longitudeLatitude: geometries[$0]) } }
        var x = geometries.flatMap(\.x), y = geometries.flatMap(\.y)
        try CoordinateTransformer(from: crs, to: .wgs84).transform(x: &x, y: &y, workers: workers)
        var starts = [0]
        for g in geometries { starts.append(starts.last! + g.coordinateCount) }
        let (lons, lats, offsets) = (x, y, starts)
        return Parallel.map(count: geometries.count, grain: 64, workers: workers) { k in
            let g = geometries[k], range = offsets[k]..<offsets[k + 1]
            return squareMeters(longitudeLatitude: Geometry(kind: g.kind, x: ContiguousArray(lons[range]), y: ContiguousArray(lats[range]),
                                                            ringOffsets: g.ringOffsets, partOffsets: g.partOffsets))
        }
    }
}
