"""Canonical benchmark workload for the clinic booking comparison.

This module is app-independent (standard library only).  Both the peer
(django-appointment) harness and our own app's harness must build their
databases from ``diary(days)`` so that the figures are taken on identical data.
WORKLOAD.md (next to this file) describes the same thing in prose.

    python workload.py --days 120        # prints counts, utilisation and a digest

The digest is a SHA-256 over the ordered booking list; a harness for another
app can print it to prove it seeded the identical diary.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import random
from dataclasses import dataclass

# --- clinic -----------------------------------------------------------------
CLINIC_NAME = "Bench Clinic"
TIME_ZONE = "Europe/London"
START_DATE = dt.date(2030, 1, 7)  # a Monday; fixed, and in the future
THERAPIST_COUNT = 8
CLIENT_COUNT = 200  # pool of client accounts owning the pre-booked appointments
SEED = 42
TARGET_UTILISATION = 0.65  # share of working minutes pre-booked, per therapist per day
SLOT_STEP_MIN = 15  # start times are on a 15-minute grid
BUFFER_MIN = 0  # no gap between appointments (primary workload)


@dataclass(frozen=True)
class Service:
    key: str
    name: str
    minutes: int
    price_gbp: int


SERVICES = (
    Service("stm30", "Soft tissue massage 30 min", 30, 40),
    Service("stm45", "Soft tissue massage 45 min", 45, 55),
    Service("stm60", "Soft tissue massage 60 min", 60, 70),
)

# Working hours per Python weekday (Mon=0 .. Sun=6) as half-open [start, end) intervals.
# Mon-Fri 09:00-17:00 with a 13:00-14:00 lunch break; Sat 09:00-13:00; Sun closed.
_T = dt.time
WEEKDAY_HOURS = {
    0: ((_T(9), _T(13)), (_T(14), _T(17))),
    1: ((_T(9), _T(13)), (_T(14), _T(17))),
    2: ((_T(9), _T(13)), (_T(14), _T(17))),
    3: ((_T(9), _T(13)), (_T(14), _T(17))),
    4: ((_T(9), _T(13)), (_T(14), _T(17))),
    5: ((_T(9), _T(13)),),
    6: (),
}
DAY_SPAN = {
    0: (_T(9), _T(17)),
    1: (_T(9), _T(17)),
    2: (_T(9), _T(17)),
    3: (_T(9), _T(17)),
    4: (_T(9), _T(17)),
    5: (_T(9), _T(13)),
}  # outer opening hours per weekday
LUNCH = {
    0: (_T(13), _T(14)),
    1: (_T(13), _T(14)),
    2: (_T(13), _T(14)),
    3: (_T(13), _T(14)),
    4: (_T(13), _T(14)),
}  # the break inside DAY_SPAN

# --- what is measured ---------------------------------------------------------
HISTORY_SIZES = (30, 120, 365)  # diary lengths for the scaling figures (e)
BASE_DAYS = 120  # diary length for figures a-d
MEASURE_SERVICE = "stm45"  # service used by every availability figure
MEASURE_THERAPIST = 0  # therapist index for figure a ("Therapist 1")
MEASURE_DAY = START_DATE + dt.timedelta(days=16)  # Wed 2030-01-23
MEASURE_WEEK = tuple(START_DATE + dt.timedelta(days=14 + i) for i in range(7))  # Mon 21 .. Sun 27 Jan 2030
BOOKING_DAYS = tuple(START_DATE + dt.timedelta(days=7 + i) for i in range(6))  # Mon 14 .. Sat 19 Jan 2030
RACE_DAY = START_DATE + dt.timedelta(days=22)  # Tue 2030-01-29


@dataclass(frozen=True)
class Booking:
    day_index: int
    date: dt.date
    therapist: int  # 0..THERAPIST_COUNT-1
    service: str  # Service.key
    start: dt.time
    end: dt.time
    client: int  # 0..CLIENT_COUNT-1


def _minutes(t: dt.time) -> int:
    return t.hour * 60 + t.minute


def _time(m: int) -> dt.time:
    return dt.time(m // 60, m % 60)


def working_minutes(date: dt.date) -> int:
    return sum(_minutes(e) - _minutes(s) for s, e in WEEKDAY_HOURS[date.weekday()])


def diary(days: int = BASE_DAYS):
    """Return the pre-booked appointments for ``days`` days from START_DATE.

    One ``random.Random(SEED)`` stream is consumed day by day, therapist by
    therapist, so the first k days are identical whatever ``days`` is: the
    measured week (days 14-20) is the same in the 30-, 120- and 365-day diaries.

    Per therapist and day: repeatedly draw a service uniformly, list every start
    on the 15-minute grid where it fits inside one working interval without
    overlapping what is already booked, and place it at a uniformly drawn start.
    A drawn appointment is kept only if booked + 0.65 x its length stays within
    the 65% target (which lands the realised share at about 64%); the day is
    done after 40 draws that were rejected or found no room.
    """
    rng = random.Random(SEED)
    out = []
    durations = [s.minutes for s in SERVICES]
    for day_index in range(days):
        date = START_DATE + dt.timedelta(days=day_index)
        intervals = [(_minutes(s), _minutes(e)) for s, e in WEEKDAY_HOURS[date.weekday()]]
        if not intervals:
            continue
        target = TARGET_UTILISATION * working_minutes(date)
        for therapist in range(THERAPIST_COUNT):
            taken: list[tuple[int, int]] = []
            booked = 0
            misses = 0
            while misses < 40:
                k = rng.randrange(len(SERVICES))
                dur = durations[k]
                if booked + dur * 0.65 > target:  # see docstring
                    misses += 1
                    continue
                starts = [
                    s
                    for lo, hi in intervals
                    for s in range(lo, hi - dur + 1, SLOT_STEP_MIN)
                    if all(s + dur <= a or s >= b for a, b in taken)
                ]
                if not starts:
                    misses += 1
                    continue
                s = rng.choice(starts)
                taken.append((s, s + dur))
                booked += dur
                client = rng.randrange(CLIENT_COUNT)
                out.append(Booking(day_index, date, therapist, SERVICES[k].key, _time(s), _time(s + dur), client))
    out.sort(key=lambda b: (b.date, b.therapist, b.start))
    return out


def free_starts(bookings, date: dt.date, therapist: int, service_key: str, buffer_min: int = BUFFER_MIN):
    """Reference answer for an availability query: the start times on the 15-minute grid
    where ``service_key`` fits inside one working interval of ``date`` without overlapping
    (or coming within ``buffer_min`` of) a booking of ``therapist``.  ``bookings`` is the
    output of ``diary()``.  Harnesses compare an app's answer against this."""
    dur = next(s.minutes for s in SERVICES if s.key == service_key)
    taken = [(_minutes(b.start), _minutes(b.end)) for b in bookings if b.date == date and b.therapist == therapist]
    out = []
    for lo, hi in ((_minutes(s), _minutes(e)) for s, e in WEEKDAY_HOURS[date.weekday()]):
        for s in range(lo, hi - dur + 1, SLOT_STEP_MIN):
            if all(s + dur + buffer_min <= a or s >= b + buffer_min for a, b in taken):
                out.append(_time(s))
    return out


