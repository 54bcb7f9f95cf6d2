"""Sending a booking confirmation again (reception, from the appointment or the list)."""

from __future__ import annotations

from django.db import transaction

from clinic.sms.models import Message

from .. import notifications
from ..models import Appointment
from .errors import BookingError


def resend_confirmation(*, appointment: Appointment, by_user=None) -> Message:
    """Queue the booking confirmation again, with the appointment's current details, to go now.

    The new row points at the last confirmation it repeats and records who asked. Raises
    `BookingError` unless the appointment is booked.
    """
    if appointment.status != Appointment.Status.BOOKED:
        raise BookingError("Only a booked appointment's confirmation can be sent again.")
    if not appointment.patient.phone:
        raise BookingError("This patient's details were erased: there is no number to text.")
    with transaction.atomic():
        previous = (
            Message.objects.about(appointment)
            .filter(kind=notifications.Kind.BOOKING_CONFIRMATION)
            .order_by("-pk")
            .first()
        )
        message = notifications.queue(notifications.Kind.BOOKING_CONFIRMATION, appointment)
        message.resent_from = previous
        message.resent_by = by_user
        message.save(update_fields=["resent_from", "resent_by"])
    return message
