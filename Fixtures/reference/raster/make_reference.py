#!/usr/bin/env python3
"""Reference values for GeoVote's vote-share rasters (Tests/EngineTests/Raster).

Run from the repository root with the reference virtualenv
(Fixtures/reference/setup_venv.sh; versions pinned in ../requirements.txt):

    .venv-reference/bin/python Fixtures/reference/raster/make_reference.py

Writes, next to this script:

- coverage_<set>.csv: feature,row,col,exactextract,geos — every cell a polygon
  covers on a grid, with exactextract's coverage fraction (float32, its output
  precision) and an independent double-precision one from GEOS (shapely):
  area(polygon ∩ cell) / area(cell). Cells GEOS finds covered that
  exactextract omits, or the reverse, are listed too (the other column 0).
- interpolation_morocco.csv: row,col,valid,RNI — counts spread uniformly over
  each commune's area (GEOS intersection areas), summed per cell.
- stations.shp: the Morocco fixture communes' centroids (GEOS) with their
  counts, the kernel tests' input.
- kernel_<case>.csv: row,col,sum_RNI,sum_valid,share — a direct numpy sum over
  every station of the kernel weight times the counts, for each cell centre.
- settings.json: the grids and kernels, which the tests read.

The grids follow GeoVote's convention: the extent snapped outward to
multiples of the resolution (GDAL's -tap), row 0 at the top, cell centres at
half a cell.
"""
import json
import math
import os

import exactextract
import geopandas as gpd
import numpy as np
import pandas as pd
import rasterio
import shapely
from rasterio.transform import from_origin

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(HERE, "..", "data")
MOROCCO = os.path.join(HERE, "..", "..", "morocco", "communes_utm29n.shp")


def snapped_grid(bounds, res):
    minx, miny, maxx, maxy = bounds
    x0 = math.floor(minx / res) * res
    y0 = math.floor(miny / res) * res
    x1 = math.ceil(maxx / res) * res
    y1 = math.ceil(maxy / res) * res
    if x1 <= x0:
        x1 = x0 + res
    if y1 <= y0:
        y1 = y0 + res
    cols = int(round((x1 - x0) / res))
    rows = int(round((y1 - y0) / res))
    return {"minX": x0, "maxY": y1, "resolution": res, "columns": cols, "rows": rows}


def template(grid, crs, path):
    transform = from_origin(grid["minX"], grid["maxY"], grid["resolution"], grid["resolution"])
    with rasterio.open(path, "w", driver="GTiff", width=grid["columns"], height=grid["rows"], count=1,
                       dtype="float32", crs=crs, transform=transform) as dst:
        dst.write(np.zeros((1, grid["rows"], grid["columns"]), dtype="float32"))


def cell_box(grid, row, col):
    r = grid["resolution"]
    x0 = grid["minX"] + col * r
    y1 = grid["maxY"] - row * r
    return shapely.box(x0, y1 - r, x0 + r, y1)


def geos_fractions(geom, grid):
    """Every cell the polygon's box touches, with area(geom ∩ cell) / cell area."""
    r = grid["resolution"]
    minx, miny, maxx, maxy = geom.bounds
    c0 = max(0, int(math.floor((minx - grid["minX"]) / r)))
    c1 = min(grid["columns"], int(math.ceil((maxx - grid["minX"]) / r)))
    r0 = max(0, int(math.floor((grid["maxY"] - maxy) / r)))
    r1 = min(grid["rows"], int(math.ceil((grid["maxY"] - miny) / r)))
    prepared = shapely.prepared.prep(geom)
    out = {}
    for row in range(r0, r1):
        for col in range(c0, c1):
            box = cell_box(grid, row, col)
            if not prepared.intersects(box):
                continue
            a = geom.intersection(box).area / (r * r)
            if a > 0:
                out[(row, col)] = a
    return out


