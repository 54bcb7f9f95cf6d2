"""Sending through a real SMTP server on 127.0.0.1: retried when the server says "later",
failed when it says "never", and never sent twice, even by two workers at once."""

import threading

import pytest
from django.db import connections

from clinic.mail.models import Email
from clinic.mail.services import Attachment, queue_email, relay_due_emails, send_email_now
from tests.clinic.sms.fixtures import closed_port, wait_until

pytestmark = pytest.mark.django_db

INVITE = Attachment(
    name="appointment-K7Q4MX.ics",
    content_type="text/calendar; method=REQUEST",
    content="BEGIN:VCALENDAR\r\nMETHOD:REQUEST\r\nEND:VCALENDAR\r\n",
)


def write_email(**kwargs) -> Email:
    context = {"first_name": "Pat", "when": "Monday 7 January 2030 at 10:00", "ends": "11:00", "policy": None}
    return queue_email(kind="booking_confirmation", to="pat@example.com", context=context, **kwargs)


def status_of(email):
    return Email.objects.values_list("status", flat=True).get(pk=email.pk)


def relay_until_sent(email):
    """What beat does every 30 s, until the row's backoff has passed and it is sent."""
    wait_until(lambda: relay_due_emails() or status_of(email) == Email.Status.SENT, message="the retry to be due")
    return Email.objects.get(pk=email.pk)


def test_a_temporary_refusal_is_retried_and_the_email_arrives_once(smtp_server, django_capture_on_commit_callbacks):
    smtp_server.refuse_next("451 4.3.0 Mail server busy, try again later")
    with django_capture_on_commit_callbacks(execute=True):
        email = write_email(attachments=[INVITE])

    email.refresh_from_db()
    assert (email.status, email.attempts) == (Email.Status.QUEUED, 1)
    assert email.error_message.startswith("SMTP 451")
    assert smtp_server.accepted == []

    email = relay_until_sent(email)
    assert (email.status, email.attempts) == (Email.Status.SENT, 2)
    assert len(smtp_server.attempts) == 2
    [message] = smtp_server.messages
    assert message["To"] == "pat@example.com"
    assert message["From"] == "Example Clinic <bookings@clinic.example.test>"
    assert message["Message-ID"] == email.message_id
    [invite] = [part for part in message.walk() if part.get_content_type() == "text/calendar"]
    assert invite.get_param("method") == "REQUEST" and invite.get_filename() == INVITE.name

    # Nothing sends it again: not the relay, not a late duplicate of the task.
    assert relay_due_emails() == 0
    assert send_email_now(email_id=email.pk) is None
    assert len(smtp_server.attempts) == 2 and len(smtp_server.accepted) == 1


def test_a_permanent_refusal_fails_at_once_and_is_not_retried(smtp_server, django_capture_on_commit_callbacks):
    smtp_server.refuse_next("550 5.1.1 No such mailbox")
    with django_capture_on_commit_callbacks(execute=True):
        email = write_email()
    email.refresh_from_db()
    assert (email.status, email.attempts) == (Email.Status.FAILED, 1)
    assert "550" in email.error_message
    assert relay_due_emails() == 0
    assert len(smtp_server.attempts) == 1 and smtp_server.accepted == []


def test_a_mail_server_that_cannot_be_reached_is_retried_up_to_the_limit(
    settings, smtp_server, django_capture_on_commit_callbacks
):
    settings.EMAIL_PORT = closed_port()
    settings.EMAIL_MAX_ATTEMPTS = 3
    with django_capture_on_commit_callbacks(execute=True):
        email = write_email()
    wait_until(lambda: relay_due_emails() is not None and status_of(email) == Email.Status.FAILED, message="failure")
    email.refresh_from_db()
    assert email.attempts == 3
    assert "Could not connect" in email.error_message


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_workers_sending_the_same_row_send_it_once(smtp_server):
    # Committed, its send task lost: both workers are given its id (written directly, since
    # queue_email's on-commit send would run at once here, tasks being in-process in tests).
    email = Email.objects.create(kind="booking_confirmation", to="pat@example.com", subject="Booked", text_body="Hi")
    smtp_server.gate = threading.Event()
    outcomes = {}

    def worker(name):
        try:
            outcomes[name] = send_email_now(email_id=email.pk)
        finally:
            connections.close_all()

    first = threading.Thread(target=worker, args=("first",))
    first.start()
    assert smtp_server.arrived.wait(10)  # the first is in the middle of sending it
    worker("second")  # a duplicate task, or the relay's, in another worker
    assert outcomes["second"] is None
    smtp_server.gate.set()
    first.join(10)
    assert outcomes["first"].status == Email.Status.SENT
    assert len(smtp_server.attempts) == 1 and len(smtp_server.accepted) == 1
