"""GeoVote on a Dask LocalCluster of 2 worker processes (loopback): the
same bytes as one process, for batch jobs and for one layer split into
partitions with halos; a missing halo, refused options and a worker that
dies mid-run."""
import os

import geopandas
import numpy as np
import pytest

pytest.importorskip("dask.distributed")
from dask.distributed import Client, LocalCluster  # noqa: E402

import geovote  # noqa: E402
import geovote.dask as gvd  # noqa: E402

from test_geovote import COMMUNES, assert_same_columns  # noqa: E402


@pytest.fixture(scope="module")
def client():
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster, Client(cluster) as c:
        yield c


@pytest.fixture(scope="module")
def communes():
    return geopandas.read_file(COMMUNES)


def test_batch_jobs_come_back_in_job_order(client):
    jobs = [{"input": COMMUNES, "share": party + "/valid", "statistic": statistic, "permutations": 199, "seed": 5, "geometry": False}
            for party in ("PJD", "RNI") for statistic in ("gistar", "local-moran")]
    results = gvd.run_jobs(jobs, client)
    assert len(results) == 4
    for job, result in zip(jobs, results):
        options = dict(job)
        alone = geovote.hotspots(options.pop("input"), **options)
        assert_same_columns(result, alone)


@pytest.mark.parametrize("weights,parts", [("queen", 4), ("rook", 3), ("distance:25000", 4)])
def test_partitions_with_halos_give_the_one_machine_bytes(client, communes, weights, parts):
    options = dict(share="PJD/valid", statistic=["gistar", "local-moran"], weights=weights, permutations=999, seed=2021, id="code")
    alone = geovote.hotspots(communes, geometry=False, **options)
    spread = gvd.hotspots(communes, partitions_count=parts, client=client, **options)
    assert len(spread) == 1500
    assert_same_columns(spread, alone)


def test_halos_are_small_and_partitions_cover_every_unit(communes):
    import shapely

    centroids = shapely.centroid(np.asarray(communes.geometry.values))
    order = gvd.hilbert_order(shapely.get_x(centroids), shapely.get_y(centroids))
    parts = gvd.partitions(len(communes), 4, order)
    assert sorted(np.concatenate(parts).tolist()) == list(range(1500))
    assert [len(p) for p in parts] == [375, 375, 375, 375]
    halo = gvd.halos(gvd.positions(np.asarray(communes.geometry.values), "queen"), parts, "queen", 1e-6)
    assert all(0 < len(h) < len(p) for h, p in zip(halo, parts))


def test_a_partition_without_its_halo_is_refused(communes):
    geometries = np.asarray(communes.geometry.values)
    where = gvd.positions(geometries, "queen")
    core = np.arange(0, 200)
    import pyarrow as pa
    import shapely

    attributes = pa.Table.from_pandas(communes.drop(columns="geometry"), preserve_index=False)
    with pytest.raises(geovote.DataError, match="partition 0 lacks its halo"):
        gvd._partition_task(attributes, where, list(shapely.to_wkb(geometries[core])), core, np.array([], dtype=np.int64), None,
                            "queen", 1e-6, {"share": "PJD/valid"}, 0)


def test_options_that_are_not_partitioned_are_refused(client, communes):
    for weights, options, message in [("knn:6", {}, "k nearest"), ("queen", {"correction": "fdr"}, "one cutoff"),
                                      ("queen", {"draws": "esda"}, "one table"), ("distance:auto", {}, "distance:auto")]:
        with pytest.raises(geovote.ArgumentError, match=message):
            gvd.hotspots(communes, share="PJD/valid", weights=weights, client=client, **options)


def _dies_once(marker, job):
    if not os.path.exists(marker):
        open(marker, "w").close()
        os._exit(1)  # the worker process dies mid-task
    return gvd._job_frame(job)


def test_a_task_whose_worker_dies_is_run_again_with_the_same_result(client, tmp_path):
    job = {"input": COMMUNES, "share": "PAM/valid", "permutations": 199, "seed": 9, "geometry": False}
    future = client.submit(_dies_once, str(tmp_path / "died"), job, retries=2, pure=False)
    result = future.result(timeout=120)
    assert os.path.exists(tmp_path / "died")
    options = dict(job)
    assert_same_columns(result, geovote.hotspots(options.pop("input"), **options))
