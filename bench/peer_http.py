"""Our booking and the peer's (django-appointment 3.12.0), each over real HTTP under gunicorn,
driven by the same client in the same run.

    .venv/bin/python bench/peer_http.py              # or: make bench-peer
    .venv/bin/python bench/peer_http.py --rounds 1   # a quick look
    .venv/bin/python bench/peer_http.py --write      # also into docs/benchmarks.md

- The peer: a throwaway venv in a temporary directory (django-appointment 3.12.0, Django 5.2,
  gunicorn, psycopg2-binary, time-machine from PyPI), a minimal project generated there
  (`bench/peer_site.py`: DEBUG off, PostgreSQL database `peer_bench_http`, emails kept in memory,
  the clock at the workload's "now"), the workload's 120-day diary seeded through its models.
- Ours: `bench/http_load.py`'s set-up (production settings, PostgreSQL `clinic_bench_peer_http`,
  Redis, the same clock), every page checked over HTTP first (`http_load.verify`).
- Both under gunicorn, 2 sync workers, ports 18720 (ours) and 18721 (the peer).
- The client (`bench/peer_flows.py`): N processes, each a patient's browser, each booking its
  share of the same free slots on both sites (a fresh patient per booking). Rounds interleave the
  two sites (ours first in odd rounds, the peer first in even ones), one client then `--clients`,
  the booking alone then the whole flow. Afterwards the rows are counted in both databases.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import parse_qs

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import http_load, workload  # noqa: E402 (after sys.path)

PEER_VERSION = "3.12.0"
PEER_REQUIREMENTS = [
    f"django-appointment=={PEER_VERSION}",
    "Django>=5.2,<5.3",
    "gunicorn",
    "psycopg2-binary",
    "time-machine",
]
OUR_PORT, PEER_PORT = 18720, 18721
OUR_DB, PEER_DB = "clinic_bench_peer_http", "peer_bench_http"
SITES = ("ours", "peer")
KINDS = ("booking", "whole")
BEGIN, END = "<!-- peer-http:begin -->", "<!-- peer-http:end -->"
SECTION = "## Booking over HTTP against the peer (`bench/peer_http.py`)"
BEFORE = "## What still dominates (profiles)"


def free_slots() -> list[dict]:
    """Every free 45-minute slot of the workload's diary (no two overlapping for a therapist), from
    Mon 14 Jan 2030 (figure c's first day) to the last day our default 56-day horizon allows from
    the workload's "now", in order of day, time, therapist: the same list for both sites."""
    rows = workload.diary(workload.BASE_DAYS)
    minutes = next(s.minutes for s in workload.SERVICES if s.key == workload.MEASURE_SERVICE)
    last = dt.date(2030, 1, 6) + dt.timedelta(days=56)
    out = []
    day = workload.BOOKING_DAYS[0]
    while day <= last:
        for therapist in range(workload.THERAPIST_COUNT):
            until = None
            for start in workload.free_starts(rows, day, therapist, workload.MEASURE_SERVICE):
                begins = dt.datetime.combine(day, start)
                if until is None or begins >= until:
                    until = begins + dt.timedelta(minutes=minutes)
                    out.append(
                        {"day": day.isoformat(), "time": f"{start:%H:%M}", "end": f"{until:%H:%M}", "index": therapist}
                    )
        day += dt.timedelta(days=1)
    return sorted(out, key=lambda s: (s["day"], s["time"], s["index"]))


def psql(url: str, sql: str, params=()) -> list[tuple]:
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        cursor = conn.execute(sql, params)
        return cursor.fetchall() if cursor.description else []


def _worker(site, port, slots, whole, peer_url, barrier, queue, slot_numbers):
    """One client process: its slots, one after another, each by a fresh patient."""
    from bench.peer_flows import Browser, FlowError, ours, peer

    browser = Browser(port)
    connection = None
    if site == "peer":
        import psycopg

        connection = psycopg.connect(peer_url, autocommit=True)

    def code_for(email: str) -> str:
        row = connection.execute(
            "SELECT c.code FROM appointment_emailverificationcode c JOIN auth_user u ON u.id = c.user_id "
            "WHERE u.email = %s ORDER BY c.id DESC LIMIT 1",
            (email,),
        ).fetchone()
        if row is None:
            raise FlowError(f"no verification code for {email}")
        return row[0]

    records = []
    barrier.wait()
    began = time.perf_counter()
    for slot, n in zip(slots, slot_numbers, strict=True):
        browser.fresh()
        try:
            if site == "ours":
                ours(browser, slot, n, whole=whole)
            else:
                peer(browser, slot, n, whole=whole, code_for=code_for)
            records.append(
                {"ms": browser.timed * 1000, "requests": browser.requests, "error": None, "steps": browser.steps}
            )
        except Exception as error:  # every failure is counted and reported, none hidden
            records.append({"ms": browser.timed * 1000, "requests": browser.requests, "error": repr(error)[:300]})
    queue.put({"began": began, "ended": time.perf_counter(), "records": records})


def run_phase(site: str, slots: list[dict], first_n: int, *, whole: bool, clients: int, peer_url: str) -> dict:
    """`clients` processes released together, the slots dealt out among them; the phase's wall
    time is from the first start to the last end."""
    import multiprocessing

    ctx = multiprocessing.get_context("fork")
    barrier, queue = ctx.Barrier(clients), ctx.Queue()
    port = OUR_PORT if site == "ours" else PEER_PORT
    processes = [
        ctx.Process(
            target=_worker,
            args=(
                site,
                port,
                slots[i::clients],
                whole,
                peer_url,
                barrier,
                queue,
                list(range(first_n + i, first_n + len(slots), clients)),
            ),
        )
        for i in range(clients)
    ]
    for p in processes:
        p.start()
    parts = [queue.get(timeout=600) for _ in processes]
    for p in processes:
        p.join()
    return {
        "seconds": max(p["ended"] for p in parts) - min(p["began"] for p in parts),
        "records": [r for p in parts for r in p["records"]],
    }


def summarise(results: dict) -> dict:
    table = {}
    for key, phases in results.items():
        records = [r for phase in phases for r in phase["records"]]
        done = [r for r in records if r["error"] is None]
        times = sorted(r["ms"] for r in done)
        table[key] = {
            "bookings": len(done),
            "errors": len(records) - len(done),
            "per_s": len(done) / sum(p["seconds"] for p in phases),
            "p50": statistics.median(times) if times else float("nan"),
            "p95": times[min(len(times) - 1, round(0.95 * (len(times) - 1)))] if times else float("nan"),
            "requests": sorted({r["requests"] for r in done}),
            "first_errors": [r["error"] for r in records if r["error"]][:3],
            "records": done,
        }
    return table


def markdown(table: dict, meta: dict) -> str:
    lines = [
        f"gunicorn 2 sync workers each (ours `clinic.settings.prod`, the peer's generated project with "
        f"DEBUG off), PostgreSQL, Redis for ours; one Python client, {meta['rounds']} rounds interleaved "
        f"ours/peer; {meta['single']} bookings with 1 client and {meta['concurrent']} with "
        f"{meta['clients']} clients per site, kind and round; load average before: {meta['load_before']}, "
        f"after: {meta['load_after']}.",
        "",
        "| what | clients | site | requests each | bookings/s | p50 | p95 | bookings | errors "
        "| ours ÷ peer (bookings/s) |",
        "|---|---:|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    labels = {"booking": "slot chosen → booked", "whole": "whole flow, first page → confirmation"}
    for kind in KINDS:
        for clients in (1, meta["clients"]):
            for site in SITES:
                r = table[(site, kind, clients)]
                ratio = r["per_s"] / table[("peer", kind, clients)]["per_s"]
                lines.append(
                    f"| {labels[kind]} | {clients} | {'ours' if site == 'ours' else 'django-appointment'} "
                    f"| {'/'.join(map(str, r['requests']))} | {r['per_s']:.1f} | {r['p50']:.1f} ms | {r['p95']:.1f} ms "
                    f"| {r['bookings']} | {r['errors']} | {f'{ratio:.2f}×' if site == 'ours' else ''} |"
                )
    lines += ["", meta["rows_line"], ""]
    # Where a booking's time goes: each request's median in the whole flow with one client.
    for site in SITES:
        steps: dict[str, list[float]] = {}
        for record in table[(site, "whole", 1)]["records"]:
            for name, ms in record["steps"]:
                steps.setdefault(name, []).append(ms)
        parts = [f"`{name}` {statistics.median(times):.1f}" for name, times in steps.items()]
        who = "Ours" if site == "ours" else "The peer's"
        lines.append(f"{who}, median ms per request of the whole flow with 1 client: {', '.join(parts)}.")
        lines.append("")
    lines.pop()
    return "\n".join(lines)


def write_doc(text: str) -> None:
    """The table between the markers, the section made (just before the profiles) the first time."""
    doc = ROOT / "docs" / "benchmarks.md"
    content = doc.read_text()
    if BEGIN not in content:
        content = content.replace(BEFORE, f"{SECTION}\n\n{BEGIN}\n{END}\n\n{BEFORE}", 1)
    head, _, rest = content.partition(BEGIN)
    _, _, tail = rest.partition(END)
    doc.write_text(f"{head}{BEGIN}\n{text}\n{END}{tail}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--single", type=int, default=12, help="bookings with one client, per site, kind and round")
    parser.add_argument("--concurrent", type=int, default=48, help="bookings with --clients, per site, kind and round")
    parser.add_argument("--write", action="store_true", help="write the table into docs/benchmarks.md")
    args = parser.parse_args()
    import redis

    redis_url = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/14"
    env = http_load.production_env(redis_url, port=OUR_PORT, db_name=OUR_DB)
    peer_url = f"{http_load.PG}/{PEER_DB}"
    slots = free_slots()
    needed = 1 + args.rounds * 2 * (args.single + args.concurrent)
    if needed > len(slots):
        sys.exit(f"{needed} bookings need more than the {len(slots)} free slots: fewer rounds or bookings")

    def reset():
        for name in (OUR_DB, PEER_DB):
            psql(f"{http_load.PG}/postgres", f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        for db in (10, 11):
            redis.Redis.from_url(env["REDIS_URL"].rsplit("/", 1)[0] + f"/{db}").flushdb()

    reset()
    for name in (OUR_DB, PEER_DB):
        psql(f"{http_load.PG}/postgres", f"CREATE DATABASE {name}")
    workdir = Path(tempfile.mkdtemp(prefix="bench-peer-"))
    servers = []
    try:
        # The peer: its own venv and project, seeded through its models.
        venv = workdir / "venv"
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run(
            [str(venv / "bin" / "pip"), "install", "--quiet", "--disable-pip-version-check", *PEER_REQUIREMENTS],
            check=True,
        )
        from bench.peer_site import write_project

        write_project(workdir, db_name=PEER_DB, version=PEER_VERSION)
        peer_env = {
            **os.environ,
            "PYTHONPATH": f"{workdir}{os.pathsep}{ROOT}",
            "DJANGO_SETTINGS_MODULE": "peer_site.settings",
        }
        subprocess.run(
            [str(venv / "bin" / "python"), "-m", "bench.peer_site", "seed"], env=peer_env, cwd=workdir, check=True
        )
        versions = subprocess.run(
            [str(venv / "bin" / "pip"), "freeze"], capture_output=True, text=True, check=True
        ).stdout.split()
        peer_command = [
            str(venv / "bin" / "gunicorn"),
            "peer_site.wsgi:application",
            "--bind",
            f"127.0.0.1:{PEER_PORT}",
            "--workers",
            "2",
            "--worker-class",
            "sync",
            "--access-logfile",
            "-",
        ]
        peer_page = f"http://127.0.0.1:{PEER_PORT}/appointment/request/1/"
        # From the temporary directory: gunicorn reads ./gunicorn.conf.py, and ours is not the peer's.
        servers.append(http_load.serve(peer_env, workdir / "peer.log", peer_page, peer_command, cwd=workdir))

        # Ours: bench/http_load.py's set-up, one prepared form (the check's own booking).
        plan_file = workdir / "plan.json"
        python = str(ROOT / ".venv" / "bin" / "python")
        subprocess.run(
            [python, str(ROOT / "bench" / "http_load.py"), "--prepare", str(plan_file), "--bookings", "1"],
            env=env,
            check=True,
            cwd=ROOT,
        )
        subprocess.run([python, "manage.py", "collectstatic", "--noinput", "-v", "0"], env=env, check=True, cwd=ROOT)
        plan = json.loads(plan_file.read_text())
        ours_server = f"http://127.0.0.1:{OUR_PORT}"
        servers.append(http_load.serve(env, workdir / "ours.log", ours_server + "/healthz"))
        # The check books the earliest free slot: it must be the list's first, which both skip.
        checked = parse_qs(plan["forms"][0])
        pk_of = {q["index"]: q["therapist"] for q in plan["questions"]}
        first = slots[0]
        assert checked["start"][0] == f"{first['day']}T{first['time']}", (checked, first)
        assert checked["therapist"][0] == str(pk_of[first["index"]]), (checked, first)
        http_load.verify(plan, ours_server)

        staff = dict(
            psql(
                peer_url, "SELECT u.username, s.id FROM appointment_staffmember s JOIN auth_user u ON u.id = s.user_id"
            )
        )
        service = psql(peer_url, "SELECT id FROM appointment_service WHERE duration = interval '45 minutes'")[0][0]
        for slot in slots:
            slot |= {
                "length": plan["length"],
                "therapist": pk_of[slot["index"]],
                "staff": staff[f"therapist-{slot['index'] + 1}"],
                "service": service,
            }
        # Each worker's first requests (imports, templates, connections) before anything is timed.
        from bench.peer_flows import Browser

        for port, path in ((OUR_PORT, "/book/"), (PEER_PORT, f"/appointment/request/{service}/")):
            browser = Browser(port)
            for _ in range(6):
                browser.call("GET", path)

        count_ours = "SELECT count(*) FROM bookings_appointment"
        count_peer = "SELECT count(*) FROM appointment_appointment"
        before = {"ours": psql(env["DATABASE_URL"], count_ours)[0][0], "peer": psql(peer_url, count_peer)[0][0]}
        load_before = http_load._load()
        results: dict = {}
        cursor = 1
        for round_ in range(args.rounds):
            order = SITES if round_ % 2 == 0 else SITES[::-1]
            for kind in KINDS:
                for clients, count in ((1, args.single), (args.clients, args.concurrent)):
                    chunk = slots[cursor : cursor + count]
                    for site in order:
                        phase = run_phase(
                            site, chunk, cursor, whole=kind == "whole", clients=clients, peer_url=peer_url
                        )
                        results.setdefault((site, kind, clients), []).append(phase)
                        done = sum(r["error"] is None for r in phase["records"])
                        print(
                            f"round {round_ + 1} {site} {kind} {clients} clients: {done}/{count} in "
                            f"{phase['seconds']:.2f} s",
                            flush=True,
                        )
                    cursor += count
        load_after = http_load._load()
        table = summarise(results)
        booked = {
            "ours": psql(env["DATABASE_URL"], count_ours)[0][0] - before["ours"],
            "peer": psql(peer_url, count_peer)[0][0] - before["peer"],
        }
        done = {site: sum(r["bookings"] for (s, _, _), r in table.items() if s == site) for site in SITES}
        errors = sum(r["errors"] for r in table.values())
        for key, r in table.items():
            if r["first_errors"]:
                print("errors", key, r["first_errors"])
        meta = {
            "rounds": args.rounds,
            "single": args.single,
            "concurrent": args.concurrent,
            "clients": args.clients,
            "load_before": load_before,
            "load_after": load_after,
            "rows_line": (
                f"Rows counted afterwards: ours {booked['ours']} new appointments for {done['ours']} bookings "
                f"answered as booked, the peer {booked['peer']} for {done['peer']}; {errors} errors. "
                f"Peer: {' '.join(v for v in versions if v.lower().startswith(('django', 'gunicorn')))}."
            ),
        }
        text = markdown(table, meta)
        print(text)
        if booked != done or errors:
            sys.exit("not written: a booking failed or the rows do not match the bookings answered")
        if args.write:
            write_doc(text)
    finally:
        for process in servers:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=60)
        reset()
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
