# GeoVote — the README's commands.
#   make run    set-up, release build, the main job on the bundled fixture
#   make test   set-up and the whole test suite (what CI runs)
#   make bench  the benchmark workloads (see BENCHMARKS.md)
#   make docs   the library's DocC documentation, into docs/

SWIFT        ?= swift
RELEASE_BIN  := .build/release
OUT          ?= out
BENCH_SIZE   ?= 50000

# Debian packages: the C libraries GeoVote links, pkg-config, and the tools
# the tests use (GDAL's ogr2ogr as an oracle, valgrind for the leak check,
# headless Chromium for the HTML report); pango and the Noto fonts draw map text.
BUILD_PACKAGES := libgeos-dev libproj-dev libshp-dev libsqlite3-dev libtiff-dev libgeotiff-dev libdeflate-dev libcairo2-dev libpango1.0-dev fonts-noto-core fonts-dejavu-core pkg-config
TEST_PACKAGES  := gdal-bin python3-gdal valgrind sqlite3 chromium
# Only to recompute reference values (Fixtures/reference/*): never in tests.
REFERENCE_PACKAGES := proj-bin r-cran-sf r-cran-spdep r-cran-spdata r-cran-rnaturalearthdata python3-venv

SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

define apt_install
	@missing=""; for p in $(1); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages:$$missing"; \
	  $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	fi
endef

.PHONY: setup setup-test setup-references build run test test-suite test-sanitizers leakcheck library abi-check python-test bench bench-peers docs examples fuzz-mutations fuzz asan-tests sanitize clean

setup:
	$(call apt_install,$(BUILD_PACKAGES))

setup-test: setup
	$(call apt_install,$(TEST_PACKAGES))

setup-references: setup-test
	$(call apt_install,$(REFERENCE_PACKAGES))

build: setup
	$(SWIFT) build -c release

