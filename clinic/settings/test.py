"""Settings for pytest. The test command points DATABASE_URL at PostgreSQL and REDIS_URL at Redis
when they are reachable; otherwise the suite runs on SQLite and skips what needs those services."""

from .base import *  # noqa: F403
from .base import env

DEBUG = False
SECRET_KEY = "test-only-secret-key"
ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}  # noqa: F405
SMS_BACKEND = env("SMS_BACKEND", default="clinic.sms.backends.locmem.LocmemBackend")
# Unit tests run tasks in-process; the Celery integration tests start a real worker on Redis
# and switch this off for themselves.
CELERY_TASK_ALWAYS_EAGER = True
PUBLIC_BASE_URL = "https://clinic.example.test"
LOGGING["root"]["level"] = "WARNING"  # noqa: F405
