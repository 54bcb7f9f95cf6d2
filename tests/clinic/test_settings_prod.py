"""Production settings refuse to start without their secrets and pass Django's deploy checks."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent.parent
PRODUCTION_LIKE = {
    "DJANGO_SETTINGS_MODULE": "clinic.settings.prod",
    "SECRET_KEY": "k3J9-prod-like-secret-7fQ2x!Lr8vZp0aW5sN1mB4cT6yU9eH2jD8gK0qR3",
    "DATABASE_URL": "postgres://clinic:secret@db.internal:5432/clinic",
    "REDIS_URL": "redis://redis.internal:6379/0",
    "ALLOWED_HOSTS": "book.example-clinic.test",
    "PUBLIC_BASE_URL": "https://book.example-clinic.test",
    "TWILIO_ACCOUNT_SID": "AC" + "1" * 32,
    "TWILIO_AUTH_TOKEN": "prod-like-auth-token",
    "TWILIO_MESSAGING_SERVICE_SID": "MG" + "1" * 32,
    "EMAIL_URL": "smtp+tls://clinic:secret@smtp.example-clinic.test:587",
    "DEFAULT_FROM_EMAIL": "Example Clinic <bookings@example-clinic.test>",
    "TRUSTED_PROXY_COUNT": "1",
}
# Variables of this machine (the test run's) that must not leak into a production-like process.
NOT_INHERITED = (
    "DATABASE_URL",
    "SECRET_KEY",
    "REDIS_URL",
    "DJANGO_ALLOW_ASYNC_UNSAFE",
    "SMS_BACKEND",
    "EMAIL_URL",
    "SMS_QUIET_HOURS_START",
    "SMS_QUIET_HOURS_END",
    "TRUSTED_PROXY_COUNT",
    "BEHIND_TLS_PROXY",
    "CELERY_TASK_ALWAYS_EAGER",
)


def clean_environ() -> dict[str, str]:
    """This process's environment without what would leak into a production-like process."""
    return {k: v for k, v in os.environ.items() if k not in NOT_INHERITED and not k.startswith("TWILIO_")}


def python(*args, env, timeout=120):
    """Run `python ARGS` in the project with only `env` on top of a cleaned environment."""
    return subprocess.run(
        [sys.executable, *args],
        cwd=ROOT,
        env={**clean_environ(), **env},
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def manage(*args, env):
    return python("manage.py", *args, env=env)


def test_check_deploy_is_clean_with_production_like_values():
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION_LIKE)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("missing", ["SECRET_KEY", "DATABASE_URL"])
def test_production_settings_refuse_to_start_without(missing):
    env = {k: v for k, v in PRODUCTION_LIKE.items() if k != missing}
    result = manage("check", env=env)
    assert result.returncode != 0
    assert f"Set the {missing} environment variable" in result.stderr
