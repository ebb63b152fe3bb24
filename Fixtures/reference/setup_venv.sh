#!/usr/bin/env bash
# Creates a Python virtualenv from a pinned requirements file. Used for the
# reference scripts (never by the tests: they read the committed values) and,
# by bench/peers/setup.sh, for the benchmark peers.
# Usage: Fixtures/reference/setup_venv.sh [DIR] [REQUIREMENTS]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
venv="${1:-$here/../../.venv-reference}"
requirements="${2:-$here/requirements.txt}"
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
"$venv/bin/pip" install -q -r "$requirements"
echo "$venv"
