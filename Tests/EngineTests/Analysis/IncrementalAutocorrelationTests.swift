import GeoVoteEngine
import Foundation
import TestSupport
import Testing

/// Incremental spatial autocorrelation and the nearest-neighbour decisions
/// against Fixtures/reference/scale/make_reference.py: ArcGIS's published
/// rules re-implemented with numpy/scipy, each band's Moran's I from esda
/// 2.9.0 on libpysal 4.14.1 `DistanceBand` weights. Tolerance: 1e-10
/// relative (1e-12 absolute) for every value.
@Suite struct IncrementalAutocorrelationTests {
    /// (set, variable, given start, given step) as in the script.
    static let sets: [(String, String, Double, Double)] = [
        ("NY8", "PROPCAS", 20000, 5000), ("baltim", "PRICE", 25, 10), ("morocco", "PJD/valid", 150_000, 120_000),
    ]

    static func layer(_ name: String) throws -> FeatureTable {
        try ShapefileReader().read(Fixtures.path("reference/data/\(name).shp"))
    }

    static func compare(_ isa: IncrementalAutocorrelation, _ file: String, normality: Bool = false,
                        sourceLocation: SourceLocation = #_sourceLocation) throws {
        let ref = try Fixtures.csv("reference/scale/\(file)")
        #expect(isa.bands.count == ref.count, "\(file): \(isa.bands.count) bands", sourceLocation: sourceLocation)
        func column(_ name: String) -> [Double] { ref.map { Double($0[name]!)! } }
        expectClose(isa.bands.map(\.distance), column("distance"), .reference, "\(file) distance", sourceLocation: sourceLocation)
        expectClose(isa.bands.map(\.meanNeighbours), column("mean_neighbours"), .reference, "\(file) mean_neighbours", sourceLocation: sourceLocation)
        expectClose(isa.bands.map(\.I), column("I"), .reference, "\(file) I", sourceLocation: sourceLocation)
        expectClose(isa.bands.map(\.expected), column("EI"), .reference, "\(file) EI", sourceLocation: sourceLocation)
        let suffix = normality ? "norm" : "rand"
        expectClose(isa.bands.map(\.variance), column("VI_" + suffix), .reference, "\(file) VI_\(suffix)", sourceLocation: sourceLocation)
        expectClose(isa.bands.map(\.z), column("z_" + suffix), .reference, "\(file) z_\(suffix)", sourceLocation: sourceLocation)
        expectClose(isa.bands.map(\.p), column("p_" + suffix), .reference, "\(file) p_\(suffix)", sourceLocation: sourceLocation)
        #expect(isa.bands.map(\.islands) == ref.map { Int($0["islands"]!)! }, "\(file) islands", sourceLocation: sourceLocation)
        if !normality {
            let marks = isa.table.columns.first { $0.name == "peak" }!.values
            #expect(ref.indices.map { marks.displayValue($0) } == ref.map { $0["peak"]! }, "\(file) peaks", sourceLocation: sourceLocation)
        }
    }

    @Test(arguments: sets)
    func defaultBandsMatchEsdaOnDistanceBands(set: (String, String, Double, Double)) throws {
        let table = try Self.layer(set.0)
        let isa = try IncrementalAutocorrelation.run(table, file: set.0, variable: VariableSpec(parsing: set.1))
        try Self.compare(isa, "\(set.0)_isa.csv")
        let normal = try IncrementalAutocorrelation.run(table, file: set.0, variable: VariableSpec(parsing: set.1),
                                                        options: IncrementalOptions(assumption: .normality))
        try Self.compare(normal, "\(set.0)_isa.csv", normality: true)
    }

    @Test(arguments: sets)
    func givenStartAndStepAreCappedAsArcGISCapsThem(set: (String, String, Double, Double)) throws {
        let isa = try IncrementalAutocorrelation.run(try Self.layer(set.0), file: set.0, variable: VariableSpec(parsing: set.1),
                                                     options: IncrementalOptions(start: set.2, step: set.3))
        try Self.compare(isa, "\(set.0)_isa_given.csv")
    }

    /// Optimized Hot Spot Analysis's bands: 3-sd outliers kept out of start
    /// and step, coincident points out of the mean, islands left out of a band.
    @Test(arguments: sets)
    func optimizedHotSpotBandsLeaveIslandsOut(set: (String, String, Double, Double)) throws {
        let isa = try IncrementalAutocorrelation.run(try Self.layer(set.0), file: set.0, variable: VariableSpec(parsing: set.1),
                                                     options: IncrementalOptions(outlierDeviations: 3, includeCoincident: false))
        try Self.compare(isa, "\(set.0)_ohsa_bands.csv")
    }

    @Test(arguments: sets)
    func nearestNeighbourFactsMatchArcGISsRules(set: (String, String, Double, Double)) throws {
        let points = try WeightsPoints(table: try Self.layer(set.0))
        let ref = try Fixtures.csv("reference/scale/\(set.0)_pattern.csv")
        for row in ref {
            let isa = row["case"] == "isa"
            let p = try PointPattern(points, standardDeviations: isa ? 0 : 3, includeCoincident: isa)
            func value(_ k: String) -> Double { Double(row[k]!)! }
            expectClose(p.threshold, value("threshold"), .reference, "\(set.0) \(row["case"]!) threshold")
            expectClose(p.averageDistance, value("average"), .reference, "average")
            #expect(p.outliers.count == Int(value("outliers")), "\(set.0) \(row["case"]!) outliers")
            expectClose(p.nonZeroAverage, value("nonzero_mean"), .reference, "non-zero mean")
            expectClose(p.nonZeroMedian, value("nonzero_median"), .reference, "non-zero median")
            expectClose(p.standardDistance, value("standard_distance"), .reference, "standard distance")
            expectClose(p.maximumExtent, value("extent"), .reference, "extent")
        }
    }

    /// `returnPeakIndices`: a peak needs a rise before it and a fall after
    /// it; a plateau's last band is the peak; every band of a descending run
    /// after a rise counts, but the highest is still a true maximum.
    @Test func peaksFollowArcGISsRule() {
        #expect(IncrementalAutocorrelation.peaks([1, 3, 2.5, 2]) == (first: 1, highest: 1))
        #expect(IncrementalAutocorrelation.peaks([5, 4, 3]) == (first: nil, highest: nil))        // never rises
        #expect(IncrementalAutocorrelation.peaks([1, 2, 3, 4]) == (first: nil, highest: nil))     // never falls
        #expect(IncrementalAutocorrelation.peaks([1, 3, 3, 2]) == (first: 2, highest: 2))         // plateau
        #expect(IncrementalAutocorrelation.peaks([1, 1.6, 1.5, 4, 3, 5, 4.9]) == (first: 3, highest: 5))  // 1.6 is below 1.65
    }

    @Test func refusesWhatItCannotAnswer() throws {
        let table = try Self.layer("NY8")
        #expect(throws: GeoVoteError.self) {
            try IncrementalAutocorrelation.run(table, file: "NY8", variable: VariableSpec(parsing: "PROPCAS"), options: IncrementalOptions(count: 1))
        }
        #expect(throws: GeoVoteError.self) {   // below 0.1 % of the extent
            try IncrementalAutocorrelation.run(table, file: "NY8", variable: VariableSpec(parsing: "PROPCAS"), options: IncrementalOptions(start: 1))
        }
        let geographic = try ShapefileReader().read(Fixtures.path("morocco/communes.shp"))
        #expect(throws: GeoVoteError.self) {
            try IncrementalAutocorrelation.run(geographic, file: "communes.shp", variable: VariableSpec(parsing: "PJD/valid"))
        }
    }
}
