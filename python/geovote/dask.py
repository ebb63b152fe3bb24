"""GeoVote on a Dask cluster (``dask.distributed``), with results identical
to one machine.

Two ways to spread the work:

- :func:`run_jobs`: many hot-spot jobs (input × variable × statistic), each
  a task; the tables come back in job order.
- :func:`hotspots`: one large layer split into spatial partitions (Hilbert
  order of the bounding boxes' centres, equal counts), each sent with its **halo** — the
  units its units' weights reach — and computed as GeoVote computes it on
  one machine, then trimmed to the partition's own units and put back in
  input order.

Why the partitioned result is the same bytes: a local statistic of unit i
depends on row i of the weights, on the values of every unit and on n; the
permutation draws of unit i are keyed by (seed, i), where i is the unit's
global position. Each task therefore receives every unit's attributes (the
values the draws come from: 8 bytes per unit and variable) but the geometry
of its partition and halo only; the weights it builds have the one-machine
rows for its own units (every unit they touch is in the halo) and empty rows
elsewhere, which are computed cheaply and thrown away. The halo is checked
by every task: a partition whose units touch a unit it was not given fails
with a clear error instead of computing different numbers.

What is partitioned: contiguity weights (queen, rook and their spdep and
strict forms; halo: every unit whose bounding box meets a partition unit's,
grown by ``margin``) and fixed distance bands (``distance:T``; halo: every
unit whose centroid is within T of a partition unit's, grown by ``margin``;
the units outside a task's partition and halo stand on a lattice of points
beyond the extent, out of everyone's reach, since distances need a point),
for the local statistics with GeoVote's default draws (``without`` or
``with``) and no multiple-testing correction. Refused with a message, to run
on one machine or in :func:`run_jobs`: k nearest neighbours, kernels and
``distance:auto`` (their reach is not known before the global neighbour
search), esda's and GeoDa's shared draws (one table sized by the largest
neighbour count of the whole layer), FDR/BY (one cutoff over every unit's p)
and the global Moran's I (whose sums would be added in another order).
"""
from __future__ import annotations

from typing import Any, Sequence

import numpy as np
import pandas as pd
import pyarrow as pa

import geovote


def _job_frame(job: dict) -> pd.DataFrame:
    """One job on a worker: its input read there, its table returned."""
    options = dict(job)
    return geovote.hotspots(options.pop("input"), **options)


def run_jobs(jobs: Sequence[dict], client: Any = None, retries: int = 2) -> list:
    """Runs hot-spot jobs on the cluster, one task per job; returns their
    tables in job order.

    Each job is a dict of :func:`geovote.hotspots` keywords plus ``"input"``
    (a path every worker can read). A task whose worker dies is run again
    (``retries``); GeoVote's results do not depend on where or how often a
    job runs.
    """
    from dask.distributed import default_client

    client = client or default_client()
    for k, job in enumerate(jobs):
        if "input" not in job:
            raise geovote.ArgumentError("job %d has no 'input'" % (k + 1))
        if "output" in job:
            raise geovote.ArgumentError("job %d: 'output' is for `geovote batch`; run_jobs returns the tables" % (k + 1))
    futures = [client.submit(_job_frame, dict(job), key="geovote-job-%d" % k, retries=retries, pure=False)
               for k, job in enumerate(jobs)]
    return client.gather(futures)


# ---- Partitions and halos ----

def hilbert_order(x: np.ndarray, y: np.ndarray, bits: int = 16) -> np.ndarray:
    """The units in the order of their centroids along a Hilbert curve on a
    2^bits grid over the extent (ties kept in input order)."""
    n = len(x)
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    side = (1 << bits) - 1

    def scale(v):
        low, high = float(np.min(v)), float(np.max(v))
        return np.zeros(n, dtype=np.int64) if high == low else np.floor((v - low) / (high - low) * side).astype(np.int64)

    xi, yi = scale(x), scale(y)
    d = np.zeros(n, dtype=np.int64)
    s = 1 << (bits - 1)
    while s > 0:
        rx = (xi & s) > 0
        ry = (yi & s) > 0
        d += s * s * ((3 * rx) ^ ry)
        # Rotate the quadrant.
        flip = ~ry
        swap_x = np.where(flip & rx, side - xi, xi)
        swap_y = np.where(flip & rx, side - yi, yi)
        xi, yi = np.where(flip, swap_y, swap_x), np.where(flip, swap_x, swap_y)
        s >>= 1
    return np.argsort(d, kind="stable")


