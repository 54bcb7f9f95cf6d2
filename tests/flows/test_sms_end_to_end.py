"""A booking's SMS through the real stack: outbox row, Redis broker, a Celery worker, the real
twilio client against a fake Twilio API on 127.0.0.1, and Twilio's signed status callback."""

import time

import pytest
from django.urls import reverse
from twilio.request_validator import RequestValidator

from bookings.notifications import Kind
from bookings.services import create_booking
from clinic.sms.models import Message
from clinic.sms.services import relay_due_messages
from clinic.sms.tasks import relay_due_messages as relay_task
from tests.clinic.sms.fixtures import (
    ACCOUNT_SID,
    AUTH_TOKEN,
    MESSAGING_SERVICE_SID,
    closed_port,
    reset_broker_connections,
    running_workers,
    wait_until,
)
from tests.conftest import at

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres, pytest.mark.redis, pytest.mark.slow]


def status_of(message):
    return Message.objects.values_list("status", flat=True).get(pk=message.pk)


def test_a_booking_is_texted_through_a_worker_and_twilio_reports_it_delivered(
    celery_worker, twilio, no_quiet_hours, client, settings, lengths, alice, patient, next_monday
):
    appointment = create_booking(length=lengths[60], start=at(next_monday, "10:00"), patient=patient, therapist=alice)

    [request] = twilio.wait_for_requests(1)
    confirmation = Message.objects.about(appointment).get(kind=Kind.BOOKING_CONFIRMATION)
    callback_url = f"https://clinic.example.test/sms/status/{confirmation.callback_token}/"
    assert request["path"] == f"/2010-04-01/Accounts/{ACCOUNT_SID}/Messages.json"
    assert request["form"] == {
        "To": "+447700900123",
        "Body": confirmation.body,
        "MessagingServiceSid": MESSAGING_SERVICE_SID,
        "StatusCallback": callback_url,
    }
    assert "you're booked with Alice Example" in confirmation.body
    wait_until(lambda: status_of(confirmation) == Message.Status.SENT, message="the worker to record the send")

    # Twilio calls back, signed, at the public address it was given.
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "clinic.example.test"]
    params = {"MessageSid": "SM1", "MessageStatus": "delivered", "AccountSid": ACCOUNT_SID}
    signature = RequestValidator(AUTH_TOKEN).compute_signature(callback_url, params)
    path = reverse("sms:status", args=[confirmation.callback_token])
    response = client.post(
        path, params, HTTP_X_TWILIO_SIGNATURE=signature, secure=True, HTTP_HOST="clinic.example.test"
    )
    assert response.status_code == 200
    assert status_of(confirmation) == Message.Status.DELIVERED

    # The reminder waits for its due time; nothing else went out.
    assert Message.objects.about(appointment).get(kind=Kind.REMINDER).status == Message.Status.PENDING
    assert relay_due_messages() == 0
    assert len(twilio.requests) == 1


def test_a_booking_succeeds_quickly_with_redis_down_and_the_relay_sends_it_once_redis_is_back(
    celery_live, twilio, no_quiet_hours, settings, lengths, alice, patient, next_monday
):
    app = celery_live
    app.conf.broker_url = f"redis://127.0.0.1:{closed_port()}/0"
    reset_broker_connections(app)

    started = time.monotonic()
    appointment = create_booking(length=lengths[60], start=at(next_monday, "10:00"), patient=patient, therapist=alice)
    assert time.monotonic() - started < 1.5

    confirmation = Message.objects.about(appointment).get(kind=Kind.BOOKING_CONFIRMATION)
    assert confirmation.status == Message.Status.PENDING
    assert twilio.requests == []

    app.conf.broker_url = settings.REDIS_URL  # Redis is back
    reset_broker_connections(app)
    with running_workers(app, 1):
        relay_task.delay()  # what beat does every 30 seconds
        twilio.wait_for_requests(1)
        wait_until(lambda: status_of(confirmation) == Message.Status.SENT, message="the confirmation to be sent")
        assert relay_due_messages() == 0  # the next relay run finds nothing to do
    assert len(twilio.requests) == 1
    assert twilio.forms[0]["Body"] == confirmation.body
