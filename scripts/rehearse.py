"""The multi-host rehearsal: the production shape on one machine, a bounded load, two kill -9s.

Starts, against PostgreSQL and Redis: the fake Twilio (with its message log), two web hosts
(gunicorn, two workers each) behind a health-checking balancer (scripts/balancer.py), two Celery
workers and two beats (one too many, on purpose). Simulated patients then book (and sometimes
double-submit) and ask for callbacks through the balancer, each from its own address. Part way
through, one web host and one worker are killed with SIGKILL. After the load it waits for the
texts to settle and checks:

- every booking a patient was shown a confirmation for is stored exactly once;
- no two time-holding appointments of one therapist overlap;
- every booking confirmation and callback acknowledgement went to Twilio exactly once (after
  reconciliation of texts whose fate the killed worker left unknown), and no text went twice;

then prints the figures (requests, 5xx per host, refused connections the balancer retried, time
to settle) as JSON, and exits non-zero if a check failed. `scripts/rehearse.sh` is the entry
point (make rehearse; .ci/run runs the short version).
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import os
import random
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.parse
from collections import Counter, defaultdict
from datetime import date, timedelta
from html import unescape
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
CHECKS = 8  # each appends at most one failure (see verify)


# --- processes -----------------------------------------------------------------------------------


class Stack:
    """The processes of the rehearsal, each in its own process group (so SIGKILL takes a whole host)."""

    def __init__(self, log_dir: Path, env: dict[str, str]):
        self.log_dir, self.env = log_dir, env
        self.processes: dict[str, subprocess.Popen] = {}

    def start(self, name: str, command: list[str], **extra_env) -> subprocess.Popen:
        log = open(self.log_dir / f"{name}.log", "w")  # noqa: SIM115 (closed with the process)
        process = subprocess.Popen(
            command,
            cwd=ROOT,
            env={**self.env, **{k: str(v) for k, v in extra_env.items()}},
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.processes[name] = process
        return process

    def kill(self, name: str) -> None:
        """SIGKILL to the whole process group: the host is gone, workers and all."""
        process = self.processes[name]
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()

    def stop_all(self) -> None:
        for process in self.processes.values():
            if process.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGTERM)
        deadline = time.monotonic() + 20
        for process in self.processes.values():
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
                process.wait()


def wait_for(predicate, *, timeout: float, what: str, interval: float = 0.5):
    deadline = time.monotonic() + timeout
    while True:
        try:
            value = predicate()
        except OSError:
            value = None
        if value:
            return value
        if time.monotonic() > deadline:
            raise SystemExit(f"rehearsal: timed out after {timeout:.0f}s waiting for {what}")
        time.sleep(interval)


# --- a patient (an HTTP client with its own address and cookies) ----------------------------------


class Patient:
    """One simulated patient: its own address (sent as X-Forwarded-For, as from a proxy in front
    of the balancer), its own cookies (sent whatever their Secure flag: plain http here)."""

    def __init__(self, number: int, base: tuple[str, int], results: Results):
        self.number, self.base, self.results = number, base, results
        self.address = f"198.51.{100 + number // 250}.{1 + number % 250}"
        self.phone = f"07700 9{number:05d}"
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, form: dict | None = None) -> tuple[int, dict, str]:
        body = urllib.parse.urlencode(form).encode() if form is not None else None
        headers = {"X-Forwarded-For": self.address, "Host": f"{self.base[0]}:{self.base[1]}"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Referer"] = f"http://{self.base[0]}:{self.base[1]}{path}"
        conn = http.client.HTTPConnection(*self.base, timeout=60)
        try:
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            text = response.read().decode("utf-8", "replace")
        except (OSError, http.client.HTTPException) as error:
            self.results.count("connection_errors")
            raise ClientError(str(error)) from error
        finally:
            conn.close()
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name.strip()] = rest.split(";", 1)[0]
        upstream = response.getheader("X-Upstream", "none")
        self.results.count_response(upstream, response.status)
        return response.status, {k.lower(): v for k, v in response.getheaders()}, text

    def get(self, path: str):
        return self.request("GET", path)

    def post(self, path: str, form: dict):
        return self.request("POST", path, form)


class ClientError(Exception):
    pass


class Results:
    def __init__(self):
        self.lock = threading.Lock()
        self.counts: Counter = Counter()
        self.by_host: dict[str, Counter] = defaultdict(Counter)
        self.bookings: list[dict] = []  # what patients were told: reference and phone
        self.callbacks: list[str] = []  # phones whose callback request was taken

    def count(self, key: str, n: int = 1):
        with self.lock:
            self.counts[key] += n

    def count_response(self, upstream: str, status: int):
        with self.lock:
            self.by_host[upstream]["requests"] += 1
            if status >= 500:
                self.by_host[upstream]["status_5xx"] += 1


HIDDEN = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)"')
DETAILS_LINK = re.compile(r'href="(/book/details/\?[^"]+)"')
REFERENCE = re.compile(r"\b([ACDEFGHJKMNPQRTUVWXY3467]{3}-[ACDEFGHJKMNPQRTUVWXY3467]{3})\b")


def book_once(patient: Patient, length_ids: list[str], days: list[date], rng: random.Random) -> None:
    length = rng.choice(length_ids)
    day = rng.choice(days)
    status, _, page = patient.get(f"/book/time/?length={length}&therapist=any&day={day.isoformat()}")
    links = DETAILS_LINK.findall(page) if status == 200 else []
    if not links:
        # A full day ("no free times on this day") or an error page.
        patient.results.count("day_full" if status == 200 else f"time_page_{status}")
        return
    # Most patients go for the first few times offered, so they compete for the same slots.
    link = unescape(rng.choice(links[:4]))
    status, _, form_page = patient.get(link)
    if status != 200:
        patient.results.count("details_page_failed")
        return
    fields = dict(HIDDEN.findall(form_page))
    fields |= {
        "name": f"Rehearsal Patient {patient.number}",
        "phone": patient.phone,
        "email": "",
        "note": "",
        "none_apply": "on",  # "No to all of these" (the health questions)
        "consent_health": "on",
        "consent_privacy": "on",
        "consent_cancellation": "on",
    }
    submits = 2 if rng.random() < 0.15 else 1  # a double tap now and then
    locations = []
    for _ in range(submits):
        status, headers, text = patient.post("/book/details/", fields)
        if status == 302 and "/book/confirmed/" in headers.get("location", ""):
            locations.append(headers["location"])
        elif status == 200 and ("just been booked" in text or "busy" in text):
            patient.results.count("told_taken_or_busy")
        elif status == 200 and "already have an appointment" in text:
            patient.results.count("told_already_booked")
        elif status == 429:
            patient.results.count("rate_limited")
        elif status >= 500:
            patient.results.count("booking_5xx")
        else:
            patient.results.count("booking_other")
    references = set()
    for location in locations:
        status, _, confirmation = patient.get(urllib.parse.urlsplit(location).path)
        found = REFERENCE.search(confirmation.split("<main", 1)[-1]) if status == 200 else None
        if found:
            references.add(found.group(1))
        else:
            patient.results.count("confirmation_page_failed")
    if len(references) > 1:
        patient.results.count("double_submit_two_bookings")
    if submits > 1 and len(locations) == submits and len(references) == 1:
        patient.results.count("double_submits_on_one_booking")
    for reference in references:
        with patient.results.lock:
            patient.results.bookings.append({"reference": reference, "phone": patient.phone})
        patient.results.count("bookings_confirmed")


def ask_callback_once(patient: Patient) -> None:
    status, _, page = patient.get("/callback/")
    if status != 200:
        patient.results.count("callback_page_failed")
        return
    fields = dict(HIDDEN.findall(page)) | {
        "name": f"Rehearsal Caller {patient.number}",
        "phone": patient.phone,
        "when": "asap",
        "reason": "book",
        "message": "",
        "consent": "on",
        "website": "",
    }
    status, _, _ = patient.post("/callback/", fields)
    if status == 302:
        with patient.results.lock:
            patient.results.callbacks.append(patient.phone)
        patient.results.count("callbacks_taken")
    else:
        patient.results.count(f"callback_{status}")


def patient_loop(patient: Patient, stop: threading.Event, length_ids, days, seed: int, asked: set) -> None:
    rng = random.Random(seed)
    while not stop.is_set():
        try:
            if patient.number not in asked and rng.random() < 0.15:
                asked.add(patient.number)
                ask_callback_once(patient)
            else:
                book_once(patient, length_ids, days, rng)
        except ClientError:
            time.sleep(0.2)
        stop.wait(rng.uniform(0.3, 1.5))  # a patient reads the page before the next step


# --- the run -----------------------------------------------------------------------------------


def django_setup(env: dict[str, str]):
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=90, help="how long the load runs")
    parser.add_argument("--patients", type=int, default=20)
    parser.add_argument("--kill-at", type=float, default=0.4, help="fraction of the load when the kills happen")
    parser.add_argument("--settle-timeout", type=int, default=150)
    parser.add_argument("--port-base", type=int, default=int(os.environ.get("REHEARSAL_PORT_BASE", "18660")))
    parser.add_argument("--database", default=os.environ.get("REHEARSAL_DATABASE", "clinic_rehearsal"))
    parser.add_argument(
        "--log-dir", default=os.environ.get("REHEARSAL_LOG_DIR", str(ROOT / "test-artifacts" / "rehearsal"))
    )
    parser.add_argument("--keep-database", action="store_true")
    args = parser.parse_args()

    pg_base = os.environ.get("REHEARSAL_POSTGRES", "postgres://postgres@127.0.0.1:5432")
    redis_url = os.environ.get("REHEARSAL_REDIS_URL", "redis://127.0.0.1:6379/10")  # cache on the next number
    log_dir = Path(args.log_dir)
    log_dir.mkdir(parents=True, exist_ok=True)
    ports = {
        "balancer": args.port_base,
        "web-1": args.port_base + 1,
        "web-2": args.port_base + 2,
        "twilio": args.port_base + 9,
    }
    base = f"http://127.0.0.1:{ports['balancer']}"
    auth_token = "rehearsal-fake-twilio-token"
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("TWILIO_", "SMS_", "DJANGO_", "CELERY_", "DATABASE_URL", "REDIS_URL", "SENTRY"))
    }
    env |= {
        "DJANGO_SETTINGS_MODULE": "clinic.settings.prod",
        "SECRET_KEY": "rehearsal-only-secret-key-shared-by-every-host-0123456789abcdef",
        "DATABASE_URL": f"{pg_base}/{args.database}",
        "REDIS_URL": redis_url,
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "PUBLIC_BASE_URL": base,
        # Plain http on loopback: no TLS proxy, no redirect to https.
        "BEHIND_TLS_PROXY": "false",
        "SECURE_SSL_REDIRECT": "false",
        "SECURE_HSTS_SECONDS": "0",
        # Patients -> (their own proxy, simulated by X-Forwarded-For) -> balancer -> gunicorn.
        "TRUSTED_PROXY_COUNT": "2",
        "SMS_BACKEND": "clinic.sms.backends.twilio.TwilioBackend",
        "TWILIO_ACCOUNT_SID": "AC" + "0" * 32,
        "TWILIO_AUTH_TOKEN": auth_token,
        "TWILIO_MESSAGING_SERVICE_SID": "MG" + "0" * 32,
        "TWILIO_API_BASE": f"http://127.0.0.1:{ports['twilio']}",
        "ALLOW_CONSOLE_BACKENDS": "true",  # email (reception's notices) printed; SMS goes to the fake Twilio
        "CALLBACK_MIN_FILL_SECONDS": "0",  # the simulated patients fill the callback form at once
        "SMS_QUIET_HOURS_START": "00:00",
        "SMS_QUIET_HOURS_END": "00:00",
        # Everything that waits on a timer, shortened so a killed worker's texts settle in the run.
        "CELERY_TASK_SOFT_TIME_LIMIT": "8",
        "CELERY_TASK_TIME_LIMIT": "10",
        "SMS_SENDING_STALE_SECONDS": "15",
        "SMS_RELAY_LEASE_SECONDS": "10",
        "SMS_RELAY_INTERVAL_SECONDS": "5",
        "SMS_RECONCILE_INTERVAL_SECONDS": "5",
        "SMS_RECONCILE_AFTER_SECONDS": "5",
        "LOG_FORMAT": "json",
        "PYTHONUNBUFFERED": "1",
    }
    import psycopg
    import redis

    with psycopg.connect(f"{pg_base}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{args.database}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{args.database}"')
    broker = redis.Redis.from_url(redis_url)
    cache_url = redis_url.rsplit("/", 1)[0] + f"/{int(redis_url.rsplit('/', 1)[1]) + 1}"
    for url in (redis_url, cache_url):
        redis.Redis.from_url(url).flushdb()
    manage = [PYTHON, "manage.py"]
    for command in (
        ["migrate", "--noinput", "-v", "0"],
        ["load_demo_clinic"],
        ["collectstatic", "--noinput", "-v", "0"],
    ):
        subprocess.run(manage + command, cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)

    stack = Stack(log_dir, env)
    results = Results()
    report: dict = {"patients": args.patients, "seconds": args.seconds}
    failures: list[str] = []
    try:
        stack.start(
            "twilio",
            [PYTHON, "-m", "clinic.sms.fake_twilio", "--port", str(ports["twilio"]), "--auth-token", auth_token]
            # Twilio takes a moment to answer, so the worker can be caught mid-send; its delivery
            # reports come late, so a text the killed worker was sending is settled by
            # reconciliation with the log rather than by its report.
            + ["--answer-delay", "0.3", "--callback-delay", "45"],
        )
        for name in ("web-1", "web-2"):
            stack.start(
                name,
                [PYTHON, "-m", "gunicorn", "clinic.wsgi:application", "--config", "gunicorn.conf.py"],
                PORT=ports[name],
                BIND_ADDRESS="127.0.0.1",
                WEB_CONCURRENCY=2,
                HOST_ID=name,
            )
        stack.start(
            "balancer",
            [PYTHON, "scripts/balancer.py", "--listen", f"127.0.0.1:{ports['balancer']}"]
            + [f"--backend={name}=127.0.0.1:{ports[name]}" for name in ("web-1", "web-2")],
        )
        for n in (1, 2):
            stack.start(
                f"worker-{n}",
                [PYTHON, "-m", "celery", "-A", "clinic", "--quiet", "worker", "--loglevel=INFO"]
                + ["--concurrency=2", f"--hostname=worker-{n}@%h"],
                HOST_ID=f"worker-{n}",
            )
            stack.start(
                f"beat-{n}",
                [PYTHON, "-m", "celery", "-A", "clinic", "--quiet", "beat", "--loglevel=INFO"]
                + [f"--schedule={log_dir / f'beat-{n}-schedule'}"],
                HOST_ID=f"beat-{n}",
            )

        def ready():
            conn = http.client.HTTPConnection("127.0.0.1", ports["balancer"], timeout=10)
            conn.request("GET", "/readyz")
            response = conn.getresponse()
            body = response.read()
            conn.close()
            return response.status == 200 and body

        started = time.monotonic()
        wait_for(ready, timeout=90, what="/readyz to report healthy through the balancer")
        report["seconds_to_ready"] = round(time.monotonic() - started, 1)

        django_setup(env)
        from bookings.models import TreatmentLength

        length_ids = [str(pk) for pk in TreatmentLength.objects.bookable().values_list("pk", flat=True)]
        days = [d for d in (date.today() + timedelta(days=n) for n in range(2, 20)) if d.weekday() < 5][:10]

        stop = threading.Event()
        asked: set[int] = set()
        threads = [
            threading.Thread(
                target=patient_loop,
                args=(Patient(n, ("127.0.0.1", ports["balancer"]), results), stop, length_ids, days, n, asked),
                daemon=True,
            )
            for n in range(args.patients)
        ]
        load_started = time.monotonic()
        for thread in threads:
            thread.start()
        time.sleep(args.seconds * args.kill_at)
        stack.kill("web-1")
        # The worker is killed while it is sending a text, if it gets one within 10 s: the case
        # that leaves a text of unknown fate for reconciliation.
        report["worker_killed_mid_send"] = send_in_flight(log_dir / "worker-1.log", timeout=10)
        stack.kill("worker-1")
        report["killed_after_seconds"] = round(time.monotonic() - load_started, 1)
        time.sleep(max(0.0, args.seconds - (time.monotonic() - load_started)))
        stop.set()
        for thread in threads:
            thread.join(timeout=70)
        load_ended = time.monotonic()

        settled = settle(args.settle_timeout)
        report["seconds_to_settle"] = round(time.monotonic() - load_ended, 1) if settled else None
        if not settled:
            failures.append(f"texts did not settle within {args.settle_timeout}s")
        failures += verify(results, ports["twilio"], report)
        report["client"] = dict(results.counts)
        report["responses_by_host"] = {host: dict(counts) for host, counts in sorted(results.by_host.items())}
        conn = http.client.HTTPConnection("127.0.0.1", ports["balancer"], timeout=10)
        conn.request("GET", "/__balancer__/stats")
        report["balancer"] = json.loads(conn.getresponse().read())
        conn.close()
    finally:
        stack.stop_all()
        from django.db import connections

        connections.close_all()
        broker.flushdb()
        redis.Redis.from_url(cache_url).flushdb()
        if not args.keep_database:
            with psycopg.connect(f"{pg_base}/postgres", autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{args.database}" WITH (FORCE)')
    report["failures"] = failures
    print(json.dumps(report, indent=2))
    (log_dir / "report.json").write_text(json.dumps(report, indent=2))
    if failures:
        print("rehearsal failed: " + "; ".join(failures), flush=True)
    # The checks: texts settled, the load worked, double submits, bookings stored once, no overlap,
    # no text twice, confirmations once, acknowledgements once. A plain closing line, as test
    # runners print.
    print(f"rehearsal: {CHECKS - len(failures)} passed, {len(failures)} failed", flush=True)
    return 1 if failures else 0


def send_in_flight(log: Path, *, timeout: float) -> bool:
    """Wait until the worker's log shows a send task received and not yet finished."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        text = log.read_text(errors="replace")
        started = len(re.findall(r"send_message\[[^\]]+\] received", text))
        finished = len(re.findall(r"send_message\[[^\]]+\] (?:succeeded|retry|raised)", text))
        if started > finished:
            time.sleep(0.1)  # into the request to Twilio (which takes 0.3 s to answer)
            return True
        time.sleep(0.02)
    return False


