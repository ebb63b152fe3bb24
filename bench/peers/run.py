#!/usr/bin/env python3
"""Runs GeoVote's benchmark workloads and the same work in the tools users
would otherwise run (pyogrio/geopandas, pyproj, shapely, libpysal, esda with
numba, pygeoda, scikit-learn), on the same files, under the same protocol:
inputs made and cached first, one warm-up call (timed and reported apart:
numba compiles on its first call, which a command-line user pays on every
run), then --repeat timed calls; median, min, max; each workload in a fresh
process so that its peak memory is its own.

Usage (after bench/peers/setup.sh): bench/peers/run.py --size 50000 [--repeat 5]
    [--threads 2] [--only read-shapefile,queen] [--markdown]
    bench/peers/run.py --size 50000 --only end-to-end   (fresh processes, CLI against a Python script)
Prints one JSON line per measurement and, with --markdown, the table that
BENCHMARKS.md records, with the ratio peer median / GeoVote median.
"""
import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
BENCH = os.path.join(ROOT, ".build", "release", "geovote-bench")


def cache_dir():
    return os.path.join(tempfile.gettempdir(), "geovote-bench-cache")


def communes(size):
    return os.path.join(cache_dir(), f"synth-{size}", "communes_utm29n.shp")


# ---------------------------------------------------------------- peers
# Each peer: (workload, tool name, prepare(size, threads) -> callable).

def p_read_pyogrio(size, threads):
    import pyogrio
    path = communes(size)
    pyogrio.read_dataframe(path)
    return lambda: pyogrio.read_dataframe(path)


def p_write_pyogrio(size, threads):
    import pyogrio
    gdf = pyogrio.read_dataframe(communes(size))
    out = os.path.join(cache_dir(), f"peer-written-{size}.shp")
    return lambda: pyogrio.write_dataframe(gdf, out)


def p_write_gpkg_pyogrio(size, threads):
    import pyogrio
    gdf = pyogrio.read_dataframe(communes(size))
    out = os.path.join(cache_dir(), f"peer-written-{size}.gpkg")

    def run():
        if os.path.exists(out):
            os.remove(out)
        pyogrio.write_dataframe(gdf, out, layer="communes", driver="GPKG")
    return run


def p_write_gpkg_ogr2ogr(size, threads):
    out = os.path.join(cache_dir(), f"peer-ogr2ogr-{size}.gpkg")

    def run():
        if os.path.exists(out):
            os.remove(out)
        subprocess.run(["ogr2ogr", "-f", "GPKG", out, communes(size), "-nln", "communes"], check=True)
    return run


def p_read_gpkg_pyogrio(size, threads):
    import pyogrio
    # The file GeoVote's read-geopackage workload wrote (the same bytes for both).
    path = os.path.join(cache_dir(), f"synth-{size}", "communes.gpkg")
    pyogrio.read_dataframe(path)
    return lambda: pyogrio.read_dataframe(path)


def reproject_points(size):
    import numpy as np
    n = max(size, 1_000_000)
    i = np.arange(n)
    return -9.0 - 3.0 * (i % 10_007) / 10_007, 30.0 + 5.0 * (i % 9_973) / 9_973


def p_reproject_pyproj(size, threads):
    from pyproj import Transformer
    x, y = reproject_points(size)
    t = Transformer.from_crs(4326, 32629, always_xy=True)
    return lambda: t.transform(x, y)


def p_validity_shapely(size, threads):
    import pyogrio
    import shapely
    geoms = pyogrio.read_dataframe(communes(size)).geometry.values
    return lambda: (shapely.is_valid(geoms), shapely.area(geoms))


def p_queen_libpysal(size, threads):
    import pyogrio
    from libpysal.weights import Queen
    gdf = pyogrio.read_dataframe(communes(size))
    return lambda: Queen.from_dataframe(gdf, use_index=False, silence_warnings=True)


def p_queen_pygeoda(size, threads):
    import pygeoda
    gda = pygeoda.open(communes(size))
    return lambda: pygeoda.queen_weights(gda)


def centroids(size):
    import numpy as np
    import pyogrio
    import shapely
    geoms = pyogrio.read_dataframe(communes(size)).geometry.values
    c = shapely.centroid(geoms)
    return np.column_stack([shapely.get_x(c), shapely.get_y(c)])


