"""Logs: one line per event, JSON in production, each line carrying the request's id.

`RequestIdMiddleware` (first in MIDDLEWARE) takes the balancer's `X-Request-ID` when it looks like
an id, or makes one, keeps it (and the client's address, by `clinic.core.ip`) for the duration of
the request and returns it in the response header. `RequestContextFilter` puts both on every log
record, so `request_id` ties Django's lines to gunicorn's access line for the same request.
Outside a request (Celery, commands) they are "-".

`GunicornLogger` is gunicorn's `logger_class` (gunicorn.conf.py): its access line has the path
without the query string, the status, the time taken, the request id and the client address by
the same rule as rate limits and lockouts, in JSON when LOG_FORMAT=json.
"""

from __future__ import annotations

import contextvars
import logging
import re
import uuid

from gunicorn import glogging

from .ip import client_ip, client_ip_from_meta

request_id_var: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")
client_ip_var: contextvars.ContextVar[str] = contextvars.ContextVar("client_ip", default="-")
REQUEST_ID_HEADER = "X-Request-ID"
# Only what an id looks like: arbitrary header text must not reach the logs.
_VALID_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


def request_id_from(value: str | None) -> str:
    """The given id if it looks like one, else a new random one."""
    return value if value and _VALID_REQUEST_ID.match(value) else uuid.uuid4().hex


class RequestIdMiddleware:
    """Give every request an id (the balancer's, or a new one) and remember who sent it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request_id = request_id_from(request.headers.get(REQUEST_ID_HEADER))
        request.request_id = request_id
        tokens = (request_id_var.set(request_id), client_ip_var.set(client_ip(request)))
        try:
            response = self.get_response(request)
        finally:
            request_id_var.reset(tokens[0])
            client_ip_var.reset(tokens[1])
        response[REQUEST_ID_HEADER] = request_id
        return response


class RequestContextFilter(logging.Filter):
    """Adds `request_id` and `client_ip` to every record (as "-" outside a request)."""

    def filter(self, record):
        if not hasattr(record, "request_id"):
            record.request_id = request_id_var.get()
        if not hasattr(record, "client_ip"):
            record.client_ip = client_ip_var.get()
        return True


def json_formatter() -> logging.Formatter:
    from pythonjsonlogger.json import JsonFormatter

    return JsonFormatter(
        ["levelname", "name", "message", "request_id", "client_ip"],
        rename_fields={"levelname": "level", "name": "logger"},
        timestamp="ts",
    )


class GunicornLogger(glogging.Logger):
    """gunicorn's logger with an access line we control (see the module docstring)."""

    def setup(self, cfg):
        super().setup(cfg)
        import os

        for log in (self.error_log, self.access_log):
            for handler in log.handlers:
                handler.addFilter(RequestContextFilter())
                if os.environ.get("LOG_FORMAT", "json") == "json":
                    handler.setFormatter(json_formatter())

    def access(self, resp, req, environ, request_time):
        if not (self.cfg.accesslog or self.cfg.logconfig or self.cfg.logconfig_dict or self.cfg.syslog):
            return
        status = resp.status.split(None, 1)[0] if isinstance(resp.status, str) else str(resp.status)
        headers = {name.lower(): value for name, value in resp.headers}
        duration_ms = round(request_time.total_seconds() * 1000, 1)
        method, path = environ.get("REQUEST_METHOD", "-"), environ.get("PATH_INFO", "-")
        try:
            client = client_ip_from_meta(environ)
        except Exception:  # settings not loaded (the app failed to import): still log the line
            client = environ.get("REMOTE_ADDR", "-")
        self.access_log.info(
            "%s %s %s %sms",
            method,
            path,
            status,
            duration_ms,
            extra={
                "method": method,
                "path": path,
                "status": int(status) if status.isdigit() else status,
                "duration_ms": duration_ms,
                "bytes": getattr(resp, "sent", None),
                "request_id": headers.get(REQUEST_ID_HEADER.lower(), "-"),
                "client_ip": client,
            },
        )
