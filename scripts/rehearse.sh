#!/usr/bin/env bash
# The multi-host rehearsal (docs/operations.md, "Rehearsal"): two gunicorn hosts behind a
# health-checking balancer, two Celery workers, two beats, the fake Twilio, on PostgreSQL and
# Redis; a bounded load; one web host and one worker killed with kill -9 part way; then checks that
# nothing was lost, duplicated or overlapping, and reports 5xx per host and the time to settle.
#
#   bash scripts/rehearse.sh                      # or: make rehearse   (20 patients, 90 s)
#   bash scripts/rehearse.sh --short              # what CI runs: 10 patients, 40 s (under 3 minutes in all)
#
# Uses PostgreSQL at REHEARSAL_POSTGRES (default postgres://postgres@127.0.0.1:5432; the role needs
# CREATEDB) in its own database, Redis at REHEARSAL_REDIS_URL (default redis://127.0.0.1:6379/10,
# and database 11 for the cache), ports REHEARSAL_PORT_BASE..+9 (default 18660). Everything it
# starts is stopped, and its database dropped, when it ends. Logs: test-artifacts/rehearsal/.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
args=()
for arg in "$@"; do
  if [ "$arg" = "--short" ]; then
    args+=(--patients 10 --seconds 40 --settle-timeout 90)
  else
    args+=("$arg")
  fi
done
exec .venv/bin/python scripts/rehearse.py "${args[@]}"
