/// Spatial lags: Σ_j w_ij v_j over CSR weights.
public enum SpatialLag {
    /// The lag of every observation.
    public static func lag(_ v: [Double], _ w: SpatialWeights) -> [Double] {
        precondition(v.count == w.count)
        return (0..<w.count).map { i in
            var s = 0.0
            for k in w.offsets[i]..<w.offsets[i + 1] { s += w.weights[k] * v[Int(w.neighbors[k])] }
            return s
        }
    }

    /// Σ_i v_i Σ_j w_ij v_j, summed in input order.
    public static func crossProduct(_ v: [Double], _ w: SpatialWeights) -> Double {
        var total = 0.0
        v.withUnsafeBufferPointer { vb in
            w.weights.withUnsafeBufferPointer { wb in
                w.neighbors.withUnsafeBufferPointer { nb in
                    for i in 0..<w.count {
                        var lag = 0.0
                        for k in w.offsets[i]..<w.offsets[i + 1] { lag += wb[k] * vb[Int(nb[k])] }
                        total += vb[i] * lag
                    }
                }
            }
        }
        return total
    }
}
