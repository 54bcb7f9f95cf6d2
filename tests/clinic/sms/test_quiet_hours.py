from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from clinic.sms.quiet_hours import in_quiet_hours, next_allowed
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
