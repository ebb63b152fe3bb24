/// GeoPackage's geometry blob (OGC 12-128r18, 2.1.3): a header — "GP",
/// version, flags, srs_id, an optional envelope — then standard WKB.
enum GeoPackageBinary {
    struct Header {
        var littleEndian: Bool
        var isEmpty: Bool
        var srsID: Int32
        /// minX, maxX, minY, maxY when the header carries them.
        var envelope: (minX: Double, maxX: Double, minY: Double, maxY: Double)?
        /// Where the WKB starts.
        var size: Int

        init(_ blob: UnsafeRawBufferPointer) throws {
            guard blob.count >= 8, blob[0] == 0x47, blob[1] == 0x50 else { throw Problem.notGeoPackage }
            let flags = blob[3]
            guard flags & 0x20 == 0 else { throw Problem.extended }
            let little = flags & 1 == 1
            littleEndian = little
            isEmpty = flags & 0x10 != 0
            let envelopeCode = Int((flags >> 1) & 0x7)
            let envelopeBytes = [0, 32, 48, 48, 64][min(envelopeCode, 4)]
            guard envelopeCode <= 4, blob.count >= 8 + envelopeBytes else { throw Problem.truncated }
            func int32(_ at: Int) -> Int32 {
                let raw = UInt32(blob[at]) | UInt32(blob[at + 1]) << 8 | UInt32(blob[at + 2]) << 16 | UInt32(blob[at + 3]) << 24
                return Int32(bitPattern: little ? raw : raw.byteSwapped)
            }
            srsID = int32(4)
            if envelopeCode > 0 {
                func double(_ at: Int) -> Double { GeoPackageBinary.double(blob, at, littleEndian: little) }
                envelope = (double(8), double(16), double(24), double(32))
            } else {
                envelope = nil
            }
            size = 8 + envelopeBytes
        }
    }

    enum Problem: Error, CustomStringConvertible {
        case notGeoPackage, extended, truncated
        var description: String {
            switch self {
            case .notGeoPackage: "is not a GeoPackage geometry (no GP header)"
            case .extended: "is an extended GeoPackage geometry, which GeoVote does not read"
            case .truncated: "is a truncated GeoPackage geometry"
            }
        }
    }

    static func double(_ blob: UnsafeRawBufferPointer, _ at: Int, littleEndian: Bool) -> Double {
        var raw: UInt64 = 0
        for k in 0..<8 { raw |= UInt64(blob[at + k]) << (8 * UInt64(k)) }
        return Double(bitPattern: littleEndian ? raw : raw.byteSwapped)
    }

    /// The envelope of a blob without one in its header: only a point's
    /// (GDAL leaves points without); nil otherwise.
    static func envelope(of blob: UnsafeRawBufferPointer, header: Header) -> (minX: Double, maxX: Double, minY: Double, maxY: Double)? {
        let at = header.size
        guard blob.count >= at + 21 else { return nil }
        let little = blob[at] == 1
        var type: UInt32 = 0
        for k in 0..<4 { type |= UInt32(blob[at + 1 + k]) << (8 * UInt32(k)) }
        if !little { type = type.byteSwapped }
        guard type % 1000 == 1 else { return nil }
        let x = double(blob, at + 5, littleEndian: little), y = double(blob, at + 13, littleEndian: little)
        return (x, x, y, y)
    }

    /// The blob of a geometry: little-endian header with srs_id, the
    /// [minX, maxX, minY, maxY] envelope (none for empty geometries and
    /// points, as GDAL writes them), then the WKB.
    static func encode(wkb: [UInt8], srsID: Int32, box: BoundingBox?, point: Bool) -> [UInt8] {
        var out: [UInt8] = [0x47, 0x50, 0]
        let empty = box == nil
        let envelope = !empty && !point
        out.append(1 | (envelope ? 2 : 0) | (empty ? 0x10 : 0))
        withUnsafeBytes(of: srsID.littleEndian) { out.append(contentsOf: $0) }
        if envelope, let box {
            for v in [box.minX, box.maxX, box.minY, box.maxY] { withUnsafeBytes(of: v.bitPattern.littleEndian) { out.append(contentsOf: $0) } }
        }
        out.append(contentsOf: wkb)
        return out
    }
}
