import Foundation
import GeoVoteEngine

/// What `ElectionSynthesizer` makes.
public struct SyntheticElection: Sendable {
    /// Commune polygons with codes, names and results, in EPSG:32629 (UTM 29N).
    public var communes: FeatureTable
    /// Polling-station points with the same result columns; their sums per
    /// commune equal the commune's values. EPSG:32629.
    public var stations: FeatureTable
    /// Earlier elections' results on the same communes, the latest first
    /// (``ElectionSynthesizer/earlierElections(of:count:seed:)``); empty by default.
    public var earlier: [(year: Int, results: AttributeTable)] = []
}

/// A deterministic generator of realistic synthetic election results for
/// Morocco's 12 regions at any scale. The votes are synthetic.
///
/// 1. Commune seeds are drawn in the outline (Natural Earth 1:50m, compiled
///    in) from a density that is a rural surface, high in the north-west
///    and falling away into the Sahara, plus Gaussian peaks at 23 cities.
/// 2. Communes are the Voronoi cells of the seeds (GEOS, in UTM 29N),
///    clipped to the outline; each belongs to the region of its nearest
///    capital (distances divided by a per-region reach).
/// 3. Registered voters grow with the population density; turnout, invalid
///    ballots and each party's score are a national level plus a regional
///    effect, a smooth random surface (Gaussian bumps at 300, 120 and 40 km)
///    and commune noise; shares are the softmax of the scores, near the 2021
///    ranking. Counts are exact integers: votes per party by largest
///    remainder, so they add up to the valid ballots.
/// 4. Polling stations: allocated to communes in proportion to registered
///    voters (at least one, at most one per 100 voters), placed uniformly
///    inside the commune, each count split by cumulative rounding so that
///    the stations add up to their commune exactly.
///
/// Every random draw is keyed by (seed, purpose, index), never by thread:
/// the same seed gives the same bytes on any machine and thread count.
public enum ElectionSynthesizer {
    public static let parties = ["RNI", "PAM", "PI", "USFP", "MP", "PPS", "UC", "PJD"]
    /// National levels (shares before the spatial effects), following the 2021 seat ranking, and "others".
    static let nationalShares: [Double] = [0.26, 0.22, 0.20, 0.085, 0.07, 0.055, 0.045, 0.035, 0.03]
    public static let countColumns = ["registered", "voters", "invalid", "valid"] + parties + ["others"]

    public static let workingCRS = try! CoordinateReferenceSystem(epsg: 32629)

    struct Region {
        let code: String, french: String, arabic: String, capital: String
        let lon: Double, lat: Double
        /// Relative reach: larger regions win more of the territory around them.
        let reach: Double
        /// Turnout effect on the logit scale (the Saharan regions vote more).
        let turnout: Double
    }

    static let regions: [Region] = [
        Region(code: "01", french: "Tanger-Tétouan-Al Hoceïma", arabic: "طنجة تطوان الحسيمة", capital: "Tanger", lon: -5.8340, lat: 35.7595, reach: 1.0, turnout: 0.0),
        Region(code: "02", french: "L'Oriental", arabic: "الشرق", capital: "Oujda", lon: -1.9086, lat: 34.6814, reach: 1.3, turnout: -0.1),
        Region(code: "03", french: "Fès-Meknès", arabic: "فاس مكناس", capital: "Fès", lon: -5.0078, lat: 34.0331, reach: 1.0, turnout: 0.0),
        Region(code: "04", french: "Rabat-Salé-Kénitra", arabic: "الرباط سلا القنيطرة", capital: "Rabat", lon: -6.8498, lat: 34.0209, reach: 0.8, turnout: -0.1),
        Region(code: "05", french: "Béni Mellal-Khénifra", arabic: "بني ملال خنيفرة", capital: "Béni Mellal", lon: -6.3498, lat: 32.3373, reach: 0.9, turnout: 0.1),
        Region(code: "06", french: "Casablanca-Settat", arabic: "الدار البيضاء سطات", capital: "Casablanca", lon: -7.5898, lat: 33.5731, reach: 0.9, turnout: -0.35),
        Region(code: "07", french: "Marrakech-Safi", arabic: "مراكش آسفي", capital: "Marrakech", lon: -7.9811, lat: 31.6295, reach: 1.0, turnout: 0.05),
        Region(code: "08", french: "Drâa-Tafilalet", arabic: "درعة تافيلالت", capital: "Errachidia", lon: -4.4266, lat: 31.9314, reach: 1.4, turnout: 0.25),
        Region(code: "09", french: "Souss-Massa", arabic: "سوس ماسة", capital: "Agadir", lon: -9.5981, lat: 30.4278, reach: 1.0, turnout: 0.0),
        Region(code: "10", french: "Guelmim-Oued Noun", arabic: "كلميم واد نون", capital: "Guelmim", lon: -10.0574, lat: 28.9870, reach: 0.9, turnout: 0.55),
        Region(code: "11", french: "Laâyoune-Sakia El Hamra", arabic: "العيون الساقية الحمراء", capital: "Laâyoune", lon: -13.2033, lat: 27.1536, reach: 1.3, turnout: 0.65),
        Region(code: "12", french: "Dakhla-Oued Ed-Dahab", arabic: "الداخلة وادي الذهب", capital: "Dakhla", lon: -15.9570, lat: 23.6848, reach: 1.6, turnout: 0.4),
    ]

