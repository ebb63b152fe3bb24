#!/usr/bin/env python3
"""Reference values for emerging hot spots over three elections (pins in
../requirements.txt, plus pymannkendall).

- results_2011.csv: a SYNTHETIC third election for the fixture communes,
  made here from ../database/results_2016.csv with seeded, spatially
  smooth swings (each party's votes times exp(a_party + b_party * (x, y)
  trend + noise)); totals rebuilt (valid = sum of parties, voters = valid +
  invalid, registered >= voters).
- cube_<party>.csv: per commune (the fixture's order) the shares of valid
  votes in 2011, 2016 and 2021, the space-time Gi* z (binary weights: the
  libpysal Queen neighbours in the same election and, one election back,
  the commune itself and its neighbours; the bin's own value included;
  Ord-Getis z over the whole cube, from esda's G_Local(star=True,
  transform='B') on a libpysal W of those links, checked against the
  formula written out), its two-sided p, Gi_Bin with
  Benjamini-Hochberg per election at 0.01/0.05/0.10, the Mann-Kendall S,
  var_s, z and p of the z series (pymannkendall original_test), its exact
  p (every ordering enumerated with itertools), and the pattern, from a
  re-implementation of ArcGIS Pro's published definitions (bins hot/cold
  at 95 %; 'trend untestable' where the exact test's smallest p is above
  0.05).
- mann_kendall.csv: 40 seeded series of 3 to 12 values (some with ties):
  pymannkendall's s, var_s, z, p, Tau, the exact p by enumeration (n <= 9)
  and scipy's kendalltau(method='exact') p where there are no ties.

Run: $(Fixtures/reference/setup_venv.sh)/bin/python Fixtures/reference/emerging/make_reference.py
"""
import itertools
import os

import geopandas as gpd
import libpysal
import numpy as np
import pandas as pd
import esda
import pymannkendall
import scipy
import scipy.stats

HERE = os.path.dirname(os.path.abspath(__file__))
REF = os.path.join(HERE, "..")
HEAD = "# libpysal %s, esda %s, numpy %s, scipy %s, pymannkendall %s\n" % (libpysal.__version__, esda.__version__, np.__version__, scipy.__version__, pymannkendall.__version__)
PARTIES = ["RNI", "PAM", "PI", "USFP", "MP", "PPS", "UC", "PJD", "others"]


def mk_s(x):
    n = len(x)
    return sum(np.sign(x[j] - x[i]) for i in range(n) for j in range(i + 1, n))


def exact_p(x):
    s = abs(mk_s(x))
    perms = list(itertools.permutations(x))
    return sum(1 for q in perms if abs(mk_s(q)) >= s) / len(perms)


def smallest_exact_p(x):
    values = [abs(mk_s(q)) for q in itertools.permutations(x)]
    top = max(values)
    return sum(1 for v in values if v >= top) / len(values)


def bh_cutoff(p, alpha):
    ps = np.sort(p[np.isfinite(p)])
    n = len(ps)
    ok = np.nonzero(ps < np.arange(1, n + 1) * alpha / n)[0]
    return ps[ok[-1]] if len(ok) else -1.0


def pattern(bins, mk_p, mk_s_value, floor, threshold=2, trend_alpha=0.05):
    """ArcGIS Pro's emerging hot spot definitions."""
    t = len(bins)
    hot = [b >= threshold for b in bins]
    cold = [b <= -threshold for b in bins]

    def one(h, c, up):
        word = "hot" if up else "cold"
        mostly = sum(h) >= 0.9 * t
        if h[-1]:
            if mostly:
                if floor > trend_alpha:
                    return "%s spot (trend untestable)" % word
                if mk_p <= trend_alpha and (mk_s_value > 0) == up:
                    return "intensifying %s spot" % word
                if mk_p <= trend_alpha:
                    return "diminishing %s spot" % word
                return "persistent %s spot" % word
            if not any(h[k] or c[k] for k in range(t - 1)):
                return "new %s spot" % word
            start = t - 1
            while start > 0 and h[start - 1]:
                start -= 1
            if t - start >= 2 and not any(h[k] or c[k] for k in range(start)):
                return "consecutive %s spot" % word
            if any(c[k] for k in range(t - 1)):
                return "oscillating %s spot" % word
            return "sporadic %s spot" % word
        return ("historical %s spot" % word) if mostly else None

    if hot[-1]:
        return one(hot, cold, True) or "no pattern"
    if cold[-1]:
        return one(cold, hot, False) or "no pattern"
    return one(hot, cold, True) or one(cold, hot, False) or "no pattern"


# ---- a synthetic 2011 from 2016
communes = gpd.read_file(os.path.join(REF, "data", "morocco.shp"))
codes = communes["code"].astype(str).tolist()
r2016 = pd.read_csv(os.path.join(REF, "database", "results_2016.csv"), dtype={"code": str}).set_index("code").loc[codes]
c = communes.geometry.centroid
x = (c.x - c.x.mean()) / c.x.std()
y = (c.y - c.y.mean()) / c.y.std()
rng = np.random.default_rng(2011)
r2011 = r2016.copy()
for party in PARTIES:
    a, bx, by = rng.normal(0, 0.25), rng.normal(0, 0.3), rng.normal(0, 0.3)
    factor = np.exp(a + bx * x.to_numpy() + by * y.to_numpy() + rng.normal(0, 0.15, len(codes)))
    r2011[party] = np.rint(r2016[party].to_numpy() * factor).astype(int)
