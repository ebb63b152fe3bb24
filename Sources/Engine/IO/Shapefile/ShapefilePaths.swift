import Foundation

/// The sidecar files of one shapefile, from any of its names.
struct ShapefilePaths {
    let base: String
    var shp: String { base + ".shp" }
    var shx: String { base + ".shx" }
    var dbf: String { base + ".dbf" }
    var prj: String { base + ".prj" }
    var cpg: String { base + ".cpg" }

    init(_ path: String) {
        let lower = path.lowercased()
        if [".shp", ".shx", ".dbf", ".prj", ".cpg"].contains(where: { lower.hasSuffix($0) }) {
            base = String(path.dropLast(4))
        } else {
            base = path
        }
    }

    /// The existing file with this extension in any letter case (ArcGIS
    /// writes `.SHP` on some systems), or the lower-case path.
    func existing(_ ext: String) -> String? {
        let fm = FileManager.default
        for candidate in [base + "." + ext, base + "." + ext.uppercased()] where fm.fileExists(atPath: candidate) {
            return candidate
        }
        return nil
    }
}
