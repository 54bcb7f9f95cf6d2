"""Fixtures for SMS tests: a fake Twilio API on 127.0.0.1, live Celery workers on the real Redis
broker, and the in-memory outbox. `tests/clinic/sms/conftest.py` re-exports them; flow tests in
`tests/flows/` import the ones they use by name."""

from __future__ import annotations

import contextlib
import json
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

import pytest
from django.conf import settings
from django.db import connections

ACCOUNT_SID = "AC" + "0" * 32
AUTH_TOKEN = "test-auth-token-0123456789abcdef"
MESSAGING_SERVICE_SID = "MG" + "1" * 32
INVALID_NUMBER = "+15005550001"  # Twilio's magic test number for "invalid To"


def wait_until(predicate, *, timeout: float = 15.0, interval: float = 0.02, message: str = "condition"):
    """Poll `predicate` until it is truthy (returning its value) or fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"Timed out after {timeout}s waiting for {message}")
        time.sleep(interval)


class FakeTwilio:
    """Records every request; answers from a script (one reply per request), then 201.

    Replies: 201 (accepted), an int HTTP status with a Twilio error body, (status, code), or
    "hang" (accept the request, then answer only after the client has given up waiting).
    Accepted messages (hung ones too: Twilio has them) go in `log`, which answers the Messages
    list (GET .../Messages.json) as the stack's fake does.
    """

    def __init__(self):
        from clinic.sms.fake_twilio import MessageLog

        self.log = MessageLog()
        self.requests: list[dict] = []
        self.script: list = []
        self.release = threading.Event()  # lets hung handlers finish at teardown
        self._lock = threading.Condition()
        self._sids = iter(range(1, 10**6))
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # keep pytest output clean
                pass

            def do_GET(self):
                self._answer(200, fake.log.page(self.path))

            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
                with fake._lock:
                    fake.requests.append({"path": self.path, "headers": dict(self.headers), "form": form})
                    reply = fake.script.pop(0) if fake.script else 201
                    sid = f"SM{next(fake._sids):032d}"
                    fake._lock.notify_all()
                if form.get("To") == INVALID_NUMBER:
                    reply = (400, 21211)
                if reply in (201, "hang"):
                    fake.log.add(sid=sid, account_sid=ACCOUNT_SID, form=form)
                if reply == "hang":
                    fake.release.wait(10)
                    reply = 201
                if reply == 201:
                    self._answer(201, fake.message_json(sid, form))
                    return
                status, code = reply if isinstance(reply, tuple) else (reply, 20500 if reply >= 500 else 20429)
                self._answer(
                    status,
                    {
                        "code": code,
                        # Twilio's own wording, which quotes the number (so logs must mask it).
                        "message": f"The 'To' number {form.get('To')} is not a valid phone number."
                        if code == 21211
                        else "Simulated error",
                        "more_info": f"https://www.twilio.com/docs/errors/{code}",
                        "status": status,
                    },
                )

            def _answer(self, status, body):
                data = json.dumps(body).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client timed out and went away, as the test intended

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.base_url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @staticmethod
    def message_json(sid: str, form: dict) -> dict:
        from datetime import UTC, datetime

        from clinic.sms.fake_twilio import message_resource

        return message_resource(sid=sid, account_sid=ACCOUNT_SID, form=form, at=datetime.now(UTC))

    def reply_with(self, *replies):
        with self._lock:
            self.script.extend(replies)

    def wait_for_requests(self, count: int, timeout: float = 15.0) -> list[dict]:
        with self._lock:
            if not self._lock.wait_for(lambda: len(self.requests) >= count, timeout):
                raise AssertionError(f"fake Twilio got {len(self.requests)} requests, expected {count}")
            return list(self.requests)

    @property
    def forms(self) -> list[dict]:
        with self._lock:
            return [r["form"] for r in self.requests]


@pytest.fixture
def fake_twilio():
    fake = FakeTwilio()
    fake.thread.start()
    yield fake
    fake.release.set()
    fake.server.shutdown()
    fake.server.server_close()


@pytest.fixture
def twilio(fake_twilio, settings):
    """The Twilio backend with the real client, pointed at the fake server."""
    settings.SMS_BACKEND = "clinic.sms.backends.twilio.TwilioBackend"
    settings.TWILIO_ACCOUNT_SID = ACCOUNT_SID
    settings.TWILIO_AUTH_TOKEN = AUTH_TOKEN
    settings.TWILIO_MESSAGING_SERVICE_SID = MESSAGING_SERVICE_SID
    settings.TWILIO_FROM_NUMBER = ""
    settings.TWILIO_API_BASE = fake_twilio.base_url
    settings.TWILIO_CONNECT_TIMEOUT = 2
    settings.TWILIO_READ_TIMEOUT = 5
    settings.SMS_RETRY_BACKOFF_SECONDS = 0.05
    settings.SMS_RETRY_BACKOFF_MAX_SECONDS = 0.2
    return fake_twilio


@pytest.fixture
def sms_outbox():
    """The in-memory backend's outbox, emptied for this test."""
    from clinic.sms.backends import locmem

    locmem.outbox.clear()
    yield locmem.outbox
    locmem.outbox.clear()


