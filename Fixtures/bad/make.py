#!/usr/bin/env python3
"""Writes the small broken shapefiles in Fixtures/bad/, byte by byte, so that
each test of bad input has a file that breaks exactly one rule.

Run from anywhere: python3 Fixtures/bad/make.py  (standard library only)."""
import os
import shutil
import struct

HERE = os.path.dirname(os.path.abspath(__file__))
SAMPLE = os.path.join(HERE, "..", "sample", "capitals")


def out(name):
    return os.path.join(HERE, name)


def copy_sample(name, exts):
    for ext in exts:
        shutil.copyfile(SAMPLE + "." + ext, out(name + "." + ext))


def dbf(records, fields):
    """A dBase III table: fields = [(name, type, width, decimals)], records = [[bytes]]"""
    header_len = 32 + 32 * len(fields) + 1
    record_len = 1 + sum(f[2] for f in fields)
    data = struct.pack("<BBBBIHH20x", 3, 121, 9, 8, len(records), header_len, record_len)
    for name, ftype, width, decimals in fields:
        data += struct.pack("<11sc4xBB14x", name.encode(), ftype.encode(), width, decimals)
    data += b"\r"
    for rec in records:
        data += b" " + b"".join(v.ljust(f[2])[: f[2]] for v, f in zip(rec, fields))
    return data + b"\x1a"


