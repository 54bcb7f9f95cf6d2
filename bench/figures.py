"""Figures c and d of `bench/run.py`: the public booking POST and the day/time panel, in-process
(Django's test client, the whole middleware stack, DEBUG off). Called inside run.py's measuring
subprocess, after `bench.seed.seed`; every answer is checked before anything is timed.
"""

from __future__ import annotations

import os
import statistics
import time
from datetime import timedelta

from bench import workload
from bench.public import bench_phone, booking_form, panel_times

NO_CACHE = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}


def _redis_cache(url: str) -> dict:
    return {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url}}


def measure_booking_post(therapists, length, ids, now, policy, *, runs: int = 41) -> dict:
    """Figure c: POST /book/details/ for a free start, a new patient each time; time and queries
    per request (the first is a warm-up). The texts are queued to Celery's in-memory broker, as
    production queues them to Redis (no worker runs, so no text is sent)."""
    import time_machine
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from bookings.models import Appointment
    from bookings.schedules import find_free_starts
    from clinic.celery import app

    app.conf.task_always_eager = False
    app.conf.broker_url = "memory://localhost/"
    free = find_free_starts(
        therapist_ids=ids,
        length=length,
        first_day=workload.BOOKING_DAYS[0],
        last_day=workload.BOOKING_DAYS[-1],
        now=now,
        policy=policy,
    )
    candidates = {t.pk: [s for day in workload.BOOKING_DAYS for s in free[t.pk][day]] for t in therapists}
    client = Client()
    samples, queries, booked = [], [], 0
    with time_machine.travel(now, tick=True):
        for n in range(runs):
            therapist = therapists[n % len(therapists)]
            start = candidates[therapist.pk].pop(0)
            # The next start this therapist can still take: not inside the one just booked.
            candidates[therapist.pk] = [s for s in candidates[therapist.pk] if s >= start + length.duration]
            data = booking_form(length, therapist, start, phone=bench_phone(n))
            # A different address per patient, as patients have (the POST is rate-limited per address).
            address = f"10.9.{n // 250}.{n % 250 + 1}"
            t0 = time.perf_counter()
            with CaptureQueriesContext(connection) as ctx:
                response = client.post("/book/details/", data, REMOTE_ADDR=address)
            samples.append((time.perf_counter() - t0) * 1000)
            queries.append(len(ctx.captured_queries))
            assert response.status_code == 302, (response.status_code, response.content[:2000])
            assert Appointment.objects.filter(therapist=therapist, start=start, status="booked").exists()
            booked += 1
    samples, queries = samples[1:], queries[1:]
    return {
        "median_ms": statistics.median(samples),
        "min_ms": min(samples),
        "max_ms": max(samples),
        "runs": len(samples),
        # The most any booking cost (the first of each therapist's may read a little more).
        "queries": max(queries),
        "median_queries": statistics.median(queries),
        "booked": booked,
        "through": "POST /book/details/",
    }


def _rate(client, urls, batches: int = 7, per_batch: int = 200) -> float:
    rates = []
    for _ in range(batches):
        t0 = time.perf_counter()
        for i in range(per_batch):
            client.get(urls[i % len(urls)])
        rates.append(per_batch / (time.perf_counter() - t0))
    return statistics.median(rates)


def measure_panel(rows, therapists, length, now) -> dict:
    """Figure d: the day/time panel (the htmx partial) for each therapist on Mon-Sat of the
    measured week (48 questions, asked in turn), checked against `workload.free_starts`.

    Three ways, each in its own cache state:
    - `req_per_s`: the cache run.py's subprocess has (local memory, as one web process has it);
      a panel is computed once per question and minute, then served from the cache;
    - `redis_req_per_s` (when BENCH_CACHE_URL names a Redis database): the shared cache production
      uses, one network round trip per cached read;
    - `uncached_req_per_s`: no cache at all, every request computed (what the first visitor
      asking a question in a minute, or after a booking, pays).
    """
    import time_machine
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, override_settings

    client = Client(headers={"HX-Request": "true"})
    questions = [
        (day, index, pk) for day in workload.MEASURE_WEEK[:6] for index, pk in enumerate(t.pk for t in therapists)
    ]
    urls = [f"/book/time/?length={length.pk}&therapist={pk}&day={day.isoformat()}" for day, _, pk in questions]

    def check():
        for (day, index, _), url in zip(questions, urls, strict=True):
            response = client.get(url)
            assert response.status_code == 200 and b"<html" not in response.content, "expected the htmx partial"
            expected = workload.free_starts(rows, day, index, workload.MEASURE_SERVICE)
            assert panel_times(response.content.decode()) == expected, (url, expected)

    def queries(url):
        with CaptureQueriesContext(connection) as ctx:
            client.get(url)
        return len(ctx.captured_queries)

    result = {}
    # tick=False: one minute of "now" for the whole measurement, so no run pays the minute's
    # turn (in a running clinic each question's panel is computed once a minute, then cached).
    with time_machine.travel(now + timedelta(seconds=1), tick=False):
        cache.clear()
        result["cold_queries"] = queries(urls[0])  # the first visitor asking this question
        check()
        result["req_per_s"] = _rate(client, urls)
        result["queries"] = queries(urls[0])
        redis_url = os.environ.get("BENCH_CACHE_URL")
        if redis_url:
            with override_settings(CACHES=_redis_cache(redis_url)):
                cache.clear()
                check()
                result["redis_req_per_s"] = _rate(client, urls)
                result["redis_queries"] = queries(urls[0])
                cache.clear()
        with override_settings(CACHES=NO_CACHE):
            check()
            result["uncached_req_per_s"] = _rate(client, urls, batches=3, per_batch=100)
            result["uncached_queries"] = queries(urls[0])
    result["questions"] = len(urls)
    return result
