#!/usr/bin/env bash
# Creates the virtualenv that runs the Python reference scripts. Never used by
# the tests: they read the committed values. Usage: Fixtures/reference/setup_venv.sh [DIR]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
venv="${1:-$here/../../.venv-reference}"
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
"$venv/bin/pip" install -q -r "$here/requirements.txt"
echo "$venv"
