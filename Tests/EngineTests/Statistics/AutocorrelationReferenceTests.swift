import GeoVoteEngine
import Foundation
import TestSupport
import Testing

/// Global and local autocorrelation against esda 2.9.0 / libpysal 4.14.1 on
/// columbus CRIME and NY8 PROPCAS with queen weights. Reference values:
/// Fixtures/reference/statistics/make_reference.py. Analytic values to 1e-10
/// (relative, absolute 1e-12); permutation p-values within
/// 3·√(p(1−p)/R) + 1/(R+1) of esda's (R = 9,999) for at least 99.5 % of
/// units. GeoVote runs 99,999 permutations here: two independent runs of
/// 9,999 would differ by more than that bound for ~3 % of units by chance
/// alone (the difference has √2 times the standard error).
@Suite struct AutocorrelationReferenceTests {
    static let sets = [("columbus", "CRIME"), ("NY8", "PROPCAS")]

    static func input(_ name: String, _ field: String, _ transform: WeightsTransform) throws -> ([Double], SpatialWeights) {
        let table = try ShapefileReader().read(Fixtures.path("reference/data/\(name).shp"))
        let column = try #require(table.column(named: field))
        let y = (0..<table.count).map { column.values.number($0)! }
        return (y, try SpatialWeights.contiguity(table, rule: .queen).transformed(transform))
    }

    static func close(_ a: Double, _ b: Double, _ label: String, sourceLocation: SourceLocation = #_sourceLocation) {
        expectClose(a, b, .reference, "\(label) (esda)", sourceLocation: sourceLocation)
    }

    /// GeoVote's permutations where its p-values are compared with a
    /// reference's (R = 9,999): the bound 3·√(p(1−p)/R) allows for the
    /// reference's own sampling error only, so ours must be much finer —
    /// with 99,999 our error still took a tenth of the margin and tipped
    /// units whose esda estimate sits 2.6–2.7 standard errors from the
    /// exact p (columbus 18, NY8 160; exact values from 10⁶ permutations:
    /// `geovote hotspots Fixtures/reference/data/NY8.shp --field PROPCAS
    /// --statistic local-moran,gistar --variance esda --permutations 1000000
    /// --seed 1|2` gives 0.4135 and 0.4129 for NY8 unit 160, esda 0.4002).
    static let finePermutations = 999_999

    static func withinPermutationTolerance(_ ours: [Double], _ esda: [Double], r: Int, _ label: String, share: Double = 0.995, sigmas: Double = 3) {
        var agree = 0
        for (i, (p, q)) in zip(ours, esda).enumerated() {
            let tolerance = sigmas * (q * (1 - q) / Double(r)).squareRoot() + 1 / Double(r + 1)
            if abs(p - q) <= tolerance { agree += 1 } else { print("\(label): unit \(i) p \(p) esda \(q)") }
        }
        #expect(Double(agree) >= share * Double(ours.count), "\(label): \(agree) of \(ours.count) p-values agree")
    }

    @Test(arguments: sets)
    func moranMatchesEsda(set: (String, String)) throws {
        for transform in [WeightsTransform.row, .binary] {
            let (y, w) = try Self.input(set.0, set.1, transform)
            let ref = try Fixtures.csv("reference/statistics/\(set.0)_\(transform.rawValue)_global.csv")[0].mapValues { Double($0)! }
            let m = try MoranI(y, weights: w, permutations: 99_999)
            Self.close(m.I, ref["I"]!, "I")
            Self.close(m.expected, ref["EI"]!, "EI")
            Self.close(m.varianceNormal, ref["VI_norm"]!, "VI_norm")
            Self.close(m.zNormal, ref["z_norm"]!, "z_norm")
            Self.close(m.pNormal, ref["p_norm"]!, "p_norm")
            Self.close(m.varianceRandomization, ref["VI_rand"]!, "VI_rand")
            Self.close(m.zRandomization, ref["z_rand"]!, "z_rand")
            Self.close(m.pRandomization, ref["p_rand"]!, "p_rand")
            Self.withinPermutationTolerance([m.pseudoP!], [ref["p_sim"]!], r: 9999, "\(set.0) Moran p_sim")
        }
    }

