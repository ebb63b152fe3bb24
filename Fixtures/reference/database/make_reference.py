#!/usr/bin/env python3
"""Inputs and reference values for GeoVote's election database
(Tests/EngineTests/Database, Tests/CLITests/DatabaseCommandTests).

Run from the repository root with the reference virtualenv
(Fixtures/reference/setup_venv.sh; versions pinned in ../requirements.txt):

    .venv-reference/bin/python Fixtures/reference/database/make_reference.py

Reads the Morocco fixture (Fixtures/morocco/communes_utm29n.shp, 2021 results,
SYNTHETIC) and writes, next to this script:

Inputs (synthetic, seeded; they are not references):
- results_2016.csv: a SYNTHETIC "legislative 2016" on the same communes:
  code,name_fr,name_ar,registered,voters,invalid,valid, one column per party
  (PJD stronger, as in 2016), parties adding up to valid.
- boundaries_2016.shp: SYNTHETIC 2016 units with other boundaries: Voronoi
  cells of 600 seeded points clipped to the union of the communes (codes
  V0001…), and results_2016_voronoi.csv with their counts.
- results_findings.csv: the 2021 results with planted problems, one per unit,
  listed in findings_expected.csv (kind,unit,field) — what validation must find.

References (independent of GeoVote):
- regions_2021.csv: the communes' counts summed by region (pandas groupby).
- swing_2016_2021.csv: per commune, the swing computed from the two tables
  with pandas: turnout0/1, d_turnout, s0_P, s1_P, d_P, pedersen.
- swing_voronoi_2021.csv: the same from the Voronoi 2016 units, the 2016
  counts carried to the communes by area-weighted interpolation from shapely
  (GEOS) intersection areas: count_i * area(i ∩ j) / area(i); interp = share
  of the carried valid votes from units split by the communes (fraction < 1);
  and tobler_valid, tobler's area_interpolate of the 2016 valid votes
  (extensive, allocate_total=False: divided by each source's own area), when
  tobler is installed; tobler keeps its area table in float32, so it agrees
  with the shapely values to about 1e-7 relative, not 1e-9.
"""
import os

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", "..", ".."))
PARTIES = ["RNI", "PAM", "PI", "USFP", "MP", "PPS", "UC", "PJD", "others"]


def synthetic_election(registered_base, shares, rng, pjd_boost):
    n = len(registered_base)
    registered = np.maximum(50, np.round(registered_base * rng.uniform(0.85, 1.0, n))).astype(np.int64)
    voters = rng.binomial(registered, rng.uniform(0.35, 0.6, n))
    invalid = rng.binomial(voters, 0.05)
    valid = voters - invalid
    votes = np.zeros((n, len(PARTIES)), dtype=np.int64)
    for i in range(n):
        alpha = shares[i] * 40 + 0.5
        alpha[PARTIES.index("PJD")] += pjd_boost
        p = rng.dirichlet(alpha)
        votes[i] = rng.multinomial(valid[i], p)
    return registered, voters, invalid, valid, votes


def swing(before, after):
    out = pd.DataFrame({"unit": after["code"].values})
    t0 = before["voters"] / before["registered"]
    t1 = after["voters"] / after["registered"]
    out["turnout0"] = t0.values
    out["turnout1"] = t1.values
    out["d_turnout"] = (t1 - t0).values
    ped = np.zeros(len(out))
    for p in PARTIES:
        s0 = (before[p] / before["valid"]).values
        s1 = (after[p] / after["valid"]).values
        out[f"s0_{p}"] = s0
        out[f"s1_{p}"] = s1
        out[f"d_{p}"] = s1 - s0
        ped += np.abs(s1 - s0) / 2
    out["pedersen"] = ped
    return out


