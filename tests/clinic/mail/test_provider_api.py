"""Email through a provider's HTTP API (django-anymail) instead of SMTP: the Postmark backend, its
real client code, against a fake Postmark API on 127.0.0.1 that can refuse an attempt."""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from anymail.exceptions import AnymailRecipientsRefused, AnymailRequestsAPIError

from clinic.mail.models import Email
from clinic.mail.services import classify, queue_email, relay_due_emails
from tests.clinic.sms.fixtures import closed_port, wait_until

pytestmark = pytest.mark.django_db


class FakePostmark:
    """Answers POST /email from a script of HTTP statuses (then 200), recording each request."""

    def __init__(self):
        self.requests: list[dict] = []
        self.script: list[int] = []
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                fake.requests.append({"path": self.path, "token": self.headers.get("X-Postmark-Server-Token"), **body})
                status = fake.script.pop(0) if fake.script else 200
                if status == 200:
                    answer = {"To": body["To"], "SubmittedAt": "2030-01-07T10:00:00Z", "MessageID": "pm-1",
                              "ErrorCode": 0, "Message": "OK"}  # fmt: skip
                elif status == 422:
                    answer = {"ErrorCode": 300, "Message": f"Invalid 'To' address: '{body['To']}'."}
                else:
                    answer = {"ErrorCode": 100, "Message": "Maintenance"}
                data = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


@pytest.fixture
def postmark(settings):
    fake = FakePostmark()
    settings.EMAIL_BACKEND = "anymail.backends.postmark.EmailBackend"
    settings.ANYMAIL = {"POSTMARK_SERVER_TOKEN": "server-token", "POSTMARK_API_URL": fake.url}
    settings.EMAIL_RETRY_BACKOFF_SECONDS = 0.05
    settings.EMAIL_RETRY_BACKOFF_MAX_SECONDS = 0.2
    settings.DEFAULT_FROM_EMAIL = "Example Clinic <bookings@clinic.example.test>"
    yield fake
    fake.server.shutdown()
    fake.server.server_close()


def write_email():
    context = {"first_name": "Pat", "when": "Monday 7 January 2030 at 10:00", "ends": "11:00", "policy": None}
    return queue_email(kind="booking_confirmation", to="pat@example.com", context=context)


def status_of(email):
    return Email.objects.values_list("status", flat=True).get(pk=email.pk)


def test_a_provider_outage_is_retried_and_the_email_is_sent_once(postmark, django_capture_on_commit_callbacks):
    postmark.script = [503]
    with django_capture_on_commit_callbacks(execute=True):
        email = write_email()
    assert status_of(email) == Email.Status.QUEUED
    wait_until(lambda: relay_due_emails() or status_of(email) == Email.Status.SENT, message="the retry")
    email.refresh_from_db()
    assert (email.status, email.attempts) == (Email.Status.SENT, 2)
    assert [r["To"] for r in postmark.requests] == ["pat@example.com", "pat@example.com"]
    assert postmark.requests[-1]["token"] == "server-token"
    assert postmark.requests[-1]["Subject"] == email.subject
    assert relay_due_emails() == 0 and len(postmark.requests) == 2


def test_a_refusal_by_the_provider_fails_at_once(postmark, django_capture_on_commit_callbacks):
    postmark.script = [422]
    with django_capture_on_commit_callbacks(execute=True):
        email = write_email()
    email.refresh_from_db()
    assert (email.status, email.attempts) == (Email.Status.FAILED, 1)
    assert relay_due_emails() == 0 and len(postmark.requests) == 1


def test_no_answer_from_the_provider_is_an_unknown_outcome_never_resent():
    error = type("AnymailRequestsAPIError", (AnymailRequestsAPIError, TimeoutError), {})("Error posting")
    assert classify(error).maybe_sent
    assert classify(AnymailRecipientsRefused("Recipients refused")).permanent


def test_an_unreachable_provider_is_retried(settings, postmark, django_capture_on_commit_callbacks):
    settings.ANYMAIL = {**settings.ANYMAIL, "POSTMARK_API_URL": f"http://127.0.0.1:{closed_port()}/"}
    settings.EMAIL_MAX_ATTEMPTS = 2
    with django_capture_on_commit_callbacks(execute=True):
        email = write_email()
    email.refresh_from_db()
    assert (email.status, email.attempts) == (Email.Status.QUEUED, 1)