r2011["valid"] = r2011[PARTIES].sum(axis=1)
r2011["voters"] = r2011["valid"] + r2011["invalid"]
r2011["registered"] = np.maximum(r2011["registered"], r2011["voters"])
r2011.reset_index().to_csv(os.path.join(HERE, "results_2011.csv"), index=False)

# ---- the cube
w = libpysal.weights.Queen.from_dataframe(communes, use_index=False, silence_warnings=True)
n = len(codes)
shares = {}
for party in ["MP", "PJD"]:
    s = [r2011[party].to_numpy(float) / r2011["valid"].to_numpy(float),
         r2016[party].to_numpy(float) / r2016["valid"].to_numpy(float),
         communes[party].to_numpy(float) / communes["valid"].to_numpy(float)]
    cube = np.concatenate(s)
    xbar, sd = cube.mean(), np.sqrt((cube ** 2).mean() - cube.mean() ** 2)
    N = len(cube)
    z = np.empty(N)
    for k in range(3):
        for i in range(n):
            nb = [k * n + j for j in w.neighbors[i]] + [k * n + i]
            if k > 0:
                nb += [(k - 1) * n + i] + [(k - 1) * n + j for j in w.neighbors[i]]
            wsum = len(nb)
            z[k * n + i] = (cube[nb].sum() - xbar * wsum) / (sd * np.sqrt((N * wsum - wsum ** 2) / (N - 1)))
    # The same z from esda's G_Local (star, binary) on the space-time
    # weights as a libpysal W: the two must agree before anything is written.
    lists = {}
    for k in range(3):
        for i in range(n):
            nb = [k * n + j for j in w.neighbors[i]]
            if k > 0:
                nb += [(k - 1) * n + i] + [(k - 1) * n + j for j in w.neighbors[i]]
            lists[k * n + i] = nb
    wst = libpysal.weights.W(lists, silence_warnings=True)
    g = esda.G_Local(cube, wst, transform="B", star=True, permutations=0)
    assert np.allclose(g.Zs, z, rtol=0, atol=1e-10), np.abs(g.Zs - z).max()
    z = np.asarray(g.Zs, float)
    p = 2 * scipy.stats.norm.sf(np.abs(z))
    bins = np.zeros(N, int)
    for k in range(3):
        sl = slice(k * n, (k + 1) * n)
        cuts = [bh_cutoff(p[sl], a) for a in (0.01, 0.05, 0.10)]
        level = np.where(p[sl] <= cuts[0], 3, np.where(p[sl] <= cuts[1], 2, np.where(p[sl] <= cuts[2], 1, 0)))
        bins[sl] = np.where(z[sl] > 0, level, -level)
    with open(os.path.join(HERE, "cube_%s.csv" % party), "w") as f:
        f.write(HEAD + "# %s share of valid votes: 2011 (synthetic), 2016 (synthetic), 2021 (fixture); space-time Gi*, time lag 1\n" % party)
        f.write("unit,share_1,share_2,share_3,z_1,z_2,z_3,p_1,p_2,p_3,bin_1,bin_2,bin_3,mk_S,mk_var,mk_z,mk_p_normal,mk_p_exact,pattern\n")
        for i in range(n):
            series = [float(z[k * n + i]) for k in range(3)]
            mk = pymannkendall.original_test(series)
            ex = exact_p(series)
            pat = pattern([int(bins[k * n + i]) for k in range(3)], ex, mk.s, smallest_exact_p(series))
            row = [codes[i]] + [repr(float(s[k][i])) for k in range(3)] + [repr(v) for v in series]
            row += [repr(float(p[k * n + i])) for k in range(3)] + [str(int(bins[k * n + i])) for k in range(3)]
            row += ["%d" % int(mk.s), repr(float(mk.var_s)), repr(float(mk.z)), repr(float(mk.p)), repr(float(ex)), pat]
            f.write(",".join(row) + "\n")
    shares[party] = (s, z, p, bins)
print("cube done")

# ---- Mann-Kendall on seeded series
rng = np.random.default_rng(7)
with open(os.path.join(HERE, "mann_kendall.csv"), "w") as f:
    f.write(HEAD + "# 40 seeded series (';'-separated values): pymannkendall original_test, exact p by enumeration (n <= 9), scipy kendalltau exact (no ties, n <= 12)\n")
    f.write("series,n,s,var_s,z,p,tau,p_exact,p_scipy_exact\n")
    for k in range(40):
        n = 3 + k % 10
        if k % 3 == 0:
            values = rng.integers(0, 4, n).astype(float)  # ties
        else:
            values = np.round(rng.normal(0, 1, n) + 0.15 * np.arange(n) * (k % 2), 6)
        mk = pymannkendall.original_test(values)
        ex = exact_p(list(values)) if n <= 9 else float("nan")
        ties = len(set(values)) < n
        sp = float("nan") if ties else scipy.stats.kendalltau(np.arange(n), values, method="exact").pvalue
        f.write("%s,%d,%d,%r,%r,%r,%r,%r,%r\n" % (";".join(repr(float(v)) for v in values), n, int(mk.s), float(mk.var_s), float(mk.z),
                                                float(mk.p), float(mk.Tau), float(ex), float(sp)))
print("mann-kendall done")