    @Test(arguments: sets)
    func localMoranMatchesEsda(set: (String, String)) throws {
        for transform in [WeightsTransform.row, .binary] {
            let (y, w) = try Self.input(set.0, set.1, transform)
            let ref = try Fixtures.csv("reference/statistics/\(set.0)_\(transform.rawValue)_local.csv")
            let lm = try LocalMoran(y, weights: w, transform: w.transform, scale: .esda)
            for (i, row) in ref.enumerated() {
                Self.close(lm.I[i], Double(row["Is"]!)!, "Is[\(i)]")
                #expect(lm.quadrant[i].rawValue == Int(row["q"]!)!)
            }
        }
    }

    @Test(arguments: sets)
    func getisOrdMatchesEsda(set: (String, String)) throws {
        // Binary weights: Gi* (diagonal 1, as esda fills it) and Gi.
        let (y, w) = try Self.input(set.0, set.1, .binary)
        let ref = try Fixtures.csv("reference/statistics/\(set.0)_B_local.csv")
        let star = try GetisOrdG(y, weights: w, star: true, variance: .esda)
        let arcgis = try GetisOrdG(y, weights: w, star: true, variance: .ordGetis)
        let plain = try GetisOrdG(y, weights: w, star: false, variance: .esda)
        for (i, row) in ref.enumerated() {
            Self.close(star.G[i], Double(row["Gs_star"]!)!, "Gs*[\(i)]")
            Self.close(star.expected[i], Double(row["EGs_star"]!)!, "EGs*[\(i)]")
            Self.close(star.z[i], Double(row["Zs_star"]!)!, "Zs*[\(i)]")
            // Binary weights: the Ord–Getis (ArcGIS) z equals esda's.
            Self.close(arcgis.z[i], Double(row["Zs_star"]!)!, "ArcGIS z[\(i)]")
            Self.close(plain.G[i], Double(row["Gs"]!)!, "Gs[\(i)]")
            Self.close(plain.expected[i], Double(row["EGs"]!)!, "EGs[\(i)]")
            Self.close(plain.z[i], Double(row["Zs"]!)!, "Zs[\(i)]")
        }
        // Row-standardised Gi (no self-weight) against esda too.
        let (_, wr) = try Self.input(set.0, set.1, .row)
        let refR = try Fixtures.csv("reference/statistics/\(set.0)_R_local.csv")
        let plainR = try GetisOrdG(y, weights: wr, star: false, variance: .esda)
        for (i, row) in refR.enumerated() {
            Self.close(plainR.G[i], Double(row["Gs"]!)!, "R Gs[\(i)]")
            Self.close(plainR.z[i], Double(row["Zs"]!)!, "R Zs[\(i)]")
        }
    }
}

extension AutocorrelationReferenceTests {
    /// Local permutation p-values against esda's, pooled over the units of
    /// columbus and NY8 (330), as the criterion is stated "for 99.5 % of
    /// units": per set, 49 columbus units would allow no miss at all, and
    /// esda's own estimate is a random draw too (columbus unit 18: esda's
    /// 0.1177 is 2.7 standard errors from the exact 0.1091 found with 10⁶
    /// permutations; NY8 unit 160: esda's 0.4002 against the exact 0.413).
    @Test func localPermutationPValuesMatchEsdaPooled() throws {
        var moranR: ([Double], [Double]) = ([], []), moranB = moranR, giStar = moranR
        for (name, field) in Self.sets {
            for transform in [WeightsTransform.row, .binary] {
                let (y, w) = try Self.input(name, field, transform)
                let ref = try Fixtures.csv("reference/statistics/\(name)_\(transform.rawValue)_local.csv")
                let lm = try LocalMoran(y, weights: w, transform: w.transform, permutation: try ConditionalPermutation(permutations: Self.finePermutations))
                if transform == .row {
                    moranR.0 += lm.pseudoP!; moranR.1 += ref.map { Double($0["p_sim"]!)! }
                } else {
                    moranB.0 += lm.pseudoP!; moranB.1 += ref.map { Double($0["p_sim"]!)! }
                    let star = try GetisOrdG(y, weights: w, star: true, variance: .esda,
                                             permutation: try ConditionalPermutation(permutations: Self.finePermutations))
                    giStar.0 += star.pseudoP!; giStar.1 += ref.map { Double($0["p_sim_star"]!)! }
                }
            }
        }
        Self.withinPermutationTolerance(moranR.0, moranR.1, r: 9999, "local Moran (row) p_sim")
        Self.withinPermutationTolerance(moranB.0, moranB.1, r: 9999, "local Moran (binary) p_sim")
        Self.withinPermutationTolerance(giStar.0, giStar.1, r: 9999, "Gi* p_sim")
    }
}