    /// Cities: lon, lat, weight, spread in km.
    static let cities: [(Double, Double, Double, Double)] = [
        (-7.59, 33.57, 10, 22), (-6.83, 34.02, 6, 16), (-6.58, 34.26, 3, 12), (-5.00, 34.03, 5, 16), (-5.55, 33.89, 4, 14),
        (-7.98, 31.63, 5, 18), (-5.83, 35.76, 4, 12), (-5.37, 35.57, 3, 10), (-1.91, 34.68, 3, 12), (-9.60, 30.43, 4, 15),
        (-6.35, 32.34, 3, 12), (-9.24, 32.30, 2, 10), (-8.50, 33.25, 2, 10), (-2.93, 35.17, 2, 10), (-6.91, 32.88, 2, 10),
        (-4.43, 31.93, 1, 10), (-13.20, 27.15, 1.5, 10), (-15.96, 23.68, 1, 8), (-10.06, 28.99, 1, 8), (-3.93, 35.25, 1.5, 10),
        (-4.01, 34.21, 1.5, 10), (-7.62, 33.00, 2, 10), (-6.90, 30.92, 1, 8),
    ]

    /// Rural density (relative), in lon/lat: the Atlantic plains and the Rif
    /// dense, the Atlas moderate, the Sahara nearly empty.
    static func ruralDensity(lon: Double, lat: Double) -> Double {
        func logistic(_ t: Double) -> Double { 1 / (1 + exp(-t)) }
        let north = logistic((lat - 30.8) / 0.6)
        let west = 1 - 0.7 * logistic((lon + 4.0) / 0.8)
        return 0.03 + north * west
    }

    static func urbanDensity(lon: Double, lat: Double) -> Double {
        var d = 0.0
        for (cx, cy, w, s) in cities {
            let dx = (lon - cx) * 92, dy = (lat - cy) * 111  // km, at ~33°N
            d += w * exp(-(dx * dx + dy * dy) / (2 * s * s))
        }
        return d
    }

    // MARK: Generation

