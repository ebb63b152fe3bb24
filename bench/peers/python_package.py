"""The Python package's costs, measured side by side (BENCHMARKS.md, "From
Python and on Dask"). Runs in the package's virtualenv (make python-test
makes .venv-python); the esda peer runs in .venv-peers.

  .venv-python/bin/python bench/peers/python_package.py --size 50000 --repeat 5
  .venv-python/bin/python bench/peers/python_package.py --size 500000 --repeat 3 --only dask

Rows:
- binding: Gi* 999 of the PJD share on a layer already in the engine with
  prebuilt queen weights, without geometry: geovote-bench job-gistar-999
  (the Swift API) and abi-gistar-999 (the C interface), and the same call
  from Python (geovote.hotspots on a Layer and Weights) — what the binding
  adds;
- frame: geovote.hotspots on a GeoDataFrame (Arrow export of the frame with
  WKB, queen weights, Gi* 999, the result frame) against libpysal Queen +
  esda G_Local (numba, 999 permutations) on the same frame, in .venv-peers;
- dask: geovote.dask.hotspots on a LocalCluster of 2 worker processes (1
  thread each; 2 partitions with halos) against geovote.hotspots in one
  process with 2 threads, on the same GeoDataFrame.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BENCH = os.path.join(ROOT, ".build", "release", "geovote-bench")
CACHE = os.environ.get("GEOVOTE_BENCH_CACHE", "/tmp/geovote-bench-cache")

ESDA = r"""
import sys, time, statistics, json
import pyogrio
from esda.getisord import G_Local
from libpysal.weights import Queen
gdf = pyogrio.read_dataframe(sys.argv[1])
repeat, threads = int(sys.argv[2]), int(sys.argv[3])
def run():
    w = Queen.from_dataframe(gdf, use_index=False, silence_warnings=True)
    w.transform = "B"
    return G_Local((gdf["PJD"] / gdf["valid"]).to_numpy(float), w, transform="B", star=True, permutations=999, n_jobs=threads, seed=1)
run()
times = []
for _ in range(repeat):
    t = time.perf_counter(); run(); times.append(time.perf_counter() - t)
print(json.dumps({"median_s": statistics.median(times), "min_s": min(times), "max_s": max(times)}))
"""


def timed(body, repeat):
    body()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        body()
        times.append(time.perf_counter() - start)
    return {"median_s": statistics.median(times), "min_s": min(times), "max_s": max(times)}


def bench(workload, size, repeat, threads):
    out = subprocess.run([BENCH, workload, "--size", str(size), "--repeat", str(repeat), "--threads", str(threads)],
                         check=True, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def communes(size):
    path = os.path.join(CACHE, "synth-%d" % size, "communes_utm29n.shp")
    if not os.path.exists(path):
        bench("read-shapefile", size, 1, 1)  # makes and caches them
    return path


def row(name, tool, m, reference=None):
    m = dict(m, row=name, tool=tool)
    if reference is not None:
        m["ratio"] = m["median_s"] / reference["median_s"]
    print(json.dumps(m), flush=True)
    return m


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--size", type=int, default=50_000)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--threads", type=int, default=os.cpu_count())
    ap.add_argument("--only", default="binding,frame,dask")
    ap.add_argument("--peers-python", default=os.path.join(ROOT, ".venv-peers", "bin", "python"))
    a = ap.parse_args()
    only = set(a.only.split(","))
    import geopandas
    import geovote

    path = communes(a.size)
    gdf = geopandas.read_file(path, engine="pyogrio")
    rows = []
    if "binding" in only:
        swift = row("binding", "Swift API (geovote-bench job-gistar-999)", bench("job-gistar-999", a.size, a.repeat, a.threads))
        rows.append(swift)
        rows.append(row("binding", "C interface (geovote-bench abi-gistar-999)", bench("abi-gistar-999", a.size, a.repeat, a.threads), swift))
        layer = geovote.Layer.read(path)
        w = geovote.weights(layer, "queen")
        rows.append(row("binding", "Python: geovote.hotspots(Layer, Weights)", timed(
            lambda: geovote.hotspots(layer, share="PJD/valid", weights=w, permutations=999, seed=1, geometry=False, threads=a.threads),
            a.repeat), swift))
    if "frame" in only:
        ours = row("frame", "geovote.hotspots(GeoDataFrame, queen, Gi* 999)", timed(
            lambda: geovote.hotspots(gdf, share="PJD/valid", weights="queen", permutations=999, seed=1, threads=a.threads), a.repeat))
        rows.append(ours)
        env = dict(os.environ, NUMBA_NUM_THREADS=str(a.threads))
        out = subprocess.run([a.peers_python, "-c", ESDA, path, str(a.repeat), str(a.threads)], check=True, capture_output=True,
                             text=True, env=env).stdout
        rows.append(row("frame", "libpysal Queen + esda G_Local (numba)", json.loads(out.strip().splitlines()[-1]), ours))
    if "dask" in only:
        from dask.distributed import Client, LocalCluster

        import geovote.dask as gvd

        alone = row("dask", "geovote.hotspots, one process, %d threads" % a.threads, timed(
            lambda: geovote.hotspots(gdf, share="PJD/valid", weights="queen", permutations=999, seed=1, geometry=False,
                                     threads=a.threads), a.repeat))
        rows.append(alone)
        with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster, Client(cluster) as client:
            rows.append(row("dask", "geovote.dask.hotspots, LocalCluster 2 workers × 1 thread, 2 partitions", timed(
                lambda: gvd.hotspots(gdf, share="PJD/valid", weights="queen", permutations=999, seed=1, partitions_count=2,
                                     client=client, threads=1), a.repeat), alone))
    print("\n| row | tool | median s | min s | max s | ratio |\n|---|---|---|---|---|---|")
    for m in rows:
        ratio = "%.2f" % m["ratio"] if "ratio" in m else ""
        print("| %s | %s | %.4f | %.4f | %.4f | %s |" % (m["row"], m["tool"], m["median_s"], m["min_s"], m["max_s"], ratio))


if __name__ == "__main__":
    sys.exit(main())