def p_rook_libpysal(size, threads):
    import pyogrio
    from libpysal.weights import Rook
    gdf = pyogrio.read_dataframe(communes(size))
    return lambda: Rook.from_dataframe(gdf, use_index=False, silence_warnings=True)


def p_rook_pygeoda(size, threads):
    import pygeoda
    gda = pygeoda.open(communes(size))
    return lambda: pygeoda.rook_weights(gda)


def p_knn_scipy(size, threads):
    from scipy.spatial import cKDTree
    xy = centroids(size)
    return lambda: cKDTree(xy).query(xy, k=9, workers=threads)


def band_threshold(xy):
    """Twice the median nearest-neighbour distance (as geovote-bench)."""
    import numpy as np
    from scipy.spatial import cKDTree
    d, _ = cKDTree(xy).query(xy, k=2)
    return 2 * np.sort(d[:, 1])[(len(xy) - 1) // 2]


def p_band_scipy(size, threads):
    from scipy.spatial import cKDTree
    xy = centroids(size)
    t = band_threshold(xy)
    return lambda: cKDTree(xy).sparse_distance_matrix(cKDTree(xy), t, output_type="coo_matrix")


def p_band_libpysal(size, threads):
    from libpysal.weights import DistanceBand
    xy = centroids(size)
    t = band_threshold(xy)
    return lambda: DistanceBand(xy, threshold=t, binary=True, silence_warnings=True)


def p_isa_esda(size, threads):
    """esda Moran on libpysal DistanceBand weights for ArcGIS's 10 default
    bands (start: the largest nearest-neighbour distance x 1.0001, step:
    the mean one; capped at the standard distance), as GeoVote's isa."""
    import esda
    import numpy as np
    import pyogrio
    from libpysal.weights import DistanceBand
    from scipy.spatial import cKDTree
    xy = centroids(size)
    gdf = pyogrio.read_dataframe(communes(size), read_geometry=False)
    y = gdf["PJD"].to_numpy(float) / gdf["valid"].to_numpy(float)
    d = cKDTree(xy).query(xy, k=2)[0][:, 1]
    start, step = d.max() * 1.0001, d.mean()
    cap = np.sqrt(((xy - xy.mean(0)) ** 2).mean(0).sum())
    cuts = start + step * np.arange(10)
    if (cuts > cap).any():
        cuts = start + (cap - start) / 10 * np.arange(10)

    def run():
        return [esda.Moran(y, DistanceBand(xy, threshold=c, binary=True, silence_warnings=True), permutations=0).z_rand for c in cuts]
    return run


def p_knn_libpysal(size, threads):
    from libpysal.weights import KNN
    xy = centroids(size)
    return lambda: KNN.from_array(xy, k=8)


def p_knn_sklearn(size, threads):
    from sklearn.neighbors import NearestNeighbors
    xy = centroids(size)
    return lambda: NearestNeighbors(n_neighbors=9, n_jobs=threads).fit(xy).kneighbors(xy)


def p_knn_pygeoda(size, threads):
    import pygeoda
    gda = pygeoda.open(communes(size))
    return lambda: pygeoda.knn_weights(gda, 8)


def share(size):
    import pyogrio
    gdf = pyogrio.read_dataframe(communes(size))
    return (gdf["PJD"] / gdf["valid"]).to_numpy(dtype=float)


def p_gistar_esda(size, threads):
    import pyogrio
    from esda.getisord import G_Local
    from libpysal.weights import Queen
    w = Queen.from_dataframe(pyogrio.read_dataframe(communes(size)), use_index=False, silence_warnings=True)
    w.transform = "B"
    y = share(size)
    return lambda: G_Local(y, w, transform="B", star=True, permutations=999, n_jobs=threads, seed=1)


def space_time(size, elections=9):
    """The space-time W of emerging hot spots (queen in each election and,
    one election back, the unit and its queen neighbours) and a cube of that
    shape: the PJD share and 8 seeded perturbations of it (esda's time does
    not depend on the values; GeoVote's workload uses its own synthetic
    earlier elections)."""
    import numpy as np
    import pyogrio
    from libpysal.weights import Queen, W
    q = Queen.from_dataframe(pyogrio.read_dataframe(communes(size)), use_index=False, silence_warnings=True)
    n = q.n
    lists = {}
    for k in range(elections):
        for i in range(n):
            nb = [k * n + j for j in q.neighbors[i]]
            if k > 0:
                nb = [(k - 1) * n + i] + [(k - 1) * n + j for j in q.neighbors[i]] + nb
            lists[k * n + i] = nb
    w = W(lists, silence_warnings=True)
    y0 = share(size)
    rng = np.random.default_rng(1)
    cube = np.concatenate([y0 * np.exp(rng.normal(0, 0.2, n)) for _ in range(elections)])
    return cube, w


def p_emerging_esda(size, threads):
    from esda.getisord import G_Local
    cube, w = space_time(size)
    return lambda: G_Local(cube, w, transform="B", star=True, permutations=0)


def p_emerging_999_esda(size, threads):
    from esda.getisord import G_Local
    cube, w = space_time(size)
    return lambda: G_Local(cube, w, transform="B", star=True, permutations=999, n_jobs=threads, seed=1)


def p_gistar_pygeoda(size, threads):
    import pygeoda
    gda = pygeoda.open(communes(size))
    w = pygeoda.queen_weights(gda)
    y = list(share(size))
    return lambda: pygeoda.local_gstar(w, y, permutations=999, cpu_threads=threads, seed=1)


def p_moran_esda(size, threads):
    import pyogrio
    from esda.moran import Moran_Local
    from libpysal.weights import Queen
    w = Queen.from_dataframe(pyogrio.read_dataframe(communes(size)), use_index=False, silence_warnings=True)
    w.transform = "R"
    y = share(size)
    return lambda: Moran_Local(y, w, transformation="r", permutations=999, n_jobs=threads, seed=1)


def p_moran_pygeoda(size, threads):
    import pygeoda
    gda = pygeoda.open(communes(size))
    w = pygeoda.queen_weights(gda)
    y = list(share(size))
    return lambda: pygeoda.local_moran(w, y, permutations=999, cpu_threads=threads, seed=1)


def p_moran_pygeoda_one_stream(size, threads):
    import pygeoda
    gda = pygeoda.open(communes(size))
    w = pygeoda.queen_weights(gda)
    y = list(share(size))
    return lambda: pygeoda.local_moran(w, y, permutations=999, cpu_threads=1, seed=123456789)


def stations(size):
    return os.path.join(cache_dir(), f"stations-{size}", "stations_utm29n.shp")


def station_points(size):
    import numpy as np
    import pyogrio
    gdf = pyogrio.read_dataframe(stations(size))
    return np.column_stack([gdf.geometry.x, gdf.geometry.y])


def p_dbscan_sklearn(size, threads):
    from sklearn.cluster import DBSCAN
    X = station_points(size)
    eps = 2000 * (40_000 / size) ** 0.5
    return lambda: DBSCAN(eps=eps, min_samples=10, n_jobs=threads).fit(X)


def p_hdbscan_sklearn(size, threads):
    from sklearn.cluster import HDBSCAN
    X = station_points(size)
    return lambda: HDBSCAN(min_cluster_size=50, min_samples=10, n_jobs=threads).fit(X)


def p_hdbscan_package(size, threads):
    import hdbscan
    X = station_points(size)
    # The package's min_samples excludes the point itself.
    return lambda: hdbscan.HDBSCAN(min_cluster_size=50, min_samples=9, algorithm="boruvka_kdtree",
                                   core_dist_n_jobs=threads).fit(X)


def p_zones_esda(size, threads):
    """What a PySAL user writes: Gi* per party (esda, analytic), components
    (scipy), dissolve (geopandas), totals (pandas)."""
    import numpy as np
    import pyogrio
    from esda import G_Local
    from libpysal.weights import Queen
    from scipy.sparse.csgraph import connected_components
    from scipy.stats import norm
    gdf = pyogrio.read_dataframe(communes(size))
    w = Queen.from_dataframe(gdf, use_index=False)
    w.transform = "B"
    A = w.sparse.tocsr()
    cols = list(gdf.columns)
    parties = [c for c in cols[cols.index("valid") + 1:] if c != "geometry"]
    counts = ["registered", "voters", "valid"] + parties

    def run():
        out = []
        for party in parties:
            g = G_Local((gdf[party] / gdf["valid"]).to_numpy(float), w, transform="B", star=True, permutations=0)
            p = 2 * norm.sf(np.abs(g.Zs))
            for sign in (1, -1):
                idx = np.flatnonzero((p <= 0.05) & (np.sign(g.Zs) == sign))
                if len(idx) == 0:
                    continue
                _, labels = connected_components(A[idx][:, idx], directed=False)
                sub = gdf.iloc[idx].assign(zone=labels)
                out.append(sub[["zone", "geometry"] + counts].dissolve(by="zone", aggfunc="sum"))
        return out
    return run


def raster_grid(bounds):
    """GeoVote's bench grid: 4,000 cells along the longer side, the extent
    snapped outward to the resolution (GDAL's -tap)."""
    import math
    minx, miny, maxx, maxy = bounds
    res = max(maxx - minx, maxy - miny) / 4000
    x0, y0 = math.floor(minx / res) * res, math.floor(miny / res) * res
    x1, y1 = math.ceil(maxx / res) * res, math.ceil(maxy / res) * res
    return x0, y1, res, int(round((x1 - x0) / res)), int(round((y1 - y0) / res))


def p_coverage_rasterio(size, threads):
    """Centre-point rasterisation (each cell takes the polygon under its centre)."""
    import pyogrio
    from rasterio import features
    from rasterio.transform import from_origin
    gdf = pyogrio.read_dataframe(communes(size))
    x0, y1, res, cols, rows = raster_grid(gdf.total_bounds)
    transform = from_origin(x0, y1, res, res)
    shapes = list(zip(gdf.geometry, range(1, len(gdf) + 1)))
    return lambda: features.rasterize(shapes, out_shape=(rows, cols), transform=transform, fill=0, dtype="int32")


def p_coverage_exactextract(size, threads):
    """The same exact coverage fractions (cell ids and fractions of every polygon)."""
    import numpy as np
    import pyogrio
    import rasterio
    from exactextract import exact_extract
    from rasterio.transform import from_origin
    gdf = pyogrio.read_dataframe(communes(size))
    x0, y1, res, cols, rows = raster_grid(gdf.total_bounds)
    tif = os.path.join(cache_dir(), f"peer-template-{size}.tif")
    with rasterio.open(tif, "w", driver="GTiff", width=cols, height=rows, count=1, dtype="uint8", crs=gdf.crs,
                       transform=from_origin(x0, y1, res, res), tiled=True, compress="deflate") as dst:
        dst.write(np.zeros((1, rows, cols), dtype="uint8"))
    return lambda: exact_extract(tif, gdf, ["cell_id", "coverage"], output="pandas")


def share_surface(gdf, parties):
    """What a rasterio user writes for share rasters: commune ids by cell
    centre, then each party's share looked up per cell."""
    import numpy as np
    from rasterio import features
    from rasterio.transform import from_origin
    x0, y1, res, cols, rows = raster_grid(gdf.total_bounds)
    ids = features.rasterize(list(zip(gdf.geometry, range(1, len(gdf) + 1))), out_shape=(rows, cols),
                             transform=from_origin(x0, y1, res, res), fill=0, dtype="int32")
    valid = np.concatenate([[0.0], gdf["valid"].to_numpy(float)])
    out = []
    for party in parties:
        votes = np.concatenate([[0.0], gdf[party].to_numpy(float)])
        with np.errstate(divide="ignore", invalid="ignore"):
            share = np.where(valid[ids] > 0, votes[ids] / valid[ids], -9999).astype("float32")
        out.append(share)
    return out


def p_share_one_rasterio(size, threads):
    import pyogrio
    gdf = pyogrio.read_dataframe(communes(size))
    return lambda: share_surface(gdf, ["PJD"])


def p_share_all_rasterio(size, threads):
    import pyogrio
    gdf = pyogrio.read_dataframe(communes(size))
    cols = list(gdf.columns)
    parties = [c for c in cols[cols.index("valid") + 1:] if c != "geometry"]
    return lambda: share_surface(gdf, parties)


def p_kernel_scipy_binned(size, threads):
    """Stations binned to the grid (histogram2d, weighted by the counts),
    each count grid smoothed by a Gaussian cut at 4 bandwidths
    (scipy.ndimage.gaussian_filter), then their ratio."""
    import numpy as np
    import pyogrio
    from scipy import ndimage
    gdf = pyogrio.read_dataframe(stations(size))
    x0, y1, res, cols, rows = raster_grid(gdf.total_bounds)
    x, y = gdf.geometry.x.to_numpy(), gdf.geometry.y.to_numpy()
    xedges = x0 + res * np.arange(cols + 1)
    yedges = y1 - res * np.arange(rows + 1)[::-1]
    pjd, valid = gdf["PJD"].to_numpy(float), gdf["valid"].to_numpy(float)
    sigma = 10_000 / res

    def run():
        out = []
        for w in (pjd, valid):
            h, _, _ = np.histogram2d(y, x, bins=[yedges, xedges], weights=w)
            out.append(ndimage.gaussian_filter(h[::-1], sigma, truncate=4.0, mode="constant"))
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(out[1] > 0, out[0] / out[1], -9999).astype("float32")
    return run


def p_kernel_kdepy(size, threads):
    """KDEpy's FFTKDE (binned, linear binning) of the stations weighted by
    each count, on the same grid, then their ratio."""
    import numpy as np
    import pyogrio
    from KDEpy import FFTKDE
    gdf = pyogrio.read_dataframe(stations(size))
    x0, y1, res, cols, rows = raster_grid(gdf.total_bounds)
    # In units of the bandwidth (KDEpy cannot find a Gaussian's support at bw = 10,000).
    data = np.column_stack([gdf.geometry.x.to_numpy(), gdf.geometry.y.to_numpy()]) / 10_000
    # FFTKDE needs a grid reaching past the data by the kernel's support; it
    # builds one of (cols + pad) × (rows + pad) points itself.
    pad = int(np.ceil(4 * 10_000 / res)) * 2
    pjd, valid = gdf["PJD"].to_numpy(float), gdf["valid"].to_numpy(float)

    def run():
        out = []
        for w in (pjd, valid):
            kde = FFTKDE(kernel="gaussian", bw=1.0, norm=2).fit(data, weights=w)
            _, z = kde.evaluate((cols + pad, rows + pad))
            out.append(z * w.sum())
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(out[1] > 0, out[0] / out[1], -9999).astype("float32")
    return run


def p_map_matplotlib(size, threads):
    """geopandas GeoDataFrame.plot (matplotlib, Agg) of the Gi_Bin classes as
    a 2000 × 2000 PNG: one colour per class, grey boundaries, as GeoVote
    draws them (the bins from esda G_Local, untimed)."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np
    import pyogrio
    from esda.getisord import G_Local
    from libpysal.weights import Queen
    gdf = pyogrio.read_dataframe(communes(size))
    w = Queen.from_dataframe(gdf, use_index=False, silence_warnings=True)
    w.transform = "B"
    z = G_Local(share(size), w, transform="B", star=True, permutations=0).Zs
    p = 2 * (1 - __import__("scipy").stats.norm.cdf(np.abs(z)))
    bins = np.sign(z) * ((p <= 0.10).astype(int) + (p <= 0.05) + (p <= 0.01))
    colours = {-3: "#4575b5", -2: "#849eba", -1: "#c0ccbe", 0: "#ffffbf", 1: "#fab984", 2: "#ed7551", 3: "#d62f27"}
    gdf["colour"] = [colours[int(b)] for b in bins]
    out = os.path.join(cache_dir(), f"map-matplotlib-{size}.png")

    def run():
        fig, ax = plt.subplots(figsize=(20, 20), dpi=100)
        gdf.plot(color=gdf["colour"], edgecolor="#666666", linewidth=0.15, ax=ax)
        ax.set_axis_off()
        fig.savefig(out, dpi=100)
        plt.close(fig)
    return run


PEERS = [
    ("read-shapefile", "pyogrio.read_dataframe", p_read_pyogrio),
    ("write-shapefile", "pyogrio.write_dataframe", p_write_pyogrio),
    ("write-geopackage", "pyogrio.write_dataframe (GPKG)", p_write_gpkg_pyogrio),
    ("write-geopackage", "ogr2ogr (GPKG, a fresh process)", p_write_gpkg_ogr2ogr),
    ("read-geopackage", "pyogrio.read_dataframe (GPKG)", p_read_gpkg_pyogrio),
    ("db-import", "ogr2ogr (GPKG, a fresh process)", p_write_gpkg_ogr2ogr),
    ("reproject", "pyproj Transformer", p_reproject_pyproj),
    ("validity-area", "shapely is_valid + area", p_validity_shapely),
    ("queen", "libpysal Queen", p_queen_libpysal),
    ("queen", "pygeoda queen_weights", p_queen_pygeoda),
    ("rook", "libpysal Rook", p_rook_libpysal),
    ("rook", "pygeoda rook_weights", p_rook_pygeoda),
    ("distance-band", "scipy cKDTree sparse_distance_matrix", p_band_scipy),
    ("distance-band", "libpysal DistanceBand", p_band_libpysal),
    ("isa", "esda Moran on libpysal DistanceBand, 10 bands", p_isa_esda),
    ("emerging", "esda G_Local on the libpysal space-time W (Gi* only)", p_emerging_esda),
    ("emerging-999", "esda G_Local (numba) on the space-time W, 999 permutations (Gi* only)", p_emerging_999_esda),
    ("map-png", "geopandas plot (matplotlib Agg), 2000 × 2000 PNG", p_map_matplotlib),
    ("knn8", "libpysal KNN", p_knn_libpysal),
    ("knn8", "scipy cKDTree query", p_knn_scipy),
    ("knn8", "scikit-learn NearestNeighbors", p_knn_sklearn),
    ("knn8", "pygeoda knn_weights", p_knn_pygeoda),
    ("gistar-999", "esda G_Local (numba)", p_gistar_esda),
    ("gistar-999", "pygeoda local_gstar", p_gistar_pygeoda),
    ("local-moran-999", "esda Moran_Local (numba)", p_moran_esda),
    ("local-moran-999", "pygeoda local_moran", p_moran_pygeoda),
    ("local-moran-geoda-999", "pygeoda local_moran (cpu_threads=1)", p_moran_pygeoda_one_stream),
    # esda's own scheme (one shared table): its stream (--draws esda), or GeoVote's (--draws shared).
    ("local-moran-esda-999", "esda Moran_Local (numba)", p_moran_esda),
    ("local-moran-shared-999", "esda Moran_Local (numba)", p_moran_esda),
    ("gistar-shared-999", "esda G_Local (numba)", p_gistar_esda),
    ("dbscan", "scikit-learn DBSCAN", p_dbscan_sklearn),
    ("hdbscan", "hdbscan (boruvka_kdtree)", p_hdbscan_package),
    ("hdbscan", "scikit-learn HDBSCAN", p_hdbscan_sklearn),
    ("zones-all-parties", "esda G_Local + scipy components + geopandas dissolve", p_zones_esda),
    ("raster-coverage", "rasterio.features.rasterize (cell centres, not fractions)", p_coverage_rasterio),
    ("raster-coverage", "exactextract (cell_id, coverage)", p_coverage_exactextract),
    ("raster-share-one", "rasterio rasterize + numpy shares (cell centres)", p_share_one_rasterio),
    ("raster-share-all", "rasterio rasterize + numpy shares (cell centres)", p_share_all_rasterio),
    ("raster-kernel", "numpy histogram2d + scipy gaussian_filter (binned)", p_kernel_scipy_binned),
    ("raster-kernel", "KDEpy FFTKDE (binned)", p_kernel_kdepy),
]


END_TO_END_PY = r"""
import sys
import geopandas as gpd
from esda.getisord import G_Local
from libpysal.weights import Queen
src, out, threads = sys.argv[1], sys.argv[2], int(sys.argv[3])
gdf = gpd.read_file(src, engine="pyogrio")
w = Queen.from_dataframe(gdf, use_index=False, silence_warnings=True)
w.transform = "B"
g = G_Local((gdf["PJD"] / gdf["valid"]).to_numpy(float), w, transform="B", star=True, permutations=999, n_jobs=threads, seed=1)
gdf["GiZScore"], gdf["GiPSim"] = g.Zs, g.p_sim
gdf.to_file(out, engine="pyogrio")
"""


def end_to_end(size, repeat, threads):
    """Read the communes, queen weights, Gi* with 999 permutations, write the
    layer with the results: each run a fresh process, as a command-line user
    runs it (Python pays its imports and numba's compile every time)."""
    src = communes(size)
    out_dir = cache_dir()
    commands = {
        "GeoVote": [os.path.join(ROOT, ".build", "release", "geovote"), "hotspots", src, "--field", "PJD/valid",
                    "--statistic", "gistar", "--weights", "queen", "--permutations", "999", "--seed", "1",
                    "--threads", str(threads), "-o", os.path.join(out_dir, "e2e-geovote.shp")],
        "geopandas + libpysal + esda": [sys.executable, "-c", END_TO_END_PY, src, os.path.join(out_dir, "e2e-peer.shp"), str(threads)],
    }
    env = dict(os.environ, NUMBA_NUM_THREADS=str(threads))
    result = {}
    for tool, cmd in commands.items():
        times = []
        for _ in range(repeat):
            start = time.perf_counter()
            subprocess.run(cmd, check=True, capture_output=True, env=env)
            times.append(time.perf_counter() - start)
        result[tool] = {"workload": "end-to-end-gistar", "tool": tool, "size": size, "threads": threads,
                        "median_s": statistics.median(times), "min_s": min(times), "max_s": max(times)}
        print(json.dumps(result[tool]), flush=True)
    return result


def measure_one(index, size, repeat, threads):
    """Runs in a child process: one peer workload, printed as JSON."""
    workload, tool, prepare = PEERS[index]
    body = prepare(size, threads)
    start = time.perf_counter()
    body()
    first = time.perf_counter() - start
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        body()
        times.append(time.perf_counter() - start)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    print(json.dumps({"workload": workload, "tool": tool, "size": size, "threads": threads,
                      "first_call_s": first, "median_s": statistics.median(times),
                      "min_s": min(times), "max_s": max(times), "peak_rss_bytes": peak}))


def run_geovote(workload, size, repeat, threads):
    out = subprocess.run([BENCH, workload, "--size", str(size), "--repeat", str(repeat), "--threads", str(threads)],
                         check=True, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--size", type=int, default=50_000)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--threads", type=int, default=os.cpu_count())
    ap.add_argument("--only", default="")
    ap.add_argument("--markdown", action="store_true")
    ap.add_argument("--skip", default="", help="peers to leave out: comma-separated parts of their names (e.g. 'scikit-learn HDBSCAN', O(n^2) at 500,000)")
    ap.add_argument("--child", type=int, default=-1, help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.child >= 0:
        measure_one(a.child, a.size, a.repeat, a.threads)
        return
    only = set(filter(None, a.only.split(",")))
    if only == {"end-to-end"}:
        r = end_to_end(a.size, a.repeat, a.threads)
        g, p = r["GeoVote"], r["geopandas + libpysal + esda"]
        print(f"\n| end to end (fresh processes) | GeoVote median s | geopandas + libpysal + esda median s | ratio |\n|---|---|---|---|")
        print(f"| read, queen, Gi* 999, write | {g['median_s']:.3f} | {p['median_s']:.3f} | {p['median_s'] / g['median_s']:.1f} |")
        return
    rows = []
    geovote = {}
    for i, (workload, tool, _) in enumerate(PEERS):
        if only and workload not in only:
            continue
        if any(part and part in tool for part in a.skip.split(",")):
            continue
        if workload not in geovote:
            geovote[workload] = run_geovote(workload, a.size, a.repeat, a.threads)
            print(json.dumps(dict(geovote[workload], tool="GeoVote")), flush=True)
        env = dict(os.environ, NUMBA_NUM_THREADS=str(a.threads), OMP_NUM_THREADS=str(a.threads))
        try:
            out = subprocess.run([sys.executable, __file__, "--child", str(i), "--size", str(a.size),
                                  "--repeat", str(a.repeat), "--threads", str(a.threads)],
                                 check=True, capture_output=True, text=True, env=env).stdout
            m = json.loads(out.strip().splitlines()[-1])
        except subprocess.CalledProcessError as e:
            m = {"workload": workload, "tool": tool, "error": e.stderr.strip().splitlines()[-1] if e.stderr else "failed"}
        m["ratio_peer_over_geovote"] = m["median_s"] / geovote[workload]["median_s"] if "median_s" in m else None
        print(json.dumps(m), flush=True)
        rows.append(m)
    if a.markdown:
        print()
        print(f"| workload | peer | GeoVote median s | peer median s | peer first call s | peer / GeoVote | GeoVote peak MiB | peer peak MiB |")
        print("|---|---|---|---|---|---|---|---|")
        for m in rows:
            g = geovote[m["workload"]]
            if "median_s" not in m:
                print(f"| {m['workload']} | {m['tool']} | {g['median_s']:.4f} | failed: {m['error']} | | | | |")
                continue
            print(f"| {m['workload']} | {m['tool']} | {g['median_s']:.4f} | {m['median_s']:.4f} | {m['first_call_s']:.4f} "
                  f"| {m['ratio_peer_over_geovote']:.1f} | {g['peak_rss_bytes'] / 2**20:.0f} | {m['peak_rss_bytes'] / 2**20:.0f} |")


if __name__ == "__main__":
    main()
