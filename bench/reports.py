"""Benchmark of the managers' reports on a year of the shared 8-therapist diary (docs/reports.md).

    .venv/bin/python bench/reports.py                    # PostgreSQL if 127.0.0.1:5432 answers, else SQLite
    .venv/bin/python bench/reports.py --engine sqlite --days 365

Builds a database from empty, seeds the shared workload's diary (bench/workload.py) for `--days`
days, gives it a realistic history (most appointments completed, some no-shows and cancellations,
two texts per appointment, three callback requests a day), then times the figures alone
(`build_report`) and the whole reports page as a manager gets it, for one week and for the whole
diary, and counts their queries. Timings are medians after a warm-up.
"""

from __future__ import annotations

import argparse
import os
import random
import socket
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
PG_ADMIN_URL = "postgres://postgres@127.0.0.1:5432/postgres"
PG_DB = "clinic_bench_reports"


def _median_ms(fn, runs: int) -> float:
    fn()
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples)


def _database(engine: str, workdir: str) -> str:
    if engine == "sqlite":
        return f"sqlite:///{workdir}/reports.sqlite3"
    import psycopg

    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {PG_DB}")
        conn.execute(f"CREATE DATABASE {PG_DB}")
    return f"postgres://postgres@127.0.0.1:5432/{PG_DB}"


def _history(rng: random.Random) -> None:
    """Statuses, texts and callback requests for the seeded diary, written in bulk."""
    from django.contrib.contenttypes.models import ContentType
    from django.utils import timezone

    from bookings.models import Appointment
    from callbacks.models import CallAttempt, CallbackRequest
    from clinic.core.models import OpeningHours
    from clinic.sms.models import Message

    status = Appointment.Status
    appointments = list(Appointment.objects.all())
    for a in appointments:
        roll = rng.random()
        if roll < 0.06:
            a.status = status.NO_SHOW
        elif roll < 0.16:
            a.status = status.CANCELLED
            a.cancelled_at = a.start - timedelta(hours=rng.choice([2, 12, 30, 72]))
        else:
            a.status = status.COMPLETED
    Appointment.objects.bulk_update(appointments, ["status", "cancelled_at"], batch_size=2000)
    kind = ContentType.objects.get_for_model(Appointment)
    texts = []
    for a in appointments:
        for name in ("booking_confirmation", "reminder"):
            ok = rng.random() > 0.03
            texts.append(
                Message(
                    kind=name,
                    to="+447700900123",
                    body=("Hi Client, you're booked with Therapist 1 on Mon 7 Jan at 09:00 (45 min). " * 2)[:150],
                    status=Message.Status.DELIVERED if ok else Message.Status.UNDELIVERED,
                    provider_id=f"SM{a.pk:08d}{name[0]}",
                    about_type=kind,
                    about_id=a.pk,
                )
            )
    Message.objects.bulk_create(texts, batch_size=2000)
    from django.db.models import OuterRef, Subquery

    # Each text written a day before its appointment, as a booking's confirmation would be.
    Message.objects.update(
        created_at=Subquery(Appointment.objects.filter(pk=OuterRef("about_id")).values("start")[:1]) - timedelta(days=1)
    )
    OpeningHours.objects.bulk_create(OpeningHours(weekday=d) for d in range(5))
    days = sorted({timezone.localtime(a.start).date() for a in appointments})
    requests = CallbackRequest.objects.bulk_create(
        CallbackRequest(name="Caller", phone=f"+447700{n:06d}", status=CallbackRequest.Status.DONE)
        for n in range(len(days) * 3)
    )
    attempts = []
    for n, request in enumerate(requests):
        asked = timezone.make_aware(timezone.datetime.combine(days[n // 3], timezone.datetime.min.time())) + timedelta(
            hours=9 + n % 3 * 3
        )
        request.created_at = asked
        attempts.append(
            CallAttempt(request=request, at=asked + timedelta(hours=rng.choice([1, 2, 30])), outcome="reached")
        )
    CallbackRequest.objects.bulk_update(requests, ["created_at"], batch_size=2000)
    CallAttempt.objects.bulk_create(attempts, batch_size=2000)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--engine", choices=["postgres", "sqlite"], default=None)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--keep", action="store_true", help="keep the PostgreSQL database afterwards")
    args = parser.parse_args()
    engine = args.engine
    if engine is None:
        try:
            socket.create_connection(("127.0.0.1", 5432), timeout=1).close()
            engine = "postgres"
        except OSError:
            engine = "sqlite"
    with tempfile.TemporaryDirectory() as workdir:
        os.environ["DATABASE_URL"] = _database(engine, workdir)
        os.environ.pop("REDIS_URL", None)
        os.environ["DJANGO_SETTINGS_MODULE"] = "clinic.settings.test"
        import django

        django.setup()
        from django.core.management import call_command
        from django.db import connection
        from django.test import Client
        from django.test.utils import CaptureQueriesContext, setup_test_environment
        from django.urls import reverse

        from bench.seed import seed
        from clinic.core.models import ClinicSettings
        from clinic.core.roles import MANAGER, ensure_roles
        from reports.figures import build_report
        from reports.period import Period

        setup_test_environment()
        call_command("migrate", verbosity=0)
        started = time.perf_counter()
        rows, _, _ = seed(args.days)
        _history(random.Random(42))
        if engine == "postgres":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        seeded = time.perf_counter() - started
        days = sorted({b.date for b in rows})
        whole = Period(days[0], days[-1])
        week = Period(days[0], days[0] + timedelta(days=6))

        from django.contrib.auth.models import User

        ClinicSettings.load()
        ensure_roles()
        user = User.objects.create_user("bench-manager", is_staff=True)
        user.groups.add(ensure_roles()[MANAGER])
        client = Client()
        client.force_login(user)
        url = reverse("admin:reports_report_changelist")

        def page(period):
            response = client.get(url, {"first": period.first.isoformat(), "last": period.last.isoformat()})
            assert response.status_code == 200, response.status_code
            return response

        print(f"engine {engine}, {args.days} diary days, {len(rows)} appointments (seeded in {seeded:.1f} s)")
        for label, period in (("one week", week), (f"{args.days} days", whole)):
            connection.queries_log.clear()
            with CaptureQueriesContext(connection) as captured:
                build_report(period)
            figures_queries = len(captured)  # read now: the context slices the live log
            connection.queries_log.clear()
            with CaptureQueriesContext(connection) as captured:
                page(period)
            page_queries = len(captured)
            figures_ms = _median_ms(lambda p=period: build_report(p), 9)
            page_ms = _median_ms(lambda p=period: page(p), 9)
            if os.environ.get("BENCH_PROFILE"):
                with CaptureQueriesContext(connection) as captured:
                    build_report(period)
                for query in captured.captured_queries:
                    print(f"  {query['time']} s  {query['sql'][:150]}")
            print(
                f"| {engine} | {label} | {figures_ms:.0f} ms | {figures_queries} | {page_ms:.0f} ms | {page_queries} |"
            )
        if engine == "postgres" and not args.keep:
            connection.close()
            import psycopg

            with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
                conn.execute(f"DROP DATABASE IF EXISTS {PG_DB}")


if __name__ == "__main__":
    main()