run: build
	@mkdir -p $(OUT)
	$(RELEASE_BIN)/geovote info Fixtures/morocco/communes.shp
	$(RELEASE_BIN)/geovote synth --communes 1500 --stations 40000 --seed 2021 --elections 3 --output $(OUT)/morocco
	$(RELEASE_BIN)/geovote info $(OUT)/morocco/stations_utm29n.shp
	$(RELEASE_BIN)/geovote weights Fixtures/morocco/communes_utm29n.shp --type queen --id code --output $(OUT)/communes_queen.gal
	$(RELEASE_BIN)/geovote moran Fixtures/morocco/communes_utm29n.shp --field PJD/valid --weights queen --permutations 999
	$(RELEASE_BIN)/geovote hotspots Fixtures/morocco/communes_utm29n.shp --field all/valid,voters/registered \
	  --statistic gistar,local-moran --weights queen --permutations 999 --seed 2021 --id code --output $(OUT)/morocco_hotspots.csv
	$(RELEASE_BIN)/geovote batch Fixtures/morocco/hotspots_job.json
	$(RELEASE_BIN)/geovote join Fixtures/sample/capitals.shp Fixtures/encodings/results_fr.csv --key code \
	  --output $(OUT)/capitals_results.geojson --unmatched $(OUT)/capitals_unmatched.csv
	$(RELEASE_BIN)/geovote cluster $(OUT)/morocco/stations_utm29n.shp --method hdbscan --min-cluster-size 50 --id code,commune \
	  --output $(OUT)/stations_hdbscan.csv
	$(RELEASE_BIN)/geovote cluster $(OUT)/morocco/stations_utm29n.shp --method dbscan --eps 2000 --min-samples 5000 --weight registered \
	  --id code --output $(OUT)/stations_dbscan.geojson
	$(RELEASE_BIN)/geovote isa Fixtures/morocco/communes_utm29n.shp --share PJD/valid --output $(OUT)/morocco_isa_pjd.csv
	$(RELEASE_BIN)/geovote ohsa Fixtures/morocco/communes_utm29n.shp --share PJD/valid --output $(OUT)/morocco_ohsa_pjd.shp
	$(RELEASE_BIN)/geovote ohsa $(OUT)/morocco/stations_utm29n.shp --share PJD/valid --aggregate hexagon --output $(OUT)/stations_ohsa_hex_pjd.geojson
	$(RELEASE_BIN)/geovote zones Fixtures/morocco/communes_utm29n.shp --parties all/valid --id code --output $(OUT)/morocco_zones.geojson
	$(RELEASE_BIN)/geovote zones Fixtures/morocco/communes_utm29n.shp --share PJD/valid --id code --top 3 --output $(OUT)/morocco_zones_pjd.shp
	$(RELEASE_BIN)/geovote raster Fixtures/morocco/communes_utm29n.shp --method coverage --all-parties --turnout voters/registered \
	  --resolution 2000 --output $(OUT)/morocco_shares.tif --png $(OUT)/morocco_pjd.png --png-band PJD
	$(RELEASE_BIN)/geovote raster $(OUT)/morocco/stations_utm29n.shp --method kernel --all-parties --bandwidth 10000 \
	  --resolution 2000 --output $(OUT)/stations_kernel.tif --png $(OUT)/stations_winner.png --png-band winner
	rm -f $(OUT)/morocco.gpkg
	$(RELEASE_BIN)/geovote db create $(OUT)/morocco.gpkg
	$(RELEASE_BIN)/geovote db import $(OUT)/morocco.gpkg --election legislative-2021 --kind legislative --date 2021-09-08 --level commune \
	  --boundaries Fixtures/morocco/communes_utm29n.shp --key code --party-table Fixtures/morocco/parties.csv
	$(RELEASE_BIN)/geovote db import $(OUT)/morocco.gpkg --election legislative-2016 --kind legislative --date 2016-10-07 --level commune \
	  --boundaries Fixtures/morocco/communes_utm29n.shp --results Fixtures/reference/database/results_2016.csv --key code:code
	$(RELEASE_BIN)/geovote db import $(OUT)/morocco.gpkg --election legislative-2011 --kind legislative --date 2011-11-25 --level commune \
	  --boundaries Fixtures/morocco/communes_utm29n.shp --results Fixtures/reference/emerging/results_2011.csv --key code:code
	$(RELEASE_BIN)/geovote db aggregate $(OUT)/morocco.gpkg --election legislative-2021 --from commune --to region --by region
	$(RELEASE_BIN)/geovote db swing $(OUT)/morocco.gpkg --from legislative-2016 --to legislative-2021 --level commune --output $(OUT)/morocco.gpkg:swing_2016_2021
	$(RELEASE_BIN)/geovote hotspots $(OUT)/morocco.gpkg:swing_2016_2021 --field d_PJD --statistic gistar --weights queen --id unit \
	  --output $(OUT)/morocco.gpkg:hotspots_swing_pjd
	$(RELEASE_BIN)/geovote transitions $(OUT)/morocco.gpkg --share PJD/valid --from 2016 --to 2021 --output $(OUT)/morocco_pjd_transitions.csv
	$(RELEASE_BIN)/geovote strongholds $(OUT)/morocco.gpkg --share PJD/valid --from 2016 --to 2021 --output $(OUT)/morocco_pjd_strongholds.geojson
	$(RELEASE_BIN)/geovote emerging $(OUT)/morocco.gpkg --share PJD/valid --elections 2011,2016,2021 --output $(OUT)/morocco.gpkg:emerging_pjd
	rm -f $(OUT)/morocco3.gpkg
	$(RELEASE_BIN)/geovote db create $(OUT)/morocco3.gpkg
	$(RELEASE_BIN)/geovote db import $(OUT)/morocco3.gpkg --election legislative-2021 --level commune --boundaries Fixtures/morocco/communes_utm29n.shp --key code
	for year in 2016 2011; do $(RELEASE_BIN)/geovote db import $(OUT)/morocco3.gpkg --election legislative-$$year --level commune \
	  --boundaries Fixtures/morocco/communes_utm29n.shp --results $(OUT)/morocco/results_$$year.csv --key code:code || exit 1; done
	$(RELEASE_BIN)/geovote emerging $(OUT)/morocco3.gpkg --share MP/valid --elections 2011,2016,2021 --output $(OUT)/morocco3_emerging_mp.csv
	$(RELEASE_BIN)/geovote db list $(OUT)/morocco.gpkg
	$(RELEASE_BIN)/geovote map $(OUT)/morocco_pjd_arcgis.shp --column Gi_Bin --title "PJD hot spots (Gi*, 2021)" --output $(OUT)/morocco_pjd_hotspots.png
	$(RELEASE_BIN)/geovote map Fixtures/morocco/communes_utm29n.shp --column PJD --classes jenks --label name_ar \
	  --zones $(OUT)/morocco_zones_pjd.shp --title "PJD votes, natural breaks, with its zones" --output $(OUT)/morocco_pjd_votes.svg
	$(RELEASE_BIN)/geovote report Fixtures/morocco/hotspots_job.json --output $(OUT)/report
	@echo "the report: $(OUT)/report/index.html"

