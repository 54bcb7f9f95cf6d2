"""The availability engine on its own: plain values in, free starts out, no database."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from bookings.availability import TherapistSchedule, free_starts

LONDON = ZoneInfo("Europe/London")
MONDAY = date(2030, 1, 7)
BEFORE = datetime(2030, 1, 1, tzinfo=LONDON)  # a "now" well before every day asked about
WEEKDAYS_WITH_LUNCH = {wd: [(time(9), time(13)), (time(14), time(17))] for wd in range(5)} | {5: [(time(9), time(13))]}


def local(day, hh_mm):
    return datetime.combine(day, time.fromisoformat(hh_mm)).replace(tzinfo=LONDON)


def starts(day=MONDAY, *, minutes=60, weekly=None, busy=(), absences=(), **kwargs):
    """Free starts for one therapist on one day, as 'HH:MM' strings."""
    schedule = TherapistSchedule(
        therapist_id=1, weekly=weekly or WEEKDAYS_WITH_LUNCH, busy=list(busy), absences=list(absences)
    )
    kwargs.setdefault("now", BEFORE)
    result = free_starts(schedules=[schedule], days=[day], duration=timedelta(minutes=minutes), tz=LONDON, **kwargs)
    return [f"{s.astimezone(LONDON):%H:%M}" for s in result[1][day]]


def test_an_empty_day_offers_every_step_that_fits_inside_each_working_range():
    assert starts(minutes=60, step=timedelta(minutes=60)) == [
        "09:00",
        "10:00",
        "11:00",
        "12:00",
        "14:00",
        "15:00",
        "16:00",
    ]


def test_the_lunch_break_is_never_offered_and_a_slot_may_not_straddle_it():
    offered = starts(minutes=60)
    assert "12:00" in offered and "12:15" not in offered and "13:00" not in offered and "13:45" not in offered
    assert "14:00" in offered


def test_a_length_that_does_not_fit_before_closing_is_not_offered():
    offered = starts(minutes=45)
    assert offered[-1] == "16:15"
    assert "16:30" not in offered


def test_the_slot_step_sets_the_grid():
    assert starts(minutes=30, step=timedelta(minutes=30))[:3] == ["09:00", "09:30", "10:00"]
    assert starts(minutes=30, step=timedelta(minutes=15))[:3] == ["09:00", "09:15", "09:30"]


def test_an_existing_appointment_blocks_every_start_that_would_overlap_it():
    busy = [(local(MONDAY, "10:00"), local(MONDAY, "11:00"))]
    offered = starts(minutes=30, busy=busy)
    assert "09:30" in offered  # ends exactly when the booked one starts
    assert not {"09:45", "10:00", "10:30", "10:45"} & set(offered)
    assert "11:00" in offered  # starts exactly when it ends


def test_the_buffer_after_an_existing_appointment_is_kept_free():
    busy = [(local(MONDAY, "10:00"), local(MONDAY, "11:15"))]  # 60 min + 15 min buffer
    offered = starts(minutes=30, busy=busy)
    assert "11:00" not in offered and "11:15" in offered


def test_the_new_appointments_own_buffer_must_not_run_into_the_next_one():
    busy = [(local(MONDAY, "11:00"), local(MONDAY, "12:00"))]
    offered = starts(minutes=30, busy=busy, buffer=timedelta(minutes=15))
    assert "10:30" not in offered  # 10:30-11:00 plus 15 min buffer reaches 11:15
    assert "10:15" in offered


def test_an_absence_removes_the_time_it_covers():
    absences = [(local(MONDAY, "09:00"), local(MONDAY, "12:00"))]
    offered = starts(minutes=60, absences=absences, step=timedelta(minutes=60))
    assert offered == ["12:00", "14:00", "15:00", "16:00"]


def test_an_absence_over_several_days_covers_each_of_them():
    absences = [(local(MONDAY - timedelta(days=2), "00:00"), local(MONDAY + timedelta(days=1), "00:00"))]
    assert starts(minutes=60, absences=absences) == []
    assert starts(MONDAY + timedelta(days=1), minutes=60, absences=absences) != []


def test_a_closure_offers_nothing_that_day():
    assert starts(minutes=30, closures={MONDAY}) == []


def test_a_day_without_working_hours_offers_nothing():
    assert starts(MONDAY + timedelta(days=6), minutes=30) == []  # Sunday


def test_minimum_notice_hides_starts_too_soon_after_now():
    now = local(MONDAY, "10:05")
    offered = starts(minutes=30, now=now, min_notice=timedelta(hours=2), step=timedelta(minutes=15))
    assert offered[0] == "12:15"


def test_the_horizon_hides_days_after_the_last_bookable_day():
    assert starts(minutes=30, last_day=MONDAY - timedelta(days=1)) == []
    assert starts(minutes=30, last_day=MONDAY) != []


def test_without_a_now_reception_can_be_offered_times_in_the_past():
    assert starts(minutes=30, now=None)[0] == "09:00"


def test_overlapping_working_ranges_never_offer_a_time_twice():
    weekly = {0: [(time(9), time(12)), (time(11), time(13))]}
    offered = starts(minutes=60, weekly=weekly)
    assert len(offered) == len(set(offered))


def test_several_therapists_and_days_are_answered_in_one_call():
    schedules = [TherapistSchedule(therapist_id=t, weekly=WEEKDAYS_WITH_LUNCH) for t in (1, 2, 3)]
    days = [MONDAY + timedelta(days=i) for i in range(7)]
    result = free_starts(schedules=schedules, days=days, duration=timedelta(minutes=45), tz=LONDON, now=BEFORE)
    assert set(result) == {1, 2, 3}
    assert all(set(per_day) == set(days) for per_day in result.values())


# --- clock changes in Europe/London -------------------------------------------------------------
# A range from 00:00 to 04:00 spans the change. Spring: 01:00-01:59 does not exist. Autumn:
# 01:00-01:59 happens twice. Neither is ever offered, and slots are sized in real minutes.
NIGHT = {6: [(time(0), time(4))]}  # Sundays, the day the clocks change


@pytest.mark.parametrize(
    "day, expected",
    [
        (date(2026, 3, 29), ["00:00", "00:30", "02:00", "02:30", "03:00"]),
        (date(2026, 10, 25), ["00:00", "00:30", "02:00", "02:30", "03:00"]),
        (date(2027, 3, 28), ["00:00", "00:30", "02:00", "02:30", "03:00"]),
        (date(2027, 10, 31), ["00:00", "00:30", "02:00", "02:30", "03:00"]),
    ],
)
def test_clock_change_days_offer_neither_missing_nor_repeated_local_times(day, expected):
    now = datetime(2026, 1, 1, tzinfo=LONDON)
    schedule = TherapistSchedule(therapist_id=1, weekly=NIGHT)
    result = free_starts(
        schedules=[schedule],
        days=[day],
        duration=timedelta(minutes=60),
        tz=LONDON,
        now=now,
        step=timedelta(minutes=30),
    )[1][day]
    assert [f"{s:%H:%M}" for s in result] == expected
    range_end = datetime.combine(day, time(4)).replace(tzinfo=LONDON)
    for start in result:
        # Wall times round-trip through UTC, so none of them is in the gap or the overlap.
        assert start.astimezone(LONDON).replace(tzinfo=None) == start.replace(tzinfo=None)
        assert start + timedelta(minutes=60) <= range_end


def test_in_spring_a_slot_across_the_missing_hour_lasts_real_minutes():
    day = date(2026, 3, 29)
    schedule = TherapistSchedule(therapist_id=1, weekly={6: [(time(0), time(3))]})
    result = free_starts(
        schedules=[schedule],
        days=[day],
        duration=timedelta(minutes=90),
        tz=LONDON,
        now=datetime(2026, 1, 1, tzinfo=LONDON),
        step=timedelta(minutes=30),
    )[1][day]
    # 00:00 GMT to 03:00 BST is two real hours: a 90-minute slot can start at 00:00 or 00:30 only.
    assert [f"{s:%H:%M}" for s in result] == ["00:00", "00:30"]


def test_in_autumn_the_repeated_hour_makes_the_night_longer_but_is_not_offered():
    day = date(2026, 10, 25)
    schedule = TherapistSchedule(therapist_id=1, weekly={6: [(time(0), time(3))]})
    result = free_starts(
        schedules=[schedule],
        days=[day],
        duration=timedelta(minutes=150),
        tz=LONDON,
        now=datetime(2026, 1, 1, tzinfo=LONDON),
        step=timedelta(minutes=30),
    )[1][day]
    # 00:00 BST to 03:00 GMT is four real hours; 00:00 and 00:30 fit 150 minutes before 03:00.
    assert [f"{s:%H:%M}" for s in result] == ["00:00", "00:30"]


@pytest.mark.parametrize("day", [date(2026, 3, 29), date(2026, 10, 25), date(2027, 3, 28), date(2027, 10, 31)])
def test_ordinary_daytime_hours_on_clock_change_days_are_unaffected(day):
    weekly = {6: [(time(9), time(13)), (time(14), time(17))]}
    result = starts(day, minutes=60, weekly=weekly, now=datetime(2026, 1, 1, tzinfo=LONDON), step=timedelta(hours=1))
    assert result == ["09:00", "10:00", "11:00", "12:00", "14:00", "15:00", "16:00"]