    public static func make(communes n: Int, stations m: Int, seed: UInt64) throws -> SyntheticElection {
        guard n >= 12 else { throw GeoVoteError.invalidArgument("--communes must be at least 12 (one per region), not \(n)") }
        guard n <= 2_000_000 else { throw GeoVoteError.invalidArgument("--communes must be at most 2,000,000, not \(n)") }
        guard m >= n else { throw GeoVoteError.invalidArgument("--stations (\(m)) must be at least --communes (\(n)): every commune has a polling station") }
        let engine = try GeometryEngine()
        let outlineLonLat = Geometry.multiPolygon(MoroccoOutline.polygons.map { rings in
            rings.map { flat in stride(from: 0, to: flat.count, by: 2).map { Point(x: flat[$0], y: flat[$0 + 1]) } }
        })
        let toUTM = try CoordinateTransformer(from: .wgs84, to: workingCRS)
        let outline = try FeatureTable(geometries: [outlineLonLat], crs: .wgs84).projected(to: workingCRS).geometries[0]

        // 1. Seeds in lon/lat.
        let (drawnLon, drawnLat) = try seeds(n, seed: seed, outline: outlineLonLat, engine: engine)
        // Communes in order of region, then north to south, then west to east.
        let drawnRegion = (0..<n).map { nearestRegion(lon: drawnLon[$0], lat: drawnLat[$0]) }
        let order = (0..<n).sorted { a, b in
            (drawnRegion[a], -drawnLat[a], drawnLon[a]) < (drawnRegion[b], -drawnLat[b], drawnLon[b])
        }
        let seedLon = order.map { drawnLon[$0] }, seedLat = order.map { drawnLat[$0] }
        var sx = seedLon, sy = seedLat
        try toUTM.transform(x: &sx, y: &sy)

        // 2. Voronoi cells clipped to the outline.
        var box = outline.boundingBox!
        box.minX -= 50_000; box.minY -= 50_000; box.maxX += 50_000; box.maxY += 50_000
        let cells = try engine.voronoiCells(x: sx, y: sy, box: box)
        let polygons = try clip(cells, to: outline)

        // 3. Attributes.
        let regionOf = (0..<n).map { i in nearestRegion(lon: seedLon[i], lat: seedLat[i]) }
        let areas = try GeometryEngine.map(polygons) { e, g in try e.area(g) }
        let counts = results(n: n, seed: seed, lon: seedLon, lat: seedLat, x: sx, y: sy, areas: areas, regionOf: regionOf)
        var communeTable = FeatureTable(geometries: polygons, crs: workingCRS, sourceEncoding: .utf8)
        let (codes, french, arabic) = names(n: n, regionOf: regionOf, seed: seed)
        communeTable.columns = [
            Column(name: "code", values: .text(codes)),
            Column(name: "name_fr", values: .text(french)),
            Column(name: "name_ar", values: .text(arabic)),
            Column(name: "region", values: .text(regionOf.map { regions[$0].code })),
            Column(name: "region_fr", values: .text(regionOf.map { regions[$0].french })),
            Column(name: "region_ar", values: .text(regionOf.map { regions[$0].arabic })),
        ] + countColumns.indices.map { c in Column(name: countColumns[c], values: .integer(counts.map { Int64($0[c]) })) }

        // 4. Stations.
        let stationTable = try stations(m, communes: communeTable, counts: counts, codes: codes, seed: seed)
        return SyntheticElection(communes: communeTable, stations: stationTable)
    }

    /// The years of Morocco's legislative elections, the latest first: the
    /// last election made is 2021, earlier ones take these years.
    public static let legislativeYears = [2021, 2016, 2011, 2007, 2002, 1997, 1993, 1984, 1977]

    /// Results of `count` earlier elections on the same communes, the
    /// latest first (2016, 2011, … — ``legislativeYears``), each made from the
    /// one after it by a plausible swing: per party a national swing
    /// (log-share, sd 0.3) and a smooth regional one (Gaussian bumps, sd
    /// 0.35 at 300/120/40 km), commune noise (sd 0.15); turnout moved by a
    /// national and a commune term on the logit scale; 3 % fewer registered
    /// voters per election back, with noise. Counts are integers that add up
    /// (parties + others = valid, valid + invalid = voters ≤ registered).
    /// Each table has `code` and ``countColumns``, in the communes' order.
    /// Draws keyed by (seed, election, commune), never by thread.
    public static func earlierElections(of communes: FeatureTable, count: Int, seed: UInt64) throws -> [(year: Int, results: AttributeTable)] {
        guard (0..<legislativeYears.count).contains(count) else {
            throw GeoVoteError.invalidArgument("\(count) earlier elections: 0 to \(legislativeYears.count - 1) (back to \(legislativeYears.last!))")
        }
        let n = communes.count
        let points = try WeightsPoints(table: communes)
        var box = BoundingBox(minX: points.x[0], minY: points.y[0], maxX: points.x[0], maxY: points.y[0])
        for i in 0..<n { box.include(x: points.x[i], y: points.y[i]) }
        let lists = countColumns.count - 4
        func counts(_ name: String) -> [Int] {
            let column = communes.column(named: name)!.values
            return (0..<n).map { Int(column.number($0) ?? 0) }
        }
        var current = countColumns.map(counts)  // [column][commune]
        var out: [(Int, AttributeTable)] = []
        for k in 1...max(1, count) where count > 0 {
            var national = RandomStream(seed: seed, key: key(20, k))
            let swing = (0..<lists).map { _ in 0.3 * gaussian(&national) }
            let turnoutSwing = 0.15 * gaussian(&national)
            let surfaces = (0..<lists).map { Surface(seed: seed, field: 200 + 16 * k + $0, box: box, amplitude: 0.35) }
            var next = [[Int]](repeating: [Int](repeating: 0, count: n), count: countColumns.count)
            for i in 0..<n {
                var g = RandomStream(seed: seed, key: key(21 + UInt64(k), i))
                let registered = max(500, Int((Double(current[0][i]) * exp(-0.03 + 0.02 * gaussian(&g))).rounded()))
                let turnout = Double(current[1][i]) / Double(max(1, current[0][i]))
                let logit = log(max(0.01, min(0.99, turnout)) / (1 - max(0.01, min(0.99, turnout))))
                let voters = Int((Double(registered) * min(0.85, 1 / (1 + exp(-(logit + turnoutSwing + 0.1 * gaussian(&g)))))).rounded())
                let invalidShare = Double(current[2][i]) / Double(max(1, current[1][i]))
                let invalid = Int((Double(voters) * min(0.5, invalidShare * exp(0.2 * gaussian(&g)))).rounded())
                let valid = voters - invalid
                let before = (0..<lists).map { Double(current[4 + $0][i]) + 0.5 }
                let total = before.reduce(0, +)
                let scores = (0..<lists).map { p in
                    log(before[p] / total) + swing[p] + surfaces[p].value(points.x[i], points.y[i]) + 0.15 * gaussian(&g)
                }
                let top = scores.max()!
                let e = scores.map { exp($0 - top) }
                let sum = e.reduce(0, +)
                let votes = largestRemainder(valid, weights: e.map { $0 / sum })
                let row = [registered, voters, invalid, valid] + votes
                for c in row.indices { next[c][i] = row[c] }
            }
            let table = AttributeTable(count: n, columns: [communes.column(named: "code")!]
                + countColumns.indices.map { Column(name: countColumns[$0], values: .integer(next[$0].map(Int64.init))) }, sourceEncoding: .utf8)
            out.append((legislativeYears[k], table))
            current = next
        }
        return out
    }

