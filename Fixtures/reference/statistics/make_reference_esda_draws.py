#!/usr/bin/env python3
"""esda's own conditional randomisation, for `--draws esda` (esda pinned in
../requirements.txt):

- esda_tables.csv: esda.crand.vec_permutations(max_card, n, R, seed) — the
  table of index sets esda shares between all units — for a few sizes
  (one row per table row: the configuration, the row number, the indices).
- <set>_esda_draws.csv (columbus CRIME, NY8 PROPCAS, morocco PJD/valid), one
  row per unit, all with permutations=9999, seed=12345:
  lm_p: Moran_Local (queen R) p_sim; gs_p: G_Local(star=True, queen B)
  p_sim; bv_p: Moran_Local_BV(y, other, queen R) p_sim (other: columbus INC,
  NY8 PCTOWNHOME, morocco voters/registered); lg, lg_p: Geary_Local's
  statistic and crand's p_sim for it, and jc, jc_p: Join_Counts_Local of
  (y > median) and crand's p_sim (esda 2.9.0's Geary_Local and
  Join_Counts_Local do not pass their seed on to crand, so crand is called
  here as they call it, with the seed given).

Without numba esda runs crand in Python with numpy's legacy RandomState;
np.random.seed(int) seeds it as numba's np.random.seed does
(init_genrand), and permutation/choice shuffle the same way, so the tables
are the same with or without numba (check: run this with numba installed
and compare esda_tables.csv).

Run: $(Fixtures/reference/setup_venv.sh)/bin/python Fixtures/reference/statistics/make_reference_esda_draws.py
"""
import os

import esda
import geopandas as gpd
import libpysal
import numpy as np
from esda.crand import crand, vec_permutations
from esda.geary_local import _local_geary
from esda.join_counts_local import _ljc_uni
from libpysal import weights

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(HERE, "..", "data")
R = 9999
SEED = 12345
HEAD = "# esda %s, libpysal %s, numpy %s\n" % (esda.__version__, libpysal.__version__, np.__version__)

with open(os.path.join(HERE, "esda_tables.csv"), "w") as f:
    f.write(HEAD + "# esda.crand.vec_permutations(max_card, n, R, seed)\n")
    f.write("max_card,n,R,seed,row,ids\n")
    for max_card, n, reps, seed in [(10, 49, 20, 12345), (13, 281, 5, 12345), (9, 1500, 5, 7),
                                    (7, 70000, 3, 123456789), (4, 2, 3, 1)]:
        if max_card > n - 1:
            max_card = n - 1
        table = vec_permutations(max_card, n, reps, seed)
        for row in range(reps):
            f.write("%d,%d,%d,%d,%d,%s\n" % (max_card, n, reps, seed, row, " ".join(str(int(v)) for v in table[row])))

SETS = {"columbus": (("CRIME", None), ("INC", None)), "NY8": (("PROPCAS", None), ("PCTOWNHOME", None)),
        "morocco": (("PJD", "valid"), ("voters", "registered"))}


def queen(df, transform):
    w = weights.Queen.from_dataframe(df, use_index=False, silence_warnings=True)
    w.transform = transform
    return w


def variable(df, num, den):
    v = df[num].to_numpy(dtype=float)
    return v / df[den].to_numpy(dtype=float) if den else v


for name, ((num, den), (onum, oden)) in SETS.items():
    df = gpd.read_file(os.path.join(DATA, name + ".shp"))
    y = variable(df, num, den)
    other = variable(df, onum, oden)
    lm = esda.Moran_Local(y, queen(df, "R"), transformation="r", permutations=R, seed=SEED)
    gs = esda.G_Local(y, queen(df, "B"), transform="B", permutations=R, star=True, seed=SEED)
    bv = esda.Moran_Local_BV(y, other, queen(df, "R"), transformation="r", permutations=R, seed=SEED)
    # Geary_Local as esda fits it, then its crand call with the seed.
    wr = queen(df, "R")
    lg = esda.Geary_Local(connectivity=wr, permutations=0).fit(y)
    lg_p, _ = crand(z=(y - np.mean(y)) / np.std(y), w=wr, observed=lg.localG, permutations=R, keep=False,
                    n_jobs=1, stat_func=_local_geary, island_weight=0, seed=SEED)
    binary = (y > np.median(y)).astype(float)
    jc = esda.Join_Counts_Local(connectivity=queen(df, "B"), permutations=0).fit(binary)
    jc_p, _ = crand(z=jc.y, w=jc.w, observed=jc.LJC, permutations=R, keep=False, n_jobs=1, stat_func=_ljc_uni,
                    island_weight=0, seed=SEED)
    jc_p[jc.LJC == 0] = np.nan
    with open(os.path.join(HERE, "%s_esda_draws.csv" % name), "w") as f:
        f.write(HEAD + "# %s%s, other %s%s; queen; permutations=%d, seed=%d\n"
                % (num, "/" + den if den else "", onum, "/" + oden if oden else "", R, SEED))
        f.write("i,lm_p,gs_p,bv_p,lg,lg_p,jc,jc_p\n")
        for i in range(len(y)):
            f.write("%d,%r,%r,%r,%r,%r,%r,%r\n" % (i, float(lm.p_sim[i]), float(gs.p_sim[i]), float(bv.p_sim[i]),
                                                   float(lg.localG[i]), float(lg_p[i]), float(jc.LJC[i]), float(jc_p[i])))
print("wrote", HERE)
