"""A text the recipient has just asked for (a one-time code) goes at any hour; others still wait."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from clinic.sms.backends import SendError
from clinic.sms.models import Message
from clinic.sms.services import queue_sms, relay_due_messages, send_message_now
from tests.conftest import at

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
NIGHT = datetime(2030, 1, 7, 23, 30, tzinfo=LONDON)


def code_text(**kwargs):
    return queue_sms(
        kind="phone_code",
        to="+447700900123",
        context={"code": "123456", "action": "see your bookings", "minutes": 10, "host": ""},
        **kwargs,
    )


def test_an_any_hour_text_written_at_night_goes_at_once(sms_outbox, django_capture_on_commit_callbacks):
    with time_machine.travel(NIGHT, tick=False), django_capture_on_commit_callbacks(execute=True):
        message = code_text(any_hour=True)
    message.refresh_from_db()
    assert message.status == Message.Status.SENT
    assert message.due_at == NIGHT
    assert len(sms_outbox) == 1


def test_at_night_the_relay_sends_any_hour_texts_and_leaves_the_others(sms_outbox, django_capture_on_commit_callbacks):
    with time_machine.travel(NIGHT, tick=False):
        with django_capture_on_commit_callbacks(execute=False):
            urgent = code_text(any_hour=True)
            ordinary = code_text()
        Message.objects.update(lease_until=None, due_at=NIGHT)  # both due, neither task ran
        assert relay_due_messages() == 1
    urgent.refresh_from_db()
    ordinary.refresh_from_db()
    assert (urgent.status, ordinary.status) == (Message.Status.SENT, Message.Status.PENDING)


def test_a_retry_of_an_any_hour_text_is_not_put_off_until_morning(monkeypatch, django_capture_on_commit_callbacks):
    from clinic.sms.backends import locmem

    def refuse(self, message, *, status_callback=""):
        raise SendError("busy", code="20429")

    monkeypatch.setattr(locmem.LocmemBackend, "send", refuse)
    with time_machine.travel(NIGHT, tick=False):
        with django_capture_on_commit_callbacks(execute=False):
            message = code_text(any_hour=True)
        outcome = send_message_now(message_id=message.pk)
    message.refresh_from_db()
    assert outcome.status == Message.Status.PENDING
    assert message.due_at < at(date(2030, 1, 8), "00:00")
