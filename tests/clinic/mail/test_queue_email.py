"""The email outbox: a row first, sent after commit through Django's email backend, once."""

from datetime import timedelta

import pytest
from django.core import mail
from django.db import transaction
from django.utils import timezone

from clinic.mail.models import Email
from clinic.mail.services import Attachment, queue_email, relay_due_emails, send_email_now

pytestmark = pytest.mark.django_db

INVITE = Attachment(
    name="appointment-K7Q4MX.ics",
    content_type="text/calendar; method=REQUEST",
    content="BEGIN:VCALENDAR\r\nMETHOD:REQUEST\r\nEND:VCALENDAR\r\n",
)


def confirmation(**kwargs):
    context = {
        "first_name": "O'Brien",
        "when": "Monday 7 January 2030 at 10:00",
        "ends": "11:00",
        "treatment": "Soft tissue release massage",
        "minutes": 60,
        "price": "£70",
        "therapist": "Alice Example",
        "reference": "K7Q-4MX",
        "manage_url": "",
        "policy": None,
    }
    return queue_email(kind="booking_confirmation", to="pat@example.com", context=context, **kwargs)


def test_the_row_is_written_in_the_callers_transaction_and_goes_if_it_rolls_back():
    with pytest.raises(RuntimeError), transaction.atomic():
        confirmation()
        assert Email.objects.count() == 1
        raise RuntimeError("the booking failed")
    assert Email.objects.count() == 0
    assert mail.outbox == []


def test_it_is_sent_after_commit_with_its_text_html_and_invitation(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        with transaction.atomic():
            email = confirmation(attachments=[INVITE])
        assert mail.outbox == []  # nothing is sent while the transaction is open
    email.refresh_from_db()
    assert (email.status, email.attempts) == (Email.Status.SENT, 1)
    assert email.sent_at is not None
    [sent] = mail.outbox
    assert sent.to == ["pat@example.com"]
    assert sent.subject == "Your appointment on Monday 7 January 2030 at 10:00 is booked"
    assert sent.body.startswith("Hi O'Brien,\n\nYou're booked at")  # the text part is not HTML-escaped
    [(html, mimetype)] = sent.alternatives
    assert mimetype == "text/html" and "Hi O&#x27;Brien," in html
    message = sent.message()
    assert message["Message-ID"] == email.message_id
    [part] = [p for p in message.walk() if p.get_content_type() == "text/calendar"]
    assert part.get_param("method") == "REQUEST"
    assert part.get_filename() == "appointment-K7Q4MX.ics"
    assert part.get_payload(decode=True).decode() == INVITE.content


def test_a_row_already_sent_is_never_sent_again(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        email = confirmation()
    assert send_email_now(email_id=email.pk) is None
    assert relay_due_emails() == 0
    assert len(mail.outbox) == 1


def test_an_email_whose_send_was_never_queued_is_sent_by_the_relay():
    email = confirmation()  # no commit callbacks run: as if Redis had been down
    Email.objects.filter(pk=email.pk).update(lease_until=None)
    assert relay_due_emails() == 1
    email.refresh_from_db()
    assert email.status == Email.Status.SENT
    assert relay_due_emails() == 0
    assert len(mail.outbox) == 1


def test_a_row_stuck_in_sending_is_marked_unknown_and_not_sent_again():
    email = confirmation()
    # Its worker claimed it and died: the lease it took ran out.
    Email.objects.filter(pk=email.pk).update(status=Email.Status.SENDING, lease_until=timezone.now() - timedelta(1))
    assert relay_due_emails() == 0
    email.refresh_from_db()
    assert email.status == Email.Status.UNKNOWN
    assert "may or may not have gone out" in email.error_message
    assert mail.outbox == []


def test_an_erased_address_is_never_sent_to():
    email = confirmation()
    Email.objects.filter(pk=email.pk).update(to="")
    assert send_email_now(email_id=email.pk).status == Email.Status.FAILED
    assert mail.outbox == []
