import Foundation

/// The outline of Morocco and Western Sahara (Natural Earth 1:50m, public
/// domain), read from the target's resource `morocco_outline.txt`, which
/// `Fixtures/morocco/make_outline.sh` writes.
enum MoroccoOutline {
    /// Polygons, each a list of rings (exterior first), each a flat list x0, y0, x1, y1, … (WGS 84 lon/lat).
    static let polygons: [[[Double]]] = {
        // The resource ships with the target: its absence is a broken build, not user data.
        guard let url = Bundle.module.url(forResource: "morocco_outline", withExtension: "txt"),
              let text = try? String(contentsOf: url, encoding: .utf8) else {
            preconditionFailure("the Synthetic target's resource morocco_outline.txt is missing")
        }
        return parse(text)
    }()

    /// "polygon" starts a polygon; every other non-comment line is one ring.
    static func parse(_ text: String) -> [[[Double]]] {
        var polygons: [[[Double]]] = []
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            if line == "polygon" {
                polygons.append([])
            } else if !polygons.isEmpty {
                polygons[polygons.count - 1].append(line.split(separator: " ").map { Double($0)! })
            }
        }
        return polygons
    }
}
