"""No log line carries a patient's identity: the logs a booking, a failed SMS (whose Twilio error
quotes the number) and a callback request write through the configured handlers hold no name,
phone number or email address. The logging config is the real one (settings.LOGGING), with the
console handler's stream swapped for a buffer and every logger let through at DEBUG."""

import copy
import io
import logging.config

import pytest
from django.conf import settings
from django.urls import reverse

from bookings.models import Appointment
from clinic.core.models import ClinicSettings
from clinic.sms.models import Message
from tests.bookings.conftest import details
from tests.callbacks.conftest import RECEPTION_MOBILE, form_data
from tests.conftest import at

pytestmark = pytest.mark.django_db

NAME, PHONE, NATIONAL, EMAIL = "Cara Quennell", "+447400111222", "07400 111222", "cara@example.com"
IDENTITY = (NAME, "Quennell", PHONE, NATIONAL, "7400111222", "111222", EMAIL)


@pytest.fixture
def logs():
    """Everything the configured handlers write during the test, at every level."""
    buffer = io.StringIO()
    config = copy.deepcopy(settings.LOGGING)
    config["handlers"]["console"]["stream"] = buffer
    config["root"]["level"] = "DEBUG"
    logging.config.dictConfig(config)
    try:
        yield buffer
    finally:
        logging.config.dictConfig(settings.LOGGING)


def _leaks(text: str) -> list[str]:
    return [needle for needle in IDENTITY if needle.lower() in text.lower()]


def test_a_booking_whose_text_fails_with_twilio_quoting_the_number_logs_no_identity(
    client, logs, twilio, no_quiet_hours, lengths, alice, next_monday, django_capture_on_commit_callbacks
):
    twilio.reply_with((400, 21211))
    data = details(lengths[45], alice, at(next_monday, "10:00"), name=NAME, phone=NATIONAL, email=EMAIL)

    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(reverse("bookings:details"), data).status_code == 302

    failed = Message.objects.get(kind="booking_confirmation", status=Message.Status.FAILED)
    assert PHONE in failed.error_message  # Twilio did quote the number...
    text = logs.getvalue()
    assert "[phone]" in text  # ...and it reached a log line, masked
    assert _leaks(text) == []
    assert Appointment.objects.get().patient.name == NAME


def test_a_text_longer_than_two_segments_is_logged_without_its_wording(logs, lengths, alice, next_monday):
    from clinic.sms.services import render_sms

    render_sms("callback_ack", {"name": NAME + " " + "x" * 300, "promise": "today"})
    text = logs.getvalue()
    assert "segments long" in text and _leaks(text) == [] and "xxxx" not in text


def test_a_callback_request_logs_no_identity(client, logs, no_quiet_hours, django_capture_on_commit_callbacks):
    """With the broker down, so the fallback paths (which log) run too."""
    clinic = ClinicSettings.load()
    clinic.reception_mobile, clinic.reception_email = RECEPTION_MOBILE, "reception@clinic.example.test"
    clinic.save()
    from clinic.celery import app
    from tests.clinic.sms.fixtures import closed_port, reset_broker_connections

    data = form_data(name=NAME, phone=NATIONAL, message=f"Call me on {PHONE} or email {EMAIL}, bad back")
    eager, broker = app.conf.task_always_eager, app.conf.broker_url
    app.conf.task_always_eager, app.conf.broker_url = False, f"redis://127.0.0.1:{closed_port()}/0"
    reset_broker_connections(app)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(reverse("callbacks:request"), data)
    finally:
        app.conf.task_always_eager, app.conf.broker_url = eager, broker
        reset_broker_connections(app)

    assert response.status_code == 302
    text = logs.getvalue()
    assert "Broker unavailable" in text and "Could not queue SMS" in text
    assert _leaks(text) == []


def test_the_filter_is_on_every_configured_handler():
    assert all("personal_data" in handler.get("filters", []) for handler in settings.LOGGING["handlers"].values())