def summary(days: int) -> dict:
    rows = diary(days)
    work = sum(working_minutes(START_DATE + dt.timedelta(days=i)) for i in range(days)) * THERAPIST_COUNT
    booked = sum(_minutes(b.end) - _minutes(b.start) for b in rows)
    h = hashlib.sha256()
    for b in rows:
        h.update(f"{b.date.isoformat()}|{b.therapist}|{b.service}|{b.start:%H:%M}|{b.end:%H:%M}|{b.client}\n".encode())
    week = [b for b in rows if b.date in MEASURE_WEEK]
    return {
        "days": days,
        "bookings": len(rows),
        "working_minutes": work,
        "booked_minutes": booked,
        "utilisation": round(booked / work, 4) if work else 0.0,
        "measure_week_bookings": len(week),
        "measure_day_therapist_bookings": sum(
            1 for b in week if b.date == MEASURE_DAY and b.therapist == MEASURE_THERAPIST
        ),
        "measure_day_free_starts": len(free_starts(rows, MEASURE_DAY, MEASURE_THERAPIST, MEASURE_SERVICE)),
        "measure_week_free_starts": sum(
            len(free_starts(rows, d, t, MEASURE_SERVICE)) for d in MEASURE_WEEK for t in range(THERAPIST_COUNT)
        ),
        "sha256": h.hexdigest(),
    }


if __name__ == "__main__":
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--days", type=int, nargs="*", default=list(HISTORY_SIZES))
    a = p.parse_args()
    for d in a.days:
        print(summary(d))
