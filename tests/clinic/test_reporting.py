"""Error reports carry no patient data: Sentry's events and the fallback emails to ADMINS
(issue 10, finding 7)."""

import gzip
import logging
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core import mail
from django.test import RequestFactory

from clinic.core.error_emails import ScrubbedAdminEmailHandler
from clinic.core.reporting import before_send, scrub

from .test_settings_prod import python

PHONE_FORMS = ["+447700900123", "07700 900123", "+44 7700 900123", "0044 7700 900123", "020 7946 0018"]


@pytest.mark.parametrize("phone", PHONE_FORMS)
def test_phone_numbers_are_scrubbed_in_every_form(phone):
    assert scrub(f"SMS to {phone} failed") == "SMS to [phone] failed"


@pytest.mark.parametrize(
    "text",
    [
        "2026-07-01 09:00",
        "2026-07-01T09:00:00.123456+00:00",
        "took 1234.56 ms",
        "id 3f2b9c1e-7a4d-4c2b-9f1e-2b7c9d0e1a2b",
        "order 123456789012",
        "appointment 4711 at 10:45",
    ],
)
def test_dates_numbers_and_ids_are_left_alone(text):
    assert scrub(text) == text


def test_emails_database_details_and_link_tokens_are_scrubbed():
    assert scrub("to pat@example.com") == "to [email]"
    assert (
        scrub("DETAIL:  Key (phone)=(+447700900123) already exists.")
        == "DETAIL:  Key (phone)=([redacted]) already exists."
    )
    assert scrub("https://clinic.test/manage/abc.def:ghi/move/") == "https://clinic.test/manage/[token]/move/"
    assert scrub("/book/confirmed/abc:def/") == "/book/confirmed/[token]/"


def test_before_send_drops_bodies_cookies_user_details_and_local_variables():
    event = {
        "request": {
            "url": "https://clinic.test/manage/tok/",
            "data": {"name": "Pat Example"},
            "cookies": {"sessionid": "x"},
            "query_string": "phone=07700900123",
            "headers": {"Cookie": "sessionid=x", "User-Agent": "Firefox", "X-Forwarded-For": "203.0.113.7"},
        },
        "user": {"id": "7", "username": "reception", "email": "r@clinic.test", "ip_address": "203.0.113.7"},
        "exception": {"values": [{"value": "boom", "stacktrace": {"frames": [{"vars": {"name": "Pat Example"}}]}}]},
    }
    cleaned = before_send(event, {})
    assert "Pat Example" not in repr(cleaned) and "203.0.113.7" not in repr(cleaned)
    assert cleaned["request"] == {"url": "https://clinic.test/manage/[token]/", "headers": {"User-Agent": "Firefox"}}
    assert cleaned["user"] == {"id": "7"}


class FakeSentry:
    """Sentry's ingest endpoint on 127.0.0.1: keeps every envelope it is sent, un-gzipped."""

    def __init__(self):
        self.envelopes: list[str] = []
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                if self.headers.get("Content-Encoding") == "gzip":
                    body = gzip.decompress(body)
                fake.envelopes.append(body.decode("utf-8", "replace"))
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(b"{}")

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.dsn = f"http://publickey@127.0.0.1:{self.server.server_address[1]}/1"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


@pytest.mark.slow
def test_a_failing_request_reaches_sentry_without_the_patients_details():
    sentry = FakeSentry()
    try:
        result = python(
            "-m",
            "tests.clinic.sentry_probe",
            env={"SENTRY_DSN": sentry.dsn, "DATABASE_URL": "sqlite://:memory:", "REDIS_URL": ""},
            timeout=60,
        )
    finally:
        sentry.server.shutdown()
    assert result.returncode == 0, result.stdout + result.stderr
    sent = "\n".join(sentry.envelopes)
    assert '"type":"event"' in sent.replace(" ", "")  # the error did reach Sentry
    assert "SMS to [phone] failed" in sent
    assert "[phone]" in sent  # the breadcrumb, scrubbed too
    for secret in (
        "900123",
        "9460018",
        "Pat Example",
        "Recent knee surgery",
        "secret-session-cookie",
        "signedtokenvalue123",
        "203.0.113.7",
    ):
        assert secret not in sent, secret


def test_the_error_email_to_admins_holds_no_patient_data(settings, db):
    settings.ADMINS = [("Ops", "ops@clinic.test")]
    request = RequestFactory().post(
        "/manage/Zm9v:signedtokenvalue123/",
        {"name": "Pat Example", "phone": "07700 900123", "screening": "Recent knee surgery"},
        HTTP_COOKIE="sessionid=secret-session-cookie",
    )
    patient_name = request.POST["name"]  # a local variable the report would otherwise show  # noqa: F841
    try:
        raise ValueError("SMS to 07700 900123 failed")
    except ValueError:
        record = logging.LogRecord(
            "django.request", logging.ERROR, __file__, 1, "Internal Server Error: %s", (request.path,), sys.exc_info()
        )
    record.request, record.status_code = request, 500

    ScrubbedAdminEmailHandler().emit(record)

    [email] = mail.outbox
    text = email.subject + email.body + "".join(str(a) for a in email.alternatives)
    assert "SMS to [phone] failed" in text
    for secret in ("900123", "Pat Example", "Recent knee surgery", "secret-session-cookie", "signedtokenvalue123"):
        assert secret not in text, secret
