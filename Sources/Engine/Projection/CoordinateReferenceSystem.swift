internal import CProj
import Foundation

/// The region where a CRS is meant to be used, in degrees of longitude/latitude.
public struct AreaOfUse: Sendable, Equatable, CustomStringConvertible {
    public var name: String
    public var west: Double
    public var south: Double
    public var east: Double
    public var north: Double

    /// Whether a longitude/latitude box lies inside the area (areas that
    /// cross the antimeridian, with west > east, are handled).
    public func contains(_ box: BoundingBox) -> Bool {
        let latitudeOK = box.minY >= south && box.maxY <= north
        if west <= east { return latitudeOK && box.minX >= west && box.maxX <= east }
        return latitudeOK && (box.minX >= west || box.maxX <= east)
    }

    public var description: String { "\(name) [\(west), \(south), \(east), \(north)]" }
}

/// A coordinate reference system, read by PROJ.
///
/// A plain value: it keeps the definition PROJ understood and what GeoVote
/// needs to know about it, never a PROJ pointer.
public struct CoordinateReferenceSystem: Sendable, Equatable, CustomStringConvertible {
    /// What PROJ is given to rebuild the CRS: "EPSG:NNNN" when identified
    /// with full confidence, else the WKT as read.
    public let definition: String
    /// The CRS's name, e.g. "Merchich / Nord Maroc".
    public let name: String
    /// "EPSG:26191" when identified, else nil.
    public let identifier: String?
    /// True for a geographic CRS (angles), false for a projected one (lengths).
    public let isGeographic: Bool
    /// The unit of the first axis ("degree", "metre", …).
    public let unitName: String
    public let areaOfUse: AreaOfUse?
    /// ESRI WKT (what a `.prj` holds).
    public let esriWKT: String

    public var description: String { identifier.map { "\($0) (\(name))" } ?? name }

    /// The CRS of an EPSG code.
    public init(epsg code: Int) throws {
        try self.init(definition: "EPSG:\(code)")
    }

    /// The CRS described by an EPSG code ("EPSG:4326"), any WKT dialect
    /// (including a `.prj`'s ESRI WKT) or a PROJ string.
    public init(definition: String) throws {
        let context = ProjContext()
        let trimmed = definition.trimmingCharacters(in: .whitespacesAndNewlines)
        let object = try context.create(trimmed)
        try self.init(object: object, original: trimmed)
    }

