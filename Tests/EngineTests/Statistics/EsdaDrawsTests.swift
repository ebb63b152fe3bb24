import GeoVoteEngine
import Foundation
import TestSupport
import Testing

/// esda's own conditional randomisation (`--draws esda`, `SharedDraws`):
/// its table of draws from numba's stream, and its pseudo p-values unit for
/// unit. References: Fixtures/reference/statistics/make_reference.py and
/// make_reference_more.py (esda 2.9.0, seed 12345, R = 9,999), and
/// make_reference_esda_draws.py (esda.crand.vec_permutations itself).
@Suite struct EsdaDrawsTests {
    typealias A = AutocorrelationReferenceTests
    static let esda = try! ConditionalPermutation(permutations: 9999, seed: 12345, draws: .esda)

    /// Our p against esda's: equal (esda stores p as float32), or — where a
    /// simulated statistic equals the observed one up to rounding — off by
    /// no more than the number of such ties (floating-point order decides
    /// whether a tie counts as ≥, in esda as here). Returns the exact count.
    @discardableResult
    static func sameOrTied(_ ours: [Double], _ theirs: [Double], observed: [Double], simulations: [Double], r: Int,
                           _ label: String) -> Int {
        var exact = 0
        for i in ours.indices {
            let p = ours[i], q = theirs[i]
            #expect(p.isNaN == q.isNaN, "\(label)[\(i)]: \(p) vs esda \(q)")
            guard !p.isNaN, !q.isNaN else { continue }
            if abs(p - q) <= 1e-6 { exact += 1; continue }
            let sims = simulations[(i * r)..<((i + 1) * r)]
            let scale = max(abs(observed[i]), sims.map(abs).max() ?? 0)
            let ties = sims.count { abs($0 - observed[i]) <= 1e-9 * scale }
            let moved = (abs(p - q) * Double(r + 1)).rounded()
            #expect(moved <= Double(ties), "\(label)[\(i)]: p \(p) vs esda \(q): \(Int(moved)) draws apart, \(ties) ties")
        }
        return exact
    }

    static func keeping(_ permutation: ConditionalPermutation) -> ConditionalPermutation {
        var p = permutation
        p.keepSimulations = true
        return p
    }

    @Test func tableIsEsdasVecPermutations() throws {
        let rows = try Fixtures.csv("reference/statistics/esda_tables.csv")
        let configurations = Dictionary(grouping: rows) { [$0["max_card"]!, $0["n"]!, $0["R"]!, $0["seed"]!].map { Int($0)! } }
        #expect(configurations.count == 5)
        for (key, expected) in configurations {
            let (width, n, r, seed) = (key[0], key[1], key[2], key[3])
            let table = SharedDraws.table(stream: .esda, count: n - 1, width: width, rows: r, seed: UInt64(seed))
            for row in expected {
                let t = Int(row["row"]!)!
                let ids = row["ids"]!.split(separator: " ").map { Int32($0)! }
                #expect(Array(table[(t * width)..<((t + 1) * width)]) == ids, "vec_permutations(\(width), \(n), \(r), \(seed)) row \(t)")
            }
        }
    }

    /// The keyed table: distinct indices in range per row, the same for any
    /// thread count, another seed another table.
    @Test func keyedTableIsDistinctAndThreadFree() {
        let one = SharedDraws.table(stream: .keyed, count: 1000, width: 40, rows: 99, seed: 3, workers: 1)
        #expect(one == SharedDraws.table(stream: .keyed, count: 1000, width: 40, rows: 99, seed: 3, workers: 8))
        #expect(one != SharedDraws.table(stream: .keyed, count: 1000, width: 40, rows: 99, seed: 4, workers: 1))
        for row in 0..<99 {
            let ids = one[(row * 40)..<((row + 1) * 40)]
            #expect(Set(ids).count == 40 && ids.allSatisfy { (0..<1000).contains($0) })
        }
    }

    static let sets: [(String, String, String)] = [("columbus", "CRIME", "INC"), ("NY8", "PROPCAS", "PCTOWNHOME"),
                                                   ("morocco", "PJD/valid", "voters/registered")]

