#!/usr/bin/env python3
"""More reference values from esda (pinned in ../requirements.txt), with
libpysal queen weights, on columbus (CRIME, INC) and NY8 (PROPCAS,
PCTOWNHOME, Cases, POP8):
- <set>_geary_g.csv: esda Geary (row weights) and G (binary) fields;
- <set>_local_more.csv: Geary_Local localG and p_sim, Moran_Local_BV Is, q,
  p_sim (permutations 9999, seed 12345);
- NY8_rate.csv: Moran_Rate(Cases, POP8) fields and Moran_Local_Rate Is
  (Empirical Bayes, Assuncao-Reis);
- fdr.csv: esda.fdr of columbus and NY8 Moran_Local p_sim at 0.05 and 0.1
  (the p-values are in <set>_R_local.csv);
- significance.csv: esda's calculate_significance for every alternative on
  20 seeded reference distributions of 99 values (simulations listed).

Run: $(Fixtures/reference/setup_venv.sh)/bin/python Fixtures/reference/statistics/make_reference_more.py
"""
import os

import esda
import geopandas as gpd
import libpysal
import numpy as np
from esda.significance import calculate_significance
from libpysal import weights

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(HERE, "..", "data")
SETS = {"columbus": ("CRIME", "INC"), "NY8": ("PROPCAS", "PCTOWNHOME")}
R = 9999
HEAD = "# esda %s, libpysal %s\n" % (esda.__version__, libpysal.__version__)


def queen(df, transform):
    w = weights.Queen.from_dataframe(df, use_index=False, silence_warnings=True)
    w.transform = transform
    return w


for name, (field, other) in SETS.items():
    df = gpd.read_file(os.path.join(DATA, name + ".shp"))
    y = df[field].to_numpy(dtype=float)
    x2 = df[other].to_numpy(dtype=float)
    np.random.seed(12345)
    c = esda.Geary(y, queen(df, "R"), transformation="r", permutations=R)
    np.random.seed(12345)
    g = esda.G(y, queen(df, "B"), permutations=R)
    with open(os.path.join(HERE, "%s_geary_g.csv" % name), "w") as f:
        f.write(HEAD + "# Geary(%s, queen, transformation='r'), G(%s, queen binary), permutations=%d\n" % (field, field, R))
        keys_c = ["C", "EC", "VC_norm", "z_norm", "p_norm", "VC_rand", "z_rand", "p_rand", "p_sim"]
        keys_g = ["G", "EG", "VG", "z_norm", "p_norm", "p_sim"]
        f.write(",".join(["geary_" + k for k in keys_c] + ["g_" + k for k in keys_g]) + "\n")
        f.write(",".join([repr(float(getattr(c, k))) for k in keys_c] + [repr(float(getattr(g, k))) for k in keys_g]) + "\n")
    lg = esda.Geary_Local(connectivity=queen(df, "R"), permutations=R, seed=12345).fit(y)
    bv = esda.Moran_Local_BV(y, x2, queen(df, "R"), transformation="r", permutations=R, seed=12345)
    with open(os.path.join(HERE, "%s_local_more.csv" % name), "w") as f:
        f.write(HEAD + "# Geary_Local(%s, queen R) and Moran_Local_BV(x=%s, y=%s, queen R), permutations=%d, seed=12345\n" % (field, field, other, R))
        f.write("i,localG,localG_p_sim,bv_Is,bv_q,bv_p_sim\n")
        for i in range(len(y)):
            f.write("%d,%r,%r,%r,%d,%r\n" % (i, float(lg.localG[i]), float(lg.p_sim[i]), float(bv.Is[i]), int(bv.q[i]), float(bv.p_sim[i])))

df = gpd.read_file(os.path.join(DATA, "NY8.shp"))
e = df["Cases"].to_numpy(dtype=float)
b = df["POP8"].to_numpy(dtype=float)
np.random.seed(12345)
mr = esda.Moran_Rate(e, b, queen(df, "R"), adjusted=True, transformation="r", permutations=0)
lr = esda.Moran_Local_Rate(e, b, queen(df, "R"), adjusted=True, transformation="r", permutations=0)
with open(os.path.join(HERE, "NY8_rate.csv"), "w") as f:
    f.write(HEAD + "# Moran_Rate and Moran_Local_Rate(Cases, POP8, queen R, adjusted=True)\n")
    f.write("I,EI,VI_norm,z_norm,VI_rand,z_rand\n")
    f.write(",".join(repr(float(getattr(mr, k))) for k in ["I", "EI", "VI_norm", "z_norm", "VI_rand", "z_rand"]) + "\n")
    f.write("# local\nIs\n")
    for v in lr.Is:
        f.write("%r\n" % float(v))

with open(os.path.join(HERE, "fdr.csv"), "w") as f:
    f.write(HEAD + "# esda.fdr(p_sim of <set>_R_local.csv, alpha)\nset,alpha,cutoff\n")
    for name in SETS:
        rows = [l.split(",") for l in open(os.path.join(HERE, "%s_R_local.csv" % name)) if not l.startswith(("#", "i,"))]
        p = np.array([float(r[3]) for r in rows])
        for alpha in (0.05, 0.1):
            f.write("%s,%r,%r\n" % (name, alpha, float(esda.fdr(p, alpha))))

rng = np.random.default_rng(2021)
with open(os.path.join(HERE, "significance.csv"), "w") as f:
    f.write(HEAD + "# calculate_significance(observed, simulations, alternative); 99 simulations a row\n")
    alts = ["directed", "two-sided", "folded", "greater", "lesser"]
    f.write("observed," + ",".join(alts) + ",simulations\n")
    for k in range(20):
        sims = np.round(rng.normal(size=99), 3)  # rounded: ties happen, as with discrete data
        obs = float(np.round(rng.normal() * (1 + k / 5), 3))
        ps = [float(calculate_significance(obs, sims, alternative=a)) for a in alts]
        f.write("%r,%s,%s\n" % (obs, ",".join(repr(p) for p in ps), " ".join(repr(float(s)) for s in sims)))
print("wrote", HERE)
