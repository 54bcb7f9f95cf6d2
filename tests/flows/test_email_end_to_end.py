"""A booking's email through the real stack: outbox row, Redis broker, a Celery worker, Django's
SMTP backend and a real SMTP server on 127.0.0.1 (tests/clinic/mail/fixtures.py)."""

import time

import pytest
from icalendar import Calendar

from bookings.services import create_booking
from clinic.mail.models import Email
from clinic.mail.services import relay_due_emails
from clinic.mail.tasks import relay_due_emails as relay_task
from tests.clinic.sms.fixtures import closed_port, reset_broker_connections, running_workers, wait_until
from tests.conftest import at

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres, pytest.mark.redis, pytest.mark.slow]


def status_of(email):
    return Email.objects.values_list("status", flat=True).get(pk=email.pk)


def test_a_confirmation_refused_once_is_retried_by_the_worker_and_arrives_once(
    celery_worker, smtp_server, lengths, alice, patient, next_monday
):
    smtp_server.refuse_next("451 4.3.0 Mail server busy, try again later")
    appointment = create_booking(length=lengths[60], start=at(next_monday, "10:00"), patient=patient, therapist=alice)

    email = Email.objects.about(appointment).get()
    smtp_server.wait_for_attempts(2)  # the worker's task ran again after its backoff
    wait_until(lambda: status_of(email) == Email.Status.SENT, message="the worker to record the send")
    email.refresh_from_db()
    assert email.attempts == 2
    [message] = smtp_server.messages
    assert message["To"] == "pat@example.com"
    assert message["Subject"] == email.subject
    [invite] = [part for part in message.walk() if part.get_content_type() == "text/calendar"]
    event = Calendar.from_ical(invite.get_payload(decode=True)).events[0]
    assert event.start == appointment.start
    assert relay_due_emails() == 0
    assert len(smtp_server.accepted) == 1


def test_an_email_written_with_redis_down_goes_out_once_when_it_is_back(
    celery_live, smtp_server, settings, lengths, alice, patient, next_monday
):
    app = celery_live
    app.conf.broker_url = f"redis://127.0.0.1:{closed_port()}/0"
    reset_broker_connections(app)

    started = time.monotonic()
    appointment = create_booking(length=lengths[60], start=at(next_monday, "10:00"), patient=patient, therapist=alice)
    assert time.monotonic() - started < 1.5  # the booking did not wait for the broker

    email = Email.objects.about(appointment).get()
    assert email.status == Email.Status.QUEUED
    assert smtp_server.attempts == []

    app.conf.broker_url = settings.REDIS_URL  # Redis is back
    reset_broker_connections(app)
    with running_workers(app, 1):
        relay_task.delay()  # what beat does every 30 seconds
        wait_until(lambda: status_of(email) == Email.Status.SENT, message="the email to be sent")
        assert relay_due_emails() == 0  # the next relay run finds nothing to do
    assert len(smtp_server.attempts) == 1 and len(smtp_server.accepted) == 1
    assert smtp_server.messages[0]["Message-ID"] == Email.objects.get(pk=email.pk).message_id
