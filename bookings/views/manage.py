"""The patient's own appointment, from the link in their texts: view it, cancel it, move it.

The link is a signed, expiring token naming one appointment (no personal data in it). Whether
the patient may still change the appointment online is the booking service's rule
(`change_policy`); these pages show it and call the service, which enforces it again.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from .. import tokens
from ..forms import PatientCancelForm, format_start, parse_start
from ..models import Appointment
from ..services import BookingError, cancel_booking, change_policy, reschedule_booking
from ..when import when_context
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
            "policy": change_policy(appointment),
            "screening_url": _screening_url(appointment),
        },
    )


@require_http_methods(["GET", "POST"])
def manage_cancel(request, token: str):
    """Cancelling is a second, deliberate step: GET asks to confirm (with an optional reason),
    POST cancels through the service, which holds the patient to the notice rule."""
    appointment = _appointment_from_manage(token)
    policy = change_policy(appointment)
    if not policy.allowed:
        messages.error(request, policy.refusal)
        return redirect("bookings:manage", token=token)
    form = PatientCancelForm(request.POST or None)
    error = ""
    if request.method == "POST":
        try:
            cancel_booking(
                appointment=appointment,
                cancelled_by=Appointment.CancelledBy.PATIENT,
                reason=form.cancellation_reason(),
            )
        except BookingError as failure:
            error = failure.message
        else:
            messages.success(request, f"Your appointment {appointment.reference} is cancelled.")
            return redirect("bookings:manage", token=token)
    return render(
        request,
        "bookings/manage_cancel.html",
        {"appointment": appointment, "token": token, "form": form, "policy": policy, "error": error},
        status=409 if error else 200,
    )


@require_http_methods(["GET", "POST"])
def manage_move(request, token: str):
    """Choose another free time with the same therapist and length; GET ?start= asks to confirm."""
    appointment = _appointment_from_manage(token)
    policy = change_policy(appointment)
    if not policy.allowed:
        messages.error(request, policy.refusal)
        return redirect("bookings:manage", token=token)
    move_url = reverse("bookings:manage_move", args=[token])
    start = parse_start(request.POST.get("start") or request.GET.get("start") or "")
    error = ""
    if request.method == "POST":
        if start is None:
            error = "That time is not one we can book. Please choose a time again."
        else:
            try:
                reschedule_booking(appointment=appointment, start=start, online_rules=True)
            except BookingError as failure:
                error = failure.message
            else:
                messages.success(
                    request, f"Your appointment is moved to {timezone.localtime(start):%a %-d %b} at {start:%H:%M}."
                )
                return redirect("bookings:manage", token=token)
    if start is not None and not error and request.method == "GET":
        return render(
            request, "bookings/manage_move_confirm.html", {"appointment": appointment, "token": token, "start": start}
        )
    context = when_context(
        length=appointment.length,
        therapist=appointment.therapist,
        day=request.GET.get("day") or None,
        page_from=request.GET.get("from"),
        day_url=lambda **extra: f"{move_url}?{urlencode(extra)}",
        time_url=lambda **extra: f"{move_url}?{urlencode(extra)}",
        pick_url=lambda s: f"{move_url}?{urlencode({'start': format_start(s)})}",
        ignore_appointment_id=appointment.pk,
    )
    context |= {"appointment": appointment, "token": token, "error": error}
    # htmx picks the #when-page block out of the whole page (hx-select).
    return render(request, "bookings/manage_move.html", context)


def manage_calendar(request, token: str):
    return ics_response(request, _appointment_from_manage(token))
