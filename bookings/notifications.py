"""What patients are told when an appointment changes, written as SMS outbox rows.

Called by the booking services inside their transaction, so a message exists if and only if the
change it describes was committed (design rule 4). Sending happens after commit, elsewhere.
"""

from __future__ import annotations


def booking_created(appointment) -> None:
    """A confirmation to send now and a reminder due before the start."""


def booking_moved(appointment, *, old_start, old_therapist_id) -> None:
    """A time-change notice; the pending reminder is re-timed."""


def booking_cancelled(appointment, *, notify_patient: bool) -> None:
    """Pending messages for the appointment are cancelled; a cancellation notice if asked."""


def booking_restored(appointment) -> None:
    """A cancelled appointment is booked again: a fresh reminder is scheduled."""
