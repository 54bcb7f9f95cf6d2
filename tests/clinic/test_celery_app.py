"""The Celery behaviour the SMS guarantees rest on, seen on a real worker process (prefork, as the
Procfile runs it) and the real Redis broker: a task whose worker process dies is run again, only
JSON messages are accepted, and beat schedules only tasks that exist."""

import os
import signal
import uuid

import pytest
import redis
from django.conf import settings
from kombu.exceptions import EncodeError

from clinic.celery import app
from tests.clinic import celery_probes
from tests.clinic.sms.fixtures import publishing_to_redis, wait_until, worker_processes

pytestmark = [pytest.mark.redis, pytest.mark.slow]


@pytest.fixture(scope="module")
def worker(tmp_path_factory):
    """One prefork worker (one child process) running the probe tasks."""
    log_dir = tmp_path_factory.mktemp("celery-worker")
    env = {"DATABASE_URL": f"sqlite:///{log_dir}/unused.sqlite3"}  # the probes touch no database
    with (
        publishing_to_redis(settings.REDIS_URL),
        worker_processes(
            1, env=env, log_dir=log_dir, pool="prefork", extra_args=["--concurrency=1", "-I", celery_probes.__name__]
        ) as logs,
    ):
        yield logs[0]


@pytest.fixture
def key():
    return f"probe:{uuid.uuid4().hex}"


def ran(key) -> list[int]:
    return [int(pid) for pid in redis.Redis.from_url(settings.REDIS_URL).lrange(f"{key}:ran", 0, -1)]


def test_a_task_whose_worker_process_dies_is_run_again(worker, key):
    celery_probes.hold_on_first_run.delay(key)
    first = wait_until(lambda: ran(key), message="the first run to start")[0]
    os.kill(first, signal.SIGKILL)  # the child dies mid-task, as on an out-of-memory kill
    runs = wait_until(lambda: len(ran(key)) == 2 and ran(key), timeout=20, message="the task to run again")
    assert runs[1] != first


def test_only_json_is_sent_and_only_json_is_run(worker, key):
    with pytest.raises(EncodeError):
        celery_probes.record.delay(object())  # not JSON: refused before it reaches the broker

    # A pickled message (what an attacker with broker access would send) is never run; the JSON
    # one behind it is, so the worker has seen both.
    celery_probes.record.apply_async((f"{key}-pickled",), serializer="pickle")
    celery_probes.record.delay(key)
    wait_until(lambda: ran(key), message="the JSON message to run")
    assert ran(f"{key}-pickled") == []


def test_every_scheduled_job_names_a_task_the_workers_know():
    app.loader.import_default_modules()
    unknown = {name: entry["task"] for name, entry in app.conf.beat_schedule.items() if entry["task"] not in app.tasks}
    assert unknown == {}
