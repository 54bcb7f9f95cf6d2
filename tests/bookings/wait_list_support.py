"""Helpers for the wait list's tests: entries as reception adds them, and a Wednesday to free."""

from datetime import date
from zoneinfo import ZoneInfo

from bookings.models import Appointment
from bookings.services import cancel_booking
from bookings.waitlist.entries import Wish, add_to_wait_list

LONDON = ZoneInfo("Europe/London")
MONDAY = date(2030, 1, 7)
WEDNESDAY = date(2030, 1, 9)
ALL_DAYS = list(range(7))
ALL_PARTS = ["morning", "afternoon", "evening"]


def waiting(name, phone, length, *, therapist=None, days=ALL_DAYS, parts=ALL_PARTS, last_day=date(2030, 1, 31)):
    """An entry on the list (added by reception, so waiting at once)."""
    wish = Wish(length=length, therapist=therapist, days=days, parts=parts, last_day=last_day)
    return add_to_wait_list(name=name, phone=phone, wish=wish)


def cancel(on_commit, appointment) -> Appointment:
    return on_commit(cancel_booking, appointment=appointment, cancelled_by=Appointment.CancelledBy.CLINIC)