def main():
    communes = gpd.read_file(os.path.join(ROOT, "Fixtures/morocco/communes_utm29n.shp"))
    rng = np.random.default_rng(2016)
    shares = communes[PARTIES].to_numpy(float) / communes["valid"].to_numpy(float)[:, None]

    # Aggregation reference.
    counts = ["registered", "voters", "invalid", "valid"] + PARTIES
    regions = communes.groupby("region", sort=True)[counts].sum().reset_index()
    regions.insert(1, "units", communes.groupby("region", sort=True).size().values)
    regions.to_csv(os.path.join(HERE, "regions_2021.csv"), index=False)

    # 2016 on the same communes.
    reg, vot, inv, val, votes = synthetic_election(communes["registered"].to_numpy(float), shares, rng, 6.0)
    e2016 = pd.DataFrame({"code": communes["code"], "name_fr": communes["name_fr"], "name_ar": communes["name_ar"],
                          "registered": reg, "voters": vot, "invalid": inv, "valid": val})
    for k, p in enumerate(PARTIES):
        e2016[p] = votes[:, k]
    e2016.to_csv(os.path.join(HERE, "results_2016.csv"), index=False)
    swing(e2016, communes).to_csv(os.path.join(HERE, "swing_2016_2021.csv"), index=False, float_format="%.17g")

    # 2016 on other boundaries: Voronoi cells clipped to the communes' union.
    outline = shapely.union_all(communes.geometry.values)
    minx, miny, maxx, maxy = outline.bounds
    seeds = []
    while len(seeds) < 600:
        x, y = rng.uniform(minx, maxx), rng.uniform(miny, maxy)
        if outline.contains(shapely.Point(x, y)):
            seeds.append((x, y))
    cells = shapely.voronoi_polygons(shapely.MultiPoint(seeds), extend_to=shapely.box(minx - 1e5, miny - 1e5, maxx + 1e5, maxy + 1e5))
    # Order the cells as the seeds (voronoi_polygons does not promise it).
    polygons = list(cells.geoms)
    ordered = []
    for x, y in seeds:
        pt = shapely.Point(x, y)
        ordered.append(next(c for c in polygons if c.contains(pt)))
    clipped = [shapely.intersection(c, outline) for c in ordered]
    clipped = [shapely.make_valid(c) for c in clipped]
    vor = gpd.GeoDataFrame({"code": [f"V{i + 1:04d}" for i in range(len(seeds))]}, geometry=clipped, crs=communes.crs)
    vor = vor[~vor.geometry.is_empty & (vor.geometry.area > 0)].reset_index(drop=True)
    vor["geometry"] = [shapely.MultiPolygon([g]) if g.geom_type == "Polygon" else
                       shapely.MultiPolygon([p for p in getattr(g, "geoms", []) if p.geom_type == "Polygon"]) if g.geom_type != "MultiPolygon" else g
                       for g in vor.geometry]
    base = np.array([communes["registered"].sum() / len(vor)] * len(vor)) * rng.uniform(0.5, 1.5, len(vor))
    vshares = np.tile(communes[PARTIES].sum().to_numpy(float) / communes["valid"].sum(), (len(vor), 1))
    reg, vot, inv, val, votes = synthetic_election(base, vshares, rng, 6.0)
    v2016 = pd.DataFrame({"code": vor["code"], "registered": reg, "voters": vot, "invalid": inv, "valid": val})
    for k, p in enumerate(PARTIES):
        v2016[p] = votes[:, k]
    vor.to_file(os.path.join(HERE, "boundaries_2016.shp"), engine="pyogrio")
    v2016.to_csv(os.path.join(HERE, "results_2016_voronoi.csv"), index=False)

    # Areal interpolation with shapely intersections.
    areas = vor.geometry.area.to_numpy()
    tree = shapely.STRtree(vor.geometry.values)
    cols = ["registered", "voters", "valid"] + PARTIES
    source = v2016[cols].to_numpy(float)
    carried = np.zeros((len(communes), len(cols)))
    split = np.zeros(len(communes))
    for j, g in enumerate(communes.geometry.values):
        for i in sorted(tree.query(g)):
            a = shapely.intersection(g, vor.geometry.values[i]).area
            if a <= 0:
                continue
            f = a / areas[i]
            carried[j] += source[i] * f
            if f < 1 - 1e-9:
                split[j] += source[i, 2] * f
    before = pd.DataFrame(carried, columns=cols)
    out = swing(before, communes)
    out["interp"] = split / before["valid"].to_numpy()
    out["carried_valid"] = before["valid"].to_numpy()
    try:
        from tobler.area_weighted import area_interpolate
        src = vor.copy()
        src["valid"] = v2016["valid"].to_numpy(float)
        est = area_interpolate(source_df=src, target_df=communes[["code", "geometry"]], extensive_variables=["valid"], allocate_total=False)
        out["tobler_valid"] = est["valid"].to_numpy()
    except ImportError:
        pass
    out.to_csv(os.path.join(HERE, "swing_voronoi_2021.csv"), index=False, float_format="%.17g")

    # Planted problems in the 2021 results.
    bad = pd.DataFrame(communes.drop(columns="geometry"))
    expected = []
    def plant(i, kind, field):
        expected.append({"kind": kind, "unit": bad.at[i, "code"], "field": field})
    bad.at[10, "voters"] = bad.at[10, "registered"] + 5
    bad.at[10, "valid"] = bad.at[10, "voters"] - bad.at[10, "invalid"]
    bad.at[10, "others"] += bad.at[10, "voters"] - communes.at[10, "voters"]
    plant(10, "voters-above-registered", "voters")
    bad.at[20, "PJD"] += 3
    plant(20, "parties-sum", "valid")
    bad.at[30, "invalid"] += 2
    plant(30, "invalid-plus-valid", "voters")
    bad.at[40, "name_fr"] = "Nom Different"
    plant(40, "name-mismatch", "name_fr")
    # Spelling variants that are the same name: not findings.
    bad.at[50, "name_ar"] = bad.at[50, "name_ar"].replace("ا", "أ", 1) + "ـ"
    bad.at[51, "name_fr"] = bad.at[51, "name_fr"].upper()
    extra = bad.iloc[[60]].copy()
    extra["code"] = "999999"
    plant_unknown = {"kind": "no-boundary", "unit": "999999", "field": "code"}
    missing_code = bad.at[70, "code"]
    bad = pd.concat([bad.drop(index=70), extra], ignore_index=True)
    expected.append(plant_unknown)
    expected.append({"kind": "no-results", "unit": missing_code, "field": "code"})
    bad.to_csv(os.path.join(HERE, "results_findings.csv"), index=False)
    pd.DataFrame(expected).to_csv(os.path.join(HERE, "findings_expected.csv"), index=False)


if __name__ == "__main__":
    main()