    /// A uniform double in [0, 1).
    static func uniform(_ r: inout RandomStream) -> Double { Double(r.next() >> 11) * 0x1p-53 }

    static func gaussian(_ r: inout RandomStream) -> Double {
        let u1 = max(uniform(&r), 0x1p-60), u2 = uniform(&r)
        return (-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2)
    }

    /// Keys for the random streams: purpose in the high bits, index below.
    static func key(_ purpose: UInt64, _ index: Int) -> UInt64 { purpose << 40 | UInt64(index) }

    static func seeds(_ n: Int, seed: UInt64, outline: Geometry, engine: GeometryEngine) throws -> ([Double], [Double]) {
        let prepared = try PreparedPolygon(outline, engine: engine)
        let box = outline.boundingBox!
        let cityMass = cities.map { $0.2 * $0.3 * $0.3 }
        let totalCity = cityMass.reduce(0, +)
        var lon = [Double](), lat = [Double]()
        lon.reserveCapacity(n); lat.reserveCapacity(n)
        // Sites closer than ~100 m are redrawn (GEOS would merge them).
        var occupied = Set<Int64>()
        func cell(_ x: Double, _ y: Double) -> (Int64, Int64) { (Int64((x * 1000).rounded(.down)), Int64((y * 1000).rounded(.down))) }
        for i in 0..<n {
            var r = RandomStream(seed: seed, key: key(1, i))
            var attempt = 0
            while true {
                attempt += 1
                guard attempt < 100_000 else { throw GeoVoteError.invalidArgument("cannot place \(n) communes at least 100 m apart") }
                var x: Double, y: Double
                if uniform(&r) < 0.22 {
                    // An urban seed near a city, by mass.
                    var pick = uniform(&r) * totalCity, c = 0
                    while c < cities.count - 1, pick >= cityMass[c] { pick -= cityMass[c]; c += 1 }
                    let (cx, cy, _, s) = cities[c]
                    x = cx + gaussian(&r) * s / 92
                    y = cy + gaussian(&r) * s / 111
                } else {
                    x = box.minX + uniform(&r) * box.width
                    y = box.minY + uniform(&r) * box.height
                    guard uniform(&r) < ruralDensity(lon: x, lat: y) else { continue }
                }
                guard try prepared.contains(x: x, y: y) else { continue }
                let (cx, cy) = cell(x, y)
                var free = true
                for dx in -1...1 { for dy in -1...1 where occupied.contains((cx + Int64(dx)) &* 4_000_003 &+ (cy + Int64(dy))) { free = false } }
                guard free else { continue }
                occupied.insert(cx &* 4_000_003 &+ cy)
                lon.append(x); lat.append(y)
                break
            }
        }
        return (lon, lat)
    }

