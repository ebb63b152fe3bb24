#!/usr/bin/env python3
"""GeoDa's conventions, from pygeoda (GeoDa's C++ core, libgeoda; pinned in
../requirements.txt), with GeoDa's own queen weights, on columbus (CRIME),
NY8 (PROPCAS) and the Morocco fixture (PJD/valid):

<set>_geoda.csv, one row per unit:
- nn: GeoDa's neighbour count;
- lm_*: local_moran  (LISA_I, pseudo p, LISA_CL: 0 ns, 1 HH, 2 LL, 3 LH, 4 HL, 5 undefined, 6 isolated);
- gs_*: local_gstar  (G*, pseudo p, cluster: 0 ns, 1 high, 2 low, 3 undefined, 4 isolated);
- g_*:  local_g      (G, pseudo p, cluster as gs);
- lg_*: local_geary  (c, pseudo p, cluster: 0 ns, 1 HH, 2 LL, 3 other positive, 4 negative, 5, 6);
- jc_*: local_joincount of (y > median) (count, pseudo p, cluster: 0 ns, 1 significant);
- ud: 1 where the unit is passed to GeoDa as undefined (every 7th unit from
  the 4th), ud_*: local_moran with those undefs (GeoDa leaves them out);
- bv_*: local_bimoran(variable, other) (columbus INC, NY8 PCTOWNHOME,
  morocco voters/registered): I, pseudo p, cluster as lm;
- lm6_p: local_moran's p with 999 permutations on 6 threads (pygeoda's
  default cpu_threads), whose random streams GeoDa splits per thread.
permutations=9999, seed=123456789 (GeoDa's default), cpu_threads=1,
significance_cutoff=0.05.

Run: $(Fixtures/reference/setup_venv.sh)/bin/python Fixtures/reference/statistics/make_reference_geoda.py
"""
import os

import geopandas as gpd
import numpy as np
import pygeoda

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(HERE, "..", "data")
SETS = {"columbus": ("CRIME", None), "NY8": ("PROPCAS", None), "morocco": ("PJD", "valid")}
# The second variable of the bivariate Local Moran (at the neighbours).
OTHER = {"columbus": ("INC", None), "NY8": ("PCTOWNHOME", None), "morocco": ("voters", "registered")}
R = 9999
SEED = 123456789
KW = dict(permutations=R, seed=SEED, cpu_threads=1, significance_cutoff=0.05)


def columns(result):
    return (np.asarray(result.lisa_values(), dtype=float), np.asarray(result.lisa_pvalues(), dtype=float),
            np.asarray(result.lisa_clusters(), dtype=int))


for name, (num, den) in SETS.items():
    path = os.path.join(DATA, name + ".shp")
    df = gpd.read_file(path)
    y = df[num].to_numpy(dtype=float)
    if den:
        y = y / df[den].to_numpy(dtype=float)
    onum, oden = OTHER[name]
    x2 = df[onum].to_numpy(dtype=float)
    if oden:
        x2 = x2 / df[oden].to_numpy(dtype=float)
    gda = pygeoda.open(path)
    w = pygeoda.queen_weights(gda)
    n = len(y)
    data = [float(v) for v in y]
    lm = columns(pygeoda.local_moran(w, data, **KW))
    gs = columns(pygeoda.local_gstar(w, data, **KW))
    g = columns(pygeoda.local_g(w, data, **KW))
    lg = columns(pygeoda.local_geary(w, data, **KW))
    binary = [1 if v > np.median(y) else 0 for v in y]
    jc = columns(pygeoda.local_joincount(w, binary, **KW))
    undefs = [i % 7 == 3 for i in range(n)]
    ud = columns(pygeoda.local_moran(w, data, undefs=undefs, **KW))
    nn = pygeoda.local_moran(w, data, **KW).lisa_num_nbrs()
    bv = columns(pygeoda.local_bimoran(w, data, [float(v) for v in x2], **KW))
    lm6 = pygeoda.local_moran(w, data, permutations=999, seed=SEED, cpu_threads=6).lisa_pvalues()
    with open(os.path.join(HERE, "%s_geoda.csv" % name), "w") as f:
        f.write("# pygeoda %s; queen_weights; variable %s; permutations=%d, seed=%d, cpu_threads=1, cutoff 0.05\n"
                % (pygeoda.__version__, num + ("/" + den if den else ""), R, SEED))
        f.write("i,nn,lm_I,lm_p,lm_cl,gs_G,gs_p,gs_cl,g_G,g_p,g_cl,lg_c,lg_p,lg_cl,jc_y,jc_v,jc_p,jc_cl,ud,ud_I,ud_p,ud_cl,lm6_p,bv_x2,bv_I,bv_p,bv_cl\n")
        for i in range(n):
            row = [i, nn[i]]
            for v, p, c in (lm, gs, g, lg):
                row += [repr(float(v[i])), repr(float(p[i])), int(c[i])]
            row += [binary[i], repr(float(jc[0][i])), repr(float(jc[1][i])), int(jc[2][i])]
            row += [int(undefs[i]), repr(float(ud[0][i])), repr(float(ud[1][i])), int(ud[2][i]), repr(float(lm6[i]))]
            row += [repr(float(x2[i])), repr(float(bv[0][i])), repr(float(bv[1][i])), int(bv[2][i])]
            f.write(",".join(str(x) for x in row) + "\n")
    print(name, n)
