"""The patient's own appointment, from the link in their texts: view it, cancel it, move it.

The link is a signed, expiring token naming one appointment (no personal data in it). The cancel
and move pages are the ones "My bookings" shows too (`changes`). Whether the patient may still
change the appointment online is the booking service's rule (`change_policy`); these pages show
it and call the service, which enforces it again.
"""

from __future__ import annotations

from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from .. import tokens
from ..models import Appointment
from ..services import change_policy
from .changes import Links, cancel_page, move_page
from .flow import LinkNotValid, ics_response


def _appointment_from_manage(token: str) -> Appointment:
    try:
        pk, reference = tokens.read_manage_token(token)
    except tokens.BadToken:
        raise LinkNotValid()
    appointment = (
        Appointment.objects.select_related("therapist", "length__treatment", "patient")
        .filter(pk=pk, reference=reference)
        .first()
    )
    if appointment is None:
        raise LinkNotValid()
    return appointment


def _screening_url(appointment: Appointment) -> str:
    """The health questions' page while a booked appointment still waits for the answers."""
    waiting = appointment.screening_status == Appointment.ScreeningStatus.NOT_SCREENED
    return tokens.screening_path(appointment) if waiting and appointment.status == Appointment.Status.BOOKED else ""


@require_http_methods(["GET", "POST"])
def manage(request, token: str):
    """The page a patient's SMS links to: their appointment, with move and cancel while policy allows."""
    appointment = _appointment_from_manage(token)
    if request.method == "POST":
        # The one-tap cancel button of a page opened before cancelling had its own step.
        return redirect("bookings:manage_cancel", token=token)
    return render(
        request,
        "bookings/manage.html",
        {
            "appointment": appointment,
            "token": token,
            "links": _links(token),
            "policy": change_policy(appointment),
            "screening_url": _screening_url(appointment),
        },
    )


def _links(token: str) -> Links:
    return Links(
        back=reverse("bookings:manage", args=[token]),
        move=reverse("bookings:manage_move", args=[token]),
        cancel=reverse("bookings:manage_cancel", args=[token]),
        calendar=reverse("bookings:manage_calendar", args=[token]),
    )


@require_http_methods(["GET", "POST"])
def manage_cancel(request, token: str):
    """Cancel, after a confirming step with an optional reason (`changes.cancel_page`)."""
    return cancel_page(request, _appointment_from_manage(token), _links(token))


@require_http_methods(["GET", "POST"])
def manage_move(request, token: str):
    """Another time, length or therapist (`changes.move_page`)."""
    return move_page(request, _appointment_from_manage(token), _links(token))


def manage_calendar(request, token: str):
    return ics_response(request, _appointment_from_manage(token))
