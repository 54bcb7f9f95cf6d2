"""The patient-facing pages: public information, the booking flow, managing a booking, the wait list."""

from .flow import book, calendar_file, confirmation, day, details, time
from .manage import manage, manage_calendar, manage_cancel, manage_move
from .public import cancellation_policy, home, privacy, treatment
from .screening import screening
from .waitlist import confirm as wait_list_confirm
from .waitlist import entry as wait_list_entry
from .waitlist import join as wait_list_join
from .waitlist import offer

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
    "offer",
    "privacy",
    "screening",
    "time",
    "treatment",
    "wait_list_confirm",
    "wait_list_entry",
    "wait_list_join",
]