    /// The CRS in a `.prj` file.
    public init(prjFile path: String) throws {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw GeoVoteError.io(path: path, reason: "cannot read the projection file")
        }
        do {
            try self.init(definition: text)
        } catch let GeoVoteError.proj(message) {
            throw GeoVoteError.malformed(DataLocation(file: path), reason: "is not a CRS PROJ can read (\(message))")
        }
    }

    private init(object: ProjObject, original: String) throws {
        let ctx = object.context.handle
        var pj = object.pointer
        var holder = object
        // A bound or compound CRS: describe its horizontal part.
        if proj_get_type(pj) == PJ_TYPE_BOUND_CRS, let base = proj_get_source_crs(ctx, pj) {
            holder = ProjObject(context: object.context, pointer: base)
            pj = base
        }
        let type = proj_get_type(pj)
        let crsTypes: Set<UInt32> = [
            PJ_TYPE_GEOGRAPHIC_2D_CRS.rawValue, PJ_TYPE_GEOGRAPHIC_3D_CRS.rawValue, PJ_TYPE_GEOGRAPHIC_CRS.rawValue,
            PJ_TYPE_PROJECTED_CRS.rawValue, PJ_TYPE_COMPOUND_CRS.rawValue, PJ_TYPE_GEODETIC_CRS.rawValue,
            PJ_TYPE_GEOCENTRIC_CRS.rawValue, PJ_TYPE_ENGINEERING_CRS.rawValue,
        ]
        guard crsTypes.contains(type.rawValue) else {
            throw GeoVoteError.proj("'\(original.prefix(80))' is not a coordinate reference system")
        }
        name = proj_get_name(pj).map { String(cString: $0) } ?? "unnamed"
        isGeographic = type == PJ_TYPE_GEOGRAPHIC_2D_CRS || type == PJ_TYPE_GEOGRAPHIC_3D_CRS || type == PJ_TYPE_GEOGRAPHIC_CRS

        // Identification: the object's own id, else the best EPSG match.
        var code: String?
        var confidence: Int32 = 0
        if let auth = proj_get_id_auth_name(pj, 0), let id = proj_get_id_code(pj, 0) {
            code = "\(String(cString: auth)):\(String(cString: id))"
            confidence = 100
        } else {
            var confidences: UnsafeMutablePointer<Int32>?
            // Returns NULL when nothing matches.
            if let list = proj_identify(ctx, pj, "EPSG", nil, &confidences) {
                if proj_list_get_count(list) > 0, let best = proj_list_get(ctx, list, 0),
                   let auth = proj_get_id_auth_name(best, 0), let id = proj_get_id_code(best, 0) {
                    confidence = confidences?[0] ?? 0
                    if confidence >= 70 { code = "\(String(cString: auth)):\(String(cString: id))" }
                    proj_destroy(best)
                }
                proj_int_list_destroy(confidences)
                proj_list_destroy(list)
            }
        }
        identifier = code
        definition = (confidence >= 100 ? code : nil) ?? original

        // Unit of the first axis.
        var unit = "unknown"
        if let cs = proj_crs_get_coordinate_system(ctx, pj) {
            var unitName: UnsafePointer<CChar>?
            if proj_cs_get_axis_info(ctx, cs, 0, nil, nil, nil, nil, &unitName, nil, nil) != 0, let unitName {
                unit = String(cString: unitName)
            }
            proj_destroy(cs)
        }
        unitName = unit

        // Area of use: the object's own, else the identified CRS's.
        var w = 0.0, s = 0.0, e = 0.0, n = 0.0
        var areaName: UnsafePointer<CChar>?
        var area: AreaOfUse?
        // Returns 1 on success, 0 when the object has none.
        if proj_get_area_of_use(ctx, pj, &w, &s, &e, &n, &areaName) != 0, w > -1000 {
            area = AreaOfUse(name: areaName.map { String(cString: $0) } ?? "", west: w, south: s, east: e, north: n)
        } else if let code, let identified = proj_create(ctx, code) {
            if proj_get_area_of_use(ctx, identified, &w, &s, &e, &n, &areaName) != 0, w > -1000 {
                area = AreaOfUse(name: areaName.map { String(cString: $0) } ?? "", west: w, south: s, east: e, north: n)
            }
            proj_destroy(identified)
        }
        areaOfUse = area

        // NULL when the CRS cannot be written as ESRI WKT.
        esriWKT = proj_as_wkt(ctx, pj, PJ_WKT1_ESRI, nil).map { String(cString: $0) }
            ?? proj_as_wkt(ctx, pj, PJ_WKT2_2019, nil).map { String(cString: $0) } ?? original
        withExtendedLifetime(holder) {}
    }

    /// Two CRSs are equal when they describe the same thing to PROJ.
    public static func == (a: Self, b: Self) -> Bool {
        if a.definition == b.definition { return true }
        if let ia = a.identifier, let ib = b.identifier { return ia == ib }
        return false
    }

    public static let wgs84: CoordinateReferenceSystem = try! CoordinateReferenceSystem(epsg: 4326)

    /// A projected CRS, in metres, for data in a longitude/latitude box:
    /// 1. the WGS 84 UTM zone of the box's centre, when the box fits in it;
    /// 2. else the EPSG projected CRS with the smallest area of use that
    ///    contains the box, when that area is regional (at most 4 times the
    ///    box, so not a world projection);
    /// 3. else a Lambert azimuthal equal-area projection on WGS 84 centred on
    ///    the box (country-wide work: all of Morocco spans three UTM zones).
    public static func suggestProjected(forLongitudeLatitude box: BoundingBox) throws -> CoordinateReferenceSystem {
        let centreLon = (box.minX + box.maxX) / 2, centreLat = (box.minY + box.maxY) / 2
        let zone = min(60, max(1, Int(((centreLon + 180) / 6).rounded(.down)) + 1))
        let zoneWest = Double(zone - 1) * 6 - 180
        if box.minX >= zoneWest, box.maxX <= zoneWest + 6, box.minY >= -80, box.maxY <= 84 {
            let utm = try CoordinateReferenceSystem(epsg: (centreLat >= 0 ? 32600 : 32700) + zone)
            if utm.areaOfUse?.contains(box) ?? true { return utm }
        }
        let context = ProjContext()
        guard let params = proj_get_crs_list_parameters_create() else { throw context.error("CRS search") }
        defer { proj_get_crs_list_parameters_destroy(params) }
        var types = [PJ_TYPE_PROJECTED_CRS]
        var candidates: [(area: Double, code: String)] = []
        types.withUnsafeMutableBufferPointer { typeBuffer in
            params.pointee.types = UnsafePointer(typeBuffer.baseAddress)
            params.pointee.typesCount = 1
            params.pointee.bbox_valid = 1
            params.pointee.crs_area_of_use_contains_bbox = 1
            params.pointee.west_lon_degree = box.minX
            params.pointee.south_lat_degree = box.minY
            params.pointee.east_lon_degree = box.maxX
            params.pointee.north_lat_degree = box.maxY
            params.pointee.allow_deprecated = 0
            var count: Int32 = 0
            // NULL on error; destroyed with proj_crs_info_list_destroy.
            guard let list = proj_get_crs_info_list_from_database(context.handle, "EPSG", params, &count) else { return }
            defer { proj_crs_info_list_destroy(list) }
            for i in 0..<Int(count) {
                guard let info = list[i]?.pointee, info.bbox_valid != 0 else { continue }
                var width = info.east_lon_degree - info.west_lon_degree
                if width < 0 { width += 360 }
                let area = width * (info.north_lat_degree - info.south_lat_degree)
                let boxArea = max(box.width, 1) * max(box.height, 1)
                let name = String(cString: info.name)
                // Generic "UTM grid system" entries need a zone: not usable as is.
                if area <= 4 * boxArea, !name.contains("grid system") {
                    candidates.append((area, String(cString: info.code)))
                }
            }
        }
        candidates.sort { ($0.area, Int($0.code) ?? 0) < ($1.area, Int($1.code) ?? 0) }
        for candidate in candidates {
            if let crs = try? CoordinateReferenceSystem(epsg: Int(candidate.code) ?? 0), crs.unitName == "metre" {
                return crs
            }
        }
        let lat0 = ((centreLat * 100).rounded() / 100), lon0 = ((centreLon * 100).rounded() / 100)
        return try CoordinateReferenceSystem(definition: """
            PROJCRS["GeoVote LAEA \(lat0) \(lon0)",BASEGEOGCRS["WGS 84",DATUM["World Geodetic System 1984",\
            ELLIPSOID["WGS 84",6378137,298.257223563]],UNIT["degree",0.0174532925199433]],\
            CONVERSION["Lambert azimuthal equal-area",METHOD["Lambert Azimuthal Equal Area",ID["EPSG",9820]],\
            PARAMETER["Latitude of natural origin",\(lat0),UNIT["degree",0.0174532925199433]],\
            PARAMETER["Longitude of natural origin",\(lon0),UNIT["degree",0.0174532925199433]],\
            PARAMETER["False easting",0,UNIT["metre",1]],PARAMETER["False northing",0,UNIT["metre",1]]],\
            CS[Cartesian,2],AXIS["easting",east,ORDER[1],LENGTHUNIT["metre",1]],\
            AXIS["northing",north,ORDER[2],LENGTHUNIT["metre",1]]]
            """)
    }
}