    /// Every kernel against esda, unit for unit: Local Moran (row), Gi*
    /// (binary + self), bivariate Local Moran, Local Geary and local join
    /// counts. Every p equal, or apart by no more than the unit's ties.
    @Test(arguments: sets)
    func pValuesAreEsdas(set: (String, String, String)) throws {
        let table = try ShapefileReader().read(Fixtures.path("reference/data/\(set.0).shp"))
        let y = try table.values(of: VariableSpec(parsing: set.1)), other = try table.values(of: VariableSpec(parsing: set.2))
        let base = try SpatialWeights.contiguity(table, rule: .queen)
        let ref = try Fixtures.csv("reference/statistics/\(set.0)_esda_draws.csv")
        let column = { (key: String) in ref.map { Double($0[key]!)! } }
        let draws = Self.keeping(Self.esda)
        let row = base.transformed(.row)
        let lm = try LocalMoran(y, weights: row, transform: row.transform, permutation: draws)
        let star = try GetisOrdG(y, weights: base, star: true, transform: .binary, variance: .esda, permutation: draws)
        let bv = try LocalMoran(x: y, y: other, weights: row, transform: row.transform, permutation: draws)
        let lg = try LocalGeary(y, weights: row, transform: row.transform, permutation: draws)
        let sorted = y.sorted(), half = y.count / 2
        let median = y.count % 2 == 1 ? sorted[half] : (sorted[half - 1] + sorted[half]) / 2  // numpy's median
        let lj = try LocalJoinCount(y.map { $0 > median ? 1 : 0 }, weights: base, permutation: draws)
        for (i, g) in column("lg").enumerated() { A.close(lg.c[i], g, "\(set.0) localG[\(i)]") }
        #expect(lj.count == column("jc"))
        let label = set.0
        let exact = [
            Self.sameOrTied(lm.pseudoP!, column("lm_p"), observed: lm.I, simulations: lm.simulations!, r: 9999, "\(label) Local Moran"),
            Self.sameOrTied(star.pseudoP!, column("gs_p"), observed: star.G, simulations: star.simulations!, r: 9999, "\(label) Gi*"),
            Self.sameOrTied(bv.pseudoP!, column("bv_p"), observed: bv.I, simulations: bv.simulations!, r: 9999, "\(label) BV Local Moran"),
            Self.sameOrTied(lg.pseudoP!, column("lg_p"), observed: lg.c, simulations: lg.simulations!, r: 9999, "\(label) Local Geary"),
            Self.sameOrTied(lj.pseudoP!, column("jc_p"), observed: lj.count, simulations: lj.simulations!, r: 9999, "\(label) join count"),
        ]
        print("\(label): p equal to esda's for \(exact) of \(y.count) units")
        // Morocco's shares have no ties: every p equal. Columbus: Local Moran
        // and Gi* all equal (its INC and squared differences hold ties).
        let defined = lj.pseudoP!.count { !$0.isNaN }
        if set.0 == "morocco" { #expect(exact == [y.count, y.count, y.count, y.count, defined]) }
        if set.0 == "columbus" { #expect(exact[0...1] == [y.count, y.count]) }
    }

    /// The same p-values for any number of workers, both streams.
    @Test(arguments: [SharedDraws.Stream.esda, .keyed])
    func identicalForAnyThreadCount(stream: SharedDraws.Stream) throws {
        let (y, w) = try A.input("NY8", "PROPCAS", .row)
        let draws = try ConditionalPermutation(permutations: 999, seed: 5, draws: stream == .esda ? .esda : .shared)
        let one = try LocalMoran(y, weights: w, transform: w.transform, permutation: draws, workers: 1)
        for workers in [2, 8] {
            #expect(try LocalMoran(y, weights: w, transform: w.transform, permutation: draws, workers: workers).pseudoP! == one.pseudoP!)
        }
    }

    /// Global tests with esda's stream (np.random.seed(12345), then esda's
    /// np.random.permutation per simulation): Moran's I (row and binary),
    /// Geary's C and General G give esda's p_sim exactly.
    @Test(arguments: A.sets)
    func globalPValuesAreEsdas(set: (String, String)) throws {
        for transform in [WeightsTransform.row, .binary] {
            let (y, w) = try A.input(set.0, set.1, transform)
            let ref = try Fixtures.csv("reference/statistics/\(set.0)_\(transform.rawValue)_global.csv")[0]
            let m = try MoranI(y, weights: w, permutations: 9999, seed: 12345, draws: .esda)
            #expect(m.pseudoP! == Double(ref["p_sim"]!)!, "\(set.0) \(transform) Moran p_sim")
        }
        let ref = try Fixtures.csv("reference/statistics/\(set.0)_geary_g.csv")[0]
        let (y, wr) = try A.input(set.0, set.1, .row), (_, wb) = try A.input(set.0, set.1, .binary)
        let c = try GearyC(y, weights: wr, permutations: 9999, seed: 12345, draws: .esda)
        let g = try GeneralG(y, weights: wb, permutations: 9999, seed: 12345, draws: .esda)
        #expect(c.pseudoP! == Double(ref["geary_p_sim"]!)!, "\(set.0) Geary p_sim")
        #expect(g.pseudoP! == Double(ref["g_p_sim"]!)!, "\(set.0) General G p_sim")
    }
}
