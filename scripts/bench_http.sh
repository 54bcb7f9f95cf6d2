#!/usr/bin/env bash
# The public pages and the diary over real HTTP (gunicorn, production settings, PostgreSQL, Redis)
# against a trivial view on the same stack, driven by Debian's wrk (docs/benchmarks.md).
#
#   bash scripts/bench_http.sh                 # or: make bench-http   (prints the table)
#   bash scripts/bench_http.sh --write         # also writes it into docs/benchmarks.md
#
# Needs PostgreSQL on 127.0.0.1:5432 (it creates and drops the database clinic_bench_http), Redis
# (REDIS_URL's server; databases 10 and 11 are flushed) and wrk (apt-get install wrk); uses port 18700.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
command -v wrk >/dev/null || { echo "wrk is not installed: apt-get install wrk"; exit 1; }
exec .venv/bin/python bench/http_load.py "$@"
