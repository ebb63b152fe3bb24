import Foundation

/// How a choropleth's classes are cut (mapclassify's classifiers).
public enum ClassificationScheme: Sendable, Hashable, CustomStringConvertible {
    /// k classes holding about n/k values each: mapclassify `Quantiles`
    /// (scipy's `scoreatpercentile` at 100·i/k, repeated bounds collapsed).
    case quantiles(Int)
    /// k classes of equal width from the minimum to the maximum:
    /// mapclassify `EqualInterval`.
    case equalInterval(Int)
    /// Fisher–Jenks natural breaks: the k classes with the least sum of
    /// squared deviations from their means, found exactly (mapclassify
    /// `FisherJenks`).
    case fisherJenks(Int)

    public var classCount: Int {
        switch self {
        case let .quantiles(k), let .equalInterval(k), let .fisherJenks(k): k
        }
    }

    public var description: String {
        switch self {
        case let .quantiles(k): "quantiles (\(k))"
        case let .equalInterval(k): "equal intervals (\(k))"
        case let .fisherJenks(k): "natural breaks, Fisher–Jenks (\(k))"
        }
    }

    /// `quantile`, `equal` (or `equal-interval`), `jenks` (or
    /// `natural-breaks`, `fisher-jenks`), with `k` classes.
    public init(parsing text: String, classes k: Int) throws {
        guard (2...12).contains(k) else {
            throw GeoVoteError.invalidArgument("--k \(k): a choropleth has 2 to 12 classes")
        }
        switch text.lowercased() {
        case "quantile", "quantiles": self = .quantiles(k)
        case "equal", "equal-interval", "equal-intervals": self = .equalInterval(k)
        case "jenks", "natural-breaks", "fisher-jenks": self = .fisherJenks(k)
        default:
            throw GeoVoteError.invalidArgument("'\(text)' is not a classification; use quantile, equal or jenks")
        }
    }
}

/// Classes of a numeric variable for a choropleth, with mapclassify's
/// conventions: each class is given by its upper bound (`bins`), a value v
/// is in the first class j with v ≤ bins[j] (the lower bound is exclusive,
/// the first class starts at the minimum), and the last bound is the maximum.
/// Values that are not finite have no class.
public struct MapClassification: Sendable {
    public let scheme: ClassificationScheme
    /// The upper bound of each class (mapclassify `bins`).
    public let upperBounds: [Double]
    /// The smallest value (the first class's lower bound).
    public let minimum: Double
    /// Each value's class (0-based; nil: not finite).
    public let classes: [Int?]
    /// The number of values in each class (mapclassify `counts`).
    public let counts: [Int]

    /// Classifies `values` (at least one finite value is needed; fewer
    /// distinct values than classes is refused for natural breaks, and
    /// collapses quantiles, as mapclassify does).
    /// - Parameters:
    ///   - values: the variable, one value per feature.
    ///   - scheme: how classes are cut.
    ///   - name: the variable's name, in errors.
    public init(_ values: [Double], scheme: ClassificationScheme, name: String = "the variable") throws {
        let sorted = values.filter(\.isFinite).sorted()
        guard let low = sorted.first, let high = sorted.last else {
            throw GeoVoteError.invalidArgument("\(name) has no value to classify (every value is missing)")
        }
        let k = scheme.classCount
        var bounds: [Double]
        switch scheme {
        case .quantiles:
            bounds = Self.quantileBounds(sorted, k)
        case .equalInterval:
            guard high > low else {
                throw GeoVoteError.invalidArgument("\(name) has one value (\(low)) only: equal intervals need a range")
            }
            bounds = Self.equalIntervalBounds(low, high, k)
        case .fisherJenks:
            var distinct = 1
            for i in 1..<sorted.count where sorted[i] != sorted[i - 1] { distinct += 1 }
            guard distinct >= k else {
                throw GeoVoteError.invalidArgument("\(name) has \(distinct) distinct values, fewer than the \(k) classes asked for")
            }
            bounds = Self.fisherJenksBounds(sorted, k)
        }
        self.scheme = scheme
        upperBounds = bounds
        minimum = low
        var counts = [Int](repeating: 0, count: bounds.count)
        classes = values.map { v -> Int? in
            guard v.isFinite else { return nil }
            // The first bound ≥ v (binary search; bounds ascend).
            var lo = 0, hi = bounds.count - 1
            while lo < hi {
                let mid = (lo + hi) / 2
                if v <= bounds[mid] { hi = mid } else { lo = mid + 1 }
            }
            counts[lo] += 1
            return lo
        }
        self.counts = counts
    }

