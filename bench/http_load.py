"""The public pages and the reception diary over real HTTP, against a trivial view on the same stack.

    .venv/bin/python bench/http_load.py             # or: make bench-http
    .venv/bin/python bench/http_load.py --seconds 5 --rounds 1      # a quick look
    .venv/bin/python bench/http_load.py --write          # also into docs/benchmarks.md

Starts gunicorn (gunicorn.conf.py, 2 sync workers) with production settings
(`bench.http_settings`: clinic.settings.prod plus one bench-only route, `/bench/trivial/`, so
production has no extra endpoint) on PostgreSQL (a database of its own, created and dropped here)
and Redis (cache and broker; REDIS_URL, default the helper's own port), seeded with the shared
workload (bench/workload.py, 120 days). No Celery worker runs: the booking texts are queued to
Redis and left there, as a busy worker would leave them for a moment.

Before loading, every answer is checked over HTTP: each day/time partial and page against
`workload.free_starts`, a booking POST makes its booking, the diary shows every appointment of
the day. Then Debian's `wrk` (16 connections, 2 threads) drives each target for `--seconds`, in
turn with the trivial view, `--rounds` times (interleaved, so a noisy neighbour on this shared
machine hits both alike; each page after one untimed pass over its questions, as a running
clinic has them cached), and prints requests/s, p50/p95/p99 and the ratio to the trivial view's
requests/s. Ports 18700-18709 only.

(Not `bench/http.py`: a script's own directory comes first on `sys.path`, so a module named `http`
there would shadow the standard library's `http` package for every script in bench/.)
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
PG = "postgres://postgres@127.0.0.1:5432"
DB_NAME = "clinic_bench_http"
PORT = 18700
DAYS = 120
TARGETS = ("trivial", "partial", "page", "booking", "diary")
LABELS = {
    "trivial": "trivial view (`/bench/trivial/`)",
    "partial": "day/time htmx partial (`/book/time/`, HX-Request)",
    "page": "day/time page (`/book/time/`)",
    "booking": "booking POST (`/book/details/`: new bookings, then repeats: see below)",
    "diary": "reception day diary (8 therapists, signed in)",
}


def production_env(redis_url: str, *, port: int = PORT, db_name: str = DB_NAME) -> dict:
    """Production settings with what they require (README "Running it in production"), on this
    machine: plain http (no TLS proxy), texts and email kept in-process (no worker runs).
    `bench/peer_http.py` passes its own port and database."""
    base = redis_url.rsplit("/", 1)[0]
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench.http_settings",
        "SECRET_KEY": "bench-http-only-not-a-production-key-0123456789abcdef",
        "DATABASE_URL": f"{PG}/{db_name}",
        "REDIS_URL": f"{base}/10",  # broker /10, cache /11
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "PUBLIC_BASE_URL": f"http://127.0.0.1:{port}",
        "BEHIND_TLS_PROXY": "false",
        "SECURE_SSL_REDIRECT": "false",
        "SECURE_HSTS_SECONDS": "0",
        "LOG_FORMAT": "plain",
        "SMS_BACKEND": "clinic.sms.backends.locmem.LocmemBackend",
        "EMAIL_URL": "consolemail://",
        "ALLOW_CONSOLE_BACKENDS": "true",
        # One address sends every booking here; production's limit is per patient's address.
        "BOOKING_RATE_PER_IP": "1000000/h",
        "BIND": f"127.0.0.1:{port}",
        "WEB_CONCURRENCY": "2",
        "GUNICORN_MAX_REQUESTS": "0",
    }


def _get(url: str, headers: dict | None = None, data: bytes | None = None):
    request = urllib.request.Request(url, data=data, headers=headers or {})

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    opener = urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(request, timeout=30) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode(errors="replace")


def targets(plan: dict) -> dict:
    """Per target: the requests (method, path, body) and the headers wrk sends."""
    base = f"/book/time/?length={plan['length']}"
    gets = [("GET", f"{base}&therapist={q['therapist']}&day={q['day']}", "") for q in plan["questions"]]
    csrf = plan["csrf"]
    return {
        "trivial": ([("GET", "/bench/trivial/", "")], {}),
        "partial": (gets, {"HX-Request": "true"}),
        "page": (gets, {}),
        "booking": (
            [("POST", "/book/details/", form) for form in plan["forms"]],
            {
                "Content-Type": "application/x-www-form-urlencoded",
                "Cookie": f"csrftoken={csrf}",
                "X-CSRFToken": csrf,
            },
        ),
        "diary": (
            [("GET", f"/admin/bookings/appointment/diary/?date={plan['diary_day']}", "")],
            {"Cookie": plan["session_cookie"]},
        ),
    }


def verify(plan: dict, server: str) -> None:
    """Every answer checked over HTTP before any load (raises if one differs)."""
    from bench.public import panel_times

    wanted = targets(plan)
    for headers in ({"HX-Request": "true"}, {}):
        for q, (_, path, _) in zip(plan["questions"], wanted["partial"][0], strict=True):
            status, html = _get(server + path, headers)
            got = [t.strftime("%H:%M") for t in panel_times(html)]
            assert status == 200 and got == q["expected"], (path, headers, status, got, q["expected"])
            assert ("<html" in html) == (not headers), "the partial is a fragment, the page a page"
    status, body = _get(server + "/bench/trivial/")
    assert (status, body) == (200, "ok"), (status, body)
    _, path, _ = wanted["diary"][0][0]
    status, html = _get(server + path, wanted["diary"][1])
    assert status == 200 and html.count('class="block"') == plan["diary_blocks"], (status, html[:300])
    # One real booking through the POST (the last prepared form, kept out of the load).
    form = plan["forms"].pop()
    status, _ = _get(server + "/book/details/", wanted["booking"][1], form.encode())
    assert status == 302, ("the booking POST should redirect to its confirmation", status)


def warm(server: str, target: tuple) -> None:
    """One untimed pass over a page's GETs first, as a running clinic has them cached (the booking
    POSTs of the round before moved every therapist's diary version). A minute turning during
    the timed run still makes every panel computed once more, as in a running clinic."""
    requests, headers = target
    for method, path, _ in requests:
        if method == "GET":
            _get(server + path, headers)


def lua_script(requests: list, headers: dict, threads: int) -> str:
    def quote(text: str) -> str:
        return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'

    rows = ",\n".join(f"{{{quote(m)}, {quote(p)}, {quote(b) if b else 'nil'}}}" for m, p, b in requests)
    head = ", ".join(f"[{quote(k)}] = {quote(v)}" for k, v in headers.items())
    return (
        f"THREAD_COUNT = {threads}\nHEADERS = {{{head}}}\nREQUESTS = {{\n{rows}\n}}\n"
        + (ROOT / "bench" / "wrk.lua").read_text()
    )


def run_wrk(server: str, script: Path, seconds: int, connections: int, threads: int, start: int = 0) -> dict:
    command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--timeout", "30s", "-s", str(script)]
    out = subprocess.run(
        [*command, server, "--", str(start)],
        capture_output=True,
        text=True,
        check=True,
    )
    line = [x for x in out.stdout.splitlines() if x.startswith("{")][-1]
    return json.loads(line)


def db_count(env: dict, sql: str) -> int:
    import psycopg

    with psycopg.connect(env["DATABASE_URL"]) as conn:
        return conn.execute(sql).fetchone()[0]


def summarise(results: dict[str, list[dict]]) -> dict[str, dict]:
    table = {}
    for target, runs in results.items():
        requests = sum(r["requests"] for r in runs)
        seconds = sum(r["duration_us"] for r in runs) / 1e6
        table[target] = {
            "req_per_s": requests / seconds,
            "requests": requests,
            # Percentiles of the rounds' own percentiles: the worst round's, not an average.
            "p50_ms": max(r["p50_us"] for r in runs) / 1000,
            "p95_ms": max(r["p95_us"] for r in runs) / 1000,
            "p99_ms": max(r["p99_us"] for r in runs) / 1000,
            "errors": sum(r["errors"] + r["non_2xx_3xx"] for r in runs),
        }
    floor = table["trivial"]["req_per_s"]
    for row in table.values():
        row["ratio"] = row["req_per_s"] / floor
    return table


def markdown(table: dict, meta: dict) -> str:
    lines = [
        f"gunicorn 2 sync workers, `clinic.settings.prod` (+ the bench route), PostgreSQL, Redis; "
        f"wrk {meta['connections']} connections, {meta['threads']} threads, {meta['rounds']} rounds of "
        f"{meta['seconds']} s per target interleaved with the trivial view; load average before: "
        f"{meta['load_before']}, after: {meta['load_after']}.",
        "",
        "| target | requests/s | p50 | p95 | p99 | × trivial view | requests | errors |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for target in TARGETS:
        r = table[target]
        lines.append(
            f"| {LABELS[target]} | {r['req_per_s']:.0f} | {r['p50_ms']:.1f} ms | {r['p95_ms']:.1f} ms "
            f"| {r['p99_ms']:.1f} ms | {r['ratio']:.2f} | {r['requests']} | {r['errors']} |"
        )
    lines += ["", meta["bookings_line"]]
    return "\n".join(lines)


def _load() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def serve(env: dict, log: Path, ready_url: str, command: list[str] | None = None, cwd: Path = ROOT) -> subprocess.Popen:
    """gunicorn (ours by default: gunicorn.conf.py, `env`'s BIND) in its own process group,
    once `ready_url` answers 200."""
    process = subprocess.Popen(
        command
        or [str(ROOT / ".venv" / "bin" / "gunicorn"), "bench.http_wsgi:application", "--config", "gunicorn.conf.py"],
        env=env,
        cwd=cwd,
        stdout=open(log, "w"),  # noqa: SIM115 (closed with the process)
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    for _ in range(300):
        try:
            if _get(ready_url)[0] == 200:
                return process
        except OSError:
            pass
        time.sleep(0.1)
    os.killpg(process.pid, signal.SIGTERM)
    sys.exit(f"gunicorn did not answer:\n{log.read_text()[-3000:]}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=10, help="per target and round")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--write", action="store_true", help="write the table into docs/benchmarks.md")
    parser.add_argument("--prepare", help=argparse.SUPPRESS)
    parser.add_argument("--bookings", type=int, default=4000, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.prepare:
        from bench.http_prepare import prepare

        prepare(Path(args.prepare), args.bookings)
        return
    if not shutil.which("wrk"):
        sys.exit("wrk is not installed: apt-get install wrk (Debian's package)")
    redis_url = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/14"
    env = production_env(redis_url)
    python = str(ROOT / ".venv" / "bin" / "python")
    import psycopg
    import redis

    def reset():
        with psycopg.connect(f"{PG}/postgres", autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")
        for db in (10, 11):
            redis.Redis.from_url(env["REDIS_URL"].rsplit("/", 1)[0] + f"/{db}").flushdb()

    reset()
    with psycopg.connect(f"{PG}/postgres", autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {DB_NAME}")
    workdir = Path(tempfile.mkdtemp(prefix="bench-http-"))
    server_process = None
    try:
        plan_file = workdir / "plan.json"
        subprocess.run(
            [python, __file__, "--prepare", str(plan_file), "--bookings", str(args.bookings)],
            env=env,
            check=True,
            cwd=ROOT,
        )
        subprocess.run([python, "manage.py", "collectstatic", "--noinput", "-v", "0"], env=env, check=True, cwd=ROOT)
        plan = json.loads(plan_file.read_text())
        server = f"http://127.0.0.1:{PORT}"
        server_process = serve(env, workdir / "gunicorn.log", server + "/healthz")
        verify(plan, server)
        before_bookings = db_count(env, "SELECT count(*) FROM bookings_appointment")
        scripts = {}
        for name, (requests, headers) in targets(plan).items():
            scripts[name] = workdir / f"{name}.lua"
            scripts[name].write_text(lua_script(requests, headers, args.threads))
        load_before = _load()
        results: dict[str, list[dict]] = {t: [] for t in TARGETS}
        for _ in range(args.rounds):
            for target in TARGETS[1:]:
                warm(server, targets(plan)[target])
                for name in ("trivial", target):
                    # Booking forms already sent (plus those in flight) are never sent again.
                    used = sum(r["requests"] + args.connections for r in results["booking"])
                    result = run_wrk(server, scripts[name], args.seconds, args.connections, args.threads, used)
                    results[name].append(result)
                    print(name, json.dumps(result), flush=True)
        load_after = _load()
        booked = db_count(env, "SELECT count(*) FROM bookings_appointment") - before_bookings
        posts = sum(r["requests"] for r in results["booking"])
        if posts > len(plan["forms"]):
            print(f"note: {posts} POSTs for {len(plan['forms'])} free starts: the rest were repeats")
        table = summarise(results)
        meta = {
            "connections": args.connections,
            "threads": args.threads,
            "rounds": args.rounds,
            "seconds": args.seconds,
            "load_before": load_before,
            "load_after": load_after,
            "bookings_line": f"Booking POSTs answered: {posts}; appointments created meanwhile: {booked}. "
            + (
                f"The clinic had {len(plan['forms'])} free starts within its horizon, each booked once by a "
                "new patient; the POSTs after them sent a form again (its idempotency token too), and were "
                "answered as the repeat of a booking already made (the same confirmation, no new row), so "
                "the figure mixes bookings and repeats (`bench/peer_http.py` times bookings alone)."
                if posts > len(plan["forms"])
                else "Each POST was a new patient and a new booking."
            ),
        }
        text = markdown(table, meta)
        print(text)
        if args.write:
            doc = ROOT / "docs" / "benchmarks.md"
            content = doc.read_text()
            begin, end = "<!-- http:begin -->", "<!-- http:end -->"
            head, _, rest = content.partition(begin)
            _, _, tail = rest.partition(end)
            doc.write_text(f"{head}{begin}\n{text}\n{end}{tail}")
    finally:
        if server_process is not None:
            os.killpg(server_process.pid, signal.SIGTERM)
            server_process.wait(timeout=60)
        reset()
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
