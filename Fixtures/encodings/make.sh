#!/bin/sh
# Encoding fixtures written by an independent writer (GDAL's ogr2ogr), so that
# GeoVote's reader is not checked against its own writer, and a French-locale
# results CSV as spreadsheets export it. Needs gdal-bin and python3.
# Run from anywhere: sh Fixtures/encodings/make.sh
set -e
cd "$(dirname "$0")"
SRC=../sample/capitals.shp
rm -f capitals_cp1256.* capitals_iso8859_6.*
# Windows-1256 holds Arabic and the French accented letters used here.
ogr2ogr -f "ESRI Shapefile" -lco ENCODING=CP1256 capitals_cp1256.shp "$SRC"
# ISO-8859-6 holds Arabic and ASCII only: the Arabic and code columns.
ogr2ogr -f "ESRI Shapefile" -lco ENCODING=ISO-8859-6 -select code,region_ar capitals_iso8859_6.shp "$SRC"
python3 - <<'PY'
# Results for 11 of the 12 regions (code 12 is missing) plus one code (13)
# that no region has; ';' separator, decimal comma, UTF-8 with a BOM, CRLF,
# a quoted name holding the separator and a line break, codes with leading zeros.
rows = [
    ("01", "Tanger-Tétouan-Al Hoceïma", "طنجة تطوان الحسيمة", 1834567, "41,2", 120345),
    ("02", "L'Oriental", "الشرق", 1123456, "38,75", 98012),
    ("03", "Fès-Meknès", "فاس مكناس", 2234567, "45,1", 150321),
    ("04", "Rabat-Salé-Kénitra", "الرباط سلا القنيطرة", 2534567, "39,9", 170034),
    ("05", "Béni Mellal-Khénifra", "بني ملال خنيفرة", 1434567, "52,3", 88123),
    ("06", "Casablanca-Settat", "الدار البيضاء سطات", 3634567, "36,05", 210987),
    ("07", "Marrakech-Safi", "مراكش آسفي", 2434567, "48,6", 160234),
    ("08", "Drâa-Tafilalet", "درعة تافيلالت", 934567, "57,4", 77345),
    ("09", "Souss-Massa", "سوس ماسة", 1534567, "46,2", 99456),
    ("10", "Guelmim-Oued Noun", "كلميم واد نون", 234567, "63,8", 20567),
    ("11", "Laâyoune-Sakia El Hamra", "العيون الساقية الحمراء", 184567, "66,9", 18678),
    ("13", "Inconnue; \"test\"\nligne 2", "مجهولة", 1000, "50", 10),
]
def q(v):
    v = str(v)
    return '"' + v.replace('"', '""') + '"' if any(c in v for c in ';"\n') else v
lines = ["code;nom_fr;nom_ar;inscrits;participation;votes_rni"]
lines += [";".join(q(v) for v in r) for r in rows]
with open("results_fr.csv", "wb") as f:
    f.write(b"\xef\xbb\xbf" + "\r\n".join(lines).encode("utf-8") + b"\r\n")
PY

# Results of the Morocco fixture's communes as a French-locale spreadsheet
# exports them (';', decimal comma, BOM, CRLF): every commune but the last
# five, plus two codes no commune has; a participation rate with a decimal comma.
tmp=$(mktemp -d)
ogr2ogr -f CSV "$tmp/communes.csv" ../morocco/communes.shp -select code,name_fr,registered,voters,PJD,valid
python3 - "$tmp/communes.csv" <<'PY'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1], encoding="utf-8")))
out = ["code;nom;inscrits;votants;participation;PJD;exprimes"]
for r in rows[:-5] + [dict(rows[0], code="990001"), dict(rows[1], code="990002")]:
    part = "%.2f" % (100.0 * int(r["voters"]) / int(r["registered"]))
    out.append(";".join([r["code"], '"%s"' % r["name_fr"], r["registered"], r["voters"], part.replace(".", ","), r["PJD"], r["valid"]]))
open("communes_results_fr.csv", "wb").write(b"\xef\xbb\xbf" + "\r\n".join(out).encode("utf-8") + b"\r\n")
PY
rm -rf "$tmp"
