"""The database `bench/http_load.py` loads: run inside a process with its production settings
(`bench.http_settings`), it migrates, seeds the workload, and writes what the load needs (the
questions with their expected answers, the booking forms, a signed-in reception session)."""

from __future__ import annotations

import json
from pathlib import Path

from bench.http_load import DAYS


def prepare(out: Path, bookings: int) -> None:
    """Inside the production-settings process: migrate, seed, and write what the load needs."""
    import django

    django.setup()
    from datetime import datetime

    import time_machine
    from django.conf import settings
    from django.contrib.auth.models import Group, User
    from django.core.management import call_command
    from django.db import connection
    from django.middleware.csrf import _get_new_csrf_string
    from django.test import Client
    from django.utils import timezone

    from bench import workload
    from bench.public import bench_phone, booking_form
    from bench.seed import seed
    from bookings.models import Appointment
    from bookings.schedules import BookingPolicy, find_free_starts
    from clinic.core.models import ClinicSettings
    from clinic.core.roles import RECEPTION, ensure_roles

    # At the workload's "now", as gunicorn's workers run (bench/http_wsgi.py): the session and
    # the forms' one-time tokens are made at the time they are used.
    time_machine.travel(settings.CLOCK, tick=True).start()
    call_command("migrate", verbosity=0)
    rows, therapists, lengths = seed(DAYS)
    ClinicSettings.load()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    ensure_roles()
    user = User.objects.create_user("bench-reception", password="bench-reception-pass", is_staff=True)
    user.groups.add(Group.objects.get(name=RECEPTION))
    client = Client()
    client.force_login(user)
    from django.conf import settings

    session = client.cookies[settings.SESSION_COOKIE_NAME].value

    length = lengths[workload.MEASURE_SERVICE]
    questions = [
        {"therapist": t.pk, "index": i, "day": day.isoformat(), "expected": []}
        for day in workload.MEASURE_WEEK[:6]
        for i, t in enumerate(therapists)
    ]
    for q in questions:
        day = datetime.fromisoformat(q["day"]).date()
        q["expected"] = [
            t.strftime("%H:%M") for t in workload.free_starts(rows, day, q["index"], workload.MEASURE_SERVICE)
        ]
    # Every free 45-minute start from Mon 14 Jan to the clinic's horizon, no two overlapping.
    policy = BookingPolicy.from_settings()
    free = find_free_starts(
        therapist_ids=[t.pk for t in therapists],
        length=length,
        first_day=workload.BOOKING_DAYS[0],
        last_day=policy.last_day(timezone.now()),
        now=timezone.now(),
        policy=policy,
    )
    starts = []
    for t in therapists:
        for day in sorted(free[t.pk]):
            taken_until = None
            for s in free[t.pk][day]:
                if taken_until is None or s >= taken_until:
                    starts.append((t, s))
                    taken_until = s + length.duration
    starts.sort(key=lambda pair: pair[1])
    forms = []
    from urllib.parse import urlencode

    for n, (t, s) in enumerate(starts[:bookings]):
        forms.append(urlencode(booking_form(length, t, s, phone=bench_phone(n))))
    out.write_text(
        json.dumps(
            {
                "length": length.pk,
                "questions": questions,
                "forms": forms,
                "session_cookie": f"{settings.SESSION_COOKIE_NAME}={session}",
                "csrf": _get_new_csrf_string(),
                "diary_day": workload.MEASURE_DAY.isoformat(),
                "diary_blocks": Appointment.objects.holding_time().on_day(workload.MEASURE_DAY).count(),
                "appointments": Appointment.objects.count(),
            }
        )
    )
