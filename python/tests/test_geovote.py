"""The Python package against the command line (same bytes) and esda (the
committed reference values of Fixtures/reference/statistics); its errors
and the GIL. Run by `make python-test` in the virtualenv it makes."""
import ctypes
import os
import subprocess
import threading
import warnings

import geopandas
import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

import geovote
from geovote import _native

REPOSITORY = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
FIXTURES = os.path.join(REPOSITORY, "Fixtures")
COMMUNES = os.path.join(FIXTURES, "morocco", "communes_utm29n.shp")
GEOVOTE = os.environ.get("GEOVOTE_BIN", os.path.join(REPOSITORY, ".build", "release", "geovote"))


def cli_csv(tmp_path, *arguments):
    """The CLI's CSV as text, every cell as written."""
    out = str(tmp_path / "cli.csv")
    subprocess.run([GEOVOTE, "hotspots", *arguments, "--output", out], check=True, capture_output=True)
    return pd.read_csv(out, dtype=str, keep_default_na=False)


def assert_same_columns(frame, cli):
    """Every column of `cli` is in `frame`, in order, with the same values:
    numbers bit for bit (Python's float() of the CLI's shortest round-trip
    text is the double it printed), text equal, empty = missing."""
    assert list(frame.columns[: len(cli.columns)]) == list(cli.columns)
    for name in cli.columns:
        ours, theirs = frame[name], cli[name]
        if pd.api.types.is_numeric_dtype(ours) and not pd.api.types.is_bool_dtype(ours):
            a = ours.to_numpy(dtype=float)
            b = np.array([float(v) if v != "" else np.nan for v in theirs]) if theirs.dtype == object or pd.api.types.is_string_dtype(theirs) \
                else theirs.to_numpy(dtype=float)
            assert np.array_equal(a, b, equal_nan=True), name
        else:
            def text(v):
                return "" if v is None or (isinstance(v, float) and np.isnan(v)) or v is pd.NA else str(v)
            assert [text(v) for v in ours] == [text(v) for v in theirs], name


def test_version_and_abi():
    assert "GEOS" in geovote.version() and "PROJ" in geovote.version()
    so = _native.lib()
    assert so.gv_abi_version() == _native.ABI_VERSION
    with pytest.raises(geovote.ArgumentError, match="ABI 2"):
        _native.check(so.gv_check_abi(2))


def test_hotspots_on_a_geodataframe_equal_the_command_line(tmp_path):
    gdf = geopandas.read_file(COMMUNES)
    ours = geovote.hotspots(gdf, share="PJD/valid", statistic=["gistar", "local-moran"], weights="queen",
                            permutations=999, seed=2021, id="code", correction="fdr")
    cli = cli_csv(tmp_path, COMMUNES, "--share", "PJD/valid", "--statistic", "gistar,local-moran", "--weights", "queen",
                  "--permutations", "999", "--seed", "2021", "--id", "code", "--correction", "fdr")
    assert isinstance(ours, geopandas.GeoDataFrame) and ours.crs.to_epsg() == 32629
    assert len(ours) == 1500 and list(ours.columns)[-1] == "geometry"
    assert_same_columns(ours, cli)
    # The geometry came back unchanged.
    assert ours.geometry.geom_equals_exact(gdf.geometry, tolerance=0).all()


def test_every_input_kind_gives_the_same_table(tmp_path):
    options = dict(share="RNI/valid", statistic="local-moran", weights="knn:6", permutations=199, seed=7)
    from_path = geovote.hotspots(COMMUNES, **options)
    gdf = geopandas.read_file(COMMUNES)
    from_frame = geovote.hotspots(gdf, **options)
    from_arrow = geovote.hotspots(pa.table(gdf.to_arrow(geometry_encoding="WKB")), **options)
    layer = geovote.Layer.from_frame(gdf)
    from_layer = geovote.hotspots(layer, **options)
    # A text column may come back as an object or a string column: compare values.
    for other in (from_frame, from_arrow, from_layer):
        assert_same_columns(other.drop(columns="geometry"), from_path.drop(columns="geometry"))
    cli = cli_csv(tmp_path, COMMUNES, "--share", "RNI/valid", "--statistic", "local-moran", "--weights", "knn:6",
                  "--permutations", "199", "--seed", "7")
    assert_same_columns(from_frame, cli)