@Suite struct PermutationEngineTests {
    @Test(arguments: [2, 8])
    func identicalForAnyThreadCount(workers: Int) throws {
        let (y, w) = try AutocorrelationReferenceTests.input("NY8", "PROPCAS", .row)
        let one = try LocalMoran(y, weights: w, transform: w.transform, permutation: try ConditionalPermutation(permutations: 499, seed: 7), workers: 1)
        let many = try LocalMoran(y, weights: w, transform: w.transform, permutation: try ConditionalPermutation(permutations: 499, seed: 7), workers: workers)
        #expect(one.pseudoP! == many.pseudoP! && one.zSim!.map(\.bitPattern) == many.zSim!.map(\.bitPattern))
        let g1 = try GetisOrdG(y, weights: w, star: false, permutation: try ConditionalPermutation(permutations: 499, seed: 7), workers: 1)
        let g2 = try GetisOrdG(y, weights: w, star: false, permutation: try ConditionalPermutation(permutations: 499, seed: 7), workers: workers)
        #expect(g1.pseudoP! == g2.pseudoP!)
        let m1 = try MoranI(y, weights: w, permutations: 999, seed: 3, workers: 1)
        let m2 = try MoranI(y, weights: w, permutations: 999, seed: 3, workers: workers)
        #expect(m1.pseudoP == m2.pseudoP)
        let c1 = try GearyC(y, weights: w, permutations: 999, seed: 3, workers: 1)
        let c2 = try GearyC(y, weights: w, permutations: 999, seed: 3, workers: workers)
        #expect(c1.pseudoP == c2.pseudoP)
        for alternative in Alternative.allCases {
            let draws = try ConditionalPermutation(permutations: 499, seed: 7, alternative: alternative, draws: alternative == .folded ? .withReplacement : .withoutReplacement)
            let l1 = try LocalGeary(y, weights: w, transform: w.transform, permutation: draws, workers: 1)
            let l2 = try LocalGeary(y, weights: w, transform: w.transform, permutation: draws, workers: workers)
            #expect(l1.pseudoP! == l2.pseudoP! && l1.zSim!.map(\.bitPattern) == l2.zSim!.map(\.bitPattern), "\(alternative)")
            let b1 = try LocalMoran(x: y, y: y.map { $0 * $0 }, weights: w, transform: w.transform, permutation: draws, workers: 1)
            let b2 = try LocalMoran(x: y, y: y.map { $0 * $0 }, weights: w, transform: w.transform, permutation: draws, workers: workers)
            #expect(b1.pseudoP! == b2.pseudoP!)
        }
        // GeoDa's streams: parallel over its blocks, the same for any worker count.
        let geoda = try ConditionalPermutation(permutations: 199, seed: 123_456_789, draws: .geoda(threads: 6))
        let d1 = try LocalMoran(y, weights: w, transform: w.transform, permutation: geoda, workers: 1)
        let d2 = try LocalMoran(y, weights: w, transform: w.transform, permutation: geoda, workers: workers)
        #expect(d1.pseudoP! == d2.pseudoP! && d1.zSim!.map(\.bitPattern) == d2.zSim!.map(\.bitPattern))
        let median = y.sorted()[y.count / 2]
        let binary = y.map { $0 > median ? 1.0 : 0.0 }
        let j1 = try LocalJoinCount(binary, weights: w, permutation: try ConditionalPermutation(permutations: 499), workers: 1)
        let j2 = try LocalJoinCount(binary, weights: w, permutation: try ConditionalPermutation(permutations: 499), workers: workers)
        #expect(j1.pseudoP!.map(\.bitPattern) == j2.pseudoP!.map(\.bitPattern))
    }