    /// Cells clipped to the outline in parallel; a cell inside is kept as is.
    static func clip(_ cells: [Geometry], to outline: Geometry) throws -> [Geometry] {
        let n = cells.count, grain = 64
        let used = Parallel.workersUsed(count: n, grain: grain)
        let workers = try PerWorker(count: used) { _ -> (GeometryEngine, PreparedPolygon) in
            let e = try GeometryEngine()
            return (e, try PreparedPolygon(outline, engine: e))
        }
        let failures = PerChunk<Error>(count: (n + grain - 1) / grain)
        var out = [Geometry](repeating: .empty(.polygon), count: n)
        out.withUnsafeMutableBufferPointer { buffer in
            let o = UnsafeSendableBuffer(buffer)
            cells.withUnsafeBufferPointer { input in
                let c = UnsafeSendableInput(input)
                Parallel.forEachChunk(count: n, grain: grain, workers: used) { w, chunk, range in
                    let (e, p) = workers[w]
                    for i in range {
                        do {
                            o.base[i] = try p.contains(c[i]) ? c[i] : try e.intersection(c[i], outline)
                        } catch {
                            if failures[chunk] == nil { failures[chunk] = error }
                        }
                    }
                }
            }
        }
        if let error = failures.inOrder.first { throw error }
        return out
    }

    static func nearestRegion(lon: Double, lat: Double) -> Int {
        var best = 0, bestD = Double.infinity
        for (r, region) in regions.enumerated() {
            let dx = (lon - region.lon) * cos(lat * .pi / 180), dy = lat - region.lat
            let d = (dx * dx + dy * dy).squareRoot() / region.reach
            if d < bestD { bestD = d; best = r }
        }
        return best
    }

    /// A smooth random surface: Gaussian bumps at three scales, keyed by `field`.
    struct Surface {
        var bumps: [(x: Double, y: Double, s: Double, a: Double)] = []

        init(seed: UInt64, field: Int, box: BoundingBox, amplitude: Double) {
            var r = RandomStream(seed: seed, key: key(2, field))
            for (count, scale) in [(3, 300_000.0), (6, 120_000.0), (14, 40_000.0)] {
                for _ in 0..<count {
                    // Bumps fall where the communes are: the northern two-thirds mostly.
                    let x = box.minX + uniform(&r) * box.width
                    let y = box.minY + (0.3 + 0.7 * uniform(&r)) * box.height
                    bumps.append((x, y, scale, amplitude * gaussian(&r)))
                }
            }
        }

        func value(_ x: Double, _ y: Double) -> Double {
            bumps.reduce(0) { acc, b in
                let dx = x - b.x, dy = y - b.y
                return acc + b.a * exp(-(dx * dx + dy * dy) / (2 * b.s * b.s))
            }
        }
    }

