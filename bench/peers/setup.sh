#!/usr/bin/env bash
# Creates the virtualenv of the peers (pinned in requirements.txt) that
# bench/peers/run.py measures GeoVote against. Usage: bench/peers/setup.sh [DIR]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
exec "$here/../../Fixtures/reference/setup_venv.sh" "${1:-$here/../../.venv-peers}" "$here/requirements.txt"
