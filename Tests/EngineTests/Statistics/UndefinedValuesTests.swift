import GeoVoteEngine
import Foundation
import TestSupport
import Testing

/// Missing values, zero denominators and constant variables: left out or
/// undefined, with a reason, never a fake number. The GeoDa agreement of the
/// left-out rule is checked in GeoDaReferenceTests.
@Suite struct UndefinedValuesTests {
    static func morocco() throws -> FeatureTable {
        try ShapefileReader().read(Fixtures.path("morocco/communes_utm29n.shp"))
    }

    @Test func restrictedWeightsEqualWeightsBuiltWithoutTheFeatures() throws {
        let table = try Self.morocco()
        let reasons = (0..<table.count).map { $0 % 13 == 5 ? "left out" : nil as String? }
        let subset = DefinedSubset(reasons: reasons)
        let reduced = FeatureTable(geometries: subset.kept.map { table.geometries[$0] })
        let full = try SpatialWeights.contiguity(table, rule: .queen)
        #expect(subset.restrict(full) == (try SpatialWeights.contiguity(reduced, rule: .queen)))
        // Transform after restricting: rows of the kept features still sum to 1.
        let row = subset.restrict(full).transformed(.row)
        for i in 0..<row.count where row.cardinalities[i] > 0 {
            #expect(abs(row.weights(of: i).reduce(0, +) - 1) < 1e-12)
        }
        // A statistic on the subset, expanded, sits at the kept features' places.
        let y = try table.values(of: VariableSpec(parsing: "PJD/valid"))
        let lm = try LocalMoran(subset.restrict(y), weights: row)
        let expanded = subset.expand(lm.I)
        #expect(expanded.count == table.count)
        for i in 0..<table.count {
            #expect(reasons[i] == nil ? expanded[i] == lm.I[subset.kept.firstIndex(of: i)!] : expanded[i].isNaN)
        }
    }

    @Test func definedValuesSayWhyEachValueIsMissing() throws {
        let geometries = (0..<6).map { Geometry.point(x: Double($0), y: 0) }
        let table = FeatureTable(geometries: geometries, columns: [
            Column(name: "PJD", values: .integer([10, nil, 30, 7, 12, 27])),
            Column(name: "valid", values: .integer([100, 100, 0, 50, 80, 90])),
            Column(name: "turnout", values: .text(["0.5", "n/a", "0.7", "", "0.4", "0.6"])),
        ])
        let (share, subset) = try table.definedValues(of: VariableSpec(parsing: "PJD/valid"))
        #expect(subset.kept == [0, 3, 4, 5])
        #expect(subset.reasons[1] == "PJD is missing")
        #expect(subset.reasons[2] == "valid is 0: PJD/valid is undefined")
        #expect(share[0] == 0.1 && share[1].isNaN && share[2].isNaN && share[3] == 7.0 / 50)
        let (turnout, t) = try table.definedValues(of: VariableSpec(parsing: "turnout"))
        #expect(t.reasons[1] == "turnout is \"n/a\", not a number")
        #expect(t.reasons[3] == "turnout is missing")
        #expect(turnout[0] == 0.5 && turnout[4] == 0.4)
        // Empirical Bayes rates over the kept features only.
        let (eb, e) = try table.definedValues(of: VariableSpec(parsing: "eb:PJD/valid"))
        let expected = try EmpiricalBayes.assuncaoReis(events: [10, 7, 12, 27], population: [100, 50, 80, 90])
        #expect(e.kept == [0, 3, 4, 5])
        #expect(e.restrict(eb) == expected)
        // The strict reader still refuses, naming the record.
        #expect(throws: GeoVoteError.self) { try table.values(of: VariableSpec(parsing: "PJD/valid")) }
        // A field with no number at all is an error, not n undefined rows.
        let empty = FeatureTable(geometries: geometries, columns: [Column(name: "x", values: .text(Array(repeating: "n/a", count: 6)))])
        #expect(throws: GeoVoteError.self) { try empty.definedValues(of: VariableSpec(parsing: "x")) }
    }

    @Test func aConstantVariableIsUndefinedNotLowLow() throws {
        let table = try Self.morocco()
        let w = try SpatialWeights.contiguity(table, rule: .queen)
        let y = [Double](repeating: 0.25, count: table.count)
        let perm = try ConditionalPermutation(permutations: 99)
        let lm = try LocalMoran(y, weights: w.transformed(.row), permutation: perm)
        #expect(lm.I.allSatisfy(\.isNaN) && lm.quadrant.allSatisfy { $0 == .undefined } && lm.pseudoP!.allSatisfy(\.isNaN))
        #expect(lm.undefined.count == table.count)
        let g = try GetisOrdG(y, weights: w, star: true, permutation: perm)
        #expect(g.z.allSatisfy(\.isNaN) && g.p.allSatisfy(\.isNaN) && g.undefined.count == table.count)
        let lg = try LocalGeary(y, weights: w.transformed(.row), permutation: perm)
        #expect(lg.c.allSatisfy(\.isNaN) && lg.classes(p: lg.pseudoP, cutoff: 0.05).allSatisfy { $0 == .undefined })
    }
}