@pytest.fixture
def awake(time_machine):
    """A weekday afternoon, outside quiet hours, so that 'due now' means now."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    time_machine.move_to(datetime(2030, 1, 7, 14, 0, tzinfo=ZoneInfo("Europe/London")), tick=True)


# --- Celery on the real broker -------------------------------------------------------------------


def closed_port() -> int:
    """A local TCP port with nothing listening (connections are refused at once)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def reset_broker_connections(app) -> None:
    """Drop the cached connection and producer pools so a changed broker_url takes effect.

    kombu keeps them in process-wide registries keyed by connection, so those are reset too.
    """
    from kombu import pools

    pools.reset()
    app._pool = None
    app.amqp._producer_pool = None


@contextlib.contextmanager
def publishing_to_redis(redis_url: str):
    """The project's Celery app publishing to the real Redis, tasks not run in-process; the
    broker database is emptied before and after, so nothing sees another test's tasks."""
    import redis

    from clinic.celery import app

    broker_db = redis.Redis.from_url(redis_url)
    broker_db.flushdb()
    eager, broker = app.conf.task_always_eager, app.conf.broker_url
    app.conf.task_always_eager = False
    app.conf.broker_url = redis_url
    reset_broker_connections(app)
    try:
        yield app
    finally:
        app.conf.task_always_eager, app.conf.broker_url = eager, broker
        reset_broker_connections(app)
        broker_db.flushdb()  # leave no task behind for the next run's workers


@pytest.fixture
def celery_live(settings):
    """The project's Celery app publishing to the real Redis (REDIS_URL), tasks not run in-process."""
    from celery.signals import task_postrun

    def close_worker_connections(**kwargs):
        # Worker threads must not keep connections to the test database open (its teardown
        # would wait for them).
        if threading.current_thread() is not threading.main_thread():
            connections.close_all()

    with publishing_to_redis(settings.REDIS_URL) as app:
        task_postrun.connect(close_worker_connections, weak=False)
        yield app
        task_postrun.disconnect(close_worker_connections)


@contextlib.contextmanager
def running_workers(app, count: int = 1):
    """`count` embedded Celery workers (solo pool, each in its own thread and DB connection)."""
    from celery.contrib.testing.worker import start_worker

    with contextlib.ExitStack() as stack:
        workers = [
            stack.enter_context(
                start_worker(
                    app,
                    pool="solo",
                    perform_ping_check=False,  # the ping needs a result backend; we have none
                    shutdown_timeout=20,
                    hostname=f"test-worker-{n}@localhost",
                    queues=["celery"],
                )
            )
            for n in range(count)
        ]
        yield workers


@pytest.fixture
def celery_worker(celery_live):
    """One live worker consuming from the real Redis broker."""
    with running_workers(celery_live, 1) as workers:
        yield workers[0]


def redis_queue_length(name: str = "celery") -> int:
    import redis

    return redis.Redis.from_url(settings.REDIS_URL).llen(name)


