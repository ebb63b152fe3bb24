#!/usr/bin/env python3
"""Seeded mutations of the fixture's files, each read by `geovote info` (and,
for layers it reads, `geovote weights` and `geovote convert`): any exit by a
signal, or a run over the time limit, is a defect. Standard library only.

    python3 bench/fuzz/mutate.py --geovote .build/release/geovote --count 10000 --seed 1 [--jobs 2] [--keep DIR]

Prints one line per defect (seed, file, what happened) and a summary; exit
status 1 when any was found. Mutated files that crashed are kept in --keep.
"""
import argparse
import concurrent.futures
import os
import random
import shutil
import struct
import subprocess
import sys
import tempfile

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
FIX = os.path.join(ROOT, "Fixtures")
SEEDS = [
    ("shapefile", os.path.join(FIX, "sample", "capitals")),
    ("shapefile", os.path.join(FIX, "sample", "outline")),
    ("shapefile", os.path.join(FIX, "bad", "self_intersecting")),
    ("shapefile", os.path.join(FIX, "encodings", "capitals_cp1256")),
    ("geojson", os.path.join(FIX, "bad", "open_ring.geojson")),
    ("csv", os.path.join(FIX, "encodings", "results_fr.csv")),
    ("csv", os.path.join(FIX, "sample", "capitals.csv")),
]
INTERESTING = [0, 1, 0x7F, 0x80, 0xFF, 0x0D, 0x2A, 0x22, 0x2C, 0x5B, 0x7B]
INT32 = [0, -1, 1, 2**31 - 1, -2**31, 2**16, 7, 77]


def mutate(data, rng):
    data = bytearray(data)
    for _ in range(rng.randint(1, 4)):
        kind = rng.randrange(6)
        if not data:
            data = bytearray(b"\x00")
        at = rng.randrange(len(data))
        if kind == 0:
            data[at] ^= 1 << rng.randrange(8)
        elif kind == 1:
            data[at] = rng.choice(INTERESTING)
        elif kind == 2 and len(data) >= 4:
            at = rng.randrange(len(data) - 3)
            data[at:at + 4] = struct.pack("<i" if rng.random() < 0.5 else ">i", rng.choice(INT32))
        elif kind == 3:
            del data[rng.randrange(len(data)):]
        elif kind == 4:
            data[at:at] = bytes(rng.randrange(256) for _ in range(rng.randint(1, 16)))
        else:
            j = rng.randrange(len(data))
            data[min(at, j):max(at, j)] = b""
    return bytes(data)


def one(args):
    geovote, seed, timeout, keep = args
    rng = random.Random(seed)
    kind, base = SEEDS[seed % len(SEEDS)]
    work = tempfile.mkdtemp(prefix="geovote-mutate-")
    try:
        if kind == "shapefile":
            exts = [e for e in ("shp", "shx", "dbf", "prj", "cpg") if os.path.exists(base + "." + e)]
            victim = rng.choice(["shp", "shx", "dbf"])
            for e in exts:
                with open(base + "." + e, "rb") as f:
                    data = f.read()
                if e == victim:
                    data = mutate(data, rng)
                with open(os.path.join(work, "m." + e), "wb") as f:
                    f.write(data)
            target = os.path.join(work, "m.shp")
        else:
            ext = os.path.splitext(base)[1]
            with open(base, "rb") as f:
                data = mutate(f.read(), rng)
            target = os.path.join(work, "m" + ext)
            with open(target, "wb") as f:
                f.write(data)
        commands = [["info", target]]
        if kind != "csv":
            commands += [["weights", target, "--type", "knn", "--k", "2", "--geodesic", "--output", os.path.join(work, "w.gwt")],
                         ["convert", target, "--output", os.path.join(work, "out.geojson")]]
        for command in commands:
            try:
                result = subprocess.run([geovote] + command, capture_output=True, timeout=timeout)
            except subprocess.TimeoutExpired:
                return (seed, base, command[0], "timeout after %ss" % timeout, work)
            if result.returncode < 0 or result.returncode not in (0, 1, 64):
                err = result.stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or [""]
                return (seed, base, command[0], "exit %d %s" % (result.returncode, err[0][:160]), work)
        shutil.rmtree(work, ignore_errors=True)
        return None
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--geovote", default=os.path.join(ROOT, ".build", "release", "geovote"))
    p.add_argument("--count", type=int, default=1000)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--jobs", type=int, default=os.cpu_count() or 2)
    p.add_argument("--timeout", type=float, default=20)
    p.add_argument("--keep", help="folder for the files that broke geovote")
    a = p.parse_args()
    defects = 0
    tasks = [(a.geovote, a.seed * 1_000_003 + k, a.timeout, a.keep) for k in range(a.count)]
    with concurrent.futures.ThreadPoolExecutor(a.jobs) as pool:
        for found in pool.map(one, tasks):
            if found is None:
                continue
            defects += 1
            seed, base, command, what, work = found
            print("seed %d %s (%s): %s" % (seed, os.path.relpath(base, ROOT), command, what), flush=True)
            if a.keep:
                shutil.copytree(work, os.path.join(a.keep, "seed-%d" % seed), dirs_exist_ok=True)
            shutil.rmtree(work, ignore_errors=True)
    print("%d mutations, %d defects" % (a.count, defects))
    sys.exit(1 if defects else 0)


if __name__ == "__main__":
    main()