    /// Per commune: registered, voters, invalid, valid, the 8 parties, others.
    static func results(n: Int, seed: UInt64, lon: [Double], lat: [Double], x: [Double], y: [Double],
                        areas: [Double], regionOf: [Int]) -> [[Int]] {
        var box = BoundingBox(minX: x[0], minY: y[0], maxX: x[0], maxY: y[0])
        for i in 0..<n { box.include(x: x[i], y: y[i]) }
        let lists = nationalShares.count
        let surfaces = (0..<lists).map { Surface(seed: seed, field: $0, box: box, amplitude: 0.8) }
        let turnoutSurface = Surface(seed: seed, field: 100, box: box, amplitude: 0.3)
        var regional = [[Double]](repeating: [Double](repeating: 0, count: lists), count: regions.count)
        for r in regions.indices {
            var g = RandomStream(seed: seed, key: key(3, r))
            for p in 0..<lists { regional[r][p] = 0.4 * gaussian(&g) }
        }
        // Population: rural density times area plus the urban peaks, with noise; scaled to 12,000 registered a commune on average.
        var population = [Double](repeating: 0, count: n)
        var urbanness = [Double](repeating: 0, count: n)
        for i in 0..<n {
            var g = RandomStream(seed: seed, key: key(4, i))
            let u = urbanDensity(lon: lon[i], lat: lat[i])
            urbanness[i] = u / (u + 0.5)
            let km2 = areas[i] / 1e6
            population[i] = (60 * ruralDensity(lon: lon[i], lat: lat[i]) * min(km2, 3000) + 4000 * u + 3000) * exp(0.35 * gaussian(&g))
        }
        let scale = 12_000 * Double(n) / population.reduce(0, +)
        // Spatial parts of every score, without the national levels.
        var registered = [Int](repeating: 0, count: n)
        var turnoutPart = [Double](repeating: 0, count: n), invalidShare = [Double](repeating: 0, count: n)
        var scorePart = [[Double]](repeating: [], count: n)
        for i in 0..<n {
            var g = RandomStream(seed: seed, key: key(5, i))
            registered[i] = max(500, Int((population[i] * scale).rounded()))
            let region = regionOf[i]
            turnoutPart[i] = regions[region].turnout + turnoutSurface.value(x[i], y[i]) - 0.6 * urbanness[i] + 0.15 * gaussian(&g)
            invalidShare[i] = 1 / (1 + exp(-(log(0.06 / 0.94) + 0.3 * gaussian(&g))))
            scorePart[i] = (0..<lists).map { p in regional[region][p] + surfaces[p].value(x[i], y[i]) + 0.6 * gaussian(&g) }
        }
        // National levels calibrated so that the totals match: turnout 50.5 %
        // of registered (bisection on the intercept), party shares of the
        // valid ballots as `nationalShares` (iterative proportional fitting).
        func turnout(_ i: Int, _ level: Double) -> Double { min(0.85, 1 / (1 + exp(-(level + turnoutPart[i])))) }
        var lo = -3.0, hi = 3.0
        let totalRegistered = Double(registered.reduce(0, +))
        for _ in 0..<60 {
            let mid = (lo + hi) / 2
            let cast = (0..<n).reduce(0.0) { $0 + Double(registered[$1]) * turnout($1, mid) }
            if cast / totalRegistered < 0.505 { lo = mid } else { hi = mid }
        }
        let turnoutLevel = (lo + hi) / 2
        let voters = (0..<n).map { Int((Double(registered[$0]) * turnout($0, turnoutLevel)).rounded()) }
        let invalid = (0..<n).map { Int((Double(voters[$0]) * invalidShare[$0]).rounded()) }
        let valid = (0..<n).map { voters[$0] - invalid[$0] }
        var levels = nationalShares.map { log($0) }
        func shares(_ i: Int) -> [Double] {
            let scores = (0..<lists).map { levels[$0] + scorePart[i][$0] }
            let top = scores.max()!
            let e = scores.map { exp($0 - top) }
            let total = e.reduce(0, +)
            return e.map { $0 / total }
        }
        for _ in 0..<50 {
            var achieved = [Double](repeating: 0, count: lists)
            for i in 0..<n {
                let s = shares(i)
                for p in 0..<lists { achieved[p] += Double(valid[i]) * s[p] }
            }
            let total = achieved.reduce(0, +)
            for p in 0..<lists { levels[p] += log(nationalShares[p] / (achieved[p] / total)) }
        }
        return (0..<n).map { i in
            [registered[i], voters[i], invalid[i], valid[i]] + largestRemainder(valid[i], weights: shares(i))
        }
    }

    /// Splits `total` into integers proportional to `weights` (which sum to 1):
    /// floors, then one more to the largest remainders (ties: lower index).
    static func largestRemainder(_ total: Int, weights: [Double]) -> [Int] {
        let exact = weights.map { Double(total) * $0 }
        var out = exact.map { Int($0.rounded(.down)) }
        let left = total - out.reduce(0, +)
        let order = exact.indices.sorted { a, b in
            let ra = exact[a] - exact[a].rounded(.down), rb = exact[b] - exact[b].rounded(.down)
            return ra != rb ? ra > rb : a < b
        }
        for k in 0..<left { out[order[k % order.count]] += 1 }
        return out
    }

    // MARK: Names

    static let prefixes: [(String, String)] = [
        ("Aït", "آيت"), ("Sidi", "سيدي"), ("Oulad", "أولاد"), ("Beni", "بني"), ("Aïn", "عين"), ("Had", "حد"),
        ("Sebt", "سبت"), ("Tleta", "ثلاثاء"), ("Arbaa", "أربعاء"), ("Khemis", "خميس"), ("Jemaa", "جمعة"), ("Dar", "دار"),
        ("Bir", "بئر"), ("Oued", "واد"), ("Tighza", "تيغزى"), ("Moulay", "مولاي"),
    ]
    static let roots: [(String, String)] = [
        ("Bouzid", "بوزيد"), ("Moussa", "موسى"), ("Ahmed", "أحمد"), ("Ali", "علي"), ("Youssef", "يوسف"), ("Idriss", "إدريس"),
        ("Hassane", "حسن"), ("Malek", "مالك"), ("Brahim", "ابراهيم"), ("Amar", "عمر"), ("Larbi", "العربي"), ("Taïbi", "الطيبي"),
        ("Bouchta", "بوشتى"), ("Slimane", "سليمان"), ("Abdallah", "عبد الله"), ("Lahcen", "لحسن"), ("Mansour", "منصور"),
        ("Ouaziz", "وعزيز"), ("Yahya", "يحيى"), ("Jilali", "الجيلالي"),
    ]

