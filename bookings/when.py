"""The day-and-time picker's content: pages of days with their number of free times, and one
day's free times grouped morning / afternoon / evening.

Presentation of the availability engine's answers, next to its loader (`schedules.py`); used by
the booking flow and by the patient's "move my appointment" page. No request in here: the caller
passes the chosen day and page as plain values and says where links lead.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta

from django.utils import timezone

from therapists.models import Therapist

from .catalogue import load_catalogue
from .models import TreatmentLength
from .schedules import BookingPolicy, find_free_starts

DAYS_PER_PAGE = 14
DAY_PARTS = (("Morning", 0, 12), ("Afternoon", 12, 17), ("Evening", 17, 24))


def parse_day(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _first_free_day(free: dict[date, list[datetime]]) -> date | None:
    return next((d for d in sorted(free) if free[d]), None)


def _union_by_day(free: dict[int, dict[date, list[datetime]]]) -> dict[date, list[datetime]]:
    """For "no preference": a time is free if any therapist is free then."""
    union: dict[date, set[datetime]] = {}
    for per_day in free.values():
        for d, starts in per_day.items():
            union.setdefault(d, set()).update(starts)
    return {d: sorted(starts) for d, starts in union.items()}


def when_context(
    *,
    length: TreatmentLength,
    therapist: Therapist | None,
    day: str | None,
    page_from: str | None,
    day_url: Callable[..., str],
    time_url: Callable[..., str],
    pick_url: Callable[[datetime], str],
    ignore_appointment_id: int | None = None,
) -> dict:
    """Days (with their number of free times) and, when `day` is given, its free times grouped.

    `day` and `page_from` are the raw ?day= and ?from= values (ISO dates, possibly malformed);
    the three url callables say where a page of days, a day and a time lead.
    """
    ids = [therapist.pk] if therapist else load_catalogue().offering(length)
    now = timezone.now()
    policy = BookingPolicy.from_settings()
    today, last_day = timezone.localdate(), policy.last_day(now)

    def free_between(first: date, last: date) -> dict[date, list[datetime]]:
        found = find_free_starts(
            therapist_ids=ids,
            length=length,
            first_day=first,
            last_day=last,
            now=now,
            policy=policy,
            ignore_appointment_id=ignore_appointment_id,
            cache=True,
        )
        return _union_by_day(found)

    selected, day_error = None, ""
    if day is not None:
        selected = parse_day(day)
        if selected is None:
            day_error = "That date is not valid. Please choose a day below."
        elif selected < today:
            day_error = "That day has passed. Please choose a day below."
        elif selected > last_day:
            day_error = f"You can book online up to {last_day:%a %-d %b}. Please choose an earlier day, or phone us."
        if day_error:
            selected = None

    anchor = parse_day(page_from) or selected or today
    anchor = min(max(anchor, today), last_day)
    page_start = today + timedelta(days=(anchor - today).days // DAYS_PER_PAGE * DAYS_PER_PAGE)
    page_end = min(page_start + timedelta(days=DAYS_PER_PAGE - 1), last_day)
    # The "next available" link looks from today; when this page follows straight on from today's,
    # one load covers both (the loader's cost is the same four queries whatever the range).
    load_from = today if (page_start - today).days <= DAYS_PER_PAGE else page_start
    free = free_between(load_from, page_end)

    days = [
        {"date": d, "count": len(free.get(d, [])), "url": time_url(day=d.isoformat()), "selected": d == selected}
        for d in (page_start + timedelta(days=i) for i in range((page_end - page_start).days + 1))
    ]
    next_available = _first_free_day(free) if load_from == today else None
    if next_available is None:
        # One load for the rest of the horizon (from today if this page does not start there):
        # cheaper than pages of it one after another, and each day of it is cached.
        rest_from = page_end + timedelta(days=1) if load_from == today else today
        if rest_from <= last_day:
            next_available = _first_free_day(free_between(rest_from, last_day))

    groups = []
    if selected is not None:
        starts = free.get(selected, [])
        for label, low, high in DAY_PARTS:
            times = [{"start": s, "url": pick_url(s)} for s in starts if low <= timezone.localtime(s).hour < high]
            if times:
                groups.append({"label": label, "times": times})

    return {
        "length": length,
        "therapist": therapist,
        "days": days,
        "selected": selected,
        "groups": groups,
        "day_error": day_error,
        "last_day": last_day,
        "next_available": next_available,
        "next_available_url": time_url(day=next_available.isoformat()) if next_available else "",
        "prev_url": day_url(**{"from": (page_start - timedelta(days=DAYS_PER_PAGE)).isoformat()})
        if page_start > today
        else "",
        "next_url": day_url(**{"from": (page_start + timedelta(days=DAYS_PER_PAGE)).isoformat()})
        if page_end < last_day
        else "",
        "step": 3 if selected else 2,
    }
