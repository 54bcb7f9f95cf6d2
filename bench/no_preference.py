"""The "no preference" day/time partial as the clinic grows: 8 therapists against 40.

Issue #13's target: asking for "no preference" with 40 therapists costs at most 1.5x what it costs
with 8. Each size runs in a process of its own on a fresh SQLite database seeded like the diary
figure (`bench/diary.py`: therapists working 07:00-21:00, 20 half-hour appointments each a day, on
the measured day and the 14 days either side), with the clock at the workload's "now" (Sun 6 Jan
2030 12:00, bench/http_settings.py). The partial is requested in-process through Django's test
client, the way a patient's htmx request arrives:

- uncached: the cache emptied before every request (a panel nobody asked for yet, each
  therapist-day computed: the engine's and the loader's real cost);
- after a write: one therapist's diary version moved before every request (what every booking,
  move or cancellation does, `bookings.services.diary_changed`), rotating through the therapists:
  the panel and that therapist's days are computed again, everyone else's days come from the
  cache;
- warm: the same request again (what most patients get).

    .venv/bin/python bench/no_preference.py            # prints both sizes and the ratios
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time as clock
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
SIZES = (8, 40)
PER_DAY = 20
RUNS = 31
# The workload's "now" (bench/http_settings.py has the same; importing it would load production settings).
CLOCK = datetime(2030, 1, 6, 12, tzinfo=ZoneInfo("Europe/London"))


def measure(therapists: int) -> dict:
    sys.path.insert(0, str(ROOT))
    workdir = tempfile.mkdtemp()
    os.environ["DATABASE_URL"] = f"sqlite:///{workdir}/no_preference.sqlite3"
    os.environ.pop("REDIS_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clinic.settings.test")
    import time_machine

    time_machine.travel(CLOCK, tick=True).start()
    import django

    django.setup()
    from django.core.cache import cache
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, setup_test_environment
    from django.urls import reverse

    from bench.diary import DIARY_DAY, seed_diary
    from bookings.models import TreatmentLength
    from bookings.services.booking import diary_changed
    from therapists.models import Therapist

    setup_test_environment()
    call_command("migrate", verbosity=0)
    seed_diary(therapists, PER_DAY, days_around=14)
    length = TreatmentLength.objects.get()
    client = Client()
    url = reverse("bookings:time")
    query = {"length": str(length.pk), "therapist": "any", "day": DIARY_DAY.isoformat()}

    def get():
        response = client.get(url, query, HTTP_HX_REQUEST="true")
        assert response.status_code == 200, response.status_code
        return response

    first = get()
    # The answer is checked before it is timed: with 20 of 28 half hours taken per therapist, at
    # different places, someone is free at some time that day.
    assert b"/book/details/" in first.content, "no free time offered"

    def timed(before) -> list[float]:
        samples = []
        for _ in range(RUNS):
            before()
            t0 = clock.perf_counter()
            get()
            samples.append((clock.perf_counter() - t0) * 1000)
        return samples

    uncached = timed(cache.clear)
    ids = iter(list(Therapist.objects.values_list("pk", flat=True)) * RUNS)
    get()
    after_write = timed(lambda: diary_changed(next(ids)))
    get()
    warm = timed(lambda: None)
    cache.clear()
    with CaptureQueriesContext(connection) as cold_queries:
        get()
    return {
        "therapists": therapists,
        "uncached_ms": statistics.median(uncached),
        "after_write_ms": statistics.median(after_write),
        "warm_ms": statistics.median(warm),
        "queries_uncached": len(cold_queries.captured_queries),
    }


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "--one":
        print(json.dumps(measure(int(sys.argv[2]))))
        return
    results = []
    for size in SIZES:
        out = subprocess.run(
            [sys.executable, __file__, "--one", str(size)], capture_output=True, text=True, check=True, cwd=ROOT
        )
        results.append(json.loads(out.stdout.strip().splitlines()[-1]))
    print("| therapists | uncached (median) | after a write (median) | warm (median) | queries uncached |")
    print("|---:|---:|---:|---:|---:|")
    for r in results:
        print(
            f"| {r['therapists']} | {r['uncached_ms']:.1f} ms | {r['after_write_ms']:.1f} ms | {r['warm_ms']:.2f} ms "
            f"| {r['queries_uncached']} |"
        )
    small, large = results[0], results[-1]
    ratios = {k: large[k] / small[k] for k in ("uncached_ms", "after_write_ms", "warm_ms")}
    print(
        f"\n{large['therapists']} vs {small['therapists']} therapists (load average {_load()}): "
        f"uncached {ratios['uncached_ms']:.2f}x, after a write {ratios['after_write_ms']:.2f}x, "
        f"warm {ratios['warm_ms']:.2f}x"
    )


def _load() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


if __name__ == "__main__":
    main()