def test_results_do_not_depend_on_threads():
    gdf = geopandas.read_file(COMMUNES)
    one = geovote.hotspots(gdf, share="PAM/valid", statistic="gistar", permutations=999, seed=3, threads=1, geometry=False)
    two = geovote.hotspots(gdf, share="PAM/valid", statistic="gistar", permutations=999, seed=3, threads=2, geometry=False)
    assert isinstance(one, pd.DataFrame) and not isinstance(one, geopandas.GeoDataFrame)
    assert_same_columns(one, two)


def test_esda_pseudo_p_values_on_the_reference_communes():
    """esda 2.9.0's G_Local(star=True) and Moran_Local p_sim (9,999 permutations,
    seed 12345: Fixtures/reference/statistics/make_reference_esda_draws.py) on a
    GeoDataFrame read by GeoPandas; esda keeps p in float32: tolerance 1e-6."""
    gdf = geopandas.read_file(os.path.join(FIXTURES, "reference", "data", "morocco.shp"))
    ours = geovote.hotspots(gdf, share="PJD/valid", statistic=["gistar", "local-moran"], permutations=9999, seed=12345,
                            draws="esda")
    reference = pd.read_csv(os.path.join(FIXTURES, "reference", "statistics", "morocco_esda_draws.csv"), comment="#")
    assert len(reference) == len(ours) == 1500
    assert np.max(np.abs(ours["PJD_valid_gistar_psim"].to_numpy() - reference["gs_p"].to_numpy())) < 1e-6
    assert np.max(np.abs(ours["PJD_valid_local_moran_psim"].to_numpy() - reference["lm_p"].to_numpy())) < 1e-6


def test_read_and_arrow_round_trip():
    gdf = geovote.read(COMMUNES)
    assert isinstance(gdf, geopandas.GeoDataFrame) and len(gdf) == 1500 and gdf.crs.to_epsg() == 32629
    reference = geopandas.read_file(COMMUNES)
    assert list(gdf["name_ar"]) == list(reference["name_ar"])  # Arabic names decoded as GeoPandas does
    assert gdf.geometry.geom_equals_exact(reference.geometry, tolerance=0).all()
    table = pa.table({"code": pa.array([1, 2, None], pa.int32()), "share": pa.array([0.5, None, 0.25]),
                      "flag": pa.array([True, None, False]), "name": pa.array(["a", "خميس", None]),
                      "day": pa.array([0, 18_993, None], pa.date32())})
    layer = geovote.Layer.from_frame(table)
    back = layer.to_arrow()
    assert len(layer) == 3 and layer.crs is None
    assert back.column("code").to_pylist() == [1, 2, None]
    assert back.column("share").to_pylist() == [0.5, None, 0.25]
    assert back.column("flag").to_pylist() == [True, None, False]
    assert back.column("name").to_pylist() == ["a", "خميس", None]
    assert back.column("day").to_pylist() == ["19700101", "20220101", None]
    assert "geometry" not in back.column_names


def test_weights():
    gdf = geopandas.read_file(COMMUNES)
    w = geovote.weights(gdf, "queen")
    assert (w.n, w.islands) == (1500, 0)
    adjacency = w.to_adjlist()
    assert list(adjacency.columns) == ["focal", "neighbor", "weight"] and len(adjacency) == w.links
    pairs = set(zip(adjacency["focal"], adjacency["neighbor"]))
    assert all((j, i) in pairs for i, j in pairs)  # queen contiguity is symmetric
    # Prebuilt weights give the table the specification gives.
    built = geovote.hotspots(gdf, share="PJD/valid", weights=w, permutations=99, seed=1, geometry=False)
    named = geovote.hotspots(gdf, share="PJD/valid", weights="queen", permutations=99, seed=1, geometry=False)
    assert_same_columns(built, named)


