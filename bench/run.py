"""Benchmark harness for the shared workload (bench/workload.md): figures a-e and the race.

    .venv/bin/python bench/run.py                 # SQLite, plus PostgreSQL if 127.0.0.1:5432 answers
    .venv/bin/python bench/run.py --engines sqlite --sizes 30

Each (engine, diary size) is measured in a fresh subprocess on a database rebuilt from empty and
ANALYZEd, with DEBUG off. Every figure is checked against `workload.free_starts` first: a figure
whose answer differs is not reported. Results go to stdout and, with --write, docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
PG_ADMIN_URL = "postgres://postgres@127.0.0.1:5432/postgres"
PG_BENCH_DB = "clinic_bench"


def _timed(fn, runs: int) -> dict:
    fn()  # warm-up
    samples = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - t0) * 1000)
    return {"median_ms": statistics.median(samples), "min_ms": min(samples), "max_ms": max(samples), "runs": runs}


def measure(engine: str, days: int) -> dict:
    """Runs inside the subprocess, with DATABASE_URL already pointing at an empty database."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clinic.settings.test")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, connections
    from django.test.utils import CaptureQueriesContext, setup_test_environment
    from django.utils import timezone

    from bench import workload
    from bench.figures import measure_booking_post, measure_panel
    from bench.seed import seed
    from bookings.models import Appointment
    from bookings.schedules import BookingPolicy, find_free_starts
    from bookings.services import PatientDetails, SlotUnavailable, create_booking

    call_command("migrate", verbosity=0)
    rows, therapists, lengths = seed(days)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    length = lengths[workload.MEASURE_SERVICE]
    now = timezone.make_aware(datetime(2030, 1, 6, 12))
    policy = BookingPolicy(step=timedelta(minutes=workload.SLOT_STEP_MIN), min_notice=timedelta(0), horizon_days=800)
    ids = [t.pk for t in therapists]

    def figure_a():
        return find_free_starts(
            therapist_ids=[ids[workload.MEASURE_THERAPIST]],
            length=length,
            first_day=workload.MEASURE_DAY,
            last_day=workload.MEASURE_DAY,
            now=now,
            policy=policy,
        )

    def figure_b():
        return find_free_starts(
            therapist_ids=ids,
            length=length,
            first_day=workload.MEASURE_WEEK[0],
            last_day=workload.MEASURE_WEEK[-1],
            now=now,
            policy=policy,
        )

    def as_times(starts):
        return [timezone.localtime(s).time() for s in starts]

    a = figure_a()[ids[workload.MEASURE_THERAPIST]][workload.MEASURE_DAY]
    assert as_times(a) == workload.free_starts(rows, workload.MEASURE_DAY, 0, workload.MEASURE_SERVICE)
    b = figure_b()
    for index, pk in enumerate(ids):
        for day in workload.MEASURE_WEEK:
            assert as_times(b[pk][day]) == workload.free_starts(rows, day, index, workload.MEASURE_SERVICE)
    result = {"engine": engine, "days": days, "bookings": len(rows), "sha256": workload.summary(days)["sha256"]}
    result["a_free_starts"] = len(a)
    result["b_free_starts"] = sum(len(v) for per_day in b.values() for v in per_day.values())
    result["a"] = _timed(figure_a, 51)
    result["b"] = _timed(figure_b, 15)
    for name, fn in (("a", figure_a), ("b", figure_b)):
        with CaptureQueriesContext(connection) as ctx:
            fn()
        result[name]["queries"] = len(ctx.captured_queries)
    if days != workload.BASE_DAYS:
        return result

    # c: book through the public POST (/book/details/), as a patient's browser does: a free
    # 45-minute start on Mon 14 - Sat 19 Jan, rotating therapists, each a new patient with the
    # health questions answered and the consents ticked, texts queued (to Celery's in-memory
    # broker, as production queues them to Redis; no worker runs here).
    setup_test_environment()  # the test client's host allowed, DEBUG off, outgoing mail kept
    result["c"] = measure_booking_post(therapists, length, ids, now, policy)

    # d: the partial the booking page requests (htmx) for one therapist and day, in-process.
    result["d"] = measure_panel(rows, therapists, length, now)
    # race: 20 threads with their own connections book the same slot (PostgreSQL only).
    if engine == "postgres":
        race_therapist = therapists[1]
        slot = find_free_starts(
            therapist_ids=[race_therapist.pk],
            length=length,
            first_day=workload.RACE_DAY,
            last_day=workload.RACE_DAY,
            now=now,
            policy=policy,
        )[race_therapist.pk][workload.RACE_DAY][0]
        barrier = threading.Barrier(20)
        outcomes = []

        def book(n):
            try:
                barrier.wait()
                create_booking(
                    length=length,
                    start=slot,
                    therapist=race_therapist,
                    online_rules=False,
                    notify_patient=False,
                    patient=PatientDetails(name=f"Racer {n}", phone=f"+4477009{90000 + n}"),
                )
                outcomes.append("booked")
            except SlotUnavailable:
                outcomes.append("taken")
            except Exception as error:  # reported in the results, not hidden
                outcomes.append(f"error: {error!r}")
            finally:
                connections.close_all()

        threads = [threading.Thread(target=book, args=(n,)) for n in range(20)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        result["race"] = {
            "booked": outcomes.count("booked"),
            "taken": outcomes.count("taken"),
            "errors": [o for o in outcomes if o.startswith("error")],
            "rows": Appointment.objects.filter(therapist=race_therapist, start=slot).count(),
        }
    return result


def _pg_available() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 5432), 1).close()
        return True
    except OSError:
        return False


