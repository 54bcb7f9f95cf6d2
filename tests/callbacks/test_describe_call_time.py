"""What the thank-you page and the text promise, from the clinic's opening hours."""

from datetime import date, datetime, time

import pytest
from django.utils import timezone

from callbacks.call_times import describe_call_time
from clinic.core.models import OpeningHours

pytestmark = pytest.mark.django_db

# Tue 24 Nov 2026
TUESDAY = date(2026, 11, 24)


def _at(day, hh, mm=0):
    return timezone.make_aware(datetime.combine(day, time(hh, mm)))


@pytest.fixture
def weekday_hours(db):
    for weekday in range(5):
        OpeningHours.objects.create(weekday=weekday, opens=time(9), closes=time(17))


def test_without_opening_hours_the_promise_is_general():
    assert describe_call_time(when="asap", now=_at(TUESDAY, 10)) == "as soon as we can during opening hours"


@pytest.mark.parametrize(
    ("now", "promise"),
    [
        (_at(TUESDAY, 7, 30), "today from 09:00"),
        (_at(TUESDAY, 10), "today before 17:00"),
        (_at(TUESDAY, 16, 45), "tomorrow from 09:00"),  # too close to closing
        (_at(date(2026, 11, 27), 18), "on Mon 30 Nov from 09:00"),  # Friday evening
    ],
)
def test_as_soon_as_possible_is_promised_from_the_opening_hours(weekday_hours, now, promise):
    assert describe_call_time(when="asap", now=now) == promise


@pytest.mark.parametrize(
    ("day", "period", "promise"),
    [
        (TUESDAY, "morning", "this morning"),
        (date(2026, 11, 25), "evening", "tomorrow evening"),
        (date(2026, 11, 27), "afternoon", "on Fri 27 Nov in the afternoon"),
    ],
)
def test_a_chosen_day_and_time_of_day_is_repeated_back(day, period, promise):
    assert describe_call_time(when="day", preferred_day=day, preferred_period=period, now=_at(TUESDAY, 8)) == promise
