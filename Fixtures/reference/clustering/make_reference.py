#!/usr/bin/env python3
"""Reference values for GeoVote's DBSCAN and HDBSCAN (Tests/EngineTests/Clustering).

Usage (from the repository root, after Fixtures/reference/setup_venv.sh):
    .build/release/geovote synth --communes 1500 --stations 40000 --seed 2021 --no-geojson --output /tmp/gv-stations
    .venv-reference/bin/python Fixtures/reference/clustering/make_reference.py /tmp/gv-stations/stations_utm29n.shp

Data, all real except the fixture's stations:
  airports  -- vega_datasets 0.9.0 `airports` (3,376 US airports), projected to
               EPSG:5070 (NAD83 / Conus Albers) with pyproj; the projected x, y
               are written to airports_xy.csv, which the tests read.
  baltim    -- libpysal's baltim.shp (211 house sales, planar X, Y), from
               Fixtures/reference/data.
  stations  -- the fixture's 40,000 polling stations (geovote synth, seed 2021,
               UTM 29N); the tests regenerate them in-process.

References (versions pinned in Fixtures/reference/requirements.txt):
  DBSCAN   sklearn.cluster.DBSCAN(algorithm='kd_tree'), with and without sample_weight.
  HDBSCAN  sklearn.cluster.HDBSCAN (labels, probabilities_), and the hdbscan package
           with min_samples - 1 (its min_samples excludes the point itself) for the
           GLOSH outlier_scores_: algorithm='generic' on the small sets,
           'prims_kdtree' (also an exact spanning tree, without the n x n matrix) on
           the stations. The script asserts that both packages give the same labels.
  Ties     Equal mutual-reachability distances are common (many edges weigh a core
           distance): the minimum spanning tree is then not unique, and which of the
           equal edges a program keeps decides some points' clusters. So, per setting:
           <name>_gv_*   scikit-learn's own tree-to-labels code (hdbscan's for leaf +
                         epsilon) and the hdbscan package's outlier_scores, run on
                         GeoVote's spanning tree (`geovote cluster --tree`, so the
                         GeoVote binary must be built first; GEOVOTE overrides its path);
           <name>_mst    the sorted weights of scikit-learn's own spanning tree: any two
                         minimum spanning trees have the same sorted weights, so equal
                         columns prove GeoVote's tree minimal;
           <name>_tied   points whose label or probability differs between the two
                         trees, or between scikit-learn runs on 4 random permutations of
                         the input (clusters matched by overlap): the tie-dependent points.
"""
import sys, os, json
import subprocess
import tempfile
import numpy as np
import pandas as pd
import pyproj
import pyogrio
import sklearn
import hdbscan
from sklearn.cluster import DBSCAN, HDBSCAN
from vega_datasets import local_data

from sklearn.cluster._hdbscan import _linkage, _tree
from hdbscan import _hdbscan_tree, _hdbscan_linkage

HERE = os.path.dirname(os.path.abspath(__file__))
GEOVOTE = os.environ.get("GEOVOTE", os.path.join(HERE, "..", "..", "..", ".build", "release", "geovote"))
DATA = os.path.join(HERE, "..", "data")


def airports():
    a = local_data.airports()
    t = pyproj.Transformer.from_crs("EPSG:4326", "EPSG:5070", always_xy=True)
    x, y = t.transform(a["longitude"].to_numpy(), a["latitude"].to_numpy())
    xy = pd.DataFrame({"iata": a["iata"], "x": x, "y": y})
    xy.to_csv(os.path.join(HERE, "airports_xy.csv"), index=False, float_format="%.17g")
    # Read back what the tests read: the same doubles.
    back = pd.read_csv(os.path.join(HERE, "airports_xy.csv"), keep_default_na=False)
    return np.column_stack([back["x"], back["y"]]), None


def baltim():
    df = pyogrio.read_dataframe(os.path.join(DATA, "baltim.shp"))
    return np.column_stack([df.geometry.x, df.geometry.y]), df["PRICE"].to_numpy(dtype=float)


def stations(path):
    df = pyogrio.read_dataframe(path)
    return np.column_stack([df.geometry.x, df.geometry.y]), df["registered"].to_numpy(dtype=float)


def matched(reference, other):
    """other's labels renamed to the reference cluster each overlaps most."""
    out = np.full_like(other, -1)
    for c in np.unique(other):
        if c < 0:
            continue
        members = other == c
        ref = reference[members]
        ref = ref[ref >= 0]
        out[members] = np.bincount(ref).argmax() if len(ref) else -2 - c
    return out


