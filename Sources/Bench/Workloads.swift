import Engine
import Foundation

struct WorkloadContext {
    let size: Int
    let cacheDirectory: String

    /// A cached polygon grid of `size` cells with election-like attributes,
    /// written by GeoVote (until `geovote synth` exists): square cells of
    /// 1 km in UTM 29N, 8 vertices each, with codes and vote counts.
    func gridShapefile() throws -> String {
        let path = "\(cacheDirectory)/grid-\(size).shp"
        if FileManager.default.fileExists(atPath: path) { return path }
        try FileManager.default.createDirectory(atPath: cacheDirectory, withIntermediateDirectories: true)
        var writer = ShapefileWriter(lastModified: (2021, 9, 8))
        try writer.write(BenchData.grid(size), to: path)
        return path
    }
}

struct Workload: Sendable {
    let name: String
    let summary: String
    /// Items processed per run, for throughput.
    let items: @Sendable (Int) -> Int
    /// Builds inputs (untimed) and returns the timed body.
    let prepare: @Sendable (WorkloadContext) throws -> () throws -> Void
}

enum BenchData {
    /// A square grid of polygons near Casablanca in UTM 29N, with attributes.
    static func grid(_ n: Int) throws -> FeatureTable {
        let side = Int(Double(n).squareRoot().rounded(.up))
        var geometries: [Geometry] = []
        geometries.reserveCapacity(n)
        let x0 = 300_000.0, y0 = 3_700_000.0, cell = 1000.0
        for i in 0..<n {
            let cx = x0 + Double(i % side) * cell, cy = y0 + Double(i / side) * cell
            let ring: [Point] = [
                .init(x: cx, y: cy), .init(x: cx, y: cy + cell / 2), .init(x: cx, y: cy + cell),
                .init(x: cx + cell / 2, y: cy + cell), .init(x: cx + cell, y: cy + cell),
                .init(x: cx + cell, y: cy + cell / 2), .init(x: cx + cell, y: cy),
                .init(x: cx + cell / 2, y: cy), .init(x: cx, y: cy),
            ]
            geometries.append(.polygon([ring]))
        }
        let columns = [
            Column(name: "CODE", values: .text((0..<n).map { String(format: "%06d", $0) })),
            Column(name: "NAME_AR", values: .text((0..<n).map { "جماعة \($0)" })),
            Column(name: "REGISTERED", values: .integer((0..<n).map { Int64(1000 + ($0 * 7919) % 50_000) })),
            Column(name: "VOTES_MP", values: .integer((0..<n).map { Int64(($0 * 104_729) % 700) })),
            Column(name: "SHARE_MP", values: .real((0..<n).map { Double(($0 * 104_729) % 700) / 1000 })),
        ]
        return FeatureTable(geometries: geometries, columns: columns, crs: try CoordinateReferenceSystem(epsg: 32629))
    }
}

enum Workloads {
    static let all: [Workload] = [
        Workload(name: "read-shapefile", summary: "read the polygon grid (.shp/.dbf/.prj) into a FeatureTable", items: { $0 }) { context in
            let path = try context.gridShapefile()
            _ = try ShapefileReader().read(path)  // into the page cache
            return { _ = try ShapefileReader().read(path) }
        },
        Workload(name: "write-shapefile", summary: "write the polygon grid as a shapefile", items: { $0 }) { context in
            let table = try ShapefileReader().read(context.gridShapefile())
            let out = "\(context.cacheDirectory)/written-\(context.size).shp"
            return {
                var writer = ShapefileWriter()
                try writer.write(table, to: out)
            }
        },
        Workload(name: "reproject", summary: "transform --size points from EPSG:4326 to UTM 29N with PROJ", items: { $0 }) { context in
            let n = context.size
            let x0 = (0..<n).map { -9.0 - 3.0 * Double($0 % 10_007) / 10_007 }
            let y0 = (0..<n).map { 30.0 + 5.0 * Double($0 % 9_973) / 9_973 }
            let transformer = try CoordinateTransformer(from: .wgs84, to: CoordinateReferenceSystem(epsg: 32629))
            return {
                var x = x0, y = y0
                try transformer.transform(x: &x, y: &y)
            }
        },
        Workload(name: "validity-area", summary: "GEOS validity check and area of every polygon", items: { $0 }) { context in
            let table = try ShapefileReader().read(context.gridShapefile())
            return {
                _ = try GeometryEngine.map(table.geometries) { geos, g in (try geos.isValid(g), try geos.area(g)) }
            }
        },
        Workload(name: "queen", summary: "queen contiguity (libpysal vertex rule) of the polygon grid", items: { $0 }) { context in
            let table = try ShapefileReader().read(context.gridShapefile())
            return { _ = try SpatialWeights.contiguity(table, rule: .queen) }
        },
        Workload(name: "knn8", summary: "8 nearest neighbours of the grid's centroids (k-d tree)", items: { $0 }) { context in
            let points = try WeightsPoints(table: ShapefileReader().read(context.gridShapefile()))
            return { _ = try SpatialWeights.kNearest(points, k: 8) }
        },
        Workload(name: "gistar-999", summary: "Gi* (binary queen, self included) with 999 conditional permutations", items: { $0 }) { context in
            let table = try ShapefileReader().read(context.gridShapefile())
            let w = try SpatialWeights.contiguity(table, rule: .queen).withDiagonal(1)
            let y = (0..<table.count).map { table.columns[4].values.number($0)! }
            return { _ = try GetisOrdG(y, weights: w, star: true, permutation: ConditionalPermutation(permutations: 999)) }
        },
        Workload(name: "local-moran-999", summary: "Local Moran (row-standardised queen) with 999 conditional permutations", items: { $0 }) { context in
            let table = try ShapefileReader().read(context.gridShapefile())
            let w = try SpatialWeights.contiguity(table, rule: .queen).transformed(.row)
            let y = (0..<table.count).map { table.columns[4].values.number($0)! }
            return { _ = try LocalMoran(y, weights: w, permutation: ConditionalPermutation(permutations: 999)) }
        },
        Workload(name: "geos-convert", summary: "GEOS round trips (WKB, WKT, make-valid) of every polygon; a leak check runs it under valgrind", items: { $0 }) { context in
            let table = try BenchData.grid(context.size)
            return {
                _ = try GeometryEngine.map(table.geometries) { geos, g in
                    let back = try geos.geometry(wkb: geos.wkb(g))
                    _ = try geos.geometry(wkt: geos.wkt(back))
                    _ = try geos.makeValid(back)
                    return try geos.centroid(back)
                }
            }
        },
    ]
}