def settle(timeout: float) -> bool:
    """Wait until no text that is due is still pending, sending or of unknown fate."""
    from django.utils import timezone

    from clinic.sms.models import Message

    unsettled = (Message.Status.PENDING, Message.Status.SENDING, Message.Status.UNKNOWN)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        waiting = Message.objects.filter(status__in=unsettled, due_at__lte=timezone.now()).count()
        if waiting == 0:
            return True
        time.sleep(1)
    return False


def twilio_log(port: int) -> list[dict]:
    """Every message the fake Twilio accepted, through its Messages list endpoint."""
    messages, path = [], f"/2010-04-01/Accounts/AC{'0' * 32}/Messages.json?PageSize=1000"
    while path:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        conn.request("GET", path)
        page = json.loads(conn.getresponse().read())
        conn.close()
        messages += page["messages"]
        path = page.get("next_page_uri")
    return messages


def verify(results: Results, twilio_port: int, report: dict) -> list[str]:
    from django.db import connection

    from bookings.models import Appointment
    from callbacks.models import CallbackRequest
    from clinic.sms.models import Message

    failures = []
    if results.counts["double_submit_two_bookings"]:
        failures.append(f"{results.counts['double_submit_two_bookings']} double submit(s) made two bookings")
    told = Counter(b["reference"] for b in results.bookings)
    if not told or not results.callbacks:
        # A rehearsal in which nobody managed to book proves nothing (a changed form, say).
        failures.append(f"the load did not work: {len(told)} bookings and {len(results.callbacks)} callbacks taken")
    stored = Counter(Appointment.objects.filter(reference__in=told).values_list("reference", flat=True))
    missing = [ref for ref in told if stored[ref] != 1]
    if missing:
        failures.append(f"{len(missing)} confirmed booking(s) not stored exactly once: {missing[:5]}")
    with connection.cursor() as cursor:
        cursor.execute(
            """SELECT count(*) FROM bookings_appointment a JOIN bookings_appointment b
               ON a.therapist_id = b.therapist_id AND a.id < b.id
              AND a.status IN ('booked', 'arrived', 'completed') AND b.status IN ('booked', 'arrived', 'completed')
              AND tstzrange(a.start, a.blocked_until) && tstzrange(b.start, b.blocked_until)"""
        )
        overlaps = cursor.fetchone()[0]
    if overlaps:
        failures.append(f"{overlaps} overlapping pair(s) of appointments")

    sent_to_twilio = Counter((m["to"], m["body"]) for m in twilio_log(twilio_port))
    twice = [key for key, n in sent_to_twilio.items() if n > 1]
    if twice:
        failures.append(f"{len(twice)} text(s) went to Twilio more than once")
    rehearsal_appointments = Appointment.objects.filter(patient__name__startswith="Rehearsal Patient")
    confirmations = Message.objects.filter(kind="booking_confirmation")
    for appointment in rehearsal_appointments:
        rows = list(confirmations.about(appointment))
        if len(rows) != 1 or sent_to_twilio[(rows[0].to.as_e164, rows[0].body)] != 1:
            failures.append(f"appointment {appointment.reference}: its confirmation did not go exactly once")
            break
    acks = Message.objects.filter(kind="callback_ack")
    for request in CallbackRequest.objects.filter(name__startswith="Rehearsal Caller"):
        rows = list(acks.about(request))
        if len(rows) != 1 or sent_to_twilio[(rows[0].to.as_e164, rows[0].body)] != 1:
            failures.append(f"callback request {request.pk}: its acknowledgement did not go exactly once")
            break
    report["stored"] = {
        "appointments": rehearsal_appointments.count(),
        "confirmed_to_patients": len(told),
        "callback_requests": CallbackRequest.objects.filter(name__startswith="Rehearsal Caller").count(),
        "texts_to_twilio": sum(sent_to_twilio.values()),
        "texts_by_status": dict(Counter(Message.objects.values_list("status", flat=True))),
        "reconciled_found": Message.objects.filter(
            reconciled_at__isnull=False, status__in=("sent", "delivered"), attempts=1
        ).count(),
        "reconciled_sent_again": Message.objects.filter(reconciled_at__isnull=False, attempts__gt=1).count(),
        "overlapping_pairs": overlaps,
    }
    return failures


if __name__ == "__main__":
    sys.exit(main())
