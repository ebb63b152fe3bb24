import GeoVoteEngine
import Synthetic
import Foundation

struct WorkloadContext {
    let size: Int
    let cacheDirectory: String

    /// The synthetic Morocco data set of `size` communes (`geovote synth
    /// --seed 1`, UTM 29N shapefile), made once and cached outside the
    /// repository; the peers script reads the same file.
    func communesShapefile() throws -> String {
        let dir = "\(cacheDirectory)/synth-\(size)"
        let path = "\(dir)/communes_utm29n.shp"
        if FileManager.default.fileExists(atPath: path) { return path }
        FileHandle.standardError.write(Data("making \(size) synthetic communes in \(dir) …\n".utf8))
        let election = try ElectionSynthesizer.make(communes: size, stations: size, seed: 1)
        try election.write(to: dir, stations: false, geoJSON: false)
        return path
    }

    /// `size` synthetic polling stations (one commune per 25 stations,
    /// `--seed 1`, UTM 29N shapefile), cached as the communes are.
    func stationsShapefile() throws -> String {
        let dir = "\(cacheDirectory)/stations-\(size)"
        let path = "\(dir)/stations_utm29n.shp"
        if FileManager.default.fileExists(atPath: path) { return path }
        FileHandle.standardError.write(Data("making \(size) synthetic stations in \(dir) …\n".utf8))
        let election = try ElectionSynthesizer.make(communes: max(12, size / 25), stations: size, seed: 1)
        try election.write(to: dir, stations: true, geoJSON: false)
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
    /// The MP share over 9 elections on the cached communes (8 synthetic
    /// earlier ones, the earliest first), and their queen contiguity.
    static func emergingCube(_ context: WorkloadContext) throws -> ([[Double]], SpatialWeights) {
        let table = try ShapefileReader().read(try context.communesShapefile())
        let earlier = try ElectionSynthesizer.earlierElections(of: table, count: 8, seed: 2021)
        func share(_ columns: (String) -> Column?) -> [Double] {
            let (mp, valid) = (columns("MP")!.values, columns("valid")!.values)
            return (0..<table.count).map { (mp.number($0) ?? 0) / max(1, valid.number($0) ?? 1) }
        }
        let cube = earlier.reversed().map { e in share { e.results.column(named: $0) } } + [share { table.column(named: $0) }]
        return (cube, try SpatialWeights.contiguity(table, rule: .queen))
    }

    /// A square grid of polygons in UTM 29N (the leak check's input: no files).
    static func grid(_ n: Int) throws -> FeatureTable {
        let side = Int(Double(n).squareRoot().rounded(.up))
        let x0 = 300_000.0, y0 = 3_700_000.0, cell = 1000.0
        let geometries: [Geometry] = (0..<n).map { i in
            let cx = x0 + Double(i % side) * cell, cy = y0 + Double(i / side) * cell
            return .polygon([[.init(x: cx, y: cy), .init(x: cx, y: cy + cell), .init(x: cx + cell, y: cy + cell),
                              .init(x: cx + cell, y: cy), .init(x: cx, y: cy)]])
        }
        return FeatureTable(geometries: geometries, crs: try CoordinateReferenceSystem(epsg: 32629))
    }

    /// The share of PJD in the valid ballots: the variable of the statistics workloads.
    static func share(_ table: FeatureTable) throws -> [Double] {
        try table.values(of: VariableSpec(numerator: "PJD", denominator: "valid"))
    }

    /// DBSCAN's radius at n stations: 2 km at 40,000, shrunk with the
    /// density (the same country), so that a station has about as many
    /// neighbours at any n.
    static func dbscanEps(_ n: Int) -> Double { 2000 * (40_000 / Double(n)).squareRoot() }

    /// The raster workloads' grid: 4,000 cells along the longer side of the layer's extent.
    static func rasterGrid(_ table: FeatureTable) throws -> RasterGrid {
        let box = table.boundingBox!
        return try RasterGrid(extent: box, resolution: max(box.maxX - box.minX, box.maxY - box.minY) / 4000, crs: table.crs)
    }

    /// The options of the raster share workloads on that grid.
    static func rasterOptions(_ table: FeatureTable, method: VoteSurfaceOptions.Method, fields: [String]) throws -> VoteSurfaceOptions {
        let grid = try rasterGrid(table)
        var options = VoteSurfaceOptions(method: method, fields: fields, total: "valid", template: grid)
        if method == .kernel { options.bandwidth = 10_000 }
        return options
    }

    /// Points for the reprojection workload: at least 1,000,000, spread over Morocco.
    static func reprojectCount(_ size: Int) -> Int { max(size, 1_000_000) }
}

enum Workloads {
    static let all: [Workload] = core + ABIWorkloads.all
    static let core: [Workload] = [
        Workload(name: "read-shapefile", summary: "read the synthetic communes (.shp/.dbf/.prj, 19 fields) into a FeatureTable", items: { $0 }) { context in
            let path = try context.communesShapefile()
            _ = try ShapefileReader().read(path)  // into the page cache
            return { _ = try ShapefileReader().read(path) }
        },
        Workload(name: "write-shapefile", summary: "write the synthetic communes as a shapefile", items: { $0 }) { context in
            let table = try ShapefileReader().read(context.communesShapefile())
            let out = "\(context.cacheDirectory)/written-\(context.size).shp"
            return {
                var writer = ShapefileWriter()
                try writer.write(table, to: out)
            }
        },
        Workload(name: "write-geopackage", summary: "write the synthetic communes as a new GeoPackage (R-tree included)", items: { $0 }) { context in
            let table = try ShapefileReader().read(context.communesShapefile())
            let out = "\(context.cacheDirectory)/written-\(context.size).gpkg"
            return {
                try? FileManager.default.removeItem(atPath: out)
                try GeoPackage.write(table, to: out, layer: "communes")
            }
        },
        Workload(name: "db-import", summary: "import the synthetic communes with their results into a new election database (layer, long results, totals)", items: { $0 }) { context in
            let path = try context.communesShapefile()
            let table = try ShapefileReader().read(path)
            let out = "\(context.cacheDirectory)/election-\(context.size).gpkg"
            return {
                try? FileManager.default.removeItem(atPath: out)
                try ElectionDatabase.create(at: out)
                try ElectionDatabase(path: out).importResults(ElectionImport(election: Election(name: "legislative-2021"), level: "commune",
                                                                             boundaries: table, boundariesFile: path, boundaryKey: "code"))
            }
        },
        Workload(name: "read-geopackage", summary: "read the synthetic communes from a GeoPackage into a FeatureTable", items: { $0 }) { context in
            let path = "\(context.cacheDirectory)/synth-\(context.size)/communes.gpkg"
            if !FileManager.default.fileExists(atPath: path) {
                try GeoPackage.write(try ShapefileReader().read(context.communesShapefile()), to: path, layer: "communes")
            }
            _ = try GeoPackage.read(path)
            return { _ = try GeoPackage.read(path) }
        },
        Workload(name: "reproject", summary: "transform max(size, 1,000,000) points from EPSG:4326 to UTM 29N with PROJ", items: BenchData.reprojectCount) { context in
            let n = BenchData.reprojectCount(context.size)
            let x0 = (0..<n).map { -9.0 - 3.0 * Double($0 % 10_007) / 10_007 }
            let y0 = (0..<n).map { 30.0 + 5.0 * Double($0 % 9_973) / 9_973 }
            let transformer = try CoordinateTransformer(from: .wgs84, to: CoordinateReferenceSystem(epsg: 32629))
            return {
                var x = x0, y = y0
                try transformer.transform(x: &x, y: &y)
            }
        },
        Workload(name: "validity-area", summary: "GEOS validity check and area of every polygon", items: { $0 }) { context in
            let table = try ShapefileReader().read(context.communesShapefile())
            return {
                _ = try GeometryEngine.map(table.geometries) { geos, g in (try geos.isValid(g), try geos.area(g)) }
            }
        },
        Workload(name: "queen", summary: "queen contiguity (libpysal vertex rule) of the communes", items: { $0 }) { context in
            let table = try ShapefileReader().read(context.communesShapefile())
            return { _ = try SpatialWeights.contiguity(table, rule: .queen) }
        },
        Workload(name: "rook", summary: "rook contiguity (libpysal edge rule) of the communes", items: { $0 }) { context in
            let table = try ShapefileReader().read(context.communesShapefile())
            return { _ = try SpatialWeights.contiguity(table, rule: .rook) }
        },
        Workload(name: "distance-band", summary: "distance band at twice the median nearest-neighbour distance of the centroids", items: { $0 }) { context in
            let points = try WeightsPoints(table: ShapefileReader().read(context.communesShapefile()))
            let nearest = SpatialWeights.kthNeighborDistances(points, k: 1).sorted()
            let threshold = 2 * nearest[(nearest.count - 1) / 2]
            FileHandle.standardError.write(Data("distance-band threshold \(threshold)\n".utf8))
            return { _ = try SpatialWeights.distanceBand(points, threshold: threshold) }
        },
        Workload(name: "knn8", summary: "8 nearest neighbours of the communes' centroids (k-d tree)", items: { $0 }) { context in
            let points = try WeightsPoints(table: ShapefileReader().read(context.communesShapefile()))
            return { _ = try SpatialWeights.kNearest(points, k: 8) }
        },
        Workload(name: "gistar-999", summary: "Gi* of the PJD share (binary queen, self included), 999 conditional permutations", items: { $0 }) { context in
            let table = try ShapefileReader().read(context.communesShapefile())
            let w = try SpatialWeights.contiguity(table, rule: .queen).withDiagonal(1)
            let y = try BenchData.share(table)
            return { _ = try GetisOrdG(y, weights: w, star: true, selfWeight: .given, permutation: try ConditionalPermutation(permutations: 999)) }
        },
        Workload(name: "local-moran-999", summary: "Local Moran of the PJD share (row-standardised queen), 999 conditional permutations", items: { $0 }) { context in
            let table = try ShapefileReader().read(context.communesShapefile())
            let w = try SpatialWeights.contiguity(table, rule: .queen).transformed(.row)
            let y = try BenchData.share(table)
            return { _ = try LocalMoran(y, weights: w, permutation: try ConditionalPermutation(permutations: 999)) }
        },
        Workload(name: "local-moran-geoda-999", summary: "Local Moran of the PJD share with GeoDa's own draws (its p-values exactly), one stream as pygeoda with cpu_threads=1", items: { $0 }) { context in
            let table = try ShapefileReader().read(context.communesShapefile())
            let w = try SpatialWeights.contiguity(table, rule: .queen).transformed(.row)
            let y = try BenchData.share(table)
            let draws = try ConditionalPermutation(permutations: 999, seed: 123_456_789, draws: .geoda(threads: 1))
            return { _ = try LocalMoran(y, weights: w, permutation: draws) }
        },
        Workload(name: "local-moran-esda-999", summary: "Local Moran of the PJD share with esda's shared table from its own numba stream (esda's p-values exactly); the serial table is most of the time", items: { $0 }) { context in
            let table = try ShapefileReader().read(context.communesShapefile())
            let w = try SpatialWeights.contiguity(table, rule: .queen).transformed(.row)
            let y = try BenchData.share(table)
            return { _ = try LocalMoran(y, weights: w, permutation: try ConditionalPermutation(permutations: 999, draws: .esda)) }
        },
        Workload(name: "local-moran-shared-999", summary: "Local Moran of the PJD share with esda's shared-table scheme filled from GeoVote's keyed stream (--draws shared)", items: { $0 }) { context in
            let table = try ShapefileReader().read(context.communesShapefile())
            let w = try SpatialWeights.contiguity(table, rule: .queen).transformed(.row)
            let y = try BenchData.share(table)
            return { _ = try LocalMoran(y, weights: w, permutation: try ConditionalPermutation(permutations: 999, draws: .shared)) }
        },
        Workload(name: "gistar-shared-999", summary: "Gi* of the PJD share (binary queen, self included), shared table from GeoVote's keyed stream (--draws shared)", items: { $0 }) { context in
            let table = try ShapefileReader().read(context.communesShapefile())
            let w = try SpatialWeights.contiguity(table, rule: .queen).withDiagonal(1)
            let y = try BenchData.share(table)
            return { _ = try GetisOrdG(y, weights: w, star: true, selfWeight: .given, permutation: try ConditionalPermutation(permutations: 999, draws: .shared)) }
        },
        Workload(name: "gather-bound", summary: "the floor of a 999-permutation local statistic: n x 999 x mean-neighbours random reads, summed per permutation (queen communes)", items: { $0 }) { context in
            let table = try ShapefileReader().read(context.communesShapefile())
            let w = try SpatialWeights.contiguity(table, rule: .queen)
            let y = try BenchData.share(table)
            let n = y.count
            let cards = w.cardinalities
            return {
                let sums = Parallel.map(count: n, grain: 64) { i -> Double in
                    // A Weyl sequence (one add, a one-cycle chain) mapped to 0..<n by a
                    // multiply: the cheapest spread of indices, no duplicate check, no
                    // statistic. (xorshift's six-operation chain made this floor
                    // slower than the engine itself.)
                    var state = UInt64(i) &* 0x9E37_79B9_7F4A_7C15 | 1
                    var total = 0.0
                    y.withUnsafeBufferPointer { v in
                        for _ in 0..<999 {
                            // One sum per permutation, as a statistic's lag: short add chains.
                            var lag = 0.0
                            for _ in 0..<cards[i] {
                                state &+= 0x9E37_79B9_7F4A_7C15
                                lag += v[Int((state >> 32) &* UInt64(n) >> 32)]
                            }
                            total += lag
                        }
                    }
                    return total
                }
                precondition(!sums.isEmpty)
            }
        },
        Workload(name: "isa", summary: "incremental spatial autocorrelation of the PJD share: 10 distance bands with ArcGIS's default start and step (communes' centroids)", items: { $0 }) { context in
            let path = try context.communesShapefile()
            let table = try ShapefileReader().read(path)
            return { _ = try IncrementalAutocorrelation.run(table, file: path, variable: VariableSpec(parsing: "PJD/valid")) }
        },
        Workload(name: "ohsa", summary: "optimized hot-spot analysis of the PJD share: outliers, 10 ISA bands, the chosen band, Gi* with FDR bins", items: { $0 }) { context in
            let path = try context.communesShapefile()
            let table = try ShapefileReader().read(path)
            return { _ = try OptimizedHotSpots.run(table, file: path, variable: VariableSpec(parsing: "PJD/valid")) }
        },
        Workload(name: "ohsa-hexagon", summary: "optimized hot-spot analysis of the stations summed into hexagons (ArcGIS's cell size), PJD share of the sums", items: { $0 }) { context in
            let path = try context.stationsShapefile()
            let stations = try ShapefileReader().read(path)
            return { _ = try OptimizedHotSpots.run(stations, file: path, variable: VariableSpec(parsing: "PJD/valid"), options: OptimizedHotSpotOptions(aggregation: .hexagon)) }
        },
        Workload(name: "emerging", summary: "emerging hot spots of the MP share over 9 elections (8 synthetic earlier ones): space-time Gi* on binary queen + 1 election back, analytic z, FDR per election, Mann-Kendall exact p, patterns", items: { $0 * 9 }) { context in
            let (cube, w) = try BenchData.emergingCube(context)
            return { _ = try EmergingHotSpots.run(cube, weights: w) }
        },
        Workload(name: "emerging-999", summary: "the same with 999 conditional permutations per bin (pseudo p)", items: { $0 * 9 }) { context in
            let (cube, w) = try BenchData.emergingCube(context)
            return { _ = try EmergingHotSpots.run(cube, weights: w, options: EmergingOptions(permutations: 999, seed: 1)) }
        },
        Workload(name: "map-png", summary: "draw the Gi* class map (Gi_Bin of the PJD share, binary queen) of the communes as a 2000 × 2000 PNG (cairo, one fill per class, boundaries)", items: { $0 }) { context in
            let path = try context.communesShapefile()
            let table = try ShapefileReader().read(path)
            let results = try HotSpotAnalysis.run(table, file: path, variables: [VariableSpec(parsing: "PJD/valid")], options: HotSpotOptions())
            let bins = results.results[0].classes.map { c -> Int64? in if case let .confidenceBin(b) = c { Int64(b) } else { 0 } }
            var layer = table
            layer.columns = [Column(name: "Gi_Bin", values: .integer(bins))]
            let out = "\(context.cacheDirectory)/map-\(context.size).png"
            return {
                let map = try ThematicMap(layer: layer, file: path, column: "Gi_Bin", options: MapOptions(width: 2000, height: 2000))
                try MapRenderer.write(map, to: out)
            }
        },
        Workload(name: "report", summary: "the HTML report of every party's share (9) × Gi* and Local Moran, 999 permutations: the analysis, its CSV, the maps, scatterplots, Moran's I and zones", items: { $0 * 18 }) { context in
            let path = try context.communesShapefile()
            let table = try ShapefileReader().read(path)
            let dir = "\(context.cacheDirectory)/report-\(context.size)"
            let job = HotSpotJob(input: path, variables: "all/valid", options: HotSpotOptions(statistics: [.giStar, .localMoran], permutations: 999, seed: 1),
                                 output: dir + ".csv")
            return {
                let run = try job.run(layer: table)
                let sections = try HotSpotReport.sections(of: run.results, layer: table, file: path)
                _ = try HotSpotReport.write(layer: table, file: path, sections: sections, weights: run.results.weights, to: dir)
            }
        },
        Workload(name: "emerging-shared-999", summary: "emerging-999 with esda's scheme: one table of draws shared by all bins (--draws shared)", items: { $0 * 9 }) { context in
            let (cube, w) = try BenchData.emergingCube(context)
            return { _ = try EmergingHotSpots.run(cube, weights: w, options: EmergingOptions(permutations: 999, seed: 1, draws: .shared)) }
        },
        Workload(name: "dbscan", summary: "DBSCAN of the stations, eps 2 km × √(40,000/n), min_samples 10 (scikit-learn's conventions)", items: { $0 }) { context in
            let points = try ClusterPoints(table: ShapefileReader().read(context.stationsShapefile()))
            let eps = BenchData.dbscanEps(context.size)
            return { _ = try DBSCAN.run(points, eps: eps, minSamples: 10) }
        },
        Workload(name: "hdbscan", summary: "HDBSCAN* of the stations, min_cluster_size 50, min_samples 10, excess of mass", items: { $0 }) { context in
            let points = try ClusterPoints(table: ShapefileReader().read(context.stationsShapefile()))
            return { _ = try HDBSCAN.run(points, options: .init(minClusterSize: 50, minSamples: 10)) }
        },
        Workload(name: "aggregate-stations", summary: "sum the stations' counts into their communes (one per 25 stations) by point in polygon", items: { $0 }) { context in
            let stationsPath = try context.stationsShapefile()
            let stations = try ShapefileReader().read(stationsPath)
            let communes = try ShapefileReader().read(stationsPath.replacingOccurrences(of: "stations_utm29n", with: "communes_utm29n"))
            return { _ = try Aggregation.run(points: stations, pointsFile: "stations", areas: communes, areasFile: "communes") }
        },
        Workload(name: "zones-all-parties", summary: "stronghold zones of all nine parties (Gi* on binary queen weights, analytic p, 95 %), dissolved, with totals", items: { $0 }) { context in
            let path = try context.communesShapefile()
            let table = try ShapefileReader().read(path)
            let variables = try VariableSpec.list("all/valid", in: table)
            return { _ = try StrongholdZones.run(table, file: path, variables: variables, options: ZoneOptions(), idField: "code") }
        },
        Workload(name: "raster-coverage", summary: "exact coverage fractions of the communes on a 4,000-cell-wide grid over their extent", items: { $0 }) { context in
            let table = try ShapefileReader().read(context.communesShapefile())
            let grid = try BenchData.rasterGrid(table)
            return { _ = CoverageFractions(table.geometries, grid: grid) }
        },
        Workload(name: "raster-share-one", summary: "PJD's share raster (coverage, counts then shares) of the communes, 4,000 cells wide", items: { $0 }) { context in
            let table = try ShapefileReader().read(context.communesShapefile())
            let options = try BenchData.rasterOptions(table, method: .coverage, fields: ["PJD"])
            return { _ = try VoteSurface.make(table, options: options) }
        },
        Workload(name: "raster-share-all", summary: "all nine parties' share rasters, winner and margin from one coverage pass, 4,000 cells wide", items: { $0 }) { context in
            let table = try ShapefileReader().read(context.communesShapefile())
            let fields = try VariableSpec.list("all/valid", in: table).map(\.numerator)
            let options = try BenchData.rasterOptions(table, method: .coverage, fields: fields)
            return { _ = try VoteSurface.make(table, options: options) }
        },
        Workload(name: "raster-kernel", summary: "PJD's kernel share surface from the stations, Gaussian h = 10 km cut at 4h, 4,000 cells wide", items: { $0 }) { context in
            let table = try ShapefileReader().read(context.stationsShapefile())
            let options = try BenchData.rasterOptions(table, method: .kernel, fields: ["PJD"])
            return { _ = try VoteSurface.make(table, options: options) }
        },
        Workload(name: "write-geotiff", summary: "write the nine parties' share raster (12 bands, 4,000 cells wide) as a tiled DEFLATE GeoTIFF", items: { $0 }) { context in
            let table = try ShapefileReader().read(context.communesShapefile())
            let fields = try VariableSpec.list("all/valid", in: table).map(\.numerator)
            let raster = try VoteSurface.make(table, options: try BenchData.rasterOptions(table, method: .coverage, fields: fields)).raster
            let out = "\(context.cacheDirectory)/written-\(context.size).tif"
            return { try GeoTIFF.write(raster, to: out) }
        },
        Workload(name: "synth", summary: "geovote synth: communes and 10 stations each (no files)", items: { $0 }) { context in
            { _ = try ElectionSynthesizer.make(communes: context.size, stations: 10 * context.size, seed: 1) }
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
