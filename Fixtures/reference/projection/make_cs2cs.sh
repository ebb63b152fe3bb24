#!/usr/bin/env bash
# Reference values for the PROJ bridge: the 12 region capitals of
# Fixtures/sample/capitals.csv transformed from EPSG:4326 by PROJ's own cs2cs
# (Debian proj-bin), to Merchich Nord/Sud Maroc and UTM 29N/30N.
# cs2cs reads EPSG:4326 input as latitude, longitude: columns are swapped
# on the way in. Output: cs2cs_capitals.csv (lon,lat,epsg,x,y; mm precision+).
set -euo pipefail
cd "$(dirname "$0")"
{
  echo "# cs2cs $(cs2cs 2>&1 | head -1 | sed 's/^Rel. //')"
  echo "lon,lat,epsg,x,y"
  for epsg in 26191 26192 32629 32630; do
    tail -n +2 ../../sample/capitals.csv | awk -F, '{print $(NF), $(NF-1)}' \
      | cs2cs -f %.6f EPSG:4326 EPSG:$epsg \
      | paste -d' ' <(tail -n +2 ../../sample/capitals.csv | awk -F, '{print $(NF-1), $NF}') - \
      | awk -v e=$epsg '{printf "%s,%s,%s,%s,%s\n", $1, $2, e, $3, $4}'
  done
} > cs2cs_capitals.csv
