#!/usr/bin/env bash
# Our booking against the peer's (django-appointment 3.12.0) over real HTTP, both under gunicorn
# with 2 sync workers, driven by the same Python client in the same run (docs/benchmarks.md).
#
#   bash scripts/bench_peer.sh                 # or: make bench-peer   (prints the table)
#   bash scripts/bench_peer.sh --write         # also writes it into docs/benchmarks.md
#
# Needs PostgreSQL on 127.0.0.1:5432 (it creates and drops clinic_bench_peer_http and
# peer_bench_http), Redis (REDIS_URL's server; databases 10 and 11 are flushed) and PyPI (the
# peer is installed into a throwaway venv in a temporary directory); uses ports 18720 and 18721.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec .venv/bin/python bench/peer_http.py "$@"
