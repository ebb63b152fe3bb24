"""Reference values for GeoVote's maps (Tests/EngineTests/Rendering).

Class breaks of every party's share of the valid votes on the Morocco
fixture by mapclassify (Quantiles, EqualInterval, FisherJenks; k = 4, 5, 7),
the class counts, GeoDa's cluster-map colours and labels as pygeoda reports
them, and the Moran scatterplot's slope (= esda Moran's I on row-standardised
queen weights) with the standardised variable's first values.

Run from the repository root (the pinned virtualenv of
Fixtures/reference/setup_venv.sh):

    .venv-reference/bin/python Fixtures/reference/maps/make_reference.py

Writes Fixtures/reference/maps/classes.json.
"""
import json
import warnings

import esda
import geopandas as gpd
import libpysal
import mapclassify
import numpy as np
import pygeoda

warnings.filterwarnings("ignore")
SHP = "Fixtures/morocco/communes_utm29n.shp"
PARTIES = ["RNI", "PAM", "PI", "USFP", "MP", "PPS", "UC", "PJD"]

communes = gpd.read_file(SHP)
valid = communes["valid"].to_numpy(dtype=float)
out = {"versions": {"mapclassify": mapclassify.__version__, "esda": esda.__version__,
                    "libpysal": libpysal.__version__, "pygeoda": pygeoda.__version__},
       "classes": []}
for party in PARTIES:
    share = communes[party].to_numpy(dtype=float) / valid
    defined = share[np.isfinite(share)]
    for k in (4, 5, 7):
        for name, cls in (("quantile", mapclassify.Quantiles), ("equal", mapclassify.EqualInterval),
                          ("jenks", mapclassify.FisherJenks)):
            c = cls(defined, k=k)
            # The exact within-class sum of squares of mapclassify's partition
            # (float64), so that a different but equally good partition shows.
            ssd = float(sum(((defined[c.yb == j] - defined[c.yb == j].mean()) ** 2).sum()
                            for j in range(len(c.bins)) if (c.yb == j).any()))
            out["classes"].append({"party": party, "scheme": name, "k": k, "bins": [float(b) for b in c.bins],
                                   "counts": [int(n) for n in c.counts], "ssd": ssd,
                                   "undefined": int((~np.isfinite(share)).sum())})

g = pygeoda.open(SHP)
gw = pygeoda.queen_weights(g)
lm = pygeoda.local_moran(gw, g["PJD"])
gs = pygeoda.local_gstar(gw, g["PJD"])
out["geoda"] = {"local_moran": {"labels": list(lm.lisa_labels()), "colours": list(lm.lisa_colors())},
                "local_gstar": {"labels": list(gs.lisa_labels()), "colours": list(gs.lisa_colors())}}

w = libpysal.weights.Queen.from_dataframe(communes, use_index=False)
w.transform = "r"
scatter = []
for party in ("PJD", "RNI"):
    y = communes[party].to_numpy(dtype=float) / valid
    m = esda.Moran(y, w, permutations=0)
    z = (y - y.mean()) / y.std()          # population sd (ddof = 0)
    lag = libpysal.weights.lag_spatial(w, z)
    slope = float(np.polyfit(z, lag, 1)[0])
    scatter.append({"party": party, "I": float(m.I), "slope": slope,
                    "z_first": [float(v) for v in z[:5]], "lag_first": [float(v) for v in lag[:5]]})
out["scatterplot"] = scatter

with open("Fixtures/reference/maps/classes.json", "w") as f:
    json.dump(out, f, indent=1)
print(len(out["classes"]), "classifications;", scatter)
