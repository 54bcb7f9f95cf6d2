"""The reception diary figure: one day's page for a clinic of N therapists with M appointments each.

Not part of the shared workload (the peer has no reception diary); it measures the admin page
reception keeps open all day. Each therapist works 07:00-21:00 (56 rows of 15 minutes) and has M
30-minute appointments that day, every fourth one arrived and every sixth completed, some with a
note, plus one cancelled appointment (listed under the grid). Other days hold a diary of the same
density, so the figure also shows whether the page stays flat as the diary grows.

    .venv/bin/python bench/diary.py --therapists 40 --appointments 24   # SQLite, fresh file
    .venv/bin/python bench/diary.py --database-url postgres://postgres@127.0.0.1:5432/EMPTY_DB

`measure_diary` is also called by bench/run.py on both engines.
"""

from __future__ import annotations

import gc
import statistics
import time as clock
from datetime import date, datetime, time, timedelta
from decimal import Decimal

DIARY_DAY = date(2030, 1, 9)  # a Wednesday
HOURS = (time(7), time(21))


def seed_diary(therapists: int, per_day: int, *, days_around: int = 0):
    """N therapists, each with `per_day` appointments on DIARY_DAY (and on `days_around` days
    either side, so the diary has history and future). Returns (day, therapists)."""
    from django.utils import timezone

    from bookings.models import Appointment, Patient, Treatment, TreatmentLength
    from therapists.models import Therapist, WorkingHours

    treatment = Treatment.objects.create(name="Soft tissue massage", slug="stm-diary")
    length = TreatmentLength.objects.create(treatment=treatment, minutes=30, price=Decimal(40))
    people = []
    for i in range(therapists):
        therapist = Therapist.objects.create(name=f"Therapist {i + 1}", slug=f"diary-{i + 1}", display_order=i)
        therapist.lengths.set([length])
        WorkingHours.objects.bulk_create(
            WorkingHours(therapist=therapist, weekday=wd, start=HOURS[0], end=HOURS[1]) for wd in range(7)
        )
        people.append(therapist)
    patients = Patient.objects.bulk_create(
        Patient(name=f"Client {c}", phone=f"+4477009{c:05d}", email=f"client{c}@example.com") for c in range(400)
    )
    slots_per_day = (HOURS[1].hour - HOURS[0].hour) * 2  # half hours
    rows = []

    def add(day, half_hour, **fields):
        start = timezone.make_aware(datetime.combine(day, HOURS[0])) + timedelta(minutes=30 * half_hour)
        end = start + timedelta(minutes=30)
        rows.append(
            Appointment(
                length=length,
                start=start,
                end=end,
                blocked_until=end,
                price=length.price,
                reference=f"B{len(rows):06d}",
                **fields,
            )
        )

    for offset in range(-days_around, days_around + 1):
        day = DIARY_DAY + timedelta(days=offset)
        for t, therapist in enumerate(people):
            # Leave (slots - per_day) half hours free, at places that differ per therapist.
            free = {(t * 7 + k * 5) % slots_per_day for k in range(slots_per_day - per_day)}
            taken = [s for s in range(slots_per_day) if s not in free][:per_day]
            for n, half_hour in enumerate(taken):
                add(
                    day,
                    half_hour,
                    patient=patients[(t * per_day + n) % len(patients)],
                    therapist=therapist,
                    status="arrived" if n % 4 == 1 else "completed" if n % 6 == 0 else "booked",
                    note="Tight calves after running." if n % 3 == 0 else "",
                )
            if free:
                add(
                    day,
                    min(free),
                    patient=patients[t],
                    therapist=therapist,
                    status="cancelled",
                    cancellation_reason="Feeling unwell",
                )
    Appointment.objects.bulk_create(rows, batch_size=1000)
    return DIARY_DAY, people


def bench_reception():
    """A staff login in the Reception group (created once)."""
    from django.contrib.auth.models import Group, User

    from clinic.core.roles import RECEPTION, ensure_roles

    user = User.objects.filter(username="bench-reception").first()
    if user is None:
        ensure_roles()
        user = User.objects.create_user("bench-reception", password="bench-reception-pass", is_staff=True)
        user.groups.add(Group.objects.get(name=RECEPTION))
    return user


def _grid(response) -> str:
    """The diary's own part of the page (the rest holds the per-request CSRF token)."""
    page = response.content.decode()
    return page[page.index('<div id="diary-live"') : page.index("</tbody>")]