def geovote_tree(X, ms):
    """GeoVote's spanning tree for these points (a shapefile without a CRS: planar units)."""
    import geopandas
    with tempfile.TemporaryDirectory() as tmp:
        pts = os.path.join(tmp, "points.shp")
        geopandas.GeoDataFrame({"i": np.arange(len(X))}, geometry=geopandas.points_from_xy(X[:, 0], X[:, 1])).to_file(pts)
        subprocess.run([GEOVOTE, "cluster", pts, "--method", "hdbscan", "--min-cluster-size", "2", "--min-samples", str(ms),
                        "--tree", os.path.join(tmp, "tree.csv"), "-o", os.path.join(tmp, "labels.csv")], check=True, capture_output=True)
        return pd.read_csv(os.path.join(tmp, "tree.csv"))


def labels_from_tree(tree, n, mcs, selection, eps, reference):
    """The reference's tree-to-labels code on a given sorted spanning tree."""
    if reference == "sklearn":
        mst = np.zeros(n - 1, dtype=_linkage.MST_edge_dtype)
        mst["current_node"] = tree["a"]; mst["next_node"] = tree["b"]; mst["distance"] = tree["distance"]
        slt = _linkage.make_single_linkage(mst)
        labels, probs = _tree.tree_to_labels(slt, mcs, selection, False, eps, None)
        condensed = _tree._condense_tree(slt, mcs)
        ct = np.zeros(len(condensed), dtype=[("parent", np.intp), ("child", np.intp), ("lambda_val", float), ("child_size", np.intp)])
        ct["parent"] = condensed["parent"]; ct["child"] = condensed["child"]
        ct["lambda_val"] = condensed["value"]; ct["child_size"] = condensed["cluster_size"]
    else:
        slt = _hdbscan_linkage.label(np.column_stack([tree["a"], tree["b"], tree["distance"]]).astype(float))
        labels, probs, _, ct, _ = hdbscan.hdbscan_._tree_to_labels(None, slt, mcs, selection, False, False, eps)
    return labels, probs, _hdbscan_tree.outlier_scores(ct)


def hdbscan_columns(X, name, mcs, ms, selection, eps, outliers, seed):
    kw = dict(min_cluster_size=mcs, min_samples=ms, cluster_selection_method=selection,
              cluster_selection_epsilon=eps)
    n = len(X)
    algorithm = "generic" if n <= 5000 else "prims_kdtree"
    package = lambda Y: hdbscan.HDBSCAN(min_cluster_size=mcs, min_samples=(ms or mcs) - 1, cluster_selection_method=selection,
                                        cluster_selection_epsilon=eps, algorithm=algorithm).fit(Y)
    reference = "sklearn"
    try:
        fit = lambda Y: HDBSCAN(**kw).fit(Y)
        sk = fit(X)
    except TypeError:
        # scikit-learn 1.8.0 fails in traverse_upwards with leaf selection and an
        # epsilon ("only 0-dimensional arrays can be converted"): the hdbscan
        # package is the reference for that combination.
        reference = "hdbscan"
        fit = package
        sk = fit(X)
    cols = {f"{name}_label": sk.labels_}
    tied = np.zeros(n, dtype=bool)
    rng = np.random.default_rng(seed)
    for _ in range(4):
        perm = rng.permutation(n)
        other = fit(X[perm])
        labels = np.empty(n, dtype=int); probs = np.empty(n)
        labels[perm] = other.labels_; probs[perm] = other.probabilities_
        tied |= matched(sk.labels_, labels) != sk.labels_
        tied |= np.abs(probs - sk.probabilities_) > 1e-12
    # The same code on GeoVote's spanning tree.
    tree = geovote_tree(X, ms or mcs)
    own = np.sort(sk._single_linkage_tree_["value"]) if reference == "sklearn" else np.sort(sk.single_linkage_tree_.to_numpy()[:, 2])
    # Exact against scikit-learn (the same arithmetic); the hdbscan package's generic
    # algorithm measures through sklearn's pairwise_distances (the dot-product
    # formula), which is off in the last digits.
    mine = np.sort(tree["distance"].to_numpy())
    assert np.array_equal(mine, own) if reference == "sklearn" else np.allclose(mine, own, rtol=1e-9, atol=0), \
        f"{name}: GeoVote's spanning tree has other weights"
    gl, gp, go = labels_from_tree(tree, n, mcs, selection, eps, reference)
    cols[f"{name}_gv_label"] = gl; cols[f"{name}_gv_probability"] = gp
    if outliers:
        cols[f"{name}_gv_outlier"] = go
    cols[f"{name}_mst"] = np.append(own, np.nan)
    by_tree = (matched(sk.labels_, gl) != sk.labels_) | (np.abs(gp - sk.probabilities_) > 1e-12)
    moved = tied.copy()
    tied |= by_tree
    cols[f"{name}_tied"] = tied.astype(int)
    if outliers:
        hd = package(X)
        same = (matched(sk.labels_, hd.labels_) == sk.labels_) | tied
        assert same.all(), f"{name}: hdbscan and scikit-learn disagree on {np.count_nonzero(~same)} untied points"
    settings.append(dict(dataset=current, name=name, method="hdbscan", reference=reference, min_cluster_size=mcs, min_samples=ms,
                         selection=selection, epsilon=eps, outliers=outliers,
                         mst_exact=bool(np.array_equal(mine, own)), clusters=int(sk.labels_.max() + 1), noise=int((sk.labels_ < 0).sum()), tied=int(tied.sum()),
                         differ_by_tree=int(by_tree.sum()), of_which_move_under_permutation=int((by_tree & moved).sum())))
    return cols


