/// A colour as 8-bit red, green and blue.
public struct RGBColour: Sendable, Hashable, CustomStringConvertible {
    public var red: UInt8
    public var green: UInt8
    public var blue: UInt8

    public init(red: UInt8, green: UInt8, blue: UInt8) {
        self.red = red
        self.green = green
        self.blue = blue
    }

    /// From "#RRGGBB" or "RRGGBB"; nil when it is not one.
    public init?(hex: String) {
        let digits = hex.hasPrefix("#") ? hex.dropFirst() : Substring(hex)
        guard digits.count == 6, let v = UInt32(digits, radix: 16) else { return nil }
        self.init(red: UInt8(v >> 16), green: UInt8((v >> 8) & 0xff), blue: UInt8(v & 0xff))
    }

    init(_ v: UInt32) { self.init(red: UInt8(v >> 16), green: UInt8((v >> 8) & 0xff), blue: UInt8(v & 0xff)) }

    /// "#rrggbb".
    public var hex: String {
        "#" + [red, green, blue].map { String($0, radix: 16).leftPadded(2) }.joined()
    }

    public var description: String { hex }

    /// The components in [0, 1] (cairo's form).
    var unit: (Double, Double, Double) { (Double(red) / 255, Double(green) / 255, Double(blue) / 255) }
}

extension String {
    func leftPadded(_ width: Int, with pad: Character = "0") -> String {
        count >= width ? self : String(repeating: pad, count: width - count) + self
    }
}

/// The palettes GeoVote's maps use: the ones users know from ArcGIS and
/// GeoDa for hot spots and clusters, ColorBrewer for choropleths.
public enum MapPalette {
    /// ArcGIS's Hot Spot Analysis renderer, Gi_Bin −3 … 3: cold spots at
    /// 99/95/90 % confidence in blues, not significant in pale yellow, hot
    /// spots at 90/95/99 % in reds (the colours of ArcGIS Pro's hot-spot
    /// layer file).
    public static let hotSpotBins: [Int: RGBColour] = [
        -3: RGBColour(0x4575b5), -2: RGBColour(0x849eba), -1: RGBColour(0xc0ccbe), 0: RGBColour(0xffffbf),
        1: RGBColour(0xfab984), 2: RGBColour(0xed7551), 3: RGBColour(0xd62f27),
    ]

    /// ArcGIS's legend labels for Gi_Bin.
    public static func hotSpotLabel(_ bin: Int) -> String {
        switch bin {
        case 3: "Hot spot, 99 % confidence"
        case 2: "Hot spot, 95 % confidence"
        case 1: "Hot spot, 90 % confidence"
        case 0: "Not significant"
        case -1: "Cold spot, 90 % confidence"
        case -2: "Cold spot, 95 % confidence"
        default: "Cold spot, 99 % confidence"
        }
    }

    /// GeoDa's LISA cluster map, in GeoDa's order (pygeoda 0.1.3
    /// `lisa_labels()` / `lisa_colors()` of `local_moran`).
    public static let geodaClusters: [(label: String, colour: RGBColour)] = [
        ("Not significant", RGBColour(0xeeeeee)), ("High-High", RGBColour(0xff0000)), ("Low-Low", RGBColour(0x0000ff)),
        ("Low-High", RGBColour(0xa7adf9)), ("High-Low", RGBColour(0xf4ada8)), ("Undefined", RGBColour(0x464646)),
        ("Isolated", RGBColour(0x999999)),
    ]

    /// GeoVote's own short class names (HH, LL, …) mapped to GeoDa's labels.
    public static let quadrantNames: [String: String] = [
        "HH": "High-High", "LL": "Low-Low", "LH": "Low-High", "HL": "High-Low", "ns": "Not significant",
        "undefined": "Undefined", "High-High": "High-High", "Low-Low": "Low-Low", "Low-High": "Low-High",
        "High-Low": "High-Low", "Not significant": "Not significant", "Undefined": "Undefined", "Isolated": "Isolated",
    ]

    /// ColorBrewer YlOrRd, 3 to 9 classes (sequential: vote shares).
    public static func sequential(_ k: Int) -> [RGBColour] {
        let table: [Int: [UInt32]] = [
            3: [0xffeda0, 0xfeb24c, 0xf03b20],
            4: [0xffffb2, 0xfecc5c, 0xfd8d3c, 0xe31a1c],
            5: [0xffffb2, 0xfecc5c, 0xfd8d3c, 0xf03b20, 0xbd0026],
            6: [0xffffb2, 0xfed976, 0xfeb24c, 0xfd8d3c, 0xf03b20, 0xbd0026],
            7: [0xffffb2, 0xfed976, 0xfeb24c, 0xfd8d3c, 0xfc4e2a, 0xe31a1c, 0xb10026],
            8: [0xffffcc, 0xffeda0, 0xfed976, 0xfeb24c, 0xfd8d3c, 0xfc4e2a, 0xe31a1c, 0xb10026],
            9: [0xffffcc, 0xffeda0, 0xfed976, 0xfeb24c, 0xfd8d3c, 0xfc4e2a, 0xe31a1c, 0xbd0026, 0x800026],
        ]
        if let stops = table[k] { return stops.map(RGBColour.init) }
        if k < 3 { return Array(table[3]!.prefix(k)).map(RGBColour.init) }
        // More than 9: interpolate the 9-class ramp.
        let stops = table[9]!.map(RGBColour.init)
        return (0..<k).map { i in
            let t = Double(i) / Double(k - 1) * 8, j = min(Int(t), 7), f = t - Double(j)
            func mix(_ a: UInt8, _ b: UInt8) -> UInt8 { UInt8((Double(a) * (1 - f) + Double(b) * f).rounded()) }
            return RGBColour(red: mix(stops[j].red, stops[j + 1].red), green: mix(stops[j].green, stops[j + 1].green),
                             blue: mix(stops[j].blue, stops[j + 1].blue))
        }
    }

    /// Categories (Tableau 10, repeated beyond ten).
    public static func categorical(_ k: Int) -> [RGBColour] {
        let stops: [UInt32] = [0x4e79a7, 0xf28e2b, 0xe15759, 0x76b7b2, 0x59a14f, 0xedc948, 0xb07aa1, 0xff9da7, 0x9c755f, 0xbab0ac]
        return (0..<k).map { RGBColour(stops[$0 % stops.count]) }
    }

    /// Features without a value ("no data").
    public static let noData = RGBColour(0xd9d9d9)
}
