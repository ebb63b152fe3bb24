#!/bin/sh
# Regenerates the committed synthetic Morocco fixture (communes only; the
# 40,000 polling stations are made at run time by `make run`):
#   geovote synth --communes 1500 --stations 40000 --seed 2021 --no-stations
# The votes are SYNTHETIC (see README.txt). A test regenerates the files and
# compares bytes (Tests/EngineTests/Synthetic/SynthesizerTests.swift).
set -e
cd "$(dirname "$0")/../.."
swift build -c release --product geovote >/dev/null
.build/release/geovote synth --communes 1500 --stations 40000 --seed 2021 --no-stations --output Fixtures/morocco
