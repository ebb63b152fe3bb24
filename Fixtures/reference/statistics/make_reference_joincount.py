#!/usr/bin/env python3
"""Local join counts from esda (pinned in ../requirements.txt), queen
weights, on columbus (CRIME above its median) and NY8 (PROPCAS above its
median): <set>_joincount.csv with y, LJC and p_sim (9999 permutations,
seed 12345; p_sim is NaN where LJC = 0, as esda sets it), and p_exact:
the limit of the directed pseudo p as R grows, from the hypergeometric law
of the number of 1s among a unit's k neighbours drawn without replacement
from the other n - 1 units: min(P(S >= LJC), 1 - P(S >= LJC)).
(esda's p_sim departs from p_exact by more than its sampling error on
several units: its draws are shared by all units.)

Run: $(Fixtures/reference/setup_venv.sh)/bin/python Fixtures/reference/statistics/make_reference_joincount.py
"""
import os

import esda
import geopandas as gpd
import libpysal
import numpy as np
from libpysal import weights
from scipy.stats import hypergeom

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(HERE, "..", "data")
for name, field in {"columbus": "CRIME", "NY8": "PROPCAS"}.items():
    df = gpd.read_file(os.path.join(DATA, name + ".shp"))
    x = df[field].to_numpy(dtype=float)
    y = (x > np.median(x)).astype(float)
    w = weights.Queen.from_dataframe(df, use_index=False, silence_warnings=True)
    ljc = esda.Join_Counts_Local(connectivity=w, permutations=9999, seed=12345).fit(y)
    with open(os.path.join(HERE, "%s_joincount.csv" % name), "w") as f:
        f.write("# esda %s, libpysal %s; Join_Counts_Local(%s > median, queen), permutations=9999, seed=12345\n"
                % (esda.__version__, libpysal.__version__, field))
        f.write("i,y,LJC,p_sim,p_exact\n")
        ones = int(y.sum())
        for i in range(len(y)):
            k = len(w.neighbors[i])
            if ljc.LJC[i] > 0:
                ge = float(hypergeom.sf(ljc.LJC[i] - 1, len(y) - 1, ones - int(y[i]), k))
                exact = min(ge, 1 - ge)
            else:
                exact = float("nan")
            f.write("%d,%d,%r,%r,%r\n" % (i, int(y[i]), float(ljc.LJC[i]), float(ljc.p_sim[i]), exact))
print("wrote", HERE)
