"""The Twilio backend with the real twilio client, against a fake Twilio API on 127.0.0.1.

Tasks run in-process here (no countdown), so a retry is the relay picking the row up again."""

import base64

import pytest

from clinic.sms.models import Message
from clinic.sms.services import queue_sms, relay_due_messages
from tests.clinic.sms.fixtures import ACCOUNT_SID, AUTH_TOKEN, INVALID_NUMBER, MESSAGING_SERVICE_SID, closed_port

pytestmark = pytest.mark.django_db

PAT = "+447700900123"


@pytest.fixture
def send(awake, twilio, django_capture_on_commit_callbacks):
    """Write a message and run its send after commit, as a booking would."""

    def send(to=PAT):
        with django_capture_on_commit_callbacks(execute=True):
            message = queue_sms(
                kind="callback_ack", to=to, context={"name": "Pat", "promise": "today", "preferred_time": "today"}
            )
        message.refresh_from_db()
        return message

    return send


def test_it_posts_one_message_to_twilio_with_the_messaging_service_and_status_callback(send, twilio):
    message = send()

    [request] = twilio.requests
    assert request["path"] == f"/2010-04-01/Accounts/{ACCOUNT_SID}/Messages.json"
    assert request["form"] == {
        "To": PAT,
        "Body": message.body,
        "MessagingServiceSid": MESSAGING_SERVICE_SID,
        "StatusCallback": f"https://clinic.example.test/sms/status/{message.callback_token}/",
    }
    assert (
        request["headers"]["Authorization"]
        == "Basic " + base64.b64encode(f"{ACCOUNT_SID}:{AUTH_TOKEN}".encode()).decode()
    )
    assert "twilio-python/" in request["headers"]["User-Agent"]
    assert message.status == Message.Status.SENT
    assert message.provider_id.startswith("SM") and len(message.provider_id) == 34
    assert message.sent_at is not None


def test_it_sends_from_the_clinic_number_when_there_is_no_messaging_service(send, twilio, settings):
    settings.TWILIO_MESSAGING_SERVICE_SID = ""
    settings.TWILIO_FROM_NUMBER = "+441632960001"
    send()
    form = twilio.forms[0]
    assert form["From"] == "+441632960001"
    assert "MessagingServiceSid" not in form


def test_an_invalid_number_fails_after_one_request_and_is_not_retried(send, twilio):
    message = send(to=INVALID_NUMBER)
    assert message.status == Message.Status.FAILED
    assert message.error_code == "21211"
    assert "is not a valid phone number" in message.error_message
    assert relay_due_messages() == 0
    assert len(twilio.requests) == 1
    assert Message.objects.needs_attention().get() == message


@pytest.mark.parametrize("code", [21614, 21610])
def test_a_landline_or_an_opted_out_number_fails_without_retry(send, twilio, code):
    twilio.reply_with((400, code))
    message = send()
    assert message.status == Message.Status.FAILED
    assert message.error_code == str(code)
    assert relay_due_messages() == 0
    assert len(twilio.requests) == 1


def test_server_errors_are_retried_until_twilio_accepts(send, twilio, settings):
    settings.SMS_RETRY_BACKOFF_SECONDS = 0
    twilio.reply_with(500, 500, 201)
    message = send()
    assert message.status == Message.Status.PENDING
    assert message.error_code == "20500"
    assert relay_due_messages() == 1
    assert relay_due_messages() == 1
    assert relay_due_messages() == 0
    message.refresh_from_db()
    assert message.status == Message.Status.SENT
    assert message.attempts == 3
    assert len(twilio.requests) == 3


def test_too_many_requests_is_retried(send, twilio, settings):
    settings.SMS_RETRY_BACKOFF_SECONDS = 0
    twilio.reply_with(429)
    message = send()
    assert message.status == Message.Status.PENDING
    relay_due_messages()
    message.refresh_from_db()
    assert message.status == Message.Status.SENT
    assert len(twilio.requests) == 2


def test_transient_errors_give_up_after_the_last_attempt(send, twilio, settings):
    settings.SMS_RETRY_BACKOFF_SECONDS = 0
    settings.SMS_MAX_ATTEMPTS = 3
    twilio.reply_with(503, 503, 503, 201)
    message = send()
    relay_due_messages()
    relay_due_messages()
    assert relay_due_messages() == 0
    message.refresh_from_db()
    assert message.status == Message.Status.FAILED
    assert message.attempts == 3
    assert len(twilio.requests) == 3


def test_retries_back_off_exponentially_with_jitter(send, twilio, settings):
    settings.SMS_RETRY_BACKOFF_SECONDS = 30
    settings.SMS_RETRY_BACKOFF_MAX_SECONDS = 600
    twilio.reply_with(500)
    message = send()
    wait = (message.due_at - message.updated_at).total_seconds()
    assert 15 <= wait <= 30.5  # first retry: 30 s, half of it random
    assert relay_due_messages() == 0  # not due yet


def test_a_read_timeout_marks_the_message_unknown_and_it_is_never_resent(send, twilio, settings, time_machine):
    settings.TWILIO_READ_TIMEOUT = 0.3
    twilio.reply_with("hang")
    message = send()
    assert message.status == Message.Status.UNKNOWN
    assert "may or may not have been sent" in message.error_message
    assert Message.objects.needs_attention().get() == message
    time_machine.shift(3600)
    assert relay_due_messages() == 0
    assert len(twilio.requests) == 1


def test_a_connection_refused_is_transient(send, twilio, settings):
    settings.TWILIO_API_BASE = f"http://127.0.0.1:{closed_port()}"
    message = send()
    assert message.status == Message.Status.PENDING
    assert "Could not connect to Twilio" in message.error_message
    settings.TWILIO_API_BASE = twilio.base_url
    settings.SMS_RETRY_BACKOFF_SECONDS = 0
    Message.objects.filter(pk=message.pk).update(due_at=message.updated_at)
    assert relay_due_messages() == 1
    message.refresh_from_db()
    assert message.status == Message.Status.SENT


def test_missing_twilio_credentials_fail_the_message_with_a_clear_reason(send, settings):
    settings.TWILIO_AUTH_TOKEN = ""
    message = send()
    assert message.status == Message.Status.FAILED
    assert "Twilio is not configured" in message.error_message