# Optimised, as the tools are used: the permutation tests run up to 999,999
# draws per unit (4 min in a debug build, under 30 s optimised).
#
# Two chains side by side (make -j2), since each build is mostly one core
# for long stretches: the suite (release build, tests, leak check, examples,
# docs) and the sanitizers (libFuzzer + AddressSanitizer targets for
# FUZZ_SECONDS each, then ThreadSanitizer). Each builds in its own folder;
# dependencies are resolved once before, so neither rewrites Package.resolved.
# Any failure in either fails make test.
test: setup-test
	$(SWIFT) package resolve
	$(SWIFT) package --package-path bench/fuzz resolve
	$(MAKE) -j2 --output-sync=line test-suite test-sanitizers

test-suite:
	$(SWIFT) build -c release --build-tests
	GEOVOTE_BROWSER_TEST=required $(SWIFT) test -c release --skip-build
	$(MAKE) leakcheck
	$(MAKE) abi-check
	$(MAKE) python-test
	$(MAKE) examples
	$(MAKE) docs

test-sanitizers:
	$(MAKE) fuzz FUZZ_SECONDS=12
	$(MAKE) sanitize

# The C interface (include/geovote.h) as .build/release/libgeovote.so: the
# dynamic product GeoVoteC (SwiftPM names the file after the product; its
# SONAME is libgeovote.so), linked under the interface's name.
library: setup
	$(SWIFT) build -c release --product GeoVoteC
	ln -sf libGeoVoteC.so $(RELEASE_BIN)/libgeovote.so

# A C host program of libgeovote.so (Tests/C/abi_check.c): every function and
# error path, 20 rounds; then under valgrind 2 rounds and 10,000 quick calls:
# no definitely or indirectly lost block.
abi-check: library
	$(call apt_install,valgrind gcc libc6-dev)
	cc -O1 -Wall -Wextra -Werror -I include Tests/C/abi_check.c -L$(RELEASE_BIN) -lgeovote -Wl,-rpath,$(CURDIR)/$(RELEASE_BIN) -o $(RELEASE_BIN)/abi_check
	$(RELEASE_BIN)/abi_check Fixtures/morocco/communes_utm29n.shp 20
	valgrind --quiet --leak-check=full --show-leak-kinds=definite,indirect --undef-value-errors=no \
	  --errors-for-leak-kinds=definite,indirect --error-exitcode=3 \
	  $(RELEASE_BIN)/abi_check Fixtures/morocco/communes_utm29n.shp 2 >/dev/null
	@echo "abi-check: valgrind, 0 blocks lost"

# The Python package (python/): a virtualenv with the pinned test
# dependencies, the package installed from the checkout (its setup.py runs
# make library and ships the library inside it), pytest against the CLI's
# bytes and esda's committed values.
PYTHON_VENV ?= .venv-python
python-test: library
	$(call apt_install,python3-venv python3-pip)
	test -x $(PYTHON_VENV)/bin/python || python3 -m venv $(PYTHON_VENV)
	$(PYTHON_VENV)/bin/pip install -q --disable-pip-version-check -r python/requirements-test.txt
	$(PYTHON_VENV)/bin/pip install -q --disable-pip-version-check --no-build-isolation --no-deps --force-reinstall ./python
	$(PYTHON_VENV)/bin/python -m pytest -q -p no:cacheprovider python/tests

# GEOS conversions in a loop under valgrind: no definitely or indirectly lost block.
leakcheck: setup-test
	$(SWIFT) build -c release --product geovote-bench
	valgrind --quiet --leak-check=full --show-leak-kinds=definite,indirect --undef-value-errors=no \
	  --errors-for-leak-kinds=definite,indirect --error-exitcode=3 \
	  $(RELEASE_BIN)/geovote-bench geos-convert --size 300 --repeat 2 --threads 2 >/dev/null
	@echo "leakcheck: 0 blocks lost"

# GeoVote's workloads, each in a fresh process (BENCHMARKS.md, first table).
bench: build
	$(RELEASE_BIN)/geovote-bench all --size $(BENCH_SIZE)

# The same workloads side by side with the peers, in a pinned virtualenv
# (.venv-peers, made by bench/peers/setup.sh): BENCHMARKS.md, peer tables.
bench-peers: build
	$(call apt_install,python3-venv)
	bench/peers/setup.sh .venv-peers
	.venv-peers/bin/python bench/peers/run.py --size $(BENCH_SIZE) --repeat 5 --markdown

clean:
	rm -rf .build $(OUT)

