import Foundation

/// GeoDa's Moran scatterplot: the standardised variable z against its
/// spatial lag Wz (row-standardised weights), with the least-squares line,
/// whose slope is Moran's I (z has mean 0, so the slope Σ z·Wz / Σ z² is
/// I = n/S0 · z'Wz / z'z with S0 = n), and the points coloured by quadrant
/// as GeoDa's cluster map colours its classes.
public struct MoranScatterplot: Sendable {
    /// (y − mean) / sd, sd with n in the denominator (numpy's default).
    public let z: [Double]
    /// The spatial lag of z on the row-standardised weights.
    public let lag: [Double]
    /// The regression slope of lag on z (= Moran's I).
    public let slope: Double
    /// The intercept (0 up to rounding when every unit has a neighbour).
    public let intercept: Double
    /// Each unit's quadrant (HH, LH, LL, HL).
    public let quadrants: [Quadrant]

    /// - Parameters:
    ///   - values: the variable, one value per unit (all finite: restrict
    ///     the weights first, as the analyses do).
    ///   - weights: the neighbours (transformed to row-standardised here).
    /// - Throws: on a non-finite value, fewer than 3 units, a constant variable, weights of another size.
    public init(_ values: [Double], weights: SpatialWeights) throws {
        let n = values.count
        guard n == weights.count else {
            throw GeoVoteError.invalidArgument("the Moran scatterplot has \(n) values for weights of \(weights.count) units")
        }
        guard n >= 3 else { throw GeoVoteError.invalidArgument("the Moran scatterplot needs at least 3 units, not \(n)") }
        if let bad = values.firstIndex(where: { !$0.isFinite }) {
            throw GeoVoteError.invalidArgument("the Moran scatterplot's value \(bad) is not a number (\(values[bad]))")
        }
        let mean = values.reduce(0, +) / Double(n)
        let sd = (values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(n)).squareRoot()
        guard sd > 0 else { throw GeoVoteError.invalidArgument("the Moran scatterplot's variable is constant (\(mean))") }
        let z = values.map { ($0 - mean) / sd }
        let lag = SpatialLag.lag(z, weights.transformed(.row))
        let lagMean = lag.reduce(0, +) / Double(n)
        var sxy = 0.0, sxx = 0.0
        for i in 0..<n {
            sxy += z[i] * (lag[i] - lagMean)
            sxx += z[i] * z[i]
        }
        self.z = z
        self.lag = lag
        slope = sxy / sxx
        intercept = lagMean
        quadrants = (0..<n).map { i in
            z[i] >= 0 ? (lag[i] >= 0 ? .highHigh : .highLow) : (lag[i] >= 0 ? .lowHigh : .lowLow)
        }
    }

    /// The colour GeoDa gives a quadrant's cluster class.
    public static func colour(_ q: Quadrant) -> RGBColour {
        let name: String = switch q {
        case .highHigh: "High-High"
        case .lowLow: "Low-Low"
        case .lowHigh: "Low-High"
        case .highLow: "High-Low"
        case .undefined: "Undefined"
        }
        return MapPalette.geodaClusters.first { $0.label == name }!.colour
    }

    /// The plot as an `<svg>` element: `g#points` one `circle.point` per
    /// unit (`data-q` its quadrant), `line#regression` with `data-slope`,
    /// axes through 0, and the slope printed as GeoDa does ("Moran's I: …").
    public func svg(title: String, size: Int = 420) -> String {
        let s = Double(size), pad = 44.0
        let bound = max(z.map(abs).max() ?? 1, lag.map(abs).max() ?? 1, 1e-9) * 1.05
        func px(_ v: Double) -> Double { pad + (v + bound) / (2 * bound) * (s - 2 * pad) }
        func py(_ v: Double) -> Double { s - pad - (v + bound) / (2 * bound) * (s - 2 * pad) }
        let f = MapRenderer.fmt
        var out = "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"scatterplot\" width=\"\(size)\" height=\"\(size)\" viewBox=\"0 0 \(size) \(size)\" font-family=\"Noto Sans, DejaVu Sans, sans-serif\">\n"
        out += "<rect width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>\n"
        out += "<text x=\"\(f(s / 2))\" y=\"18\" font-size=\"13\" text-anchor=\"middle\">\(MapRenderer.escape(title)) — Moran's I: \(String(format: "%.4f", slope))</text>\n"
        out += "<line x1=\"\(f(px(0)))\" y1=\"\(f(pad))\" x2=\"\(f(px(0)))\" y2=\"\(f(s - pad))\" stroke=\"#999999\"/>"
        out += "<line x1=\"\(f(pad))\" y1=\"\(f(py(0)))\" x2=\"\(f(s - pad))\" y2=\"\(f(py(0)))\" stroke=\"#999999\"/>\n"
        out += "<g id=\"points\" fill-opacity=\"0.75\">\n"
        for i in z.indices {
            out += "<circle class=\"point\" data-q=\"\(quadrants[i].label)\" cx=\"\(f(px(z[i])))\" cy=\"\(f(py(lag[i])))\" r=\"2.2\" fill=\"\(Self.colour(quadrants[i]).hex)\"/>"
            if i % 8 == 7 { out += "\n" }
        }
        out += "</g>\n"
        let x0 = -bound, x1 = bound
        out += "<line id=\"regression\" data-slope=\"\(slope)\" x1=\"\(f(px(x0)))\" y1=\"\(f(py(intercept + slope * x0)))\" x2=\"\(f(px(x1)))\" y2=\"\(f(py(intercept + slope * x1)))\" stroke=\"#6a3d9a\" stroke-width=\"1.5\"/>\n"
        out += "<text x=\"\(f(s / 2))\" y=\"\(f(s - 10))\" font-size=\"11\" text-anchor=\"middle\">standardised value</text>\n"
        out += "<text x=\"12\" y=\"\(f(s / 2))\" font-size=\"11\" text-anchor=\"middle\" transform=\"rotate(-90 12 \(f(s / 2)))\">spatial lag</text>\n"
        out += "</svg>\n"
        return out
    }
}