    /// Codes RRNNNN (region, then a number within the region, so with
    /// leading zeros) and French and Arabic names.
    static func names(n: Int, regionOf: [Int], seed: UInt64) -> ([String?], [String?], [String?]) {
        var counter = [Int](repeating: 0, count: regions.count)
        var codes = [String?](), french = [String?](), arabic = [String?]()
        for i in 0..<n {
            let r = regionOf[i]
            counter[r] += 1
            let number = String(counter[r])
            codes.append(regions[r].code + String(repeating: "0", count: max(0, 4 - number.count)) + number)
            var g = RandomStream(seed: seed, key: key(6, i))
            let p = prefixes[g.below(prefixes.count)], q = roots[g.below(roots.count)]
            french.append("\(p.0) \(q.0)")
            arabic.append("\(p.1) \(q.1)")
        }
        return (codes, french, arabic)
    }

    // MARK: Stations

    static func stations(_ m: Int, communes: FeatureTable, counts: [[Int]], codes: [String?], seed: UInt64) throws -> FeatureTable {
        let n = communes.count
        let registered = counts.map { $0[0] }
        let totalRegistered = registered.reduce(0, +)
        // At least one station a commune, at most one per 100 voters.
        let extra = largestRemainder(m - n, weights: registered.map { Double($0) / Double(totalRegistered) })
        let perCommune = (0..<n).map { min(1 + extra[$0], max(1, registered[$0] / 100)) }
        var offsets = [Int](repeating: 0, count: n + 1)
        for i in 0..<n { offsets[i + 1] = offsets[i] + perCommune[i] }
        let start = offsets
        let total = start[n]
        let columns = countColumns.count

        // Locations, in parallel over communes; draws keyed by station.
        var xs = [Double](repeating: 0, count: total), ys = [Double](repeating: 0, count: total)
        let failures = PerChunk<Error>(count: (n + 63) / 64)
        let used = Parallel.workersUsed(count: n, grain: 64)
        let engines = try PerWorker(count: used) { _ in try GeometryEngine() }
        xs.withUnsafeMutableBufferPointer { xb in
            ys.withUnsafeMutableBufferPointer { yb in
                let ox = UnsafeSendableBuffer(xb), oy = UnsafeSendableBuffer(yb)
                communes.geometries.withUnsafeBufferPointer { gb in
                    let geometries = UnsafeSendableInput(gb)
                    Parallel.forEachChunk(count: n, grain: 64, workers: used) { w, chunk, range in
                        do {
                            for c in range {
                                let g = geometries[c]
                                let prepared = try PreparedPolygon(g, engine: engines[w])
                                let b = g.boundingBox!
                                for s in start[c]..<start[c + 1] {
                                    var r = RandomStream(seed: seed, key: key(7, s))
                                    var placed = false
                                    for _ in 0..<1000 {
                                        let px = b.minX + uniform(&r) * b.width, py = b.minY + uniform(&r) * b.height
                                        if try prepared.contains(x: px, y: py) { ox.base[s] = px; oy.base[s] = py; placed = true; break }
                                    }
                                    if !placed, let p = try engines[w].pointOnSurface(g) { ox.base[s] = p.x; oy.base[s] = p.y }
                                }
                            }
                        } catch {
                            failures[chunk] = error
                        }
                    }
                }
            }
        }
        if let error = failures.inOrder.first { throw error }

        // Counts: cumulative rounding of each column over the commune's stations.
        var values = [[Int64?]](repeating: [Int64?](repeating: nil, count: total), count: columns)
        var stationCode = [String?](repeating: nil, count: total), commune = [String?](repeating: nil, count: total)
        for c in 0..<n {
            let k = perCommune[c]
            var r = RandomStream(seed: seed, key: key(8, c))
            let w = (0..<k).map { _ in 0.6 + 0.8 * uniform(&r) }
            let wsum = w.reduce(0, +)
            var cumulative = [Double](repeating: 0, count: k + 1)
            for s in 0..<k { cumulative[s + 1] = cumulative[s] + w[s] / wsum }
            cumulative[k] = 1
            func split(_ t: Int) -> [Int] {
                (0..<k).map { s in Int((Double(t) * cumulative[s + 1]).rounded()) - Int((Double(t) * cumulative[s]).rounded()) }
            }
            let reg = split(counts[c][0]), inv = split(counts[c][2])
            let partyVotes = (4..<columns).map { split(counts[c][$0]) }
            for s in 0..<k {
                let index = start[c] + s
                let valid = partyVotes.reduce(0) { $0 + $1[s] }
                let row = [reg[s], inv[s] + valid, inv[s], valid] + partyVotes.map { $0[s] }
                guard row[1] <= row[0] else {
                    throw GeoVoteError.invalidArgument("internal: station \(index) has more voters than registered; lower --stations")
                }
                for col in 0..<columns { values[col][index] = Int64(row[col]) }
                let number = String(s + 1)
                stationCode[index] = (codes[c] ?? "") + "-" + String(repeating: "0", count: max(0, 3 - number.count)) + number
                commune[index] = codes[c]
            }
        }
        var table = FeatureTable(geometries: (0..<total).map { Geometry.point(x: xs[$0], y: ys[$0]) }, crs: workingCRS, sourceEncoding: .utf8)
        table.columns = [Column(name: "code", values: .text(stationCode)), Column(name: "commune", values: .text(commune))]
            + (0..<columns).map { Column(name: countColumns[$0], values: .integer(values[$0])) }
        return table
    }
}