# The DocC documentation of the library (GeoVoteEngine.docc and the doc
# comments), as a static site in docs/.
docs: setup
	$(SWIFT) package --allow-writing-to-directory docs generate-documentation --target GeoVoteEngine \
	  --output-path docs --transform-for-static-hosting --warnings-as-errors

# The example programs (Examples/), which use the library's public API only
# (executable targets of this package: make test's release build makes them),
# run on the bundled fixture.
EXAMPLES := hotspots-example strongholds-example rasters-example
examples: setup
	$(SWIFT) build -c release $(foreach e,$(EXAMPLES),--product $(e))
	@for e in $(EXAMPLES); do $(RELEASE_BIN)/$$e Fixtures/morocco/communes_utm29n.shp $(OUT)/example || exit 1; done

# Seeded mutations of the fixture's shapefiles, GeoJSON and CSV, each read by
# geovote info / weights / convert: any signal or hang fails (bench/fuzz/mutate.py).
MUTATIONS ?= 10000
fuzz-mutations: build
	python3 bench/fuzz/mutate.py --geovote $(RELEASE_BIN)/geovote --count $(MUTATIONS) --seed 1 --keep $(OUT)/mutations

# libFuzzer targets of the readers (bench/fuzz: shapefile triple, DBF, .prj,
# GeoJSON, CSV, weights files, job files) under AddressSanitizer, each for
# FUZZ_SECONDS from seeds made of Fixtures/; a crash, leak or timeout fails and
# leaves its input in out/fuzz/found-TARGET/. make test runs them briefly.
# SwiftPM's --sanitize=fuzzer instruments the fuzz package's own targets
# only: -Xswiftc -sanitize=fuzzer gives the engine libFuzzer's coverage
# counters too (52,645 instead of 162), without which the fuzzers are blind.
FUZZ_SECONDS ?= 60
FUZZ_TARGETS := shapefile dbf prj geojson csv weights job geopackage
fuzz: setup
	$(SWIFT) build --package-path bench/fuzz -c release --sanitize=fuzzer --sanitize=address -Xswiftc -sanitize=fuzzer
	python3 bench/fuzz/seeds.py $(OUT)/fuzz
	@for t in $(FUZZ_TARGETS); do \
	  mkdir -p $(OUT)/fuzz/found-$$t; \
	  echo "fuzz-$$t: $(FUZZ_SECONDS) s"; \
	  LSAN_OPTIONS=suppressions=bench/fuzz/lsan.supp bench/fuzz/.build/release/fuzz-$$t -max_total_time=$(FUZZ_SECONDS) -timeout=10 -rss_limit_mb=4096 \
	    -print_final_stats=1 -artifact_prefix=$(OUT)/fuzz/found-$$t/ $(OUT)/fuzz/corpus-$$t 2>$(OUT)/fuzz/fuzz-$$t.log \
	    || { tail -40 $(OUT)/fuzz/fuzz-$$t.log; exit 1; }; \
	  grep -E "stat::number_of_executed_units|cov:" $(OUT)/fuzz/fuzz-$$t.log | tail -2; \
	done

# The whole test suite under AddressSanitizer (a build of its own, .build-asan;
# about 8 minutes, so not part of make test). Leak detection is off: at exit
# XCTest and swift-argument-parser leave allocations that LeakSanitizer
# reports (and that change the exit statuses the CLI tests check).
asan-tests: setup-test
	ASAN_OPTIONS=detect_leaks=0 $(SWIFT) test -c release --sanitize=address --scratch-path .build-asan

# The parallel kernels under ThreadSanitizer (permutations in three draw
# schemes, contiguity, kNN, per-worker GEOS and PROJ contexts), on 2 threads;
# any report fails. A build of its own (.build-tsan).
SANITIZE_WORKLOADS := abi-threads gistar-999 local-moran-999 local-moran-shared-999 local-moran-geoda-999 queen rook knn8 distance-band geos-convert reproject validity-area dbscan hdbscan zones-all-parties raster-coverage raster-share-all raster-kernel write-geotiff map-png
sanitize: setup
	$(SWIFT) build -c release --sanitize=thread --product geovote-bench --scratch-path .build-tsan
	@for w in $(SANITIZE_WORKLOADS); do \
	  TSAN_OPTIONS="halt_on_error=1 exitcode=66" .build-tsan/release/geovote-bench $$w --size 2000 --repeat 1 --threads 2 >/dev/null \
	    || { echo "sanitize: $$w failed under ThreadSanitizer"; exit 1; }; \
	  echo "sanitize: $$w clean"; \
	done
