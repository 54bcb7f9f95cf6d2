"""When the clinic will call back, in words: from the clinic's opening hours and what was asked.

Reads only; used by the form (which days to offer), the thank-you page and the acknowledgement
text, so all three promise the same thing.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.utils import timezone

from clinic.core.models import OpeningHours

from .models import CallbackRequest

# An ASAP request this close to closing time is promised for the next opening instead.
LAST_CALL_MARGIN = timedelta(minutes=30)


def day_label(day: date, *, today: date) -> str:
    """'today', 'tomorrow' or 'Tue 24 Nov'."""
    if day == today:
        return "today"
    if day == today + timedelta(days=1):
        return "tomorrow"
    return f"{day:%a} {day.day} {day:%b}"


def _opening_ranges() -> dict[int, list[tuple[time, time]]]:
    ranges: dict[int, list[tuple[time, time]]] = {}
    for row in OpeningHours.objects.order_by("weekday", "opens"):
        ranges.setdefault(row.weekday, []).append((row.opens, row.closes))
    return ranges


def open_days(*, start: date, count: int = 7) -> list[date]:
    """The next `count` calendar days from `start`, without the weekdays the clinic is closed.

    With no opening hours configured every day is offered (reception decides).
    """
    days = [start + timedelta(days=n) for n in range(count)]
    ranges = _opening_ranges()
    return [d for d in days if d.weekday() in ranges] if ranges else days


def describe_call_time(
    *, when: str, preferred_day: date | None = None, preferred_period: str = "", now: datetime | None = None
) -> str:
    """When the clinic will call, to follow "We'll call you": e.g. 'today before 17:00'.

    A chosen day and period is repeated back; "as soon as possible" is promised from the clinic's
    opening hours (the rest of today if it is open long enough, otherwise the next opening).
    """
    now = timezone.localtime(now or timezone.now())
    today = now.date()
    if when == CallbackRequest.When.DAY and preferred_day:
        label = day_label(preferred_day, today=today)
        period = CallbackRequest.Period(preferred_period).label.lower() if preferred_period else ""
        if not period:
            return label if label in ("today", "tomorrow") else f"on {label}"
        if label == "today":
            return f"this {period}"
        if label == "tomorrow":
            return f"tomorrow {period}"
        return f"on {label} in the {period}"

    ranges = _opening_ranges()
    if not ranges:
        return "as soon as we can during opening hours"
    for offset in range(8):
        day = today + timedelta(days=offset)
        for opens, closes in ranges.get(day.weekday(), []):
            if offset == 0:
                if now.time() < opens:
                    return f"today from {opens:%H:%M}"
                closing = timezone.make_aware(datetime.combine(day, closes))
                if now < closing - LAST_CALL_MARGIN:
                    return f"today before {closes:%H:%M}"
                continue
            label = day_label(day, today=today)
            return f"{'' if label == 'tomorrow' else 'on '}{label} from {opens:%H:%M}"
    return "as soon as we can during opening hours"


# When a chosen part of the day is over, for the managers' "called back in time" figure.
PERIOD_ENDS = {
    CallbackRequest.Period.MORNING: time(12),
    CallbackRequest.Period.AFTERNOON: time(17),
    CallbackRequest.Period.EVENING: time(21),
}


def opening_ranges() -> dict[int, list[tuple[time, time]]]:
    """The clinic's opening hours by weekday (one query), to pass to `promised_by` in bulk."""
    return _opening_ranges()


def promised_by(
    *, when: str, preferred_day: date | None, preferred_period: str, asked_at: datetime, ranges
) -> datetime:
    """The moment the promise `describe_call_time` made at `asked_at` runs out (a read, no query).

    A chosen day: the end of the chosen part of it (morning 12:00, afternoon 17:00, evening
    21:00), or the end of the day. As soon as possible: the close of the opening range promised
    (today's, or the next opening's); with no opening hours set, a day after asking.
    """
    asked = timezone.localtime(asked_at)
    if when == CallbackRequest.When.DAY and preferred_day:
        end = PERIOD_ENDS.get(preferred_period)
        if end is None:
            return timezone.make_aware(datetime.combine(preferred_day + timedelta(days=1), time.min))
        return timezone.make_aware(datetime.combine(preferred_day, end))
    for offset in range(8):
        day = asked.date() + timedelta(days=offset)
        for opens, closes in ranges.get(day.weekday(), []):
            closing = timezone.make_aware(datetime.combine(day, closes))
            if offset == 0 and asked.time() >= opens and asked >= closing - LAST_CALL_MARGIN:
                continue
            return closing
    return asked_at + timedelta(days=1)