def partitions(n: int, count: int, order: np.ndarray) -> list:
    """`count` partitions of equal size (±1) along `order`: boundaries depend on n and count only."""
    bounds = [n * k // count for k in range(count + 1)]
    return [np.sort(order[bounds[k]:bounds[k + 1]]) for k in range(count)]


def _reach(weights: str, margin: float) -> tuple[str, float]:
    """('contiguity', margin) or ('distance', T + margin); refuses weights whose reach is global."""
    spec = weights.strip().lower()
    if spec in ("queen", "rook", "spdep-queen", "spdep-rook", "strict-queen", "strict-rook"):
        return "contiguity", margin
    if spec.startswith("distance:") and spec != "distance:auto":
        try:
            return "distance", float(spec.split(":", 1)[1]) + margin
        except ValueError:
            raise geovote.ArgumentError("weights '%s': give distance:T with T in the layer's units" % weights) from None
    raise geovote.ArgumentError("weights '%s' reach beyond a known distance (k nearest neighbours, kernels, distance:auto): "
                                "a partitioned run needs contiguity or distance:T; run it on one machine or with run_jobs" % weights)


def positions(geometries: Any, weights: str) -> np.ndarray:
    """What the halo search needs of each unit: its bounding box (contiguity)
    or its centroid (distance bands)."""
    import shapely

    kind, _ = _reach(weights, 0.0)
    if kind == "contiguity":
        return shapely.bounds(geometries)
    centroids = shapely.centroid(geometries)
    return np.column_stack([shapely.get_x(centroids), shapely.get_y(centroids)])


def _pairs(where: np.ndarray, units: np.ndarray, weights: str, margin: float) -> tuple:
    """(unit, reached) pairs: every unit the weights of `units` can reach
    (themselves included) — boxes that meet their grown boxes, or centroids
    within the band."""
    import shapely

    kind, reach = _reach(weights, margin)
    if kind == "contiguity":
        tree = shapely.STRtree(shapely.box(where[:, 0], where[:, 1], where[:, 2], where[:, 3]))
        b = where[units]
        hits = tree.query(shapely.box(b[:, 0] - reach, b[:, 1] - reach, b[:, 2] + reach, b[:, 3] + reach))
    else:
        tree = shapely.STRtree(shapely.points(where[:, 0], where[:, 1]))
        hits = tree.query(shapely.points(where[units, 0], where[units, 1]), predicate="dwithin", distance=reach)
    return units[hits[0]], hits[1]


def _reached(where: np.ndarray, units: np.ndarray, weights: str, margin: float) -> np.ndarray:
    """Every unit the weights of `units` can reach (themselves included)."""
    return np.unique(_pairs(where, units, weights, margin)[1])


def halos(where: np.ndarray, parts: list, weights: str, margin: float) -> list:
    """For each partition, the units outside it that its units' weights can
    reach (`where`: :func:`positions`): one search of every unit's reach,
    then each partition's hits outside it."""
    n = len(where)
    owner = np.full(n, -1, dtype=np.int64)
    for k, part in enumerate(parts):
        owner[part] = k
    focal, reached = _pairs(where, np.arange(n), weights, margin)
    crossing = owner[focal] != owner[reached]
    focal, reached = focal[crossing], reached[crossing]
    return [np.unique(reached[owner[focal] == k]) for k in range(len(parts))]


def _check_options(weights: Any, options: dict) -> None:
    if not isinstance(weights, str):
        raise geovote.ArgumentError("a partitioned run builds its weights per partition: give a specification, not built weights")
    if str(options.get("correction", "none")).lower() not in ("none", "") or options.get("fdr"):
        raise geovote.ArgumentError("correction '%s' takes one cutoff over every unit's p: a partitioned run gives "
                                    "uncorrected classes (run FDR on one machine)" % options.get("correction", "fdr"))
    if str(options.get("draws", "without")).lower() not in ("without", "with"):
        raise geovote.ArgumentError("draws '%s' share one table of draws sized by the whole layer: a partitioned run "
                                    "takes GeoVote's per-unit draws (without, with)" % options["draws"])
    if str(options.get("convention", "geovote")).lower() == "geoda":
        raise geovote.ArgumentError("the geoda convention shares GeoDa's draws across units: not partitioned")


def _partition_task(attributes: pa.Table, where: np.ndarray, wkb: Any, core: np.ndarray, halo: np.ndarray, crs: str | None,
                    weights: str, margin: float, options: dict, number: int) -> pd.DataFrame:
    """One partition on a worker: the n-row table (every unit's attributes,
    the geometry of core ∪ halo), GeoVote's hot spots on it, the core rows."""
    import warnings

    n = attributes.num_rows
    members = np.union1d(core, halo)
    if len(wkb) != len(members):
        raise geovote.ArgumentError("partition %d: %d geometries for %d units" % (number, len(wkb), len(members)))
    given = np.zeros(n, dtype=bool)
    given[members] = True
    # The halo is complete: every unit a core unit's weights can reach was given.
    reached = _reached(where, core, weights, margin)
    missing = reached[~given[reached]]
    if len(missing):
        raise geovote.DataError("partition %d lacks its halo: %d units its units' weights can reach were not given "
                                "(unit %d first); pass the halo (geovote.dask.halos)" % (number, len(missing), int(missing[0])))
    wkb = wkb.to_pylist() if isinstance(wkb, (pa.Array, pa.ChunkedArray)) else list(wkb)
    column = [None] * n
    kind, reach = _reach(weights, margin)
    if kind == "distance":
        # Distances need a point for every unit: the units outside the
        # partition stand on a lattice beyond the layer's extent, spaced
        # wider than the band, so that none is within reach of another
        # or of a partition unit (their rows are empty and thrown away).
        import shapely

        outside = np.flatnonzero(~given)
        if len(outside):
            spacing = 2 * reach + 1
            side = int(np.ceil(np.sqrt(len(outside))))
            k = np.arange(len(outside))
            x = float(np.max(where[:, 0])) + spacing + (k % side) * spacing
            y = float(np.min(where[:, 1])) + (k // side) * spacing
            for unit, point in zip(outside, shapely.to_wkb(shapely.points(x, y), flavor="iso")):
                column[unit] = point
    for position, unit in enumerate(members):
        column[unit] = wkb[position]
    table = attributes.append_column("geometry", pa.array(column, pa.binary()))
    layer = geovote.Layer.from_frame(table, geometry="geometry", crs=crs, name="partition %d" % number)
    options = dict(options)
    threads = options.pop("threads", 0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", geovote.GeoVoteWarning)  # the islands outside the partition
        result = geovote.hotspots(layer, weights=weights, geometry=False, threads=threads, **options)
    layer.close()
    return result.iloc[core]


def hotspots(data: Any, field: str | Sequence[str] | None = None, share: str | Sequence[str] | None = None,
             statistic: str | Sequence[str] = "gistar", weights: str = "queen", permutations: int | None = None,
             seed: int | None = None, partitions_count: int | None = None, client: Any = None,
             margin: float = 1e-6, retries: int = 2, threads: int = 0, **options: Any) -> pd.DataFrame:
    """:func:`geovote.hotspots` of one GeoDataFrame split over the cluster's
    workers; the same table, byte for byte (without geometry).

    ``partitions_count`` (default: the number of workers) partitions in
    Hilbert order; ``margin`` grows each halo's reach (in the CRS's units)
    beyond what the weights need, which costs a few more units per halo and
    never changes a number. Refuses the weights and options that are not
    partitioned (see the module's docstring).
    """
    import shapely
    from dask.distributed import default_client

    _check_options(weights, options)
    client = client or default_client()
    geometries = np.asarray(data.geometry.values)
    n = len(geometries)
    count = partitions_count or max(1, len(client.scheduler_info().get("workers", {})))
    # The Hilbert order of the bounding boxes' centres: a partition's shape
    # only sets its halo's size, never a number.
    where = positions(geometries, weights)
    boxes = where if where.shape[1] == 4 else shapely.bounds(geometries)
    parts = partitions(n, count, hilbert_order((boxes[:, 0] + boxes[:, 2]) / 2, (boxes[:, 1] + boxes[:, 3]) / 2))
    halo = halos(where, parts, weights, margin)
    attributes = pa.Table.from_pandas(pd.DataFrame(data.drop(columns=data.geometry.name)), preserve_index=False)
    wkb = shapely.to_wkb(geometries, flavor="iso")
    crs = data.crs.to_wkt() if data.crs is not None else None
    shared_attributes, shared_where = client.scatter([attributes, where], broadcast=True)
    job = geovote.job_options(field, share, statistic, permutations, seed, **options)
    job["threads"] = threads
    # Partitions go round the workers (Dask would otherwise queue several on
    # the first one that holds their inputs); any worker may take over.
    workers = sorted(client.scheduler_info().get("workers", {}))
    futures = []
    for k, (core, extra) in enumerate(zip(parts, halo)):
        members = np.union1d(core, extra)
        futures.append(client.submit(_partition_task, shared_attributes, shared_where, pa.array(wkb[members], pa.binary()), core, extra, crs, weights,
                                     margin, dict(job), k, key="geovote-partition-%d-%d" % (k, id(data)), retries=retries, pure=False,
                                     workers=[workers[k % len(workers)]] if workers else None, allow_other_workers=True))
    pieces = client.gather(futures)
    order = np.concatenate(parts)
    combined = pd.concat(pieces, ignore_index=False)
    combined = combined.loc[np.sort(order)] if len(order) else combined
    return combined.reset_index(drop=True)
