#!/usr/bin/env bash
# Rebuilds the small committed sample from public sources.
# - outline.*: the Natural Earth 1:50m country features "Morocco" and
#   "Western Sahara" (public domain), from Debian's r-cran-rnaturalearthdata.
# - capitals.*: the 12 region capitals of the 2015 division (approximate
#   city-centre coordinates, WGS 84) with region names in French and Arabic,
#   from capitals.csv.
# Needs: r-cran-sf, r-cran-rnaturalearthdata, gdal-bin (test-time tools only).
set -euo pipefail
cd "$(dirname "$0")"
tmp=$(mktemp -d)
Rscript -e 'suppressMessages({library(sf); library(rnaturalearthdata)});
  x <- st_as_sf(rnaturalearthdata::countries50);
  m <- x[x$admin %in% c("Morocco", "Western Sahara"), c("admin", "name", "iso_a3", "pop_est")];
  st_write(m, commandArgs(TRUE)[1], quiet = TRUE)' "$tmp/outline.geojson"
rm -f outline.* capitals.shp capitals.shx capitals.dbf capitals.prj capitals.cpg
ogr2ogr -f "ESRI Shapefile" -lco ENCODING=UTF-8 -a_srs EPSG:4326 outline.shp "$tmp/outline.geojson"
ogr2ogr -f "ESRI Shapefile" -lco ENCODING=UTF-8 -a_srs EPSG:4326 \
  -oo X_POSSIBLE_NAMES=lon -oo Y_POSSIBLE_NAMES=lat -oo KEEP_GEOM_COLUMNS=NO \
  -oo QUOTED_FIELDS_AS_STRING=YES -oo EMPTY_STRING_AS_NULL=YES \
  capitals.shp capitals.csv
# capitals.csvt keeps "code" text (leading zeros).
rm -rf "$tmp"
