"""Quiet hours: no text goes out between SMS_QUIET_HOURS_START and SMS_QUIET_HOURS_END, clinic time."""

from datetime import datetime, time, timedelta

from django.conf import settings
from django.utils import timezone


def _window() -> tuple[time, time]:
    return time.fromisoformat(settings.SMS_QUIET_HOURS_START), time.fromisoformat(settings.SMS_QUIET_HOURS_END)


def in_quiet_hours(when: datetime) -> bool:
    """True if `when` falls inside the quiet window (which may span midnight)."""
    start, end = _window()
    local = timezone.localtime(when).time()
    if start == end:
        return False
    if start < end:
        return start <= local < end
    return local >= start or local < end


def next_allowed(when: datetime) -> datetime:
    """`when` itself, or the end of the quiet window it falls in (08:00 local by default)."""
    if not in_quiet_hours(when):
        return when
    _, end = _window()
    day = timezone.localtime(when).date()
    # Built from the local date, so a clock change overnight still gives 08:00 on the wall clock.
    candidate = timezone.make_aware(datetime.combine(day, end))
    if candidate <= when:
        candidate = timezone.make_aware(datetime.combine(day + timedelta(days=1), end))
    return candidate
