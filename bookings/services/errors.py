"""The booking services' refusals. Each carries text that is safe to show to whoever asked
(a patient online, or reception); views and the admin display it and never build their own."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class Alternative:
    start: datetime
    therapist_id: int | None  # None when the patient had no preference


class BookingError(Exception):
    """A booking could not be made or changed; `message` is safe to show to the person asking."""

    default_message = "Sorry, that booking could not be made."

    def __init__(self, message: str | None = None):
        self.message = message or self.default_message
        super().__init__(self.message)


class SlotUnavailable(BookingError):
    """The time is not (or no longer) free; `alternatives` are the nearest free starts."""

    default_message = "Sorry, that time has just been booked."

    def __init__(self, message: str | None = None, *, alternatives: list[Alternative] | None = None):
        super().__init__(message)
        self.alternatives = alternatives or []


class Busy(SlotUnavailable):
    """Another booking held the therapist's diary (or the appointment) for longer than the
    database waits for a lock (`lock_timeout`, 5 s): nothing was written, and trying again in a
    moment will most likely work. `alternatives` are the nearest free starts, as for a taken time.
    """

    default_message = (
        "Sorry, we are very busy just now and could not finish that. Nothing has been changed: "
        "please try again in a moment."
    )


class NotOffered(BookingError):
    default_message = "That therapist does not offer this treatment length."


class PolicyViolation(BookingError):
    default_message = "That time cannot be booked online."


class ChangeNotAllowed(BookingError):
    """The patient may no longer cancel or move this appointment online (the notice period)."""

    default_message = "This appointment can no longer be changed online."


class AlreadyBooked(BookingError):
    """The patient already holds an appointment overlapping this time (online bookings only).

    `appointment` is the one they hold; the view decides whether this browser may be shown a
    link to it (only if it made that booking itself).
    """

    default_message = "You already have an appointment at that time."

    def __init__(self, message: str | None = None, *, appointment=None):
        super().__init__(message)
        self.appointment = appointment


class NeedsClinicalReview(BookingError):
    """A health answer means a therapist must talk to the patient before anything is booked online."""

    default_message = (
        "We can't book this online: because of your answers, a therapist needs to talk to you first. "
        "Please ask us to call you back, or phone us."
    )


class ScreeningError(BookingError):
    """Health answers could not be taken (link expired, questions changed meanwhile, nothing to refer)."""

    default_message = "Sorry, we could not take your answers. Please phone us."


class ChangedMeanwhile(BookingError):
    """Someone else changed the appointment after this page was drawn; nothing was changed, so
    their change is not overwritten. The message says what it is now."""

    default_message = "This appointment was changed by someone else meanwhile. Nothing was changed."