@pytest.fixture
def no_quiet_hours(settings):
    """For tests on the real clock with live workers: send whatever the time of day."""
    settings.SMS_QUIET_HOURS_START = settings.SMS_QUIET_HOURS_END = "00:00"


@contextlib.contextmanager
def worker_processes(count: int, *, env: dict[str, str], log_dir, pool: str = "solo", extra_args=()):
    """`count` separate `celery -A clinic worker` processes, as production runs them, on the test
    database and the real broker. Stopped with SIGTERM (a warm shutdown) when the block ends."""
    import os
    import signal
    import subprocess
    import sys

    db = connections["default"].settings_dict
    database_url = f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "clinic.settings.dev",
        "DEBUG": "false",
        "DATABASE_URL": database_url,
        "REDIS_URL": settings.REDIS_URL,
        # One key for every process, as on every production host (links in texts, /readyz).
        "SECRET_KEY": settings.SECRET_KEY,
        "CONN_MAX_AGE": "0",  # so no connection outlives a task and holds up the test database's teardown
        "CELERY_TASK_ALWAYS_EAGER": "false",
        **env,
    }
    processes, logs = [], []
    try:
        for n in range(count):
            log = log_dir / f"worker-{n}.log"
            logs.append(log)
            command = [sys.executable, "-m", "celery", "-A", "clinic", "worker", f"--pool={pool}", *extra_args]
            command += [f"--hostname=sms-test-{n}@%h", "--without-gossip", "--without-mingle", "--without-heartbeat"]
            command += ["--queues=celery", "--loglevel=INFO", f"--logfile={log}"]
            processes.append(
                subprocess.Popen(
                    command, cwd=settings.BASE_DIR, env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT
                )
            )
        for process, log in zip(processes, logs, strict=True):
            wait_until(
                lambda p=process, f=log: p.poll() is not None or (f.exists() and " ready." in f.read_text()),
                timeout=30,
                message=f"a worker to start ({log})",
            )
            assert process.poll() is None, (
                log.read_text() if log.exists() else f"the worker exited with {process.returncode}"
            )
        yield logs
    finally:
        for process in processes:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


# --- texts patients send (the incoming-message webhook) ----------------------------------------

PUBLIC_HOST = "clinic.example.test"


class IncomingTexts:
    """Posts texts to the incoming-message webhook as Twilio does: to the public https address,
    signed over that exact URL with the auth token. Work queued on commit (the replies' sends)
    runs as the request ends, as in production."""

    def __init__(self, client, capture):
        self.client, self.capture = client, capture

    @staticmethod
    def params(body: str, *, sender: str = "+447700900123", sid: str | None = None, **extra) -> dict:
        import uuid

        return {
            "MessageSid": sid or f"SM{uuid.uuid4().hex}",
            "AccountSid": ACCOUNT_SID,
            "From": sender,
            "To": "+447700900000",
            "Body": body,
            "NumMedia": "0",
            **extra,
        }

    def post(self, params: dict, *, token: str = AUTH_TOKEN, sign_url: str | None = None, signed: bool = True):
        from django.urls import reverse
        from twilio.request_validator import RequestValidator

        path = reverse("sms:incoming")
        headers = {}
        if signed:
            url = sign_url or f"https://{PUBLIC_HOST}{path}"
            headers["HTTP_X_TWILIO_SIGNATURE"] = RequestValidator(token).compute_signature(url, params)
        with self.capture(execute=True):
            return self.client.post(path, params, secure=True, HTTP_HOST=PUBLIC_HOST, **headers)

    def send(self, body: str, **kwargs):
        """A text from a phone (default the cast's patient); returns the webhook's response."""
        return self.post(self.params(body, **kwargs))


@pytest.fixture
def incoming_texts(client, settings, django_capture_on_commit_callbacks):
    settings.TWILIO_AUTH_TOKEN = AUTH_TOKEN
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, PUBLIC_HOST]
    return IncomingTexts(client, django_capture_on_commit_callbacks)