    /// Kept simulations (esda's keep_simulations) are the ones the p-values
    /// came from: each unit's p recomputed from them is the p returned (for
    /// both engines, two-sided, which sorts its input); keeping them does
    /// not change the p-values.
    @Test func keptSimulationsGiveTheSamePValues() throws {
        let (y, w) = try AutocorrelationReferenceTests.input("columbus", "CRIME", .row)
        let r = 499
        for engine in ["own", "geoda", "shared"] {
            let geoda = engine == "geoda"
            var draws = try ConditionalPermutation(permutations: r, seed: 5, alternative: .twoSided,
                                                   draws: geoda ? .geoda(threads: 2) : engine == "shared" ? .shared : .withoutReplacement)
            let plain = try LocalMoran(y, weights: w, transform: w.transform, permutation: draws)
            draws.keepSimulations = true
            let kept = try LocalMoran(y, weights: w, transform: w.transform, permutation: draws)
            let sims = try #require(kept.simulations)
            #expect(sims.count == y.count * r && plain.simulations == nil && plain.pseudoP! == kept.pseudoP!)
            for i in 0..<y.count {
                var own = Array(sims[(i * r)..<((i + 1) * r)])
                #expect(Alternative.twoSided.pseudoP(observed: kept.I[i], simulated: &own) == kept.pseudoP![i], "unit \(i), \(engine)")
            }
        }
    }

    /// Seed-free check: under conditional randomisation without
    /// replacement, E[Σ_j w_ij v_π(j)] = W_i · (Σ_{j≠i} v_j)/(n − 1). The
    /// simulated mean must lie within 5 standard errors of it. For each
    /// unit's own draws and for esda's shared table (both streams).
    @Test(arguments: [nil, SharedDraws.Stream.keyed, .esda])
    func simulatedMeanMatchesConditionalExpectation(shared: SharedDraws.Stream?) throws {
        let (y, w) = try AutocorrelationReferenceTests.input("columbus", "CRIME", .row)
        let n = y.count, r = 20_000
        let total = y.reduce(0, +)
        let engine = try ConditionalPermutation(permutations: r, seed: 99, draws: shared == .esda ? .esda : .shared)
        let observed = SpatialLag.lag(y, w)
        let result = engine.run(observed: observed, values: y, weights: w, a: [Double](repeating: 0, count: n), b: [Double](repeating: 1, count: n))
        for i in 0..<n {
            let wi = w.weights(of: i).reduce(0, +)
            let expected = wi * (total - y[i]) / Double(n - 1)
            // sd of the simulated lag from zSim: (obs − mean)/zSim.
            let sd = abs((observed[i] - result.meanSim[i]) / result.zSim[i])
            #expect(abs(result.meanSim[i] - expected) <= 5 * sd / Double(r).squareRoot() + 1e-12, "unit \(i)")
        }
    }

