"""When the promise made to a patient who asked for a call runs out (for the managers' report)."""

from datetime import date, time, timedelta

import pytest

from callbacks.call_times import opening_ranges, promised_by
from clinic.core.models import OpeningHours
from tests.conftest import at

pytestmark = pytest.mark.django_db

MONDAY = date(2030, 1, 7)


@pytest.fixture
def weekdays(db):
    for weekday in range(5):
        OpeningHours.objects.create(weekday=weekday, opens=time(9), closes=time(13))
        OpeningHours.objects.create(weekday=weekday, opens=time(14), closes=time(17))
    return opening_ranges()


def asap(asked_at, ranges):
    return promised_by(when="asap", preferred_day=None, preferred_period="", asked_at=asked_at, ranges=ranges)


def test_as_soon_as_possible_runs_to_the_close_of_the_range_promised(weekdays):
    assert asap(at(MONDAY, "07:00"), weekdays) == at(MONDAY, "13:00")
    assert asap(at(MONDAY, "10:00"), weekdays) == at(MONDAY, "13:00")
    assert asap(at(MONDAY, "12:45"), weekdays) == at(MONDAY, "17:00")  # too close to 13:00: the afternoon
    assert asap(at(MONDAY, "16:40"), weekdays) == at(MONDAY + timedelta(days=1), "13:00")
    assert asap(at(MONDAY + timedelta(days=4), "18:00"), weekdays) == at(MONDAY + timedelta(days=7), "13:00")


def test_a_chosen_day_runs_to_the_end_of_the_chosen_part_of_it(weekdays):
    def chosen(part):
        return promised_by(
            when="day", preferred_day=MONDAY, preferred_period=part, asked_at=at(MONDAY, "08:00"), ranges=weekdays
        )

    assert chosen("morning") == at(MONDAY, "12:00")
    assert chosen("afternoon") == at(MONDAY, "17:00")
    assert chosen("evening") == at(MONDAY, "21:00")
    assert chosen("") == at(MONDAY + timedelta(days=1), "00:00")


def test_without_opening_hours_the_promise_is_a_day(db):
    assert asap(at(MONDAY, "10:00"), {}) == at(MONDAY + timedelta(days=1), "10:00")
