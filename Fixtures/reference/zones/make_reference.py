#!/usr/bin/env python3
"""Reference zones for GeoVote's stronghold zones (Tests/EngineTests/Clustering/StrongholdZonesTests.swift).

Usage (after Fixtures/reference/setup_venv.sh):
    .venv-reference/bin/python Fixtures/reference/zones/make_reference.py

Independently of GeoVote: queen contiguity from libpysal, Gi* from esda
(G_Local, star=True, binary weights, its analytic z), ArcGIS's Gi_Bin from the
two-sided normal p (+-3/2/1 at p <= 0.01/0.05/0.10), then the zones as the
connected components of hot (and of cold) units under the same weights, by
scipy.sparse.csgraph.connected_components. One row per (variable, confidence,
zone): the type and the members' codes, sorted.

Data: NY8 (spData, real: leukaemia cases over population by census tract,
Cases/POP8, id AREAKEY) and the fixture's communes (PJD/valid and RNI/valid, id code).
"""
import os
import numpy as np
import pandas as pd
import pyogrio
import libpysal
import esda
import scipy
from scipy.sparse.csgraph import connected_components
from scipy.stats import norm

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.join(HERE, "..", "..")

sets = [
    ("NY8", os.path.join(ROOT, "reference", "data", "NY8.shp"), "AREAKEY", ["Cases/POP8"]),
    ("morocco", os.path.join(ROOT, "morocco", "communes_utm29n.shp"), "code", ["PJD/valid", "RNI/valid"]),
]
rows = []
for name, path, key, variables in sets:
    df = pyogrio.read_dataframe(path)
    w = libpysal.weights.Queen.from_dataframe(df, use_index=False)
    w.transform = "B"
    codes = df[key].astype(str).to_numpy()
    for variable in variables:
        num, den = variable.split("/")
        y = df[num].to_numpy(dtype=float) / df[den].to_numpy(dtype=float)
        g = esda.G_Local(y, w, transform="B", star=True, permutations=0)
        p = 2 * norm.sf(np.abs(g.Zs))
        bins = np.where(p <= 0.01, 3, np.where(p <= 0.05, 2, np.where(p <= 0.10, 1, 0))) * np.sign(g.Zs).astype(int)
        A = w.sparse.tocsr()
        for confidence, level in [(90, 1), (95, 2), (99, 3)]:
            for kind, mask in [("hot", bins >= level), ("cold", bins <= -level)]:
                idx = np.flatnonzero(mask)
                if len(idx) == 0:
                    continue
                sub = A[idx][:, idx]
                count, labels = connected_components(sub, directed=False)
                for c in range(count):
                    members = sorted(codes[idx[labels == c]])
                    rows.append(dict(dataset=name, variable=variable, confidence=confidence, type=kind,
                                     units=len(members), codes=";".join(members)))
out = pd.DataFrame(rows).sort_values(["dataset", "variable", "confidence", "type", "codes"])
out.to_csv(os.path.join(HERE, "zones.csv"), index=False)
with open(os.path.join(HERE, "versions.txt"), "w") as f:
    f.write(f"libpysal {libpysal.__version__}\nesda {esda.__version__}\nscipy {scipy.__version__}\n")
print(out.groupby(["dataset", "variable", "confidence", "type"]).size())
