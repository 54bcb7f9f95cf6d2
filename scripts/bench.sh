#!/usr/bin/env bash
# The benchmark workload (docs/benchmarks.md): SQLite, and PostgreSQL when 127.0.0.1:5432 answers.
#
#   bash scripts/bench.sh                      # or: make bench   (all sizes, writes docs/benchmarks.md)
#   bash scripts/bench.sh --engines sqlite --sizes 30      # a quick look, nothing written
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
if [ $# -eq 0 ]; then
  set -- --write
fi
exec .venv/bin/python bench/run.py "$@"
