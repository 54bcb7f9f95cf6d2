"""The patient's cancel and move pages, shared by the two ways a patient reaches an appointment:
the manage link in their texts (`manage`) and "My bookings" (`my_bookings`). The caller finds
the appointment (and refuses anyone it does not belong to) and says where links lead; what the
pages offer and the services they call are the same.

Whether the patient may change the appointment is the booking service's rule (`change_policy`);
these pages show it and call the service, which enforces it again under the lock.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils import timezone

from ..change_forms import MoveChoiceForm
from ..forms import PatientCancelForm, format_start, parse_start
from ..models import Appointment
from ..services import BookingError, cancel_booking, change_policy, reschedule_booking
from ..when import when_context


@dataclass(frozen=True)
class Links:
    """Where the pages about one appointment are, for one way of reaching it."""

    back: str  # the appointment's own page (or the list it is on)
    move: str
    cancel: str
    calendar: str


def cancel_page(request, appointment: Appointment, links: Links):
    """Cancelling is a second, deliberate step: GET asks to confirm (with an optional reason),
    POST cancels through the service, which holds the patient to the change rule."""
    policy = change_policy(appointment)
    if not policy.allowed:
        messages.error(request, policy.refusal)
        return redirect(links.back)
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
            return redirect(links.back)
    return render(
        request,
        "bookings/manage_cancel.html",
        {"appointment": appointment, "links": links, "form": form, "policy": policy, "error": error},
        status=409 if error else 200,
    )


def move_page(request, appointment: Appointment, links: Links):
    """Choose another free time, and if wanted another length of the same treatment or another
    therapist ("No preference" too); GET ?start= asks to confirm, POST moves."""
    policy = change_policy(appointment)
    if not policy.allowed:
        messages.error(request, policy.refusal)
        return redirect(links.back)
    params = request.POST if request.method == "POST" else request.GET
    choice = MoveChoiceForm(params, appointment=appointment)
    start = parse_start(params.get("start") or "")
    error = ""
    if not choice.is_valid():
        start = None
    elif request.method == "POST":
        if start is None:
            error = "That time is not one we can book. Please choose a time again."
        else:
            try:
                moved = reschedule_booking(
                    appointment=appointment,
                    start=start,
                    therapist=choice.cleaned_data["therapist_obj"],
                    length=choice.cleaned_data["length_obj"],
                    anyone=choice.anyone,
                    online_rules=True,
                )
            except BookingError as failure:
                error = failure.message
            else:
                messages.success(request, f"Your appointment is moved to {_summary(moved)}.")
                return redirect(links.back)
    context = {"appointment": appointment, "links": links, "choice": choice, "error": error}
    if start is not None and not error and request.method == "GET":
        return render(request, "bookings/manage_move_confirm.html", context | _confirm_context(choice, start))
    base = choice.query() if choice.is_valid() else {}

    def url(**extra) -> str:
        return f"{links.move}?{urlencode(base | extra)}"

    if choice.is_valid():
        context |= when_context(
            length=choice.cleaned_data["length_obj"],
            therapist=choice.cleaned_data["therapist_obj"],
            day=request.GET.get("day") or None,
            page_from=request.GET.get("from"),
            day_url=url,
            time_url=url,
            pick_url=lambda s: url(start=format_start(s)),
            ignore_appointment_id=appointment.pk,
        )
    # htmx picks the #when-page block out of the whole page (hx-select).
    return render(request, "bookings/manage_move.html", context | {"policy": policy})


def _confirm_context(choice: MoveChoiceForm, start) -> dict:
    data = choice.cleaned_data
    return {
        "start": start,
        "new_length": data["length_obj"],
        "new_therapist": data["therapist_obj"],
        "hidden": choice.query() | {"start": format_start(start)},
    }


def _summary(appointment: Appointment) -> str:
    local = timezone.localtime(appointment.start)
    return (
        f"{local:%a} {local.day} {local:%b} at {local:%H:%M} with {appointment.therapist.name} "
        f"({appointment.length.minutes} minutes, {appointment.length.price_display})"
    )
