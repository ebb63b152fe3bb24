#!/usr/bin/env python3
"""Reference values for incremental spatial autocorrelation and the scale
decisions of Optimized Hot Spot Analysis (pins in ../requirements.txt).

The decisions are ArcGIS's published rules (ArcGIS 10.1 MoransI_Increment.py,
SSUtilities.LocationInfo / standardDistanceCutoff / returnPeakIndices,
OptimizedHotSpotAnalysis.py knnDecision), re-implemented here with numpy and
scipy; each band's Moran's I is esda's Moran on libpysal DistanceBand
weights (binary, row-standardised).

Writes, per data set:
- <set>_pattern.csv: nearest-neighbour facts (threshold, average, outliers,
  non-zero mean and median, standard distance, extent) for the ISA case
  (no outliers, coincident included) and the OHSA case (3 standard
  deviations, coincident excluded);
- <set>_isa.csv: the bands with all defaults (ISA), with esda's I, EI,
  VI_rand, z_rand, p_rand, VI_norm, z_norm, p_norm, mean neighbours, and
  the peak marks;
- <set>_isa_given.csv: the bands for a given start and step (cap 75 % of the extent);
- <set>_ohsa_bands.csv: those bands (features without a neighbour at a
  band left out of it, as ArcGIS Pro does);
- <set>_ohsa_gistar.csv: Gi* on binary DistanceBand weights of the chosen
  distance with self-weight 1 (ArcGIS's documented Ord-Getis z), its
  two-sided p, and Gi_Bin from Benjamini-Hochberg at 0.10, 0.05 and 0.01
  (each level: p_(k) <= k alpha / n for the largest k, re-implemented from
  the paper); a feature without a neighbour within the band has no Gi*
  (NaN, bin 0; GeoVote's convention; ArcGIS would compute it from the
  feature alone) and is left out of n;
- cell_size.csv: ArcGIS's fishnet cell size rule (scaleDecision on the
  distinct locations' nearest-neighbour distances) for the point sets;
- <set>_ohsa.csv: the OHSA scale decision (ISA with 3-sd outliers kept out
  of start and step; the first peak, else the highest, else the kNN rule).

Run: $(Fixtures/reference/setup_venv.sh)/bin/python Fixtures/reference/scale/make_reference.py
"""
import os
import warnings

import esda
import geopandas as gpd
import libpysal
import numpy as np
import scipy
import scipy.stats
from scipy.spatial import cKDTree

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(HERE, "..", "data")
HEAD = "# esda %s, libpysal %s, numpy %s, scipy %s\n" % (esda.__version__, libpysal.__version__, np.__version__, scipy.__version__)
# name: (file, variable as (numerator, denominator or None), given start, given step)
SETS = {
    "NY8": ("NY8.shp", ("PROPCAS", None), 20000.0, 5000.0),
    "baltim": ("baltim.shp", ("PRICE", None), 25.0, 10.0),
    "morocco": ("morocco.shp", ("PJD", "valid"), 150000.0, 120000.0),
}


def location_info(xy, std_devs, include_coincident):
    """SSUtilities.LocationInfo."""
    d, _ = cKDTree(xy).query(xy, k=2)
    d = d[:, 1]
    nz = d[d != 0]
    if include_coincident:
        dev, test = (d - d.mean()) / d.std(), d.std()
    else:
        dev, test = (d - nz.mean()) / nz.std(), nz.std()
    if std_devs and test:
        keep = dev < std_devs
        avg, thr, outliers = d[keep].mean(), d[keep].max(), int((~keep).sum())
    else:
        avg, thr, outliers = d.mean(), d.max(), 0
    sd = np.sqrt(((xy - xy.mean(0)) ** 2).mean(0).sum())
    extent = max(np.ptp(xy[:, 0]), np.ptp(xy[:, 1]))
    return dict(threshold=thr * 1.0001, average=avg, outliers=outliers, nonzero_mean=nz.mean(),
                nonzero_median=float(np.median(nz)), standard_distance=sd, extent=extent)


