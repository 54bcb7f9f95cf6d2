#!/usr/bin/env bash
# One command for the whole check: venv, install, lint, and the test suite (in two pytest runs:
# everything but the browser tests, then the browser tests).
# Uses PostgreSQL and Redis on 127.0.0.1 when they answer (or DATABASE_URL / REDIS_URL when set);
# otherwise runs on SQLite and reports the tests that need them as skipped.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh

port_open() { .venv/bin/python -c "import socket,sys; socket.create_connection(('127.0.0.1', int(sys.argv[1])), 1)" "$1" 2>/dev/null; }
if [ -z "${DATABASE_URL:-}" ] && port_open 5432; then
  export DATABASE_URL=postgres://postgres@127.0.0.1:5432/test
fi
if [ -z "${REDIS_URL:-}" ] && port_open 6379; then
  # Broker on database 14, cache on 15: never the numbers a development stack uses.
  export REDIS_URL=redis://127.0.0.1:6379/14
fi
echo "tests: DATABASE_URL=${DATABASE_URL:-sqlite (default)} REDIS_URL=${REDIS_URL:-none}"

.venv/bin/ruff check .
.venv/bin/ruff format --check .
.venv/bin/python manage.py makemigrations --check --dry-run --settings=clinic.settings.test >/dev/null \
  || { echo "Models changed without a migration: run manage.py makemigrations"; exit 1; }
# Browser tests run in a pytest of their own: once Playwright's session event loop exists, async
# views (/readyz) cannot be called through Django's test client in that process
# ("You cannot use AsyncToSync in the same thread as an async event loop"). Exit code 5 means "no
# test selected", fine for one half.
status=0
.venv/bin/python -m pytest -m "not browser" "$@" || status=$?
[ "$status" -eq 5 ] && status=0
browser_status=0
.venv/bin/python -m pytest -m browser "$@" || browser_status=$?
[ "$browser_status" -eq 5 ] && browser_status=0
if [ "$status" -eq 0 ] && [ "$browser_status" -ne 0 ]; then status=$browser_status; fi
exit "$status"
