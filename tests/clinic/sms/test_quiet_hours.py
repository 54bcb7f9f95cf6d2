from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from clinic.sms.models import Message
from clinic.sms.quiet_hours import in_quiet_hours, next_allowed
from clinic.sms.services import queue_sms, relay_due_messages, send_message_now
from tests.conftest import at

LONDON = ZoneInfo("Europe/London")
UTC = ZoneInfo("UTC")


@pytest.mark.parametrize(
    ("local", "expected"),
    [
        ("20:59", "2030-01-07 20:59"),
        ("21:00", "2030-01-08 08:00"),
        ("23:30", "2030-01-08 08:00"),
        ("00:10", "2030-01-07 08:00"),
        ("07:59", "2030-01-07 08:00"),
        ("08:00", "2030-01-07 08:00"),
        ("12:00", "2030-01-07 12:00"),
    ],
)
def test_due_times_in_quiet_hours_move_to_eight_in_the_morning(local, expected):
    moved = next_allowed(at(date(2030, 1, 7), local))
    assert moved.astimezone(LONDON).strftime("%Y-%m-%d %H:%M") == expected


def test_the_quiet_hours_end_at_eight_on_the_wall_clock_after_the_clocks_go_forward():
    # Saturday 28 March 2026 22:00 GMT; the clocks go forward overnight, so 08:00 BST is 07:00 UTC.
    moved = next_allowed(datetime(2026, 3, 28, 22, 0, tzinfo=UTC))
    assert moved == datetime(2026, 3, 29, 7, 0, tzinfo=UTC)
    assert moved.astimezone(LONDON).hour == 8


def test_quiet_hours_can_be_switched_off(settings):
    settings.SMS_QUIET_HOURS_START = settings.SMS_QUIET_HOURS_END = "00:00"
    assert not in_quiet_hours(at(date(2030, 1, 7), "23:30"))


def test_a_quiet_window_within_one_day_is_understood(settings):
    settings.SMS_QUIET_HOURS_START, settings.SMS_QUIET_HOURS_END = "12:00", "14:00"
    assert in_quiet_hours(at(date(2030, 1, 7), "13:00"))
    assert not in_quiet_hours(at(date(2030, 1, 7), "23:00"))
    assert next_allowed(at(date(2030, 1, 7), "12:30")) == at(date(2030, 1, 7), "14:00")


# --- the gate at send time -----------------------------------------------------------------------


@pytest.mark.django_db
def test_a_text_due_before_quiet_hours_but_sent_after_they_begin_waits_until_morning(time_machine, sms_outbox):
    # Written at 20:55 (due at once), but its task only runs at 21:10: a queue backlog, a worker
    # restart. Quiet hours are judged when the text goes, not only when it was written.
    time_machine.move_to(at(date(2030, 1, 7), "20:55"), tick=False)
    message = queue_sms(kind="callback_ack", to="+447700900123", context={"name": "Pat", "promise": "today"})
    assert message.due_at == at(date(2030, 1, 7), "20:55")

    time_machine.move_to(at(date(2030, 1, 7), "21:10"), tick=False)
    assert send_message_now(message_id=message.pk) is None
    assert sms_outbox == []
    message.refresh_from_db()
    assert message.status == Message.Status.PENDING
    assert message.due_at == at(date(2030, 1, 8), "08:00")

    time_machine.move_to(at(date(2030, 1, 8), "08:00"), tick=False)
    assert send_message_now(message_id=message.pk).status == Message.Status.SENT
    assert [sms.to for sms in sms_outbox] == ["+447700900123"]


@pytest.mark.django_db
def test_the_relay_queues_nothing_in_quiet_hours(time_machine, sms_outbox, django_capture_on_commit_callbacks):
    time_machine.move_to(at(date(2030, 1, 7), "20:55"), tick=False)
    queue_sms(kind="callback_ack", to="+447700900123", context={"name": "Pat", "promise": "today"})
    time_machine.move_to(at(date(2030, 1, 7), "21:10"), tick=False)
    with django_capture_on_commit_callbacks(execute=True):
        assert relay_due_messages() == 0
    assert sms_outbox == []