    /// scipy `scoreatpercentile(sorted, p)` (interpolation "fraction") at
    /// p = 100/k, 200/k, …, 100, repeated values removed (np.unique).
    static func quantileBounds(_ sorted: [Double], _ k: Int) -> [Double] {
        let step = 100.0 / Double(k)
        let n = sorted.count
        var out: [Double] = []
        for i in 0..<k {
            // np.arange(w, 100 + w, w): start + i·step, the last capped at 100.
            let percent = min(step + Double(i) * step, 100)
            let index = percent / 100 * Double(n - 1)
            let lower = Int(index)
            let value: Double
            if Double(lower) == index {
                value = sorted[lower]
            } else {
                let w0 = Double(lower + 1) - index, w1 = index - Double(lower)
                value = (sorted[lower] * w0 + sorted[lower + 1] * w1) / (w0 + w1)
            }
            if out.last != value { out.append(value) }
        }
        return out
    }

    /// mapclassify's `np.arange(min + width, max + width, width)`, at most k
    /// bounds, the last set to the maximum.
    static func equalIntervalBounds(_ low: Double, _ high: Double, _ k: Int) -> [Double] {
        let width = (high - low) / Double(k)
        let start = low + width, stop = high + width
        let length = max(1, Int(((stop - start) / width).rounded(.up)))
        var bounds = (0..<min(length, k)).map { start + Double($0) * width }
        bounds[bounds.count - 1] = high
        return bounds
    }

    /// The exact Fisher–Jenks partition of sorted values into k classes
    /// (least total within-class sum of squares), by dynamic programming over
    /// class ends with the optimal split found by divide and conquer (the
    /// cost is a Monge array, so the best split point never moves left as the
    /// class end moves right: Wu 1991; the method of Ckmeans.1d.dp):
    /// O(k·n·log n) instead of mapclassify's O(k·n²). Bounds are the last
    /// value of each class.
    static func fisherJenksBounds(_ sorted: [Double], _ k: Int) -> [Double] {
        let n = sorted.count
        // Prefix sums of values centred on the median, so that S2 − S1²/w
        // does not lose the within-class variance to cancellation.
        let centre = sorted[n / 2]
        var s1 = [Double](repeating: 0, count: n + 1), s2 = [Double](repeating: 0, count: n + 1)
        for i in 0..<n {
            let v = sorted[i] - centre
            s1[i + 1] = s1[i] + v
            s2[i + 1] = s2[i] + v * v
        }
        // The sum of squares of sorted[a...b].
        func cost(_ a: Int, _ b: Int) -> Double {
            let w = Double(b - a + 1), t = s1[b + 1] - s1[a]
            return max(0, s2[b + 1] - s2[a] - t * t / w)
        }
        // best[j][b]: least cost of sorted[0...b] in j + 1 classes; start[j][b]: where its last class starts.
        var previous = (0..<n).map { cost(0, $0) }
        var starts: [[Int]] = [[Int](repeating: 0, count: n)]
        for j in 1..<k {
            var current = [Double](repeating: .infinity, count: n)
            var start = [Int](repeating: j, count: n)
            // Fill current[lo...hi] knowing the best start lies in startLo...startHi.
            func solve(_ lo: Int, _ hi: Int, _ startLo: Int, _ startHi: Int) {
                guard lo <= hi else { return }
                let b = (lo + hi) / 2
                var bestCost = Double.infinity, bestStart = max(startLo, j)
                let last = min(startHi, b)
                if bestStart <= last {
                    for a in bestStart...last {
                        let c = previous[a - 1] + cost(a, b)
                        if c < bestCost { bestCost = c; bestStart = a }
                    }
                }
                current[b] = bestCost
                start[b] = bestStart
                solve(lo, b - 1, startLo, bestStart)
                solve(b + 1, hi, bestStart, startHi)
            }
            solve(j, n - 1, j, n - 1)
            previous = current
            starts.append(start)
        }
        var bounds = [Double](repeating: sorted[n - 1], count: k)
        var end = n - 1
        for j in stride(from: k - 1, to: 0, by: -1) {
            let a = starts[j][end]
            bounds[j - 1] = sorted[a - 1]
            end = a - 1
        }
        return bounds
    }

    /// The label of class i: "lower – upper", the first from the minimum.
    public func label(_ i: Int, format: (Double) -> String = MapClassification.defaultFormat) -> String {
        let lower = i == 0 ? minimum : upperBounds[i - 1]
        return "\(format(lower)) – \(format(upperBounds[i]))"
    }

    /// Four significant digits below 10,000, whole numbers above.
    public static func defaultFormat(_ v: Double) -> String {
        abs(v) < 10_000 ? String(format: "%.4g", v) : String(format: "%.0f", v)
    }
}
