"""The Celery app. Broker is Redis (REDIS_URL); without it (the demo) tasks run in-process.

Configuration lives in settings under CELERY_* ("Redis, cache, Celery" in clinic/settings/base.py):
JSON only, late acknowledgement with requeue when a worker is lost, prefetch 1, soft and hard time
limits, and publishing that fails fast when Redis is down. Tasks are written so that running one
twice is harmless (the SMS send task claims its row atomically), which late acknowledgement needs.

    celery -A clinic worker --loglevel=INFO      # one or more
    celery -A clinic beat --loglevel=INFO        # exactly one (runs the SMS relay every 30 s)
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clinic.settings.dev")

app = Celery("clinic")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