def dbscan_columns(X, name, eps, ms, weight=None):
    db = DBSCAN(eps=eps, min_samples=ms, algorithm="kd_tree").fit(X, sample_weight=weight)
    core = np.zeros(len(X), dtype=int); core[db.core_sample_indices_] = 1
    settings.append(dict(dataset=current, name=name, method="dbscan", eps=eps, min_samples=ms, weighted=weight is not None,
                         clusters=int(db.labels_.max() + 1), noise=int((db.labels_ < 0).sum()), cores=int(core.sum())))
    return {f"{name}_label": db.labels_, f"{name}_core": core}


settings = []
current = None
if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    sets = {
        "airports": (airports, [
            ("db1", dict(eps=50_000.0, ms=5)), ("db2", dict(eps=25_000.0, ms=3)),
        ], [
            ("h1", dict(mcs=5, ms=None, selection="eom", eps=0.0, outliers=True)),
            ("h2", dict(mcs=15, ms=5, selection="eom", eps=0.0, outliers=True)),
            ("h3", dict(mcs=10, ms=3, selection="leaf", eps=0.0, outliers=True)),
            ("h4", dict(mcs=8, ms=None, selection="eom", eps=60_000.0, outliers=True)),
            ("h5", dict(mcs=8, ms=4, selection="leaf", eps=40_000.0, outliers=True)),
        ]),
        "baltim": (baltim, [
            ("db1", dict(eps=5.0, ms=4)), ("dbw", dict(eps=8.0, ms=300, weighted=True)),
        ], [
            ("h1", dict(mcs=5, ms=None, selection="eom", eps=0.0, outliers=True)),
            ("h2", dict(mcs=8, ms=3, selection="leaf", eps=0.0, outliers=True)),
        ]),
        "stations": (lambda: stations(sys.argv[1]), [
            ("db1", dict(eps=3_000.0, ms=10)), ("dbw", dict(eps=2_000.0, ms=5_000, weighted=True)),
        ], [
            ("h1", dict(mcs=50, ms=None, selection="eom", eps=0.0, outliers=True)),
            ("h2", dict(mcs=20, ms=10, selection="leaf", eps=0.0, outliers=False)),
        ]),
    }
    for current, (load, dbs, hds) in sets.items():
        X, weight = load()
        table = {"index": np.arange(len(X))}
        for name, s in dbs:
            table.update(dbscan_columns(X, name, s["eps"], s["ms"], weight if s.get("weighted") else None))
        for k, (name, s) in enumerate(hds):
            table.update(hdbscan_columns(X, name, s["mcs"], s["ms"], s["selection"], s["eps"], s["outliers"], seed=k))
        pd.DataFrame(table).to_csv(os.path.join(HERE, f"{current}_clusters.csv"), index=False, float_format="%.12g")
        print(current, len(X), "points")
    with open(os.path.join(HERE, "settings.json"), "w") as f:
        json.dump(dict(versions=dict(sklearn=sklearn.__version__, hdbscan=getattr(hdbscan, "__version__", "0.8.44"),
                                     numpy=np.__version__), settings=settings), f, indent=1)
    for s in settings:
        print(s)