def shp_points(points, shape_type=1, record_types=None):
    """(.shp, .shx) bytes for point records; record_types overrides a record's type."""
    records = []
    for i, (x, y) in enumerate(points):
        t = (record_types or {}).get(i, shape_type)
        if t == 5:  # a polygon record inside a point file
            ring = [(x, y), (x, y + 1), (x + 1, y + 1), (x, y)]
            content = struct.pack("<i4dii", 5, x, y, x + 1, y + 1, 1, len(ring)) + struct.pack("<i", 0)
            content += b"".join(struct.pack("<2d", *p) for p in ring)
        else:
            content = struct.pack("<i2d", t, x, y)
        records.append(content)
    xs = [p[0] for p in points]
    ys = [p[1] for p in points]

    def header(length_words):
        return struct.pack(">7i", 9994, 0, 0, 0, 0, 0, length_words) + struct.pack(
            "<2i4d4d", 1000, shape_type, min(xs), min(ys), max(xs), max(ys), 0, 0, 0, 0)

    body, index, offset = b"", b"", 50
    for i, content in enumerate(records):
        body += struct.pack(">2i", i + 1, len(content) // 2) + content
        index += struct.pack(">2i", offset, len(content) // 2)
        offset += 4 + len(content) // 2
    shp = header(50 + len(body) // 2) + body
    shx = header(50 + len(index) // 2) + index
    return shp, shx


def write(name, ext, data):
    with open(out(name + "." + ext), "wb") as f:
        f.write(data)


POINTS = [(-6.8498, 34.0209), (-7.5898, 33.5731), (-7.9811, 31.6295)]
FIELDS = [("CODE", "C", 5, 0), ("VOTES_MP", "N", 8, 0)]
GOOD = [[b"001", b"120"], [b"002", b"95"], [b"003", b"310"]]

# 1. A .shp and .dbf without the .shx index.
shp, shx = shp_points(POINTS)
write("missing_shx", "shp", shp)
write("missing_shx", "dbf", dbf(GOOD, FIELDS))
# 2. A .shp and .shx without the .dbf.
write("missing_dbf", "shp", shp)
write("missing_dbf", "shx", shx)
# 3. A .shp cut in the middle of its last record (the .shx still points past the end).
write("truncated", "shp", shp[:-10])
write("truncated", "shx", shx)
write("truncated", "dbf", dbf(GOOD, FIELDS))
# 4. A point file whose second record is a polygon.
shp2, shx2 = shp_points(POINTS, record_types={1: 5})
write("type_mismatch", "shp", shp2)
write("type_mismatch", "shx", shx2)
write("type_mismatch", "dbf", dbf(GOOD, FIELDS))
# 5. A .dbf with fewer records than the .shp.
write("short_dbf", "shp", shp)
write("short_dbf", "shx", shx)
write("short_dbf", "dbf", dbf(GOOD[:2], FIELDS))
# 6. A .prj that is not a CRS.
write("unknown_prj", "shp", shp)
write("unknown_prj", "shx", shx)
write("unknown_prj", "dbf", dbf(GOOD, FIELDS))
write("unknown_prj", "prj", b'PROJCS["Nowhere",GEOGCS["GCS_Nothing",DATUM["D_Nothing",SPHEROID["Bad",0,0]]]')
# 7. "n/a" in a numeric field (shapelib alone reads it as 0).
write("numeric_text", "shp", shp)
write("numeric_text", "shx", shx)
write("numeric_text", "dbf", dbf([[b"001", b"120"], [b"002", b"n/a"], [b"003", b""]], FIELDS))
# 8. Windows-1256 Arabic text with no .cpg and no language driver: not UTF-8.
write("undeclared_cp1256", "shp", shp)
write("undeclared_cp1256", "shx", shx)
write("undeclared_cp1256", "dbf", dbf([["الرباط".encode("cp1256"), b"1"], [b"x", b"2"], [b"y", b"3"]],
                                      [("NAME_AR", "C", 12, 0), ("N", "N", 4, 0)]))


def polygons_shp(rings):
    """(.shp, .shx) bytes for single-ring polygon records."""
    records = []
    for ring in rings:
        xs = [p[0] for p in ring]
        ys = [p[1] for p in ring]
        content = struct.pack("<i4dii", 5, min(xs), min(ys), max(xs), max(ys), 1, len(ring)) + struct.pack("<i", 0)
        content += b"".join(struct.pack("<2d", *p) for p in ring)
        records.append(content)
    allx = [p[0] for r in rings for p in r]
    ally = [p[1] for r in rings for p in r]

    def header(length_words):
        return struct.pack(">7i", 9994, 0, 0, 0, 0, 0, length_words) + struct.pack(
            "<2i4d4d", 1000, 5, min(allx), min(ally), max(allx), max(ally), 0, 0, 0, 0)

    body, index, offset = b"", b"", 50
    for i, content in enumerate(records):
        body += struct.pack(">2i", i + 1, len(content) // 2) + content
        index += struct.pack(">2i", offset, len(content) // 2)
        offset += 4 + len(content) // 2
    return header(50 + len(body) // 2) + body, header(50 + len(index) // 2) + index


# 9. A self-intersecting polygon (a bow tie) between two valid squares (clockwise rings).
square = lambda x: [(x, 0), (x, 1), (x + 1, 1), (x + 1, 0), (x, 0)]
bowtie = [(2, 0), (2, 1), (3, 0), (3, 1), (2, 0)]
shp9, shx9 = polygons_shp([square(0), bowtie, square(4)])
write("self_intersecting", "shp", shp9)
write("self_intersecting", "shx", shx9)
write("self_intersecting", "dbf", dbf(GOOD, FIELDS))


def text(name, content, encoding="utf-8"):
    with open(out(name), "wb") as f:
        f.write(content.encode(encoding) if isinstance(content, str) else content)


# 10. GeoJSON that breaks RFC 7946, one rule per file.
feature = '{"type":"Feature","properties":{"code":"001"},"geometry":%s}'
collection = '{"type":"FeatureCollection","features":[%s]}'
text("open_ring.geojson", collection % (feature % '{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,1]]]}'))
text("geometry_collection.geojson", collection % (
    feature % '{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,0]]]}' + "," +
    feature % '{"type":"GeometryCollection","geometries":[{"type":"Point","coordinates":[0,0]}]}'))
text("bad_nesting.geojson", collection % (feature % '{"type":"Polygon","coordinates":[[0,0],[1,0],[1,1],[0,0]]}'))
text("no_geometry.geojson", collection % '{"type":"Feature","properties":{"code":"001"}}')
text("truncated.geojson", (collection % (feature % '{"type":"Point","coordinates":[-6.85,34.02]}'))[:-12])

# 11. CSV results that a join must refuse or report.
text("duplicate_keys.csv", "code;votes_mp\n001;120\n002;95\n001;130\n")
text("ragged.csv", "code;votes_mp;votes_pam\n001;120;80\n002;95\n003;310;12\n")
text("undeclared_cp1256.csv", "code,name_ar\n001,الرباط\n", encoding="cp1256")
text("unclosed_quote.csv", 'code,name\n001,"Rabat\n002,Sale\n')
