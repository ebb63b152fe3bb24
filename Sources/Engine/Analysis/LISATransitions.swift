import Foundation

/// How each unit moved between the Moran scatterplot quadrants of two
/// elections — giddy's `LISA_Markov` for two periods.
///
/// Per election, each unit's quadrant is that of Local Moran (esda's `q`:
/// 1 HH, 2 LH, 3 LL, 4 HL, from the sign of the unit's deviation from the
/// mean and of its row-standardised spatial lag); the move type is
/// (q₁ − 1)·4 + q₂ (giddy's `move_types`, 1 = HH→HH … 16 = HL→HL); the
/// transition counts are the 4 × 4 table of (q₁, q₂) and the probabilities
/// its rows divided by their sums (giddy's `transitions` and `p`). With
/// permutations, each end point is significant when its Local Moran pseudo
/// p (esda's `p_sim`, directed) is at most α, and the significant move is
/// giddy's 1–64 code: move type + 16 × (0 both significant, 1 only the
/// first, 2 only the second, 3 neither). giddy tests its `p_z_sim` (a
/// normal p from the permutations' z) instead; GeoVote keeps the pseudo p,
/// as its hot-spot classes do.
///
/// A unit that is an island in the weights has no quadrant and is left out
/// of the counts (esda gives it lag 0, so LL or HL).
public struct LISATransitions: Sendable {
    /// giddy's (and esda's) quadrant labels, 1-based: HH, LH, LL, HL.
    public static let labels = ["HH", "LH", "LL", "HL"]

    /// Quadrant of each unit in the first and second election (0: undefined).
    public let from: [Int]
    public let to: [Int]
    /// (from − 1)·4 + to; 0 where either is undefined.
    public let moveTypes: [Int]
    /// counts[q₁ − 1][q₂ − 1].
    public let counts: [[Int]]
    /// Each row of `counts` over its sum (NaN for a quadrant nobody left).
    public let probabilities: [[Double]]
    /// Pseudo p of each end point, with permutations.
    public let pFrom: [Double]?
    public let pTo: [Double]?
    /// giddy's 1–64 significant move, with permutations (0 where undefined).
    public let significantMoves: [Int]?
    public let alpha: Double
    public let leftOut: Int

    /// - Parameters:
    ///   - first: the variable in the first election, one finite value per unit.
    ///   - second: the same units in the second election.
    ///   - weights: the units' neighbours (row-standardised here).
    ///   - permutation: Local Moran's permutations for significance; nil: none.
    ///   - alpha: the significance level of an end point.
    ///   - workers: threads (the result does not depend on it).
    public static func run(first: [Double], second: [Double], weights: SpatialWeights, permutation: ConditionalPermutation? = nil,
                           alpha: Double = 0.05, workers: Int = Parallel.defaultWorkerCount) throws -> LISATransitions {
        guard first.count == second.count, first.count == weights.count else {
            throw GeoVoteError.invalidArgument("the two elections have \(first.count) and \(second.count) units, the weights \(weights.count)")
        }
        guard alpha.isFinite, alpha > 0, alpha < 1 else { throw GeoVoteError.invalidArgument("alpha is \(alpha): give a level between 0 and 1") }
        let a = try LocalMoran(first, weights: weights, permutation: permutation, workers: workers)
        let b = try LocalMoran(second, weights: weights, permutation: permutation, workers: workers)
        let q1 = a.quadrant.map(\.rawValue), q2 = b.quadrant.map(\.rawValue)
        var counts = [[Int]](repeating: [Int](repeating: 0, count: 4), count: 4)
        var moves = [Int](repeating: 0, count: first.count)
        for i in 0..<first.count where q1[i] > 0 && q2[i] > 0 {
            counts[q1[i] - 1][q2[i] - 1] += 1
            moves[i] = (q1[i] - 1) * 4 + q2[i]
        }
        let probabilities = counts.map { row -> [Double] in
            let total = row.reduce(0, +)
            return row.map { total > 0 ? Double($0) / Double(total) : .nan }
        }
        var significant: [Int]?
        let p1 = a.simulated?.pseudoP, p2 = b.simulated?.pseudoP
        if let p1, let p2 {
            significant = moves.indices.map { i in
                guard moves[i] > 0 else { return 0 }
                let s1 = p1[i] <= alpha, s2 = p2[i] <= alpha
                let block = s1 && s2 ? 0 : s1 ? 1 : s2 ? 2 : 3
                return moves[i] + 16 * block
            }
        }
        return LISATransitions(from: q1, to: q2, moveTypes: moves, counts: counts, probabilities: probabilities, pFrom: p1, pTo: p2,
                               significantMoves: significant, alpha: alpha, leftOut: moves.count { $0 == 0 })
    }

    /// `HH->LH`, or "" where undefined.
    public func transition(_ i: Int) -> String {
        guard moveTypes[i] > 0 else { return "" }
        return Self.labels[from[i] - 1] + "->" + Self.labels[to[i] - 1]
    }

    /// The counts and probabilities as aligned lines, rows the first election.
    public var text: String {
        var lines = ["from\\to     HH      LH      LL      HL   |   p(HH)   p(LH)   p(LL)   p(HL)"]
        for r in 0..<4 {
            let c = counts[r].map { String($0).leftPad(7) }.joined(separator: " ")
            let p = probabilities[r].map { ($0.isFinite ? String(format: "%.4f", $0) : "-").leftPad(7) }.joined(separator: " ")
            lines.append(Self.labels[r].padding(toLength: 6, withPad: " ", startingAt: 0) + c + "   | " + p)
        }
        if leftOut > 0 { lines.append("\(leftOut) unit\(leftOut == 1 ? "" : "s") without a quadrant (islands) left out") }
        return lines.joined(separator: "\n")
    }
}
