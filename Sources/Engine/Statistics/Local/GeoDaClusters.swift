/// GeoDa's cluster codes (its cluster maps and the LISA_CL field), from
/// GeoVote's results, by libgeoda's rules; significant when p ≤ cutoff.
/// Codes of undefined and isolated units as GeoDa numbers them per
/// statistic. Checked against pygeoda on columbus, NY8 and the Morocco
/// fixture (GeoDaReferenceTests).
public enum GeoDaClusters {
    /// GeoDa's labels, indexed by code.
    public static let localMoranLabels = ["Not significant", "High-High", "Low-Low", "Low-High", "High-Low", "Undefined", "Isolated"]
    public static let getisOrdLabels = ["Not significant", "High-High", "Low-Low", "Undefined", "Isolated"]
    public static let localGearyLabels = ["Not significant", "High-High", "Low-Low", "Other Positive", "Negative", "Undefined", "Isolated"]
    public static let joinCountLabels = ["Not significant", "Significant", "Undefined", "Isolated"]

    /// Local Moran: 0 not significant, 1 HH, 2 LL, 3 LH, 4 HL, 5 undefined,
    /// 6 isolated (no neighbour).
    public static func localMoran(_ lm: LocalMoran, weights w: SpatialWeights, p: [Double], cutoff: Double) -> [Int] {
        let fromQuadrant: [Quadrant: Int] = [.undefined: 5, .highHigh: 1, .lowHigh: 3, .lowLow: 2, .highLow: 4]
        return lm.quadrant.indices.map { i in
            if w.offsets[i + 1] == w.offsets[i] { return 6 }
            let code = fromQuadrant[lm.quadrant[i]]!
            if code == 5 { return 5 }
            return p[i] <= cutoff ? code : 0
        }
    }

    /// Getis–Ord Gi and Gi*: 0 not significant, 1 high (G_i at or above the
    /// mean of the defined G), 2 low, 3 undefined, 4 isolated.
    public static func getisOrd(_ g: GetisOrdG, weights w: SpatialWeights, p: [Double], cutoff: Double) -> [Int] {
        let defined = g.G.filter(\.isFinite)
        let mean = defined.reduce(0, +) / Double(max(1, defined.count))
        return g.G.indices.map { i in
            if w.neighbors(of: i).allSatisfy({ Int($0) == i }) { return 4 }
            guard g.G[i].isFinite, p[i].isFinite else { return 3 }
            return p[i] > cutoff ? 0 : g.G[i] >= mean ? 1 : 2
        }
    }

    /// Local Geary: 0 not significant, 1 HH, 2 LL, 3 other positive, 4
    /// negative, 5 undefined, 6 isolated. A unit whose c_i is at most the
    /// mean of its simulated values is a positive association — HH or LL
    /// when z_i and its lag share a sign, "other positive" otherwise; above
    /// that mean it is negative. Needs the permutation's means: nil
    /// without permutation inference.
    public static func localGeary(_ lg: LocalGeary, weights w: SpatialWeights, p: [Double], cutoff: Double) -> [Int]? {
        guard let meanSim = lg.simulated?.meanSim else { return nil }
        return lg.c.indices.map { i in
            if w.neighbors(of: i).allSatisfy({ Int($0) == i }) { return 6 }
            guard lg.c[i].isFinite, p[i].isFinite else { return 5 }
            guard p[i] <= cutoff else { return 0 }
            guard lg.c[i] <= meanSim[i] else { return 4 }
            if lg.z[i] > 0, lg.lag[i] > 0 { return 1 }
            if lg.z[i] < 0, lg.lag[i] < 0 { return 2 }
            return 3
        }
    }

    /// Local join count: 1 significant (p ≤ cutoff and BB_i > 0), 0 not, 2
    /// undefined, 3 isolated.
    public static func joinCount(_ jc: LocalJoinCount, weights w: SpatialWeights, p: [Double], cutoff: Double) -> [Int] {
        jc.count.indices.map { i in
            if w.neighbors(of: i).allSatisfy({ Int($0) == i }) { return 3 }
            guard jc.count[i].isFinite else { return 2 }
            return jc.count[i] > 0 && p[i] <= cutoff ? 1 : 0
        }
    }
}
