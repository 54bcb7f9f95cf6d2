"""The email to reception about a new callback request: never lost, never at night, sent once."""

from datetime import datetime, timedelta

import pytest
import time_machine
from django.utils import timezone
from phonenumber_field.phonenumber import PhoneNumber

from callbacks.models import CallbackRequest
from callbacks.services import request_callback, send_due_reception_emails

from .conftest import MOBILE_E164

pytestmark = pytest.mark.django_db


def ask():
    return request_callback(name="Pat Example", phone=PhoneNumber.from_string(MOBILE_E164), reason="book").request


def local(y, m, d, hh, mm=0, ss=0):
    return timezone.make_aware(datetime(y, m, d, hh, mm, ss))


def test_a_request_by_day_emails_reception_once_after_commit(reception, mailoutbox, django_capture_on_commit_callbacks):
    with time_machine.travel(local(2030, 1, 8, 10), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            req = ask()
        assert [m.to for m in mailoutbox] == [["reception@clinic.example.test"]]
        assert send_due_reception_emails() == 0  # the catch-up finds nothing left to send
    req.refresh_from_db()
    assert req.reception_emailed_at is not None
    assert len(mailoutbox) == 1


def test_a_request_at_night_waits_for_the_morning(reception, mailoutbox, django_capture_on_commit_callbacks):
    with time_machine.travel(local(2030, 1, 8, 22, 30), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            req = ask()
        assert mailoutbox == []
    req.refresh_from_db()
    assert timezone.localtime(req.reception_email_due_at).strftime("%a %H:%M") == "Wed 08:00"
    with time_machine.travel(local(2030, 1, 9, 7, 59), tick=False):
        assert send_due_reception_emails() == 0
    with time_machine.travel(local(2030, 1, 9, 8, 0, 30), tick=False):
        assert send_due_reception_emails() == 1
        assert send_due_reception_emails() == 0
    assert len(mailoutbox) == 1


def test_a_failed_email_is_tried_again_when_its_lease_ends(reception, mailoutbox, monkeypatch):
    from callbacks import services

    with time_machine.travel(local(2030, 1, 8, 10), tick=False):
        req = ask()  # no on-commit here: the catch-up does the sending

        def smtp_down(*args, **kwargs):
            raise OSError("SMTP server unreachable")

        monkeypatch.setattr(services, "send_mail", smtp_down)
        assert send_due_reception_emails() == 0
        monkeypatch.undo()
        assert send_due_reception_emails() == 0  # leased: another run is not sending it twice
    with time_machine.travel(local(2030, 1, 8, 10) + timedelta(minutes=6), tick=False):
        assert send_due_reception_emails() == 1
    assert CallbackRequest.objects.get(pk=req.pk).reception_emailed_at is not None
    assert len(mailoutbox) == 1
