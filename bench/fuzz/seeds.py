#!/usr/bin/env python3
"""Writes the fuzz targets' seed corpora from Fixtures/ (and Fixtures/bad/):
    python3 bench/fuzz/seeds.py OUT   →  OUT/corpus-<format>/…  (standard library only)
The shapefile target takes one input holding .shp, .shx and .dbf: two
little-endian 16-bit lengths (.shp, .shx), then the three files."""
import glob
import os
import struct
import sys

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
FIX = os.path.join(ROOT, "Fixtures")
out = sys.argv[1]


def put(fmt, name, data):
    d = os.path.join(out, "corpus-" + fmt)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def read(p):
    with open(p, "rb") as f:
        return f.read()


for shp in sorted(glob.glob(os.path.join(FIX, "sample", "*.shp")) + glob.glob(os.path.join(FIX, "bad", "*.shp"))
                  + glob.glob(os.path.join(FIX, "encodings", "*.shp"))):
    stem = shp[:-4]
    if not (os.path.exists(stem + ".shx") and os.path.exists(stem + ".dbf")):
        continue
    a, b, c = read(shp), read(stem + ".shx"), read(stem + ".dbf")
    if len(a) < 65536 and len(b) < 65536:
        put("shapefile", os.path.basename(stem), struct.pack("<HH", len(a), len(b)) + a + b + c)
    put("dbf", os.path.basename(stem), c)
for prj in sorted(glob.glob(os.path.join(FIX, "**", "*.prj"), recursive=True)):
    put("prj", os.path.relpath(prj, FIX).replace("/", "_"), read(prj))
for g in sorted(glob.glob(os.path.join(FIX, "bad", "*.geojson")) + [os.path.join(FIX, "morocco", "outline.geojson")]):
    if os.path.getsize(g) < 200_000:
        put("geojson", os.path.basename(g), read(g))
for c in sorted(glob.glob(os.path.join(FIX, "**", "*.csv"), recursive=True)):
    if os.path.getsize(c) < 100_000:
        put("csv", os.path.relpath(c, FIX).replace("/", "_"), read(c))
put("weights", "gal", b"0 5 layer id\n0 2\n1 2\n1 1\n0\n2 1\n3\n3 2\n2 4\n4 1\n3\n")
put("weights", "gwt", b"0 5 layer id\n0 1 1\n1 0 0.5\n3 4 2\n")
put("weights", "csv", b"focal,neighbor,weight\n0,1,1\n1,0,1\n2,3,0.25\n")
put("job", "hotspots_job.json", read(os.path.join(FIX, "morocco", "hotspots_job.json")))
put("job", "small.json", b'{"defaults": {"weights": "queen"}, "jobs": [{"input": "x.shp", "field": "PJD/valid", "output": "o.csv"}]}')
# GeoPackage seeds: the sample capitals written by GDAL (ogr2ogr, a test-time
# tool) and, when it is built, by GeoVote; small files (12 points).
import shutil
import subprocess
import tempfile
gpkg_dir = os.path.join(out, "corpus-geopackage")
os.makedirs(gpkg_dir, exist_ok=True)
with tempfile.TemporaryDirectory() as tmp:
    if shutil.which("ogr2ogr"):
        subprocess.run(["ogr2ogr", "-f", "GPKG", os.path.join(tmp, "gdal.gpkg"), os.path.join(FIX, "sample", "capitals.shp")], check=True)
        put("geopackage", "gdal.gpkg", read(os.path.join(tmp, "gdal.gpkg")))
    geovote = os.path.join(ROOT, ".build", "release", "geovote")
    if os.path.exists(geovote):
        subprocess.run([geovote, "convert", os.path.join(FIX, "sample", "capitals.shp"), "--output", os.path.join(tmp, "g.gpkg:capitals")],
                       check=True, capture_output=True)
        put("geopackage", "geovote.gpkg", read(os.path.join(tmp, "g.gpkg")))
