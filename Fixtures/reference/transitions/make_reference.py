#!/usr/bin/env python3
"""Reference LISA transitions from giddy's LISA_Markov (pins in
requirements.txt beside this script; a virtualenv apart from
../requirements.txt because giddy 2.3.8 requires esda < 2.9).

The two periods are each commune's share of valid votes of a party in the
earlier and the later election, as ../database/make_reference.py computed
them on the later (fixture) communes: swing_2016_2021.csv (same boundaries)
and swing_voronoi_2021.csv (a 2016 on other boundaries, carried by areal
interpolation). Weights: libpysal Queen of the fixture communes
(../data/morocco.shp), row-standardised by esda's Moran_Local.

Writes <case>_<party>.csv (per commune, in the layer's order: unit, q_from,
q_to, move_type) and <case>_<party>_counts.csv (giddy's transitions and p).

Run: $(Fixtures/reference/setup_venv.sh .venv-giddy Fixtures/reference/transitions/requirements.txt)/bin/python \
     Fixtures/reference/transitions/make_reference.py
"""
import os

import esda
import geopandas as gpd
import giddy
import libpysal
import numpy as np
import pandas as pd
from giddy.markov import LISA_Markov

HERE = os.path.dirname(os.path.abspath(__file__))
REF = os.path.join(HERE, "..")
HEAD = "# giddy %s, esda %s, libpysal %s\n" % (giddy.__version__, esda.__version__, libpysal.__version__)
CASES = {"same": "swing_2016_2021.csv", "voronoi": "swing_voronoi_2021.csv"}
PARTIES = ["MP", "PJD", "RNI"]

communes = gpd.read_file(os.path.join(REF, "data", "morocco.shp"))
w = libpysal.weights.Queen.from_dataframe(communes, use_index=False, silence_warnings=True)
assert not w.islands
codes = communes["code"].astype(str).tolist()
for case, file in CASES.items():
    swing = pd.read_csv(os.path.join(REF, "database", file), dtype={"unit": str}).set_index("unit").loc[codes]
    for party in PARTIES:
        y = np.column_stack([swing["s0_" + party].to_numpy(float), swing["s1_" + party].to_numpy(float)])
        lm = LISA_Markov(y, w)
        base = os.path.join(HERE, "%s_%s" % (case, party))
        with open(base + ".csv", "w") as f:
            f.write(HEAD + "# LISA_Markov(s0_%s, s1_%s of %s, Queen of the fixture communes)\n" % (party, party, file))
            f.write("unit,q_from,q_to,move_type\n")
            for i, code in enumerate(codes):
                f.write("%s,%d,%d,%d\n" % (code, lm.q[i, 0], lm.q[i, 1], lm.move_types[i, 0]))
        with open(base + "_counts.csv", "w") as f:
            f.write(HEAD + "# transitions (counts) and p (row probabilities), rows = the earlier quadrant 1 HH, 2 LH, 3 LL, 4 HL\n")
            f.write("from,HH,LH,LL,HL,p_HH,p_LH,p_LL,p_HL\n")
            for r in range(4):
                f.write("%d,%s,%s\n" % (r + 1, ",".join("%d" % v for v in lm.transitions[r]), ",".join(repr(float(v)) for v in lm.p[r])))
    print(case, "done")