extension SyntheticElection {
    /// Writes communes and stations, each as Shapefile (UTF-8, `.cpg`) and
    /// GeoJSON, in EPSG:4326 (`communes.shp`, `communes.geojson`, …) and in
    /// UTM 29N (`communes_utm29n.shp`, `communes_utm29n.geojson` with its
    /// `crs` member), plus a README.txt saying the votes are synthetic.
    /// Bytes depend on the data only (the DBF date is fixed to election day).
    /// Returns the paths written.
    @discardableResult
    public func write(to directory: String, stations writeStations: Bool = true, geoJSON: Bool = true) throws -> [String] {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        var written: [String] = []
        var layers = [("communes", communes)]
        if writeStations { layers.append(("stations", stations)) }
        for (name, projected) in layers {
            var lonLat = try projected.projected(to: .wgs84)
            // Degrees to 7 decimals (1 cm): shorter files; shared vertices stay shared.
            lonLat.geometries = lonLat.geometries.map { g in
                func round7(_ v: Double) -> Double { (v * 1e7).rounded() / 1e7 }
                return Geometry(kind: g.kind, x: ContiguousArray(g.x.map(round7)), y: ContiguousArray(g.y.map(round7)),
                                ringOffsets: g.ringOffsets, partOffsets: g.partOffsets)
            }
            for (suffix, table) in [("", lonLat), ("_utm29n", projected)] {
                let base = directory + "/" + name + suffix
                var shp = ShapefileWriter(encoding: .utf8, lastModified: (2021, 9, 8))
                try shp.write(table, to: base + ".shp")
                written.append(base + ".shp")
                if geoJSON {
                    var json = GeoJSONWriter(keepCRS: true)
                    try json.write(table, to: base + ".geojson")
                    written.append(base + ".geojson")
                }
            }
        }
        for (year, results) in earlier {
            let path = directory + "/results_\(year).csv"
            try AtomicFile.write(Data(try CSVWriter().encode(results, file: path)), to: path)
            written.append(path)
        }
        let earlierText = earlier.isEmpty ? "" : """

        Earlier elections (results_YYYY.csv: code and the same count columns, for the same
        communes): \(earlier.map { String($0.year) }.joined(separator: ", ")), each made from the one after it by a
        synthetic swing (national and smooth regional per party, commune noise, turnout).
        """
        let readme = """
        SYNTHETIC election results for Morocco's 12 regions — not the 2021 results.

        Made by `geovote synth` (GeoVote): \(communes.count) communes (Voronoi cells of seeds drawn
        denser where people live, clipped to the Natural Earth 1:50m outline of Morocco and
        Western Sahara)\(writeStations ? " and \(stations.count) polling stations" : ""). Names are invented. Votes follow the
        2021 national ranking roughly (RNI, PAM, PI, USFP, MP, PPS, UC, PJD, others), with
        regional effects and smooth spatial surfaces, so that real hot and cold spots exist.

        Columns: registered, voters (ballots cast), invalid, valid = voters - invalid,
        one column per party, others; party columns and others add up to valid.
        Stations (when written) carry the same columns and add up to their commune (field 'commune').
        Files: *.shp\(geoJSON ? " and *.geojson" : "") in EPSG:4326; *_utm29n.* in EPSG:32629 (UTM 29N).\(earlierText)

        """
        try readme.write(toFile: directory + "/README.txt", atomically: true, encoding: .utf8)
        written.append(directory + "/README.txt")
        return written
    }
}