def cutoffs(info, start, step, n=10):
    """MoransI_Increment.GlobalI_Step.initialize (ArcGIS Pro's start reset)."""
    all_defaults = start is None and step is None
    cap = info["standard_distance"] if all_defaults else 0.75 * info["extent"]
    if start is not None and start > cap:
        start = None
    start = info["threshold"] if start is None else start
    step = info["average"] if step is None else step
    cuts = np.array([start + i * step for i in range(n)])
    if (cuts > cap).any():
        if start > cap:
            start = 0.2 * cap
        step = (cap - start) / n
        cuts = np.array([start + i * step for i in range(n)])
    return cuts


def peaks(z, level=1.65):
    """SSUtilities.returnPeakIndices."""
    found, up = [], False
    for c in range(len(z) - 1):
        d = z[c + 1] - z[c]
        if d > 0:
            up = True
        if d < 0 and up and z[c] > level:
            found.append(c)
    if not found:
        return None, None
    return found[0], found[int(np.argmax([z[c] for c in found]))]


def distance_band(xy, c):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return libpysal.weights.DistanceBand(xy, threshold=c, binary=True, silence_warnings=True)


def bands(xy, y, cuts, exclude_islands=False):
    """esda Moran per band; with exclude_islands, features without a
    neighbour are left out of that band (ArcGIS Pro), else none may occur."""
    rows = []
    for c in cuts:
        w = distance_band(xy, c)
        mean_neigh = np.mean([len(v) for v in w.neighbors.values()])
        islands = len(w.islands)
        if islands:
            assert exclude_islands, "islands at %r" % c
            keep = np.array([len(w.neighbors[i]) > 0 for i in range(len(y))])
            w, yb = distance_band(xy[keep], c), y[keep]
        else:
            yb = y
        m = esda.Moran(yb, w, transformation="r", permutations=0)
        rows.append([c, mean_neigh, m.I, m.EI, m.VI_rand, m.z_rand, m.p_rand, m.VI_norm, m.z_norm, m.p_norm, islands])
    return rows


def write_bands(path, title, rows):
    first, highest = peaks([r[5] for r in rows])
    with open(path, "w") as f:
        f.write(HEAD + "# " + title + "\n")
        f.write("band,distance,mean_neighbours,I,EI,VI_rand,z_rand,p_rand,VI_norm,z_norm,p_norm,islands,peak\n")
        for b, r in enumerate(rows):
            mark = ";".join(m for m, k in (("first", first), ("highest", highest)) if k == b)
            f.write("%d,%s,%d,%s\n" % (b + 1, ",".join(repr(float(v)) for v in r[:-1]), r[-1], mark))
    return first, highest


def bh_cutoff(p, alpha):
    """Benjamini-Hochberg: the largest p_(k) with p_(k) <= k alpha / n, or none (-1)."""
    ps = np.sort(p)
    n = len(ps)
    ok = np.nonzero(ps <= np.arange(1, n + 1) * alpha / n)[0]
    return ps[ok[-1]] if len(ok) else -1.0


def gistar(xy, y, distance, path, title):
    w = distance_band(xy, distance)
    n = len(y)
    xbar, s = y.mean(), np.sqrt((y ** 2).mean() - y.mean() ** 2)
    z = np.empty(n)
    for i in range(n):
        if not w.neighbors[i]:
            z[i] = np.nan  # no neighbour within the band: undefined (GeoVote's Gi* convention)
            continue
        nb = np.array(list(w.neighbors[i]) + [i])
        wsum = len(nb)
        num = y[nb].sum() - xbar * wsum
        den = s * np.sqrt((n * wsum - wsum ** 2) / (n - 1))
        z[i] = num / den
    p = 2 * scipy.stats.norm.sf(np.abs(z))
    cuts = [bh_cutoff(p[np.isfinite(p)], a) for a in (0.01, 0.05, 0.10)]
    with open(path, "w") as f:
        f.write(HEAD + "# " + title + " (binary DistanceBand, self-weight 1, Ord-Getis z, two-sided p, BH per level)\n")
        f.write("i,z,p,bin\n")
        for i in range(n):
            level = 0 if not np.isfinite(p[i]) else 3 if p[i] <= cuts[0] else 2 if p[i] <= cuts[1] else 1 if p[i] <= cuts[2] else 0
            f.write("%d,%r,%r,%d\n" % (i, float(z[i]), float(p[i]), level if z[i] > 0 else -level))


