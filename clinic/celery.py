"""The Celery app. Broker is Redis (REDIS_URL); without it (the demo) tasks run in-process.

Configuration lives in settings under CELERY_* ("Redis, cache, Celery" in clinic/settings/base.py):
JSON only, late acknowledgement with requeue when a worker is lost, prefetch 1, soft and hard time
limits, and publishing that fails fast when Redis is down. Tasks are written so that running one
twice is harmless (the SMS send task claims its row atomically), which late acknowledgement needs.

    celery -A clinic worker --loglevel=INFO      # one or more
    celery -A clinic beat --loglevel=INFO        # exactly one (runs the SMS relay every 30 s)
"""

import os
import sys

from celery import Celery
from celery.signals import after_setup_logger, after_setup_task_logger, beat_init, worker_init, worker_ready

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clinic.settings.dev")

app = Celery("clinic")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@worker_init.connect
@beat_init.connect
def _refuse_unsafe_production(**kwargs):
    """Celery runs no system checks either: a worker or beat in production refuses unsafe set-ups.

    Celery logs and swallows a signal handler's exceptions, so this exits instead.
    """
    from django.core.exceptions import ImproperlyConfigured

    from clinic.core.checks import refuse_unsafe_production

    try:
        refuse_unsafe_production()
    except ImproperlyConfigured as error:
        print(error, file=sys.stderr, flush=True)
        raise SystemExit(1) from error


@after_setup_logger.connect
@after_setup_task_logger.connect
def _log_like_django(logger, **kwargs):
    """Celery replaces the root logger's handlers with its own (so --logfile works): give them the
    project's format (JSON in production, with the request id field) and keep error emails."""
    from django.conf import settings

    from clinic.core.logs import RequestContextFilter, json_formatter

    for handler in logger.handlers:
        handler.addFilter(RequestContextFilter())
        if settings.LOG_FORMAT == "json":
            handler.setFormatter(json_formatter())
    if logger.name == "root" and settings.ADMINS and not settings.SENTRY_DSN:
        from clinic.core.error_emails import ScrubbedAdminEmailHandler

        mail = ScrubbedAdminEmailHandler()
        mail.setLevel("ERROR")
        logger.addHandler(mail)


@worker_ready.connect
def _record_this_worker(**kwargs):
    """Say which SECRET_KEY this worker has, for /readyz's comparison between hosts."""
    from clinic.core.hosts import record_this_host

    record_this_host("worker")
