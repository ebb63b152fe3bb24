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

# --- Hostile input (issue 18): each reproduces one defect an audit found. ---


def polygon_record(rings, parts=None, shape_type=5):
    """The content of one polygon record; `parts` overrides the part starts."""
    pts = [p for r in rings for p in r]
    xs = [p[0] for p in pts]
    ys = [p[1] for p in pts]
    starts = parts if parts is not None else [sum(len(r) for r in rings[:k]) for k in range(len(rings))]
    content = struct.pack("<i4dii", shape_type, min(xs), min(ys), max(xs), max(ys), len(starts), len(pts))
    content += b"".join(struct.pack("<i", s) for s in starts)
    return content + b"".join(struct.pack("<2d", *p) for p in pts)


def shp_records(contents, shape_type=5, index=None):
    """(.shp, .shx) bytes for record contents; `index(i, offset, words)` may rewrite .shx entries."""
    def header(length_words):
        return struct.pack(">7i", 9994, 0, 0, 0, 0, 0, length_words) + struct.pack(
            "<2i4d4d", 1000, shape_type, 0, 0, 10, 10, 0, 0, 0, 0)
    body, entries, offset = b"", [], 50
    for i, content in enumerate(contents):
        body += struct.pack(">2i", i + 1, len(content) // 2) + content
        entries.append((offset, len(content) // 2))
        offset += 4 + len(content) // 2
    if index:
        entries = index(entries)
    shx_body = b"".join(struct.pack(">2i", o, w) for o, w in entries)
    return header(50 + len(body) // 2), body, header(50 + len(shx_body) // 2) + shx_body


def triple(name, contents, records=None, index=None, shape_type=5, fields=None, dbf_bytes=None):
    head, body, shx = shp_records(contents, shape_type, index)
    write(name, "shp", head + body)
    write(name, "shx", shx)
    n = len(contents)
    write(name, "dbf", dbf_bytes if dbf_bytes is not None else dbf(records or [[b"%03d" % (i + 1), b"1"] for i in range(n)], fields or FIELDS))


sq = [(0, 0), (0, 1), (1, 1), (1, 0), (0, 0)]
sq2 = [(2, 0), (2, 1), (3, 1), (3, 0), (2, 0)]
hole = [(0.2, 0.2), (0.8, 0.2), (0.8, 0.8), (0.2, 0.8), (0.2, 0.2)]
# 12. A polygon whose first part starts at vertex 2 (crashed in Geometry).
triple("part_start", [polygon_record([sq]), polygon_record([sq], parts=[2])])
# 13. A record of shape type 77 (read as an empty geometry).
triple("shape_type_77", [polygon_record([sq]), polygon_record([sq], shape_type=77)])
# 14. A .shx whose entries all point at record 1 (nine copies of it).
triple("shx_all_first", [polygon_record([sq]), polygon_record([sq2]), polygon_record([sq])],
       index=lambda e: [e[0]] * len(e))
# 15. A .shx indexing 2 of the .shp's 3 records.
triple("shx_short", [polygon_record([sq]), polygon_record([sq2]), polygon_record([sq])], index=lambda e: e[:2],
       records=[[b"001", b"1"], [b"002", b"1"]])
# 16. A .shx offset into the middle of a record.
triple("shx_mid_record", [polygon_record([sq]), polygon_record([sq2])], index=lambda e: [e[0], (e[1][0] - 10, e[1][1])])
# 17. A hole with a NaN coordinate (dropped silently by the ring classification).
nan = float("nan")
triple("nan_hole", [polygon_record([sq, [(0.2, 0.2), (0.8, 0.2), (nan, 0.8), (0.2, 0.8), (0.2, 0.2)]])],
       records=[[b"001", b"1"]])
# 18. A DBF field of width 0 (a column shorter than the table).
def dbf_raw(records, fields, count=None, header_len=None, record_len=None, deleted=()):
    header_len = header_len if header_len is not None else 32 + 32 * len(fields) + 1
    record_len = record_len if record_len is not None else 1 + sum(f[2] for f in fields)
    data = struct.pack("<BBBBIHH20x", 3, 121, 9, 8, len(records) if count is None else count, header_len, record_len)
    for name, ftype, width, decimals in fields:
        data += struct.pack("<11sc4xBB14x", name.encode(), ftype.encode(), width, decimals)
    data += b"\r"
    for k, rec in enumerate(records):
        data += (b"*" if k in deleted else b" ") + b"".join(v.ljust(f[2])[: f[2]] for v, f in zip(rec, fields))
    return data + b"\x1a"


one = [polygon_record([sq])]
triple("dbf_zero_width", one, dbf_bytes=dbf_raw([[b"001", b""]], [("CODE", "C", 5, 0), ("EMPTY", "N", 0, 0)]))
# 19. A DBF header declaring 2^31 - 1 records for a one-record file (a 547 GB reservation).
triple("dbf_huge_count", one, dbf_bytes=dbf_raw([[b"001", b"1"]], FIELDS, count=2**31 - 1))
# 20. A header length too short for its field descriptors (attributes vanished).
triple("dbf_short_header", one, dbf_bytes=dbf_raw([[b"001", b"1"]], FIELDS, header_len=33))
# 21. A record length that is not 1 + the field widths.
triple("dbf_record_length", one, dbf_bytes=dbf_raw([[b"001", b"1"]], FIELDS, record_len=40))
# 22. Records flagged deleted: skipped with their shapes, and said.
triple("dbf_deleted", [polygon_record([sq]), polygon_record([sq2]), polygon_record([sq])],
       dbf_bytes=dbf_raw([[b"001", b"1"], [b"002", b"2"], [b"003", b"3"]], FIELDS, deleted={1}))
# 23. Two fields with the same name.
triple("dbf_duplicate_names", one, dbf_bytes=dbf_raw([[b"001", b"1"]], [("CODE", "C", 5, 0), ("CODE", "N", 8, 0)]))
# 24. GeoJSON nested ~30,000 arrays deep in coordinates or properties, or
# 9,000 nested members (the recursive readers overflowed the stack).
text("deep_coordinates.geojson", '{"type":"FeatureCollection","features":[{"type":"Feature","properties":{},"geometry":{"type":"Point","coordinates":'
     + "[" * 30000 + "]" * 30000 + "}}]}")
text("deep_properties.geojson", '{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"a":'
     + "[" * 31000 + "]" * 31000 + '},"geometry":{"type":"Point","coordinates":[0,0]}}]}')
text("deep_geometry.geojson", '{"type":"FeatureCollection","features":[{"type":"Feature","properties":{},"geometry":'
     + '{"geometry":' * 9000 + "null" + "}" * 9000 + "}]}")
# 25. A polygon ring whose last vertex is not its first (converted to GeoJSON
# that GeoVote then refused): closed on read, with a note.
triple("open_ring", [polygon_record([[(0, 0), (0, 1), (1, 1), (1, 0)]])], records=[[b"001", b"1"]])
