"""The patient-facing pages: public information, the booking flow, and managing a booking."""

from .flow import book, calendar_file, confirmation, day, details, time
from .manage import manage, manage_calendar, manage_cancel, manage_move
from .public import cancellation_policy, home, privacy, treatment
from .screening import screening

__all__ = [
    "book",
    "calendar_file",
    "cancellation_policy",
    "confirmation",
    "day",
    "details",
    "home",
    "manage",
    "manage_calendar",
    "manage_cancel",
    "manage_move",
    "privacy",
    "screening",
    "time",
    "treatment",
]