def coverage_reference(name, gdf, res, settings):
    grid = snapped_grid(gdf.total_bounds, res)
    tif = os.path.join("/tmp", f"geovote_template_{name}.tif")
    template(grid, gdf.crs, tif)
    ee = exactextract.exact_extract(tif, gdf, ["cell_id", "coverage"], output="pandas")
    rows = []
    for i, geom in enumerate(gdf.geometry):
        exact = {}
        for cell, frac in zip(ee["cell_id"][i], ee["coverage"][i]):
            exact[(int(cell) // grid["columns"], int(cell) % grid["columns"])] = float(frac)
        geos = geos_fractions(geom, grid)
        for key in sorted(set(exact) | set(geos)):
            rows.append((i, key[0], key[1], repr(exact.get(key, 0.0)), repr(geos.get(key, 0.0))))
    path = os.path.join(HERE, f"coverage_{name}.csv")
    with open(path, "w") as f:
        f.write("feature,row,col,exactextract,geos\n")
        for row in rows:
            f.write(",".join(str(v) for v in row) + "\n")
    settings["coverage"][name] = grid
    print(name, grid, len(rows), "cells")


def interpolation_reference(settings):
    gdf = gpd.read_file(MOROCCO)
    grid = snapped_grid(gdf.total_bounds, 20000.0)
    sums = {}
    for geom, valid, rni in zip(gdf.geometry, gdf["valid"], gdf["RNI"]):
        area = geom.area
        for key, frac in geos_fractions(geom, grid).items():
            w = frac * grid["resolution"] ** 2 / area
            s = sums.setdefault(key, [0.0, 0.0])
            s[0] += w * float(valid)
            s[1] += w * float(rni)
    with open(os.path.join(HERE, "interpolation_morocco.csv"), "w") as f:
        f.write("row,col,valid,RNI\n")
        for key in sorted(sums):
            f.write(f"{key[0]},{key[1]},{sums[key][0]!r},{sums[key][1]!r}\n")
    settings["interpolation"] = {"grid": grid, "valid": float(gdf["valid"].sum()), "RNI": float(gdf["RNI"].sum())}
    print("interpolation", grid, len(sums), "cells")

    # Dasymetric: the same counts spread by a weight raster on the same grid
    # (a made-up "population": 0 on every fifth cell of a pattern, else 1–16),
    # written as a Float32 GeoTIFF with a nodata value on a few cells.
    rows, cols = grid["rows"], grid["columns"]
    weights = np.array([[0.0 if (r * 7 + c * 13) % 5 == 0 else 1.0 + (r * 3 + c * 11) % 16 for c in range(cols)] for r in range(rows)])
    stored = weights.astype("float32")
    stored[0, :3] = -1.0  # nodata: weight 0
    with rasterio.open(os.path.join(HERE, "weights_morocco.tif"), "w", driver="GTiff", width=cols, height=rows, count=1, dtype="float32",
                       crs=gdf.crs, transform=from_origin(grid["minX"], grid["maxY"], grid["resolution"], grid["resolution"]), nodata=-1.0) as dst:
        dst.write(stored[None, :, :])
    weights[0, :3] = 0.0
    sums = {}
    cell_area = grid["resolution"] ** 2
    for geom, valid, rni in zip(gdf.geometry, gdf["valid"], gdf["RNI"]):
        fractions = geos_fractions(geom, grid)
        inside = sum(fractions.values()) * cell_area / geom.area
        denominator = sum(f * weights[k] for k, f in fractions.items())
        for key, frac in fractions.items():
            w = float(min(1.0, inside) * frac * weights[key] / denominator) if denominator > 0 else frac * cell_area / geom.area
            s = sums.setdefault(key, [0.0, 0.0])
            s[0] += w * float(valid)
            s[1] += w * float(rni)
    with open(os.path.join(HERE, "interpolation_weighted_morocco.csv"), "w") as f:
        f.write("row,col,valid,RNI\n")
        for key in sorted(sums):
            f.write(f"{key[0]},{key[1]},{sums[key][0]!r},{sums[key][1]!r}\n")
    print("weighted interpolation", len(sums), "cells")


def kernel_reference(settings):
    gdf = gpd.read_file(MOROCCO)
    stations = gpd.GeoDataFrame(
        {"code": gdf["code"], "valid": gdf["valid"], "RNI": gdf["RNI"]},
        geometry=gdf.geometry.centroid, crs=gdf.crs)
    stations.to_file(os.path.join(HERE, "stations.shp"), engine="pyogrio")
    x = stations.geometry.x.to_numpy()
    y = stations.geometry.y.to_numpy()
    valid = stations["valid"].to_numpy(dtype=float)
    rni = stations["RNI"].to_numpy(dtype=float)
    grid = snapped_grid(stations.total_bounds, 20000.0)
    cx = grid["minX"] + (np.arange(grid["columns"]) + 0.5) * grid["resolution"]
    cy = grid["maxY"] - (np.arange(grid["rows"]) + 0.5) * grid["resolution"]
    cases = {
        "gaussian": {"kernel": "gaussian", "bandwidth": 30000.0, "truncation": 4.0},
        "gaussian_exact": {"kernel": "gaussian", "bandwidth": 30000.0, "truncation": None},
        "quartic": {"kernel": "quartic", "bandwidth": 60000.0},
        "adaptive": {"kernel": "gaussian", "adaptive": 10, "truncation": 4.0},
        "adaptive_quartic": {"kernel": "quartic", "adaptive": 25},
    }
    for name, case in cases.items():
        out = []
        for row, yc in enumerate(cy):
            dx = cx[:, None] - x[None, :]
            dy = yc - y
            d2 = dx * dx + (dy * dy)[None, :]
            if "adaptive" in case:
                h2 = np.sort(d2, axis=1)[:, case["adaptive"] - 1][:, None]
            else:
                h2 = np.full((len(cx), 1), case["bandwidth"] ** 2)
            if case["kernel"] == "gaussian":
                w = np.exp(-d2 / (2 * h2))
                if case.get("truncation") is not None:
                    w = np.where(d2 <= (case["truncation"] ** 2) * h2, w, 0.0)
            else:
                t = 1 - d2 / h2
                w = np.where(t > 0, t * t, 0.0)
            s_rni = w @ rni
            s_valid = w @ valid
            for col in range(len(cx)):
                if s_valid[col] > 0:
                    out.append((row, col, float(s_rni[col]), float(s_valid[col]), float(s_rni[col] / s_valid[col])))
        with open(os.path.join(HERE, f"kernel_{name}.csv"), "w") as f:
            f.write("row,col,sum_RNI,sum_valid,share\n")
            for r in out:
                f.write(f"{r[0]},{r[1]},{r[2]!r},{r[3]!r},{r[4]!r}\n")
        print("kernel", name, len(out), "cells")
    settings["kernel"] = {"grid": grid, "cases": cases}

    # Leave-one-out cross-validation of the bandwidth: each station's RNI share
    # predicted from the others (the overall share when none is in reach),
    # squared errors weighted by valid votes, over Σ valid.
    candidates = [10000.0, 15000.0, 20000.0, 30000.0, 45000.0, 70000.0, 100000.0]
    dx = x[:, None] - x[None, :]
    dy = y[:, None] - y[None, :]
    d2 = dx * dx + dy * dy
    np.fill_diagonal(d2, np.inf)
    overall = rni.sum() / valid.sum()
    scores = []
    for h in candidates:
        w = np.where(d2 <= (4 * h) ** 2, np.exp(-d2 / (2 * h * h)), 0.0)
        num, den = w @ rni, w @ valid
        pred = np.where(den > 0, num / np.where(den > 0, den, 1), overall)
        scored = valid > 0
        err = rni[scored] / valid[scored] - pred[scored]
        scores.append(float((valid[scored] * err * err).sum() / valid.sum()))
    best = candidates[int(np.argmin(scores))]
    settings["cross_validation"] = {"kernel": "gaussian", "truncation": 4.0, "candidates": candidates, "scores": scores, "bandwidth": best}
    print("cross-validation", best, scores)


def main():
    settings = {
        "versions": {"exactextract": exactextract.__version__, "shapely": shapely.__version__, "geos": shapely.geos_version_string,
                     "numpy": np.__version__, "rasterio": rasterio.__version__, "geopandas": gpd.__version__},
        "coverage": {},
    }
    coverage_reference("virginia", gpd.read_file(os.path.join(DATA, "virginia.shp")), 5000.0, settings)
    coverage_reference("world", gpd.read_file(os.path.join(DATA, "world.shp")), 5.0, settings)
    interpolation_reference(settings)
    kernel_reference(settings)
    with open(os.path.join(HERE, "settings.json"), "w") as f:
        json.dump(settings, f, indent=2)
        f.write("\n")


if __name__ == "__main__":
    main()