    /// Seed-free check of the spread: the lag Σ_q w_q V_q of k values drawn
    /// from the N = n − 1 others (population variance σ², divisor N) has
    /// variance σ² (Σw² − ((Σw)² − Σw²)/(N − 1)) without replacement (the
    /// covariance of two draws is −σ²/(N − 1)) and σ² Σw² with replacement.
    /// The simulated variance must lie within 5 of its standard errors
    /// (√((μ₄ − s⁴)/R), from the kept simulations) of it, unit by unit and,
    /// more sharply, pooled over the units.
    @Test(arguments: ["own", "with", "shared", "esda"])
    func simulatedVarianceMatchesConditionalVariance(draws: String) throws {
        let (y, w) = try AutocorrelationReferenceTests.input("NY8", "PROPCAS", .row)
        let n = y.count, r = 100_000
        var engine = try ConditionalPermutation(permutations: r, seed: 41,
                                                draws: draws == "with" ? .withReplacement : draws == "shared" ? .shared : draws == "esda" ? .esda : .withoutReplacement)
        engine.keepSimulations = true
        let result = engine.run(observed: SpatialLag.lag(y, w), values: y, weights: w,
                                a: [Double](repeating: 0, count: n), b: [Double](repeating: 1, count: n))
        let sims = try #require(result.simulations)
        var deviations: [Double] = [], otherScheme: [Double] = []
        for i in 0..<n where !w.weights(of: i).isEmpty {
            let others = y.indices.filter { $0 != i }.map { y[$0] }
            let mean = others.reduce(0, +) / Double(n - 1)
            let sigma2 = others.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(n - 1)
            let wi = w.weights(of: i), s1 = wi.reduce(0, +), s2 = wi.reduce(0) { $0 + $1 * $1 }
            let withVariance = sigma2 * s2, withoutVariance = sigma2 * (s2 - (s1 * s1 - s2) / Double(n - 2))
            let expected = draws == "with" ? withVariance : withoutVariance
            let own = sims[(i * r)..<((i + 1) * r)]
            let m = own.reduce(0, +) / Double(r)
            let variance = own.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(r)
            let m4 = own.reduce(0) { $0 + pow($1 - m, 4) } / Double(r)
            let se = ((m4 - variance * variance) / Double(r)).squareRoot()
            #expect(abs(variance - expected) <= 5 * se + 1e-15, "\(draws) unit \(i): simulated variance \(variance), conditional \(expected)")
            guard se > 0 else { continue }
            deviations.append((variance - expected) / se)
            otherScheme.append((variance - (draws == "with" ? withoutVariance : withVariance)) / se)
        }
        // Pooled over the units (each unit's own draws: independent errors,
        // so the mean of 281 has a standard error near 0.06) the standardised
        // deviations average to 0 within 0.5, while the other scheme's
        // variance — with replacement for draws without, and back — sits more
        // than 1.5 away (2.0–2.3 at R = 100,000): the check tells the two
        // apart. Not pooled for the shared table: all units read the same
        // rows, so their errors move together (a pooled mean of 0.58 seen).
        guard draws == "own" || draws == "with" else { return }
        let pooled = deviations.reduce(0, +) / Double(deviations.count)
        let pooledOther = otherScheme.reduce(0, +) / Double(otherScheme.count)
        #expect(abs(pooled) <= 0.5, "\(draws): mean standardised deviation \(pooled)")
        #expect(abs(pooledOther) >= 1.5, "\(draws): the other scheme's variance is only \(pooledOther) away")
    }

    @Test func undefinedInputsAreReported() throws {
        let w = SpatialWeights(neighborLists: [[1], [0, 2], [1], []])
        let lm = try LocalMoran([1, 2, 3, 4], weights: w, transform: w.transform)
        #expect(lm.undefined == [3] && lm.I[3].isNaN && lm.quadrant[3] == .undefined)
        #expect(throws: GeoVoteError.self) { try LocalMoran([1, .nan, 3, 4], weights: w, transform: w.transform) }
        // A constant variable: every unit undefined (not esda's "LL" with p = 0.0001).
        let constant = try LocalMoran([2, 2, 2, 2], weights: w, transform: w.transform)
        #expect(constant.I.allSatisfy(\.isNaN) && constant.quadrant == [.undefined, .undefined, .undefined, .undefined] && constant.undefined == [0, 1, 2, 3])
        #expect(throws: GeoVoteError.self) { try MoranI([1, 2, 3], weights: SpatialWeights(neighborLists: [[1], [0], []])) }
    }
}
