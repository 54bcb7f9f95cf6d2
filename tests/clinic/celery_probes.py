"""Tasks for tests/clinic/test_celery_app.py only. A worker started with
`--include tests.clinic.celery_probes` runs them; each records what happened in Redis, under the
key the test passes, so the test can see inside another process."""

import os
import time

import redis
from django.conf import settings

from clinic.celery import app


def _redis():
    return redis.Redis.from_url(settings.REDIS_URL)


@app.task(name="tests.probes.record")
def record(key: str) -> None:
    _redis().rpush(f"{key}:ran", os.getpid())


@app.task(name="tests.probes.hold_on_first_run")
def hold_on_first_run(key: str) -> None:
    """The first run announces its process id and waits to be killed; later runs just finish."""
    db = _redis()
    db.rpush(f"{key}:ran", os.getpid())
    if db.llen(f"{key}:ran") == 1:
        time.sleep(60)
