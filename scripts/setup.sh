#!/usr/bin/env bash
# Creates .venv and installs the locked requirements into it; does nothing when they are unchanged.
#
#   bash scripts/setup.sh          # production's requirements.txt plus requirements-dev.txt (tests, tools)
#   bash scripts/setup.sh --prod   # requirements.txt only, as a production host installs
#
# Both files are locks with a hash for every package (pip-tools), so pip refuses anything else.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3.11}
command -v "$PYTHON" >/dev/null || PYTHON=python3
files=(requirements.txt requirements-dev.txt)
[ "${1:-}" = "--prod" ] && files=(requirements.txt)
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
stamp=.venv/.requirements.sha256
want=$(cat "${files[@]}" | sha256sum | cut -d' ' -f1)
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  args=()
  for f in "${files[@]}"; do args+=(-r "$f"); done
  .venv/bin/python -m pip install --disable-pip-version-check -q --require-hashes "${args[@]}"
  echo "$want" > "$stamp"
fi
