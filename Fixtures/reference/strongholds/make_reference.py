#!/usr/bin/env python3
"""Reference strongholds kept, gained and lost between two elections
(Tests/EngineTests/Database/StrongholdChangesTests.swift); pins in
../requirements.txt.

Independently of GeoVote: each election's zones as in ../zones/ (queen
contiguity from libpysal, Gi* from esda G_Local star=True binary, analytic
z, a unit hot when the two-sided p <= 0.05 and z > 0, cold when z < 0; zones =
connected components of hot, and of cold, units by scipy), each zone's
outline the shapely union of its units, areas geodesic (pyproj Geod on WGS
84 after pyproj's transformation from UTM 29N). A later and an earlier zone
of the same type match when their shapely intersection covers >= 5 % of the
smaller zone's area: later zones with a match are kept, others gained;
earlier zones matching none are lost.

Cases: 2016 (synthetic) on the same communes as 2021, and 2016 on other
boundaries (../database/boundaries_2016.shp, Voronoi units). One row per
change: case, party, status, type, codes_to (the later zone's units, ';'),
codes_from (each matched earlier zone's units, zones '|'-separated in
decreasing overlap), overlap_km2.

Run: $(Fixtures/reference/setup_venv.sh)/bin/python Fixtures/reference/strongholds/make_reference.py
"""
import os

import esda
import libpysal
import numpy as np
import pandas as pd
import pyogrio
import pyproj
import shapely
from scipy.sparse.csgraph import connected_components
from scipy.stats import norm

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.join(HERE, "..", "..")
GEOD = pyproj.Geod(ellps="WGS84")
TO_LONLAT = pyproj.Transformer.from_crs(32629, 4326, always_xy=True)


def area_km2(g):
    lonlat = shapely.transform(g, lambda xy: np.column_stack(TO_LONLAT.transform(xy[:, 0], xy[:, 1])))
    return abs(GEOD.geometry_area_perimeter(lonlat)[0]) / 1e6


def zones(df, key, party):
    w = libpysal.weights.Queen.from_dataframe(df, use_index=False, silence_warnings=True)
    w.transform = "B"
    y = df[party].to_numpy(float) / df["valid"].to_numpy(float)
    g = esda.G_Local(y, w, transform="B", star=True, permutations=0)
    p = 2 * norm.sf(np.abs(g.Zs))
    A = w.sparse.tocsr()
    codes = df[key].astype(str).to_numpy()
    out = []
    for kind, mask in [("hot", (p <= 0.05) & (g.Zs > 0)), ("cold", (p <= 0.05) & (g.Zs < 0))]:
        idx = np.flatnonzero(mask)
        if len(idx) == 0:
            continue
        count, labels = connected_components(A[idx][:, idx], directed=False)
        for c in range(count):
            members = idx[labels == c]
            geom = shapely.union_all(df.geometry.to_numpy()[members])
            out.append(dict(type=kind, codes=";".join(sorted(codes[members])), geometry=geom, area=area_km2(geom)))
    return out


def changes(before, after, minimum=0.05):
    rows, matched = [], set()
    for b in after:
        found = []
        for i, a in enumerate(before):
            if a["type"] != b["type"] or not a["geometry"].intersects(b["geometry"]):
                continue
            overlap = area_km2(shapely.intersection(a["geometry"], b["geometry"]))
            if overlap > 0 and overlap >= minimum * min(a["area"], b["area"]):
                found.append((overlap, i))
                matched.add(i)
        found.sort(key=lambda t: -t[0])
        rows.append(dict(status="kept" if found else "gained", type=b["type"], codes_to=b["codes"],
                         codes_from="|".join(before[i]["codes"] for _, i in found), overlap_km2=sum(o for o, _ in found)))
    for i, a in enumerate(before):
        if i not in matched:
            rows.append(dict(status="lost", type=a["type"], codes_to="", codes_from=a["codes"], overlap_km2=0.0))
    return rows


communes = pyogrio.read_dataframe(os.path.join(ROOT, "morocco", "communes_utm29n.shp"))
same = communes[["code", "geometry"]].merge(
    pd.read_csv(os.path.join(ROOT, "reference", "database", "results_2016.csv"), dtype={"code": str}), on="code", how="left")
voronoi = pyogrio.read_dataframe(os.path.join(ROOT, "reference", "database", "boundaries_2016.shp"))[["code", "geometry"]].merge(
    pd.read_csv(os.path.join(ROOT, "reference", "database", "results_2016_voronoi.csv"), dtype={"code": str}), on="code", how="left")
rows = []
for case, earlier in [("same", same), ("voronoi", voronoi)]:
    for party in ["PJD", "RNI"]:
        for r in changes(zones(earlier, "code", party), zones(communes, "code", party)):
            rows.append(dict(case=case, party=party, **r))
out = pd.DataFrame(rows)
with open(os.path.join(HERE, "changes.csv"), "w") as f:
    f.write("# esda %s, libpysal %s, shapely %s, pyproj %s, numpy %s, scipy\n" % (esda.__version__, libpysal.__version__, shapely.__version__,
                                                                             pyproj.__version__, np.__version__))
    out.to_csv(f, index=False, float_format="%.10g")
print(out.groupby(["case", "party", "status", "type"]).size())
