"""gunicorn settings for the web process (`gunicorn clinic.wsgi:application -c gunicorn.conf.py`).

Every value can be overridden from the environment (names below).

- `timeout` (30 s): a worker silent for this long is killed and replaced; the patient behind it
  sees the balancer's 502, so everything a request waits for gives up well before it: a row lock
  after DB_LOCK_TIMEOUT_MS (5 s, then the booking answers "we are busy, please try again"), the
  cache after 1 s, the broker after 2 s (Twilio is never called from a request). PostgreSQL's
  idle-in-transaction timeout (60 s) is longer on purpose: it is for a host that froze or lost
  the network mid-request, which no gunicorn can clean up after.
- `graceful_timeout` (30 s): on SIGTERM (stop) or SIGHUP (reload, e.g. after a deploy) each worker
  finishes the requests it has before it exits; `kill -HUP <master pid>` reloads the code with no
  request dropped.
- `keepalive` (5 s): how long an idle client connection stays open; the balancer in front keeps
  its own connections, so this only matters to a browser talking to gunicorn directly.
- `max_requests` (2000, with jitter): each worker is replaced after that many requests, which
  bounds any slow leak without all workers restarting at once.
"""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clinic.settings.prod")

bind = os.environ.get("BIND", f"{os.environ.get('BIND_ADDRESS', '0.0.0.0')}:{os.environ.get('PORT', '8000')}")
# Sync workers: the app does its waiting in PostgreSQL and Redis with short timeouts, so two to
# four workers per core is plenty for a clinic; WEB_CONCURRENCY overrides it.
workers = int(os.environ.get("WEB_CONCURRENCY", "3"))
worker_class = "sync"
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "30"))
keepalive = int(os.environ.get("GUNICORN_KEEPALIVE", "5"))
# Restart each worker after this many requests (with jitter, so they do not all restart at
# once): bounds the damage of any slow leak.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "2000"))
max_requests_jitter = int(os.environ.get("GUNICORN_MAX_REQUESTS_JITTER", "200"))

# Logs to stdout/stderr, one line per request, through clinic.core.logs.GunicornLogger: the
# path without its query string, status, milliseconds, the request id and the client's address
# (behind TRUSTED_PROXY_COUNT proxies), JSON unless LOG_FORMAT=plain.
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-")
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
logger_class = "clinic.core.logs.GunicornLogger"
# gunicorn itself trusts X-Forwarded-* only from these; Django decides by its own settings.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
# gunicorn 27's control socket (for `gunicornc`) defaults to one path per user, so two gunicorns
# on a machine would fight over it; we do not use it unless a path is given.
if os.environ.get("GUNICORN_CONTROL_SOCKET"):
    control_socket = os.environ["GUNICORN_CONTROL_SOCKET"]
else:
    control_socket_disable = True


def post_worker_init(worker):
    """The application is loaded: what is alive now (Django, the apps, their modules) lives as
    long as the worker. `gc.freeze()` moves it out of the collector's reach, so the full
    collections a big page sets off (the reception diary builds a thousand blocks) no longer
    walk all of it: 13-15% off the 40-therapist diary in-process (docs/benchmarks.md)."""
    import gc

    gc.collect()
    gc.freeze()
