import GeoVoteEngine
import Testing
import TestSupport

/// GeoVote's own WKB codec against GEOS's reader and writer (the reference):
/// every feature of the fixture's layers and shapes of every kind decode to
/// the geometry GEOS decodes, and GEOS reads back what GeoVote writes.
@Suite struct WKBTests {
    static let square: [Point] = [.init(x: 0, y: 0), .init(x: 0, y: 10), .init(x: 10, y: 10), .init(x: 10, y: 0), .init(x: 0, y: 0)]
    static let hole: [Point] = [.init(x: 4, y: 4), .init(x: 6, y: 4), .init(x: 6, y: 6), .init(x: 4, y: 6), .init(x: 4, y: 4)]
    static let shapes: [Geometry] = [
        .point(x: -7.5, y: 33.6), .empty(.point),
        .multiPoint([.init(x: 1, y: 2), .init(x: 3, y: 4)]),
        .lineString([.init(x: 0, y: 0), .init(x: 1, y: 1), .init(x: 2, y: 0)]), .empty(.lineString),
        .multiLineString([[.init(x: 0, y: 0), .init(x: 1, y: 1)], [.init(x: 5, y: 5), .init(x: 6, y: 5), .init(x: 7, y: 9)]]),
        .polygon([square, hole]), .empty(.polygon),
        .multiPolygon([[square], [hole.map { Point(x: $0.x + 20, y: $0.y) }]]), .empty(.multiPolygon),
    ]

    @Test func eachKindRoundTripsThroughGEOS() throws {
        let geos = try GeometryEngine()
        for g in Self.shapes {
            // GEOS writes, GeoVote reads.
            #expect(try Geometry(wkb: try geos.wkb(g)) == g, "\(g.kind) \(g.isEmpty ? "empty" : "")")
            // GeoVote writes, GEOS reads: the same geometry, and GEOS's own bytes.
            #expect(try geos.geometry(wkb: g.wkb) == g, "\(g.kind)")
            #expect(g.wkb == (try geos.wkb(g)), "\(g.kind): bytes differ from GEOS's")
        }
    }

    @Test(arguments: ["morocco/communes_utm29n.shp", "reference/data/world.shp", "sample/outline.shp", "sample/capitals.shp"])
    func everyFeatureOfTheFixtureDecodesAsGEOSDecodesIt(layer: String) throws {
        let table = try LayerIO.read(Fixtures.path(layer))
        let geos = try GeometryEngine()
        var checked = 0
        for g in table.geometries where !g.isEmpty {
            let bytes = try geos.wkb(g)
            #expect(try Geometry(wkb: bytes) == (try geos.geometry(wkb: bytes)))
            #expect(g.wkb == bytes)
            checked += 1
        }
        #expect(checked == table.count)
    }

    /// Byte order 0, ISO Z and EWKB with an SRID, made by hand from the WKB
    /// specification (OGC 06-103r4 §8.2; PostGIS's EWKB flags).
    @Test func bigEndianZAndEWKBAreRead() throws {
        func be32(_ v: UInt32) -> [UInt8] { withUnsafeBytes(of: v.bigEndian) { Array($0) } }
        func be64(_ v: Double) -> [UInt8] { withUnsafeBytes(of: v.bitPattern.bigEndian) { Array($0) } }
        func le32(_ v: UInt32) -> [UInt8] { withUnsafeBytes(of: v.littleEndian) { Array($0) } }
        func le64(_ v: Double) -> [UInt8] { withUnsafeBytes(of: v.bitPattern.littleEndian) { Array($0) } }
        #expect(try Geometry(wkb: [0] + be32(1) + be64(3) + be64(4)) == .point(x: 3, y: 4))
        let lineZ = [1] + le32(1002) + le32(2) + le64(0) + le64(1) + le64(99) + le64(2) + le64(3) + le64(98)
        #expect(try Geometry(wkb: lineZ) == .lineString([.init(x: 0, y: 1), .init(x: 2, y: 3)]))
        let ewkbPointSRID = [1] + le32(0x2000_0001) + le32(32629) + le64(5) + le64(6)
        #expect(try Geometry(wkb: ewkbPointSRID) == .point(x: 5, y: 6))
        let collection = [1] + le32(7) + le32(2) + [1] + le32(1) + le64(1) + le64(2) + [0] + be32(1) + be64(3) + be64(4)
        #expect(try Geometry(wkb: collection) == .multiPoint([.init(x: 1, y: 2), .init(x: 3, y: 4)]))
    }

    @Test func malformedWKBIsRefusedWithItsReason() throws {
        func le32(_ v: UInt32) -> [UInt8] { withUnsafeBytes(of: v.littleEndian) { Array($0) } }
        func le64(_ v: Double) -> [UInt8] { withUnsafeBytes(of: v.bitPattern.littleEndian) { Array($0) } }
        let open = [1] + le32(3) + le32(1) + le32(4) + [0.0, 0, 1, 0, 1, 1, 0, 1].flatMap(le64)
        var nested: [UInt8] = []
        for _ in 0..<40 { nested += [1] + le32(7) + le32(1) }
        nested += [1] + le32(1) + le64(0) + le64(0)
        let cases: [([UInt8], String)] = [
            ([], "ends early"), ([2] + le32(1), "byte order 2"), ([1] + le32(1) + le64(0), "ends early"),
            ([1] + le32(2) + le32(0xFFFF_FFFF), "cannot fit"), ([1] + le32(6) + le32(1_000_000), "cannot fit"),
            (open, "not closed"), ([1] + le32(2) + le32(1) + le64(0) + le64(0), "1 point"),
            ([1] + le32(3) + le32(1) + le32(3) + [0.0, 0, 1, 0, 0, 0].flatMap(le64), "3 points"),
            ([1] + le32(1) + le64(.infinity) + le64(0), "not finite"), ([1] + le32(17), "not a point, line"),
            ([1] + le32(9999), "not one WKB defines"), (nested, "nest deeper"),
            ([1] + le32(1) + le64(1) + le64(2) + [0], "follow the geometry"),
            ([1] + le32(4) + le32(1) + [1] + le32(2) + le32(0), "holds a LineString"),
        ]
        for (bytes, reason) in cases {
            #expect {
                _ = try Geometry(wkb: bytes)
            } throws: { error in
                "\(error)".contains("WKB") && "\(error)".contains(reason)
            }
        }
        let mixed = [1] + le32(7) + le32(2) + [1] + le32(1) + le64(1) + le64(2) + [1] + le32(2) + le32(2) + [0.0, 0, 1, 1].flatMap(le64)
        #expect(throws: GeoVoteError.unsupported("a geometry collection of mixed types is not supported")) { _ = try Geometry(wkb: mixed) }
    }
}
