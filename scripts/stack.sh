#!/usr/bin/env bash
# The production-like stack on this machine: gunicorn, a Celery worker and beat (the Procfile),
# run by honcho against PostgreSQL and Redis on 127.0.0.1, with production settings.
#
# Without TWILIO_ACCOUNT_SID, texts go to a fake Twilio API on 127.0.0.1 that prints them and
# reports them delivered through the signed status webhook; set the TWILIO_* variables (see
# docs/sms.md) to send real texts.
#
#   bash scripts/stack.sh            # or: make stack      -> http://localhost:8000/
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh

export PORT=${PORT:-8000}
export DJANGO_SETTINGS_MODULE=${DJANGO_SETTINGS_MODULE:-clinic.settings.prod}
export DATABASE_URL=${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/clinic_stack}
export REDIS_URL=${REDIS_URL:-redis://127.0.0.1:6379/0}   # broker /0, cache /1
export SECRET_KEY=${SECRET_KEY:-local-stack-only-$(hostname)-not-for-production}
export PUBLIC_BASE_URL=${PUBLIC_BASE_URL:-http://localhost:$PORT}
export ALLOWED_HOSTS=${ALLOWED_HOSTS:-localhost,127.0.0.1}
# Plain http on this machine: no TLS proxy in front, so no redirect to https and no HSTS.
export BEHIND_TLS_PROXY=${BEHIND_TLS_PROXY:-false}
export SECURE_SSL_REDIRECT=${SECURE_SSL_REDIRECT:-false}
export SECURE_HSTS_SECONDS=${SECURE_HSTS_SECONDS:-0}
# Logs for people to read here; production writes JSON.
export LOG_FORMAT=${LOG_FORMAT:-plain}
export SMS_BACKEND=${SMS_BACKEND:-clinic.sms.backends.twilio.TwilioBackend}
# Email (reception's callback notices) is printed here; production refuses that without this.
export ALLOW_CONSOLE_BACKENDS=${ALLOW_CONSOLE_BACKENDS:-true}

procfile=$(mktemp -d)/Procfile
trap 'rm -rf "$(dirname "$procfile")"' EXIT
# As on separate hosts, a worker or beat that dies leaves the rest running (honcho would otherwise
# stop everything), so /readyz and the admin's banner can be watched reporting it.
sed -E 's/^(worker|beat): (.*)$/\1: \2; echo "[stack] \1 stopped; the rest keeps running (see \/readyz)"; exec sleep infinity/' \
  Procfile > "$procfile"
if [ -z "${TWILIO_ACCOUNT_SID:-}" ]; then
  export TWILIO_ACCOUNT_SID=AC00000000000000000000000000000000
  export TWILIO_AUTH_TOKEN=local-stack-fake-twilio-token
  export TWILIO_MESSAGING_SERVICE_SID=MG00000000000000000000000000000000
  export TWILIO_API_BASE=http://127.0.0.1:${FAKE_TWILIO_PORT:-8026}
  echo "twilio: .venv/bin/python -m clinic.sms.fake_twilio --port ${FAKE_TWILIO_PORT:-8026} --auth-token \$TWILIO_AUTH_TOKEN" \
    >> "$procfile"
  echo "SMS: fake Twilio on $TWILIO_API_BASE (texts are printed below with the [fake twilio] prefix)"
fi

port_open() { .venv/bin/python -c "import socket,sys; socket.create_connection((sys.argv[1], int(sys.argv[2])), 1)" "$@" 2>/dev/null; }
db_host=$(.venv/bin/python -c "import sys,urllib.parse as u; p=u.urlsplit(sys.argv[1]); print(p.hostname or '127.0.0.1', p.port or 5432)" "$DATABASE_URL")
redis_host=$(.venv/bin/python -c "import sys,urllib.parse as u; p=u.urlsplit(sys.argv[1]); print(p.hostname or '127.0.0.1', p.port or 6379)" "$REDIS_URL")
# shellcheck disable=SC2086
port_open $db_host || { echo "PostgreSQL is not answering at $db_host (set DATABASE_URL)"; exit 1; }
# shellcheck disable=SC2086
port_open $redis_host || { echo "Redis is not answering at $redis_host (set REDIS_URL)"; exit 1; }

# Create the database if it is missing (the role needs CREATEDB; trust auth on 127.0.0.1 by default).
.venv/bin/python - "$DATABASE_URL" <<'PY'
import sys
import urllib.parse

import psycopg

url = urllib.parse.urlsplit(sys.argv[1])
name = url.path.lstrip("/")
with psycopg.connect(sys.argv[1].rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
    if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
        conn.execute(f'CREATE DATABASE "{name}"')
        print(f"Created database {name}")
PY

.venv/bin/python manage.py migrate --noinput
.venv/bin/python manage.py collectstatic --noinput -v 0
.venv/bin/python manage.py load_demo_clinic
echo
echo "Clinic:  $PUBLIC_BASE_URL/   Admin: $PUBLIC_BASE_URL/admin/   (Ctrl-C stops everything)"
echo
export PATH="$PWD/.venv/bin:$PATH"
exec .venv/bin/honcho --procfile "$procfile" --app-root "$PWD" start
