"""The patient-facing pages: public information, the booking flow, managing a booking, "My bookings", the wait list."""

from .flow import book, calendar_file, confirmation, details
from .manage import manage, manage_calendar, manage_cancel, manage_move
from .my_bookings import calendar as my_bookings_calendar
from .my_bookings import cancel as my_bookings_cancel
from .my_bookings import enter_code as my_bookings_code
from .my_bookings import move as my_bookings_move
from .my_bookings import my_bookings
from .my_bookings import sign_out as my_bookings_sign_out
from .public import cancellation_policy, home, privacy, treatment
from .screening import screening
from .waitlist import confirm as wait_list_confirm
from .waitlist import entry as wait_list_entry
from .waitlist import join as wait_list_join
from .waitlist import offer
from .when import day, time

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
    "my_bookings",
    "my_bookings_calendar",
    "my_bookings_cancel",
    "my_bookings_code",
    "my_bookings_move",
    "my_bookings_sign_out",
    "offer",
    "privacy",
    "screening",
    "time",
    "treatment",
    "wait_list_confirm",
    "wait_list_entry",
    "wait_list_join",
]
