#!/usr/bin/env bash
# One command for the demo: venv, install, migrate SQLite, load the demo clinic, serve on :8000.
#
#   PORT=8001 make demo        # another port; links in the texts follow it
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export DJANGO_SETTINGS_MODULE=clinic.settings.dev
PORT=${PORT:-8000}
# Links in texts (manage your appointment) must point where this demo really answers.
export PUBLIC_BASE_URL=${PUBLIC_BASE_URL:-http://127.0.0.1:$PORT}
.venv/bin/python manage.py migrate --noinput
.venv/bin/python manage.py load_demo_clinic
echo
echo "Demo clinic:   http://127.0.0.1:$PORT/"
echo "Staff admin:   http://127.0.0.1:$PORT/admin/"
echo "  manager      / demo-manager-2026     (everything)"
echo "  reception    / demo-reception-2026   (diary, patients, callbacks, SMS log)"
echo "  therapist    / demo-therapist-2026   (read-only diary, own appointments)"
echo "manager and therapist also need a code from an authenticator app: add the key"
echo "  MRSW 23ZN MNWG S3TJ MMWT EZTB FVVW K6JB   (time-based), or in another terminal run"
echo "  .venv/bin/python manage.py demo_code manager"
echo "These logins are for the local demo only."
echo
exec .venv/bin/python manage.py runserver "127.0.0.1:$PORT"
