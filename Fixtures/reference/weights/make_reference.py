#!/usr/bin/env python3
"""Reference neighbour sets and weights from libpysal (versions pinned in
../requirements.txt), on real data sets copied into ../data/.

Run: $(Fixtures/reference/setup_venv.sh)/bin/python Fixtures/reference/weights/make_reference.py

Writes, per data set, CSV files with header focal,neighbor,weight (0-based
input order):
  <name>_queen.csv, <name>_rook.csv        libpysal Queen/Rook.from_dataframe (vertex rule)
  <name>_knn4.csv                           libpysal KNN.from_dataframe(k=4), with
                                            kth_distance,next_distance of each focal
  <name>_band.csv, <name>_band_idw.csv      DistanceBand binary / alpha=-1 at 1.5 x min threshold
  <name>_kernel_adaptive_tri.csv            Kernel(k=5, fixed=False, triangular)
  <name>_kernel_fixed_gauss.csv             Kernel(k=3, fixed=True, gaussian)
and data sets' sources in ../data/SOURCES.txt.
"""
import os
import shutil
import sys

import geopandas as gpd
import libpysal
import numpy as np
from libpysal import weights
from libpysal.examples import get_path
from scipy.spatial import cKDTree

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(HERE, "..", "data")
SPDATA = "/usr/lib/R/site-library/spData/shapes"

SETS = {
    # name: (source files, planar distances make sense)
    "columbus": ([get_path("columbus.shp")], True),
    "sids2": ([get_path("sids2.shp")], False),
    "tokyomet262": ([get_path("tokyomet262.shp")], True),
    "virginia": ([get_path("vautm17n.shp")], True),
    "baltim": ([get_path("baltim.shp")], True),
    "NY8": ([os.path.join(SPDATA, "NY8_utm18.shp")], True),
    "boston_tracts": ([os.path.join(SPDATA, "boston_tracts.shp")], False),
    # spData's world countries (lon/lat multipolygons with islands): contiguity only.
    "world": ([os.path.join(SPDATA, "world.shp")], False),
    # GeoVote's synthetic Morocco communes (geovote synth --seed 2021), UTM 29N.
    "morocco": ([os.path.join(HERE, "..", "..", "morocco", "communes_utm29n.shp")], True),
}


def copy_set(name, shp):
    base = shp[:-4]
    for ext in (".shp", ".shx", ".dbf", ".prj"):
        if os.path.exists(base + ext):
            shutil.copyfile(base + ext, os.path.join(DATA, name + ext))


def write(path, w, extra=None):
    with open(path, "w") as f:
        f.write("# libpysal %s\n" % libpysal.__version__)
        cols = "focal,neighbor,weight" + ("," + ",".join(extra[0]) if extra else "")
        f.write(cols + "\n")
        for i in range(w.n):
            focal = w.id_order[i]
            pairs = sorted(zip(w.neighbors[focal], w.weights[focal]))
            for j, v in pairs:
                row = "%d,%d,%r" % (focal, j, float(v))
                if extra:
                    row += "," + ",".join(repr(float(x)) for x in extra[1][i])
                f.write(row + "\n")
            if not pairs:
                f.write("%d,,\n" % focal if not extra else "%d,,,%s\n" % (focal, ",".join(repr(float(x)) for x in extra[1][i])))


def main():
    os.makedirs(DATA, exist_ok=True)
    with open(os.path.join(DATA, "SOURCES.txt"), "w") as src:
        src.write("Copied by Fixtures/reference/weights/make_reference.py\n")
        for name, (files, planar) in SETS.items():
            src.write("%s: %s\n" % (name, files[0].replace(os.path.dirname(libpysal.__file__), "libpysal " + libpysal.__version__)))
    for name, (files, planar) in SETS.items():
        copy_set(name, files[0])
        df = gpd.read_file(os.path.join(DATA, name + ".shp"))
        out = lambda kind: os.path.join(HERE, "%s_%s.csv" % (name, kind))
        if df.geom_type.isin(["Polygon", "MultiPolygon"]).all():
            queen = weights.Queen.from_dataframe(df, use_index=False, silence_warnings=True)
            write(out("queen"), queen)
            if name == "columbus":
                for t in ("R", "D", "V"):
                    q = weights.Queen.from_dataframe(df, use_index=False, silence_warnings=True)
                    q.transform = t
                    write(out("queen_" + t), q)
                write(out("queen_order2"), weights.higher_order(queen, k=2, silence_warnings=True))
                write(out("queen_order2_cumulative"), weights.higher_order(queen, k=2, lower_order=True, silence_warnings=True))
                shutil.copyfile(get_path("columbus.gal"), os.path.join(DATA, "columbus.gal"))
            write(out("rook"), weights.Rook.from_dataframe(df, use_index=False, silence_warnings=True))
        if not planar:
            continue
        pts = np.column_stack([df.geometry.centroid.x, df.geometry.centroid.y]) if not (df.geom_type == "Point").all() \
            else np.column_stack([df.geometry.x, df.geometry.y])
        knn = weights.KNN(pts, k=4, silence_warnings=True)
        d, _ = cKDTree(pts).query(pts, k=6)
        write(out("knn4"), knn, (["kth_distance", "next_distance"], [(row[4], row[5]) for row in d]))
        threshold = weights.min_threshold_distance(pts) * 1.5
        band = weights.DistanceBand(pts, threshold=threshold, binary=True, silence_warnings=True)
        write(out("band"), band, (["threshold"], [(threshold,)] * len(pts)))
        idw = weights.DistanceBand(pts, threshold=threshold, binary=False, alpha=-1.0, silence_warnings=True)
        write(out("band_idw"), idw, (["threshold"], [(threshold,)] * len(pts)))
        write(out("kernel_adaptive_tri"), weights.Kernel(pts, k=5, fixed=False, function="triangular"))
        write(out("kernel_fixed_gauss"), weights.Kernel(pts, k=3, fixed=True, function="gaussian"))
    print("wrote", HERE, file=sys.stderr)


if __name__ == "__main__":
    main()
