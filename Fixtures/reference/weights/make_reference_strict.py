#!/usr/bin/env python3
"""libpysal's strict (geometric) contiguity: Graph.build_contiguity(strict=True)
(queen: shapely 'touches'; rook: relate pattern F***1****), on the polygon
sets of ../data/ — <set>_strict_queen.csv and <set>_strict_rook.csv
(0-based focal,neighbor; an island is a focal with no neighbour).

Run: $(Fixtures/reference/setup_venv.sh)/bin/python Fixtures/reference/weights/make_reference_strict.py
"""
import os

import geopandas as gpd
import libpysal
from libpysal.graph import Graph

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(HERE, "..", "data")
for name in ["columbus", "sids2", "tokyomet262", "virginia", "NY8", "boston_tracts", "morocco", "world"]:
    df = gpd.read_file(os.path.join(DATA, name + ".shp")).reset_index(drop=True)
    for rook in (False, True):
        g = Graph.build_contiguity(df, rook=rook, strict=True)
        adj = g.adjacency.reset_index()
        path = os.path.join(HERE, "%s_strict_%s.csv" % (name, "rook" if rook else "queen"))
        with open(path, "w") as f:
            f.write("# libpysal %s; Graph.build_contiguity(rook=%s, strict=True)\n" % (libpysal.__version__, rook))
            f.write("focal,neighbor\n")
            for focal, neighbor, weight in zip(adj["focal"], adj["neighbor"], adj["weight"]):
                f.write("%d,%s\n" % (focal, "" if weight == 0 and focal == neighbor else str(neighbor)))
print("wrote", HERE)