def test_errors_are_exceptions_with_geovotes_message(tmp_path):
    gdf = geopandas.read_file(COMMUNES)
    with pytest.raises(geovote.DataError, match="'NOPE'"):
        geovote.hotspots(gdf, share="NOPE/valid")
    with pytest.raises(geovote.ArgumentError, match="statistic"):
        geovote.hotspots(gdf, share="PJD/valid", statistic="hexagons")
    with pytest.raises(geovote.ArgumentError, match="names a file"):
        geovote.hotspots(gdf, share="PJD/valid", output="x.csv")
    with pytest.raises(geovote.FileError, match="nowhere.shp"):
        geovote.read(str(tmp_path / "nowhere.shp"))
    with pytest.raises(geovote.ArgumentError):
        geovote.weights(gdf, "hexagons:3")
    # Arrow columns GeoVote cannot take, each named.
    with pytest.raises(geovote.ArrowError, match="'when'.*timestamp"):
        geovote.Layer.from_frame(pa.table({"when": pa.array([0, 1], pa.timestamp("s"))}))
    with pytest.raises(geovote.ArrowError, match="'party'.*dictionary"):
        geovote.Layer.from_frame(pa.table({"party": pa.array(["PJD", "RNI"]).dictionary_encode()}))
    with pytest.raises(geovote.ArrowError, match="'geometry'.*not binary"):
        geovote.Layer.from_frame(pa.table({"geometry": ["POINT (1 2)"]}), geometry="geometry")
    with pytest.raises(geovote.DataError, match="record 1, field 'geometry'.*WKB"):
        geovote.Layer.from_frame(pa.table({"geometry": pa.array([b"\x01\x01\x00\x00\x00" + bytes(16), b"\x07junk"])}))
    with pytest.raises(geovote.ArgumentError, match="CRS"):
        geovote.Layer.from_frame(pa.table({"geometry": pa.array([b"\x01\x01\x00\x00\x00" + bytes(16)])}), crs="EPSG:99999999")
    with pytest.raises(geovote.ArrowError, match="not int"):
        geovote.Layer.from_frame(42)
    # A closed layer, and a freed handle given to the library directly.
    layer = geovote.Layer.from_frame(gdf)
    handle = layer._handle.value
    layer.close()
    with pytest.raises(geovote.HandleError, match="is closed"):
        len(layer)
    n = ctypes.c_int64()
    with pytest.raises(geovote.HandleError, match="not live"):
        _native.check(_native.lib().gv_layer_count(ctypes.c_void_p(handle), ctypes.byref(n)))


def test_notes_become_warnings():
    gdf = geopandas.read_file(COMMUNES)
    gdf.loc[[3, 7], "valid"] = 0  # two communes without valid votes: no share, left out
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = geovote.hotspots(gdf, share="PJD/valid", permutations=0, geometry=False)
    assert any(issubclass(w.category, geovote.GeoVoteWarning) for w in caught), [str(w.message) for w in caught]
    assert np.isnan(result.loc[[3, 7], "PJD_valid_gistar_z"]).all()


def test_the_gil_is_released_while_geovote_computes():
    gdf = geopandas.read_file(COMMUNES)
    layer = geovote.Layer.from_frame(gdf)
    done = threading.Event()

    def work():
        geovote.hotspots(layer, share="PJD/valid", statistic=["gistar", "local-moran"], permutations=9999, seed=1, threads=1)
        done.set()

    worker = threading.Thread(target=work)
    ticks = 0
    worker.start()
    while not done.is_set():
        ticks += 1  # runs only while the worker's thread does not hold the GIL
    worker.join()
    assert ticks > 1000
