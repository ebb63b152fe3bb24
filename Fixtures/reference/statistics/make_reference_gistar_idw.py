#!/usr/bin/env python3
"""esda G_Local with star=True on non-binary weights, where esda sets the
self-weight to the row's largest weight (row-standardised afterwards):
columbus CRIME, inverse-distance band weights on the centroids (threshold =
1.5 x the largest nearest-neighbour distance, alpha = -1).
Writes columbus_gistar_idw.csv (Gs, EGs, VGs, Zs per unit) and the threshold.

Run: $(Fixtures/reference/setup_venv.sh)/bin/python Fixtures/reference/statistics/make_reference_gistar_idw.py
"""
import os
import warnings

import esda
import geopandas as gpd
import libpysal
import numpy as np
from libpysal import weights

HERE = os.path.dirname(os.path.abspath(__file__))
df = gpd.read_file(os.path.join(HERE, "..", "data", "columbus.shp"))
y = df["CRIME"].to_numpy(dtype=float)
pts = np.column_stack([df.geometry.centroid.x, df.geometry.centroid.y])
threshold = weights.min_threshold_distance(pts) * 1.5
w = weights.DistanceBand(pts, threshold=threshold, binary=False, alpha=-1.0, silence_warnings=True)
with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    g = esda.G_Local(y, w, transform="R", star=True, permutations=0)
with open(os.path.join(HERE, "columbus_gistar_idw.csv"), "w") as f:
    f.write("# esda %s, libpysal %s; G_Local(CRIME, DistanceBand(centroids, %r, binary=False, alpha=-1), transform='R', star=True)\n"
            % (esda.__version__, libpysal.__version__, float(threshold)))
    f.write("i,threshold,Gs,EGs,VGs,Zs\n")
    for i in range(len(y)):
        f.write("%d,%r,%r,%r,%r,%r\n" % (i, float(threshold), float(g.Gs[i]), float(g.EGs[i]), float(g.VGs[i]), float(g.Zs[i])))
print("wrote", HERE)