def measure_diary(*, runs: int = 15) -> dict:
    """Times GET of the day diary in-process, signed in as reception (who can book, so every free
    cell is a link; a superuser or manager would be asked for a second factor first).

    Two figures, since the page is cached between writes (bookings/diary/page.py):
    - after a write (`median_ms`): before each look, the version every appointment or patient
      write bumps moves on (`bump(DIARY_PAGES)`, untimed), so the page is read and written out
      again with only the day's set-up cached: what the first look after any change costs;
    - again (`again_ms`): the same page again with nothing changed (the cached page).

    Call with the database seeded by `seed_diary`. Returns the medians and the spread (ms) after
    a write, the query counts of each (separate runs) and the page size."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from bookings.models import DIARY_PAGES, Appointment
    from clinic.core.versions import bump

    user = bench_reception()
    client = Client()
    client.force_login(user)
    url = f"{reverse('admin:bookings_diary')}?date={DIARY_DAY.isoformat()}"
    first = client.get(url)
    assert first.status_code == 200, first.status_code
    page = first.content.decode()
    in_grid = Appointment.objects.holding_time().on_day(DIARY_DAY).count()
    assert page.count('class="block"') == in_grid, (page.count('class="block"'), in_grid)
    # As a gunicorn worker runs (gunicorn.conf.py: post_worker_init): what is loaded by now is
    # frozen out of the garbage collector's full collections.
    gc.collect()
    gc.freeze()
    after_write, again = [], []
    try:
        for _ in range(runs):
            bump(DIARY_PAGES)
            t0 = clock.perf_counter()
            computed = client.get(url)
            t1 = clock.perf_counter()
            repeated = client.get(url)
            t2 = clock.perf_counter()
            after_write.append((t1 - t0) * 1000)
            again.append((t2 - t1) * 1000)
            assert _grid(computed) == _grid(repeated) == _grid(first)
    finally:
        gc.unfreeze()
    bump(DIARY_PAGES)
    with CaptureQueriesContext(connection) as written:
        client.get(url)
    with CaptureQueriesContext(connection) as cached:
        client.get(url)
    return {
        "median_ms": statistics.median(after_write),
        "min_ms": min(after_write),
        "max_ms": max(after_write),
        "again_ms": statistics.median(again),
        "queries": len(written.captured_queries),
        "queries_again": len(cached.captured_queries),
        "kb": len(first.content) / 1000,
        "blocks": in_grid,
    }


def main():
    import argparse
    import os
    import sys
    import tempfile
    from pathlib import Path

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--therapists", type=int, default=40)
    parser.add_argument("--appointments", type=int, default=24)
    parser.add_argument("--days-around", type=int, default=0)
    parser.add_argument("--database-url", help="an empty database to use (default: a fresh SQLite file)")
    parser.add_argument("--profile", action="store_true", help="print a cProfile of the first look after a write")
    args = parser.parse_args()
    root = Path(__file__).resolve().parent.parent
    sys.path.insert(0, str(root))
    workdir = tempfile.mkdtemp()
    os.environ["DATABASE_URL"] = args.database_url or f"sqlite:///{workdir}/diary.sqlite3"
    os.environ.pop("REDIS_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clinic.settings.test")
    import django

    django.setup()
    from django.core.management import call_command
    from django.test.utils import setup_test_environment

    setup_test_environment()
    call_command("migrate", verbosity=0)
    seed_diary(args.therapists, args.appointments, days_around=args.days_around)
    from django.db import connection

    with connection.cursor() as cursor:
        # Statistics, as autovacuum keeps them in production (and bench/run.py does): without
        # them PostgreSQL plans the appointments' query for 4 rows instead of a thousand.
        cursor.execute("ANALYZE")
    print(measure_diary())
    if args.profile:
        import cProfile
        import pstats

        from django.test import Client
        from django.urls import reverse

        from bookings.models import DIARY_PAGES
        from clinic.core.versions import bump

        client = Client()
        client.force_login(bench_reception())
        url = f"{reverse('admin:bookings_diary')}?date={DIARY_DAY.isoformat()}"
        client.get(url)
        bump(DIARY_PAGES)
        profile = cProfile.Profile()
        profile.enable()
        client.get(url)
        profile.disable()
        stats = pstats.Stats(profile)
        stats.sort_stats("tottime").print_stats(25)
        stats.sort_stats("cumulative").print_stats(r"/(bookings|therapists|clinic)/", 30)


if __name__ == "__main__":
    main()
