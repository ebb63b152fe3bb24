#!/usr/bin/env bash
# Creates the virtualenv of the peers (pinned in requirements.txt) that
# bench/peers/run.py measures GeoVote against. Usage: bench/peers/setup.sh [DIR]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
venv="${1:-$here/../../.venv-peers}"
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
"$venv/bin/pip" install -q -r "$here/requirements.txt"
echo "$venv"
