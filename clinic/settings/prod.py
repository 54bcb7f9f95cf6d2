"""Production: refuses to start without the secrets it needs; `check --deploy` is clean."""

import logging

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import env


def _required(name: str) -> str:
    value = env(name, default="")
    if not value:
        raise ImproperlyConfigured(f"Set the {name} environment variable for production.")
    return value


SECRET_KEY = _required("SECRET_KEY")
_required("DATABASE_URL")
DEBUG = False
# Turns on the checks that refuse unsafe set-ups (clinic/core/checks.py), at start-up too.
PRODUCTION = True
# One JSON object per log line, for the log pipeline (LOG_FORMAT=plain for people).
LOG_FORMAT = env("LOG_FORMAT", default="json")
LOGGING["handlers"]["console"]["formatter"] = LOG_FORMAT  # noqa: F405
# Python's warnings become log records too, so even they are one JSON line each.
logging.captureWarnings(True)
# Texts really go out in production; the console backend needs saying so (and ALLOW_CONSOLE_BACKENDS).
SMS_BACKEND = env("SMS_BACKEND", default="clinic.sms.backends.twilio.TwilioBackend")

# gunicorn normally sits behind a TLS-terminating proxy (nginx, a load balancer); trust its
# X-Forwarded-Proto so request.is_secure() and absolute URLs (the Twilio signature) are right.
if env.bool("BEHIND_TLS_PROXY", default=True):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    USE_X_FORWARDED_HOST = True

SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SESSION_COOKIE_HTTPONLY = True