def _fresh_database(engine: str, workdir: Path, days: int) -> str:
    if engine == "sqlite":
        path = workdir / f"bench-{days}.sqlite3"
        path.unlink(missing_ok=True)
        return f"sqlite:///{path}"
    import psycopg

    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {PG_BENCH_DB}")
        conn.execute(f"CREATE DATABASE {PG_BENCH_DB}")
    return f"postgres://postgres@127.0.0.1:5432/{PG_BENCH_DB}"


def _diary(engine: str, workdir: Path) -> dict:
    """The reception diary's figure (bench/diary.py: 40 therapists x 24 appointments) on a fresh
    database of this engine."""
    import ast

    command = [sys.executable, str(ROOT / "bench" / "diary.py"), "--therapists", "40", "--appointments", "24"]
    if engine == "postgres":
        command += ["--database-url", _fresh_database(engine, workdir, 0)]
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    out = subprocess.run(command, env=env, capture_output=True, text=True, cwd=ROOT)
    if out.returncode != 0:
        sys.exit(f"{engine} diary failed:\n{out.stderr}")
    result = ast.literal_eval(out.stdout.strip().splitlines()[-1])
    print(engine, "diary", result, flush=True)
    return {"engine": engine, **result}


def _diary_markdown(diaries: list[dict]) -> str:
    lines = [
        "| engine | reception day diary, 40 therapists × 24: after a write (median) | min / max "
        "| the same page again (cached, median) | queries after a write / again | blocks | page |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for d in diaries:
        lines.append(
            f"| {d['engine']} | {d['median_ms']:.0f} ms | {d['min_ms']:.0f} / {d['max_ms']:.0f} ms "
            f"| {d['again_ms']:.0f} ms | {d['queries']} / {d['queries_again']} | {d['blocks']} | {d['kb']:.0f} kB |"
        )
    return "\n".join(lines)


def _markdown(results: list[dict]) -> str:
    lines = [
        "| engine | diary days | bookings | a (1 therapist, 1 day) | b (8 therapists, 7 days) | queries a / b |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        lines.append(
            f"| {r['engine']} | {r['days']} | {r['bookings']} | {r['a']['median_ms']:.2f} ms "
            f"({r['a_free_starts']} starts) | {r['b']['median_ms']:.2f} ms ({r['b_free_starts']} starts) "
            f"| {r['a']['queries']} / {r['b']['queries']} |"
        )
    lines += [
        "",
        "| engine | c: book one through POST /book/details/ (median) | c queries (median) | "
        "d: times partial, warm | d: with Redis | d: uncached | d queries warm / cold | race |",
        "|---|---:|---:|---:|---:|---:|---:|---|",
    ]
    for r in results:
        if "c" not in r:
            continue
        c, d, race = r["c"], r["d"], r.get("race")
        race_text = (
            f"{race['booked']} booked, {race['taken']} told 'just booked', {len(race['errors'])} errors, "
            f"{race['rows']} row"
            if race
            else "—"
        )
        redis = f"{d['redis_req_per_s']:.0f} req/s" if "redis_req_per_s" in d else "—"
        lines.append(
            f"| {r['engine']} | {c['median_ms']:.1f} ms (min {c['min_ms']:.1f}, max {c['max_ms']:.1f}) "
            f"| {c['median_queries']:.0f} (at most {c['queries']}) | {d['req_per_s']:.0f} req/s | {redis} "
            f"| {d['uncached_req_per_s']:.0f} req/s "
            f"| {d['queries']} / {d['cold_queries']} | {race_text} |"
        )
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--engines", nargs="*", default=None)
    parser.add_argument("--sizes", nargs="*", type=int, default=[30, 120, 365])
    parser.add_argument("--write", action="store_true", help="write the tables into docs/benchmarks.md")
    parser.add_argument("--measure", nargs=2, metavar=("ENGINE", "DAYS"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure(args.measure[0], int(args.measure[1])), default=str))
        return
    engines = args.engines or (["sqlite", "postgres"] if _pg_available() else ["sqlite"])
    results = []
    with tempfile.TemporaryDirectory() as workdir:
        for engine in engines:
            for days in args.sizes:
                env = {**os.environ, "DATABASE_URL": _fresh_database(engine, Path(workdir), days)}
                redis_url = env.pop("REDIS_URL", None)
                if redis_url:
                    # Figure d once more with the shared cache production uses (a database of its own).
                    env["BENCH_CACHE_URL"] = redis_url.rsplit("/", 1)[0] + "/12"
                out = subprocess.run(
                    [sys.executable, __file__, "--measure", engine, str(days)],
                    env=env,
                    capture_output=True,
                    text=True,
                    cwd=ROOT,
                )
                if out.returncode != 0:
                    sys.exit(f"{engine} {days} days failed:\n{out.stderr}")
                result = json.loads(out.stdout.strip().splitlines()[-1])
                print(json.dumps(result), flush=True)
                results.append(result)
        diaries = [_diary(engine, Path(workdir)) for engine in engines]
    table = _markdown(results) + "\n\n" + _diary_markdown(diaries)
    print(table)
    if args.write:
        doc = ROOT / "docs" / "benchmarks.md"
        text = doc.read_text()
        begin, end = "<!-- results:begin -->", "<!-- results:end -->"
        head, _, rest = text.partition(begin)
        _, _, tail = rest.partition(end)
        doc.write_text(f"{head}{begin}\n{table}\n{end}{tail}")


if __name__ == "__main__":
    main()
