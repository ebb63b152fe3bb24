"""The scale-out plan's figures (docs: "GeoVote from C, Python and Dask"):
partitions, halo fraction and bytes each task receives at 5, 50 and 500
million units, from a simulation on this machine.

The simulation: units are the cells of a square lattice (each cell a
commune; its queen neighbours the 8 around it, as a planar tessellation has
about 6), ordered along the Hilbert curve as geovote.dask orders centroids
(the same function), cut into partitions of equal counts; the halo of a
partition is every cell outside it that touches it (contiguity) or lies
within 3 cells of it (a distance band). The halo fraction depends on the
partition's size, not on the country's, so partitions of PARTITION_UNITS
cells are simulated on a lattice holding several of them, and every
partition's halo is measured (mean and largest).

Bytes per task: the partition's and halo's geometry as WKB (the mean WKB
size of the fixture's 1,500 commune polygons, measured here) plus every
unit's values (8 bytes per unit and column; a share needs 2 columns), which
the permutation draws come from.

  .venv-python/bin/python bench/peers/scale_out_plan.py
"""
import json
import os
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "python"))

from geovote.dask import hilbert_order, partitions  # noqa: E402

PARTITION_UNITS = 2_500_000  # units per task: their geometry, weights and permutation state fit a 24 GiB worker
SIDE = 4096                  # the simulated lattice: 16.8 million cells, 6 partitions of 2.5 million


def dilate(mask, radius):
    """Cells within `radius` cells (Chebyshev) of the mask."""
    out = mask.copy()
    for _ in range(radius):
        grown = out.copy()
        grown[1:, :] |= out[:-1, :]
        grown[:-1, :] |= out[1:, :]
        grown[:, 1:] |= grown[:, :-1].copy()
        grown[:, :-1] |= grown[:, 1:].copy()
        out = grown
    return out


def main():
    import geopandas
    import shapely

    communes = geopandas.read_file(os.path.join(ROOT, "Fixtures", "morocco", "communes_utm29n.shp"))
    wkb_bytes = float(np.mean([len(b) for b in shapely.to_wkb(np.asarray(communes.geometry.values))]))
    start = time.perf_counter()
    y, x = np.divmod(np.arange(SIDE * SIDE, dtype=np.int64), SIDE)
    order = hilbert_order(x.astype(float), y.astype(float), bits=12)
    parts = partitions(SIDE * SIDE, SIDE * SIDE // PARTITION_UNITS, order)
    fractions = {"queen": [], "distance band (3 cells)": []}
    for part in parts:
        mask = np.zeros(SIDE * SIDE, dtype=bool)
        mask[part] = True
        mask = mask.reshape(SIDE, SIDE)
        for kind, radius in (("queen", 1), ("distance band (3 cells)", 3)):
            halo = int(np.count_nonzero(dilate(mask, radius) & ~mask))
            fractions[kind].append(halo / len(part))
    elapsed = time.perf_counter() - start
    rows = []
    for units in (5_000_000, 50_000_000, 500_000_000):
        count = units // PARTITION_UNITS
        for kind, values in fractions.items():
            mean, worst = float(np.mean(values)), float(np.max(values))
            rows.append({"units": units, "partitions": count, "weights": kind, "halo_fraction_mean": mean, "halo_fraction_max": worst,
                         "geometry_bytes_per_task": PARTITION_UNITS * (1 + worst) * wkb_bytes,
                         "values_bytes_per_task": units * 8 * 2})
    print(json.dumps({"wkb_bytes_per_commune": wkb_bytes, "simulated_partitions": len(parts), "partition_units": PARTITION_UNITS,
                      "seconds": elapsed}))
    print("\n| units | partitions | weights | halo fraction (mean / largest) | geometry per task | values per task (2 columns) |")
    print("|---|---|---|---|---|---|")
    for r in rows:
        print("| %d million | %d | %s | %.2f %% / %.2f %% | %.2f GB | %.2f GB |" % (
            r["units"] // 1_000_000, r["partitions"], r["weights"], 100 * r["halo_fraction_mean"], 100 * r["halo_fraction_max"],
            r["geometry_bytes_per_task"] / 1e9, r["values_bytes_per_task"] / 1e9))


if __name__ == "__main__":
    main()
