extension SpatialWeights {
    /// The sums the moments of global statistics need (Cliff and Ord):
    /// S0 = Σ w_ij, S1 = ½ Σ_ij (w_ij + w_ji)², S2 = Σ_i (w_i. + w_.i)².
    public var momentSums: (s0: Double, s1: Double, s2: Double) {
        let n = count
        var s1 = 0.0
        var columnSums = [Double](repeating: 0, count: n)
        for i in 0..<n {
            for k in offsets[i]..<offsets[i + 1] {
                let j = Int(neighbors[k])
                let reverse: Double = weight(j, i)
                let both: Double = weights[k] + (j == i ? weights[k] : reverse)
                let term: Double = both * both
                // The ordered pair (j, i) has no link of its own to count it.
                s1 += (j != i && reverse == 0) ? 2 * term : term
                columnSums[j] += weights[k]
            }
        }
        s1 /= 2
        let rowSums = self.rowSums
        var s2 = 0.0
        for i in 0..<n {
            let t: Double = rowSums[i] + columnSums[i]
            s2 += t * t
        }
        return (s0, s1, s2)
    }
}

extension SpatialWeights {
    /// True when some unit is its own neighbour (a diagonal weight, as Gi* uses).
    public var hasSelfLinks: Bool {
        (0..<count).contains { i in neighbors[offsets[i]..<offsets[i + 1]].contains(Int32(i)) }
    }
}