def cell_size(xy):
    u = np.unique(xy, axis=0)
    d, _ = cKDTree(u).query(u, k=2)
    d = d[:, 1]
    d = d[d != 0]
    avg, med = d.mean(), float(np.median(d))
    larger, ratio = (avg, avg / med) if avg > med else (med, med / avg)
    return larger * max(2.0, ratio)


cell_sizes = []
for name, (file, (num, den), start, step) in SETS.items():
    df = gpd.read_file(os.path.join(DATA, file))
    if df.geometry.geom_type.iloc[0] == "Point":
        xy = np.column_stack([df.geometry.x, df.geometry.y])
    else:
        c = df.geometry.centroid
        xy = np.column_stack([c.x, c.y])
    y = df[num].to_numpy(dtype=float)
    if den:
        y = y / df[den].to_numpy(dtype=float)
    assert len(np.unique(xy, axis=0)) == len(xy), "coincident points in " + name
    isa_info = location_info(xy, 0, True)
    ohsa_info = location_info(xy, 3, False)
    with open(os.path.join(HERE, name + "_pattern.csv"), "w") as f:
        f.write(HEAD + "# LocationInfo of %s points (polygon centroids): isa = (0 sd, coincident included), ohsa = (3 sd, excluded)\n" % name)
        keys = list(isa_info)
        f.write("case," + ",".join(keys) + "\n")
        for case, info in (("isa", isa_info), ("ohsa", ohsa_info)):
            f.write(case + "," + ",".join(repr(float(info[k])) for k in keys) + "\n")
    var = num + ("/" + den if den else "")
    write_bands(os.path.join(HERE, name + "_isa.csv"), "%s %s: all defaults" % (name, var), bands(xy, y, cutoffs(isa_info, None, None)))
    write_bands(os.path.join(HERE, name + "_isa_given.csv"), "%s %s: start %r step %r" % (name, var, start, step),
                bands(xy, y, cutoffs(isa_info, start, step)))
    # OHSA: the ISA with 3-sd outliers kept out of start and step.
    ohsa_cuts = cutoffs(ohsa_info, None, None)
    ohsa_rows = bands(xy, y, ohsa_cuts, exclude_islands=True)
    write_bands(os.path.join(HERE, name + "_ohsa_bands.csv"), "%s %s: OHSA's bands (3-sd outliers out of start and step; islands left out of a band)" % (name, var), ohsa_rows)
    first, highest = peaks([r[5] for r in ohsa_rows])
    k = min(max(int(len(y) * 0.05), 3), 30)
    dk, _ = cKDTree(xy).query(xy, k=k + 1)
    knn = dk[:, k].mean()
    if first is not None:
        source, distance = "first-peak", ohsa_cuts[first]
    elif highest is not None:
        source, distance = "highest-peak", ohsa_cuts[highest]
    elif knn > ohsa_info["standard_distance"]:
        source, distance = "standard-distance", ohsa_info["standard_distance"]
    else:
        source, distance = "knn", knn
    with open(os.path.join(HERE, name + "_ohsa.csv"), "w") as f:
        f.write(HEAD + "# %s %s: OHSA scale: ISA bands from 3-sd LocationInfo; k = clamp(floor(0.05 n), 3, 30)\n" % (name, var))
        f.write("outliers,first_peak,highest_peak,k,knn_distance,source,distance\n")
        f.write("%d,%s,%s,%d,%r,%s,%r\n" % (ohsa_info["outliers"], "" if first is None else first + 1,
                                             "" if highest is None else highest + 1, k, float(knn), source, float(distance)))
    gistar(xy, y, distance, os.path.join(HERE, name + "_ohsa_gistar.csv"), "%s %s: Gi* at %r" % (name, var, float(distance)))
    if df.geometry.geom_type.iloc[0] == "Point":
        cell_sizes.append((name, cell_size(xy)))
    print(name, "done")
with open(os.path.join(HERE, "cell_size.csv"), "w") as f:
    f.write(HEAD + "# OptimizedHotSpotAnalysis.scaleDecision on the distinct locations\n")
    f.write("set,cell_size\n")
    for name, size in cell_sizes:
        f.write("%s,%r\n" % (name, float(size)))
