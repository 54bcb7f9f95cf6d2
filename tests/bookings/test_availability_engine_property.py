"""The engine checks each start against the diary with a forward sweep (linear in starts plus busy
spans). Generated diaries hold it to the definition in `free_starts`'s docstring, checked the
slow, obvious way: every start on the grid against every appointment and absence."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from bookings.availability import TherapistSchedule, free_starts

LONDON = ZoneInfo("Europe/London")
DAY = date(2030, 1, 8)
WEEKLY = {DAY.weekday(): [(time(9), time(13)), (time(14), time(19))]}


def at(minutes: int) -> datetime:
    return datetime.combine(DAY, time(0)).replace(tzinfo=LONDON) + timedelta(minutes=minutes)


def appointments():
    """Back-to-back or spaced appointments that never overlap (as the database guarantees),
    each holding its length plus a buffer, from 08:00 to 20:00."""

    def build(parts):
        spans, clock = [], 8 * 60
        for gap, length, buffer in parts:
            clock += gap
            spans.append((at(clock), at(clock + length + buffer)))
            clock += length + buffer
        return [s for s in spans if s[1] <= at(20 * 60)]

    return st.lists(
        st.tuples(st.sampled_from([0, 0, 5, 15, 30, 50]), st.sampled_from([30, 45, 60]), st.sampled_from([0, 10])),
        max_size=20,
    ).map(build)


absences = st.lists(
    st.tuples(st.integers(8 * 60, 20 * 60), st.integers(1, 240)).map(lambda a: (at(a[0]), at(a[0] + a[1]))),
    max_size=4,
)


def by_definition(busy, away, duration, buffer, step, earliest):
    free = []
    for range_start, range_end in WEEKLY[DAY.weekday()]:
        start = datetime.combine(DAY, range_start).replace(tzinfo=LONDON)
        stop = datetime.combine(DAY, range_end).replace(tzinfo=LONDON)
        while start + duration <= stop:
            end = start + duration
            if (
                start >= earliest
                and not any(s < end + buffer and e > start for s, e in busy)
                and not any(s < end and e > start for s, e in away)
            ):
                free.append(start)
            start += step
    return free


@settings(max_examples=300, deadline=None, derandomize=True, database=None)
@given(
    busy=appointments(),
    away=absences,
    minutes=st.sampled_from([30, 45, 60, 90]),
    buffer=st.sampled_from([0, 10, 15]),
    step=st.sampled_from([5, 15, 30]),
    notice=st.integers(0, 12 * 60),
)
def test_free_starts_are_exactly_those_the_definition_gives(busy, away, minutes, buffer, step, notice):
    duration, buffer, step = timedelta(minutes=minutes), timedelta(minutes=buffer), timedelta(minutes=step)
    now = at(8 * 60)
    schedule = TherapistSchedule(therapist_id=1, weekly=WEEKLY, busy=busy, absences=away)
    found = free_starts(
        schedules=[schedule],
        days=[DAY],
        duration=duration,
        tz=LONDON,
        now=now,
        buffer=buffer,
        step=step,
        min_notice=timedelta(minutes=notice),
    )[1][DAY]
    assert found == by_definition(busy, away, duration, buffer, step, now + timedelta(minutes=notice))
