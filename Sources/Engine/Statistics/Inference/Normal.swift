#if canImport(Glibc)
import Glibc
#endif

/// The standard normal distribution.
public enum StandardNormal {
    /// P(Z ≤ z).
    public static func cdf(_ z: Double) -> Double { 0.5 * erfc(-z / 2.0.squareRoot()) }
    /// P(Z ≥ z), accurate in the far tail.
    public static func survival(_ z: Double) -> Double { 0.5 * erfc(z / 2.0.squareRoot()) }
    /// Two-sided p-value of a z-score: 2 P(Z ≥ |z|).
    public static func twoSidedP(_ z: Double) -> Double { min(1, 2 * survival(abs(z))) }
}
