/// Corrections for testing every observation at once: the p-value cut-off
/// below which a local statistic counts as significant.
///
/// References: Benjamini, Y. and Hochberg, Y. (1995) Controlling the false
/// discovery rate. JRSS B 57(1), 289–300. doi:10.1111/j.2517-6161.1995.tb02031.x.
/// Benjamini, Y. and Yekutieli, D. (2001) The control of the false discovery
/// rate in multiple testing under dependency. Annals of Statistics 29(4),
/// 1165–1188. doi:10.1214/aos/1013699998
public enum MultipleTesting: String, Sendable, CaseIterable {
    /// No correction: the cut-off is α.
    case none
    /// Benjamini–Hochberg false discovery rate, as esda's `fdr(p, α)`: with
    /// p sorted ascending, the cut-off is i·α/n for the largest i with
    /// p_(i) < i·α/n, or α/n (Bonferroni) when there is none. Undefined
    /// (NaN) p-values are left out of n.
    case fdr
    /// Benjamini–Yekutieli (any dependence): as `fdr` with α divided by
    /// Σ_{k=1}^{n} 1/k.
    case by
    /// Bonferroni: α/n.
    case bonferroni

    /// The cut-off: an observation is significant when p ≤ cut-off.
    public func cutoff(_ p: [Double], alpha: Double) -> Double {
        cutoffs(p, alphas: [alpha])[0]
    }

    /// The cut-offs at several levels, from one sort of the p-values.
    public func cutoffs(_ p: [Double], alphas: [Double]) -> [Double] {
        if self == .none { return alphas }
        let sorted = p.filter { $0.isFinite }.sorted()
        return alphas.map { cutoff(sorted: sorted, alpha: $0) }
    }

    /// The cut-off on the finite p-values in ascending order.
    func cutoff(sorted: [Double], alpha: Double) -> Double {
        if self == .none { return alpha }
        guard !sorted.isEmpty else { return alpha }
        if self == .bonferroni { return alpha / Double(sorted.count) }
        let n = sorted.count
        switch self {
        case .none, .bonferroni: return alpha
        case .fdr, .by:
            var a = alpha
            if self == .by { a /= (1...n).reduce(0.0) { $0 + 1 / Double($1) } }
            for i in stride(from: n, through: 1, by: -1) {
                let line = Double(i) * a / Double(n)
                if sorted[i - 1] < line { return line }
            }
            return a / Double(n)
        }
    }
}
