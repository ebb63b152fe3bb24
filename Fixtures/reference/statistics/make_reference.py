#!/usr/bin/env python3
"""Reference values for global and local autocorrelation from esda (versions
pinned in ../requirements.txt), with libpysal queen weights, on real data:
columbus CRIME and NY8 PROPCAS (copied in ../data/ by ../weights/make_reference.py).

Run: $(Fixtures/reference/setup_venv.sh)/bin/python Fixtures/reference/statistics/make_reference.py
Writes <set>_<transform>_global.csv (one row: esda Moran fields) and
<set>_<transform>_local.csv (per unit: Moran_Local Is, q, p_sim; G_Local
star and non-star Gs, EGs, Zs, p_sim), permutations = 9999, seed 12345.
"""
import os

import esda
import geopandas as gpd
import libpysal
import numpy as np
from libpysal import weights

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(HERE, "..", "data")
SETS = {"columbus": "CRIME", "NY8": "PROPCAS"}
R = 9999


def queen(df, transform):
    w = weights.Queen.from_dataframe(df, use_index=False, silence_warnings=True)
    w.transform = transform
    return w


for name, field in SETS.items():
    df = gpd.read_file(os.path.join(DATA, name + ".shp"))
    y = df[field].to_numpy(dtype=float)
    for transform in ("R", "B"):
        w = queen(df, transform)
        np.random.seed(12345)
        m = esda.Moran(y, w, transformation=transform, permutations=R)
        with open(os.path.join(HERE, "%s_%s_global.csv" % (name, transform)), "w") as f:
            f.write("# esda %s, libpysal %s; Moran(%s, queen %s, permutations=%d)\n" % (esda.__version__, libpysal.__version__, field, transform, R))
            keys = ["I", "EI", "VI_norm", "z_norm", "p_norm", "VI_rand", "z_rand", "p_rand", "p_sim"]
            f.write(",".join(keys) + "\n")
            f.write(",".join(repr(float(getattr(m, k))) for k in keys) + "\n")
        lm = esda.Moran_Local(y, queen(df, transform), transformation=transform, permutations=R, seed=12345)
        gs = esda.G_Local(y, queen(df, transform), transform=transform, permutations=R, star=True, seed=12345)
        g = esda.G_Local(y, queen(df, transform), transform=transform, permutations=R, star=False, seed=12345)
        with open(os.path.join(HERE, "%s_%s_local.csv" % (name, transform)), "w") as f:
            f.write("# esda %s, libpysal %s; Moran_Local and G_Local(%s, queen %s, permutations=%d, seed=12345)\n"
                    % (esda.__version__, libpysal.__version__, field, transform, R))
            f.write("i,Is,q,p_sim,Gs_star,EGs_star,Zs_star,p_sim_star,Gs,EGs,Zs,p_sim_g\n")
            for i in range(len(y)):
                f.write("%d,%r,%d,%r,%r,%r,%r,%r,%r,%r,%r,%r\n" % (
                    i, float(lm.Is[i]), int(lm.q[i]), float(lm.p_sim[i]),
                    float(gs.Gs[i]), float(gs.EGs[i]), float(gs.Zs[i]), float(gs.p_sim[i]),
                    float(g.Gs[i]), float(g.EGs[i]), float(g.Zs[i]), float(g.p_sim[i])))
print("wrote", HERE)
