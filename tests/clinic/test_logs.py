"""Logs: one line per event, JSON in production, with the request id and the client's address
from the one client-IP rule; gunicorn's access line without the query string (issue 10, finding 7)."""

import io
import json
import logging
import re
import socket
import subprocess
import sys
import time
import urllib.request

import pytest

from clinic.core.logs import RequestContextFilter, json_formatter

from .test_settings_prod import PRODUCTION_LIKE, ROOT, clean_environ, python

pytestmark = pytest.mark.django_db


def test_every_response_carries_a_request_id(client):
    first, second = client.get("/healthz"), client.get("/healthz")
    assert re.fullmatch(r"[0-9a-f]{32}", first["X-Request-ID"])
    assert first["X-Request-ID"] != second["X-Request-ID"]


def test_the_balancers_request_id_is_kept_and_a_malformed_one_replaced(client):
    assert client.get("/healthz", HTTP_X_REQUEST_ID="lb-4f2a.17").headers["X-Request-ID"] == "lb-4f2a.17"
    replaced = client.get("/healthz", HTTP_X_REQUEST_ID="bad id\nwith newline").headers["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", replaced)


@pytest.fixture
def json_lines():
    """Lines written by a JSON handler on the root logger during the test, parsed."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(json_formatter())
    handler.addFilter(RequestContextFilter())
    root = logging.getLogger()
    root.addHandler(handler)
    old_level = root.level
    root.setLevel(logging.INFO)
    yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    root.removeHandler(handler)
    root.setLevel(old_level)


def test_log_lines_written_during_a_request_carry_its_id_and_the_real_client(client, settings, json_lines):
    from tests.callbacks.conftest import form_data

    settings.TRUSTED_PROXY_COUNT = 1
    # A filled honeypot: the callback view logs that it dropped an automated submission.
    response = client.post(
        "/callback/",
        form_data(website="http://spam.example"),
        HTTP_X_REQUEST_ID="req-123",
        REMOTE_ADDR="10.0.0.2",
        HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.9",
    )
    assert response.status_code == 302
    [line] = [entry for entry in json_lines() if entry["logger"] == "callbacks.views"]
    assert line["message"] == "callback form: honeypot filled, submission dropped"
    assert (line["request_id"], line["client_ip"], line["level"]) == ("req-123", "203.0.113.9", "INFO")
    assert "ts" in line


def test_outside_a_request_the_id_is_a_dash(json_lines):
    logging.getLogger("clinic.test").warning("relay ran", extra={"queued": 3})
    [line] = json_lines()
    assert line["request_id"] == "-" and line["queued"] == 3


def _log_from(settings_module: str, **env) -> subprocess.CompletedProcess:
    code = (
        "import django; django.setup(); import logging;"
        "logging.getLogger('django.request').warning('Not Found: /nowhere/');"
        "logging.getLogger('clinic.sms').info('queued', extra={'message_id': 7})"
    )
    return python("-c", code, env={"DJANGO_SETTINGS_MODULE": settings_module, **env})


def test_the_demo_prints_each_line_once():
    result = _log_from("clinic.settings.dev", DEBUG="true", DATABASE_URL="sqlite://:memory:")
    assert result.returncode == 0, result.stderr
    assert result.stderr.count("Not Found: /nowhere/") == 1


def test_production_writes_one_json_object_per_line():
    result = _log_from("clinic.settings.prod", **PRODUCTION_LIKE)
    assert result.returncode == 0, result.stderr
    lines = [json.loads(line) for line in result.stderr.splitlines()]
    assert [(line["level"], line["logger"], line["message"]) for line in lines] == [
        ("WARNING", "django.request", "Not Found: /nowhere/"),
        ("INFO", "clinic.sms", "queued"),
    ]
    assert lines[1]["message_id"] == 7 and lines[1]["request_id"] == "-"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.slow
def test_gunicorns_access_line_is_json_without_the_query_string_and_names_the_real_client(tmp_path):
    port = _free_port()
    env = {
        **PRODUCTION_LIKE,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "ALLOWED_HOSTS": "127.0.0.1",
        "TRUSTED_PROXY_COUNT": "1",
        "PORT": str(port),
        "BIND_ADDRESS": "127.0.0.1",
        "WEB_CONCURRENCY": "1",
    }
    log = tmp_path / "gunicorn.log"
    with open(log, "w") as out:
        server = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "clinic.wsgi:application", "--config", "gunicorn.conf.py"],
            cwd=ROOT,
            env={**clean_environ(), **env},
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                assert server.poll() is None and time.monotonic() < deadline, log.read_text()
                time.sleep(0.2)
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}/healthz?phone=07700900123",
            headers={"X-Forwarded-For": "203.0.113.9", "X-Request-ID": "probe-1"},
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            assert response.status == 200
        deadline = time.monotonic() + 10
        while '"probe-1"' not in log.read_text() and time.monotonic() < deadline:
            time.sleep(0.1)
    finally:
        server.terminate()
        server.wait(timeout=30)
    lines = [json.loads(line) for line in log.read_text().splitlines() if line.startswith("{")]
    [access] = [line for line in lines if line.get("request_id") == "probe-1"]
    assert (access["method"], access["path"], access["status"]) == ("GET", "/healthz", 200)
    assert access["client_ip"] == "203.0.113.9"
    assert "07700900123" not in log.read_text()
    assert all(line.startswith("{") for line in log.read_text().splitlines() if line.strip())
