""" "My bookings": a patient signs in with a code texted to their mobile and sees, moves and
cancels every appointment booked with that number, without an account.

The code is `clinic.codes` (purpose "my_bookings", texted only to numbers with appointments; the
request does the same work either way, so nobody learns whether a number is known). Signing in
puts the number and an expiry in the session (`SIGNED_IN_FOR`); every page reads it again
(`signed_in_phone`), so the state is tied to that number only and ends on time. The number never
travels in an address. Moves and cancels go through the same pages and services as the manage
link (`views.changes`, `services.changes`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone
from phonenumber_field.phonenumber import PhoneNumber, to_python

from clinic.codes.services import CodeError, request_code, verify_code

from .models import Appointment

CODE_PURPOSE = "my_bookings"
SIGNED_IN_FOR = timedelta(minutes=30)
# Session keys: the number a code was asked for (the code page's), and the signed-in state.
ASKED = "my_bookings_asked"
SIGNED_IN = "my_bookings"
# Past and cancelled appointments shown, most recent first.
PAST_SHOWN = 20


class MyBookingsError(Exception):
    """A code could not be sent or was not accepted; `message` is safe to show."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def holds_bookings(phone: PhoneNumber) -> bool:
    """Whether any appointment was booked with this number (the purpose's `may_receive`: asked
    in the background, never while the patient waits)."""
    return Appointment.objects.filter(patient__phone=phone).exists()


def ask_for_code(*, phone: PhoneNumber) -> None:
    """Ask for a sign-in code for `phone` (texted after commit, and only if it has appointments).
    Raises `MyBookingsError` after too many codes for the number lately."""
    try:
        with transaction.atomic():
            request_code(phone=phone, purpose=CODE_PURPOSE)
    except CodeError as error:
        raise MyBookingsError(error.message) from error


def check_code(*, phone: PhoneNumber, code: str) -> None:
    """Check the texted code (every try counts). Raises `MyBookingsError` with why not."""
    try:
        verify_code(phone=phone, purpose=CODE_PURPOSE, code=code)
    except CodeError as error:
        raise MyBookingsError(error.message) from error


# --- the signed-in state, in the session --------------------------------------------------------


def sign_in(session, phone: PhoneNumber, *, now: datetime | None = None) -> None:
    """After a right code: a fresh session key (no fixation) holding the number and an expiry."""
    session.cycle_key()
    session.pop(ASKED, None)
    until = (now or timezone.now()) + SIGNED_IN_FOR
    session[SIGNED_IN] = {"phone": phone.as_e164, "until": until.timestamp()}
    _expire_with_sign_in(session)


def sign_out(session) -> None:
    session.pop(SIGNED_IN, None)
    session.pop(ASKED, None)


def signed_in_phone(session, *, now: datetime | None = None) -> PhoneNumber | None:
    """The number this session signed in with, or None if it did not or that has expired."""
    state = session.get(SIGNED_IN)
    if not isinstance(state, dict):
        return None
    now = now or timezone.now()
    if not isinstance(state.get("until"), int | float) or now.timestamp() >= state["until"]:
        session.pop(SIGNED_IN, None)
        return None
    return _phone(state.get("phone"))


def signed_in_until(session) -> datetime | None:
    state = session.get(SIGNED_IN)
    return datetime.fromtimestamp(state["until"], tz=timezone.get_current_timezone()) if state else None


def remember_asked(session, phone: PhoneNumber) -> None:
    session[ASKED] = phone.as_e164
    _expire_with_sign_in(session)


def _expire_with_sign_in(session) -> None:
    # The session row holds the number: it expires with the sign-in, so the nightly retention of
    # expired sessions (clinic.core.sessions_retention) deletes it soon after.
    session.set_expiry(int(SIGNED_IN_FOR.total_seconds()))


def asked_phone(session) -> PhoneNumber | None:
    return _phone(session.get(ASKED))


def _phone(e164) -> PhoneNumber | None:
    # Written by `sign_in`/`remember_asked` from a validated form, so parsing is enough (the
    # form accepts numbers libphonenumber calls "possible", such as Ofcom's drama range).
    phone = to_python(e164) if isinstance(e164, str) else None
    return phone if isinstance(phone, PhoneNumber) else None


# --- what the signed-in patient sees ----------------------------------------------------------


@dataclass(frozen=True)
class Bookings:
    upcoming: list[Appointment]
    past: list[Appointment]


def bookings_for(phone: PhoneNumber, *, now: datetime | None = None) -> Bookings:
    """Every appointment booked with `phone` (whichever patient record holds it): upcoming ones
    still booked, soonest first; then past and cancelled ones, most recent first. Two queries."""
    now = now or timezone.now()
    mine = Appointment.objects.filter(patient__phone=phone).select_related("therapist", "length__treatment")
    upcoming = list(mine.filter(start__gte=now, status=Appointment.Status.BOOKED).order_by("start"))
    past = list(mine.exclude(pk__in=[a.pk for a in upcoming]).order_by("-start")[:PAST_SHOWN])
    return Bookings(upcoming=upcoming, past=past)


def appointment_for(phone: PhoneNumber, reference: str) -> Appointment | None:
    """The appointment with this reference if it was booked with `phone`, else None."""
    return (
        Appointment.objects.select_related("therapist", "length__treatment", "patient")
        .filter(patient__phone=phone, reference=reference.upper())
        .first()
    )
