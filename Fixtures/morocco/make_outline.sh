#!/usr/bin/env bash
# Builds the outline of the area where the 2021 elections were held (the 12
# regions): the union of the Natural Earth 1:50m country features "Morocco"
# and "Western Sahara" (public domain), from Debian's r-cran-rnaturalearthdata
# (installed by `make setup-references`), then writes
#   outline.geojson                              (committed, WGS 84)
#   ../../Sources/Engine/Synthetic/MoroccoOutline.swift  (the same rings, compiled
#                                                  into `geovote synth`)
# Run from anywhere: bash Fixtures/morocco/make_outline.sh
set -euo pipefail
cd "$(dirname "$0")"
Rscript -e 'suppressMessages({library(sf); library(rnaturalearthdata)});
  sf_use_s2(FALSE);
  x <- st_as_sf(rnaturalearthdata::countries50);
  m <- x[x$admin %in% c("Morocco", "Western Sahara"), ];
  u <- st_sf(name = "Morocco 2021 election area (12 regions)",
             source = "Natural Earth 1:50m admin 0 countries: Morocco + Western Sahara, union (r-cran-rnaturalearthdata)",
             geometry = st_union(st_geometry(m)));
  st_write(u, "outline.geojson", delete_dsn = TRUE, quiet = TRUE,
           layer_options = c("COORDINATE_PRECISION=7", "RFC7946=YES"))'
python3 - <<'PY'
import json
g = json.load(open("outline.geojson"))["features"][0]["geometry"]
polys = g["coordinates"] if g["type"] == "MultiPolygon" else [g["coordinates"]]
out = ["# Morocco and Western Sahara, Natural Earth 1:50m (public domain), WGS 84 lon/lat.",
       "# Made by Fixtures/morocco/make_outline.sh. One ring a line: x0 y0 x1 y1 ...; a line 'polygon' starts a polygon (exterior ring first)."]
for p in polys:
    out.append("polygon")
    for ring in p:
        out.append(" ".join(repr(float(v)) for xy in ring for v in xy[:2]))
open("../../Sources/Synthetic/Resources/morocco_outline.txt", "w").write("\n".join(out) + "\n")
print(g["type"], len(polys), "polygons,", sum(len(r) for p in polys for r in p), "positions")
PY
