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
from celery.signals import beat_init, worker_init

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
