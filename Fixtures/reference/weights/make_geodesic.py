#!/usr/bin/env python3
"""Great-circle distances between the 12 region capitals of
Fixtures/sample/capitals.csv by libpysal's arcdist (sphere of radius
6371 km), in metres: the reference for --geodesic weights.
Run with the reference virtualenv (../setup_venv.sh)."""
import csv
import os

import libpysal
from libpysal.cg import sphere

HERE = os.path.dirname(os.path.abspath(__file__))
rows = list(csv.DictReader(open(os.path.join(HERE, "..", "..", "sample", "capitals.csv"), encoding="utf-8")))
with open(os.path.join(HERE, "capitals_arcdist.csv"), "w") as out:
    out.write("# libpysal %s cg.sphere.arcdist, radius %r km\n" % (libpysal.__version__, sphere.RADIUS_EARTH_KM))
    out.write("focal,neighbor,distance_m\n")
    for i, a in enumerate(rows):
        for j, b in enumerate(rows):
            if i != j:
                d = sphere.arcdist((float(a["lon"]), float(a["lat"])), (float(b["lon"]), float(b["lat"])), sphere.RADIUS_EARTH_KM)
                out.write("%d,%d,%r\n" % (i, j, d * 1000.0))
