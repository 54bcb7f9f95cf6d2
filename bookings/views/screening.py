"""The health questions for an appointment booked by reception, from the link in its texts.

The link is a short signed token naming one appointment (no personal data); it works until the
appointment starts and only while it is booked. Answers arrive on the appointment; a refer answer
puts a clinical-review call in reception's queue and leaves the booking in place.
"""

from __future__ import annotations

from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from clinic.core.ip import ratelimit_ip_key
from clinic.core.ratelimits import rate_limit

from .. import tokens
from ..models import Appointment, ScreeningStatus
from ..policy import change_policy
from ..screening.forms import LinkScreeningForm
from ..screening.services import record_link_answers
from ..services import ScreeningError


def _appointment_for(token: str) -> Appointment | None:
    try:
        pk = tokens.screening_token_pk(token)
    except tokens.BadToken:
        return None
    appointment = Appointment.objects.select_related("therapist", "length__treatment").filter(pk=pk).first()
    if appointment is None or not tokens.screening_token_matches(token, appointment):
        return None
    return appointment


def _closed(appointment: Appointment) -> bool:
    return appointment.status != Appointment.Status.BOOKED or appointment.start <= timezone.now()


@require_http_methods(["GET", "POST"])
@rate_limit(group="bookings.screening", key=ratelimit_ip_key, rate="30/h")
def screening(request, token: str):
    """GET: the questions (or, once answered, what happens next). POST: store the answers."""
    appointment = _appointment_for(token)
    if appointment is None:
        return render(request, "bookings/screening_closed.html", {"reason": "invalid"}, status=404)
    if _closed(appointment):
        return render(request, "bookings/screening_closed.html", {"reason": "closed"}, status=410)
    form = None
    if request.method == "POST":
        form = LinkScreeningForm(request.POST)
        if form.is_valid():
            try:
                record_link_answers(appointment=appointment, answers=form.screening_answers)
            except ScreeningError as error:
                form.add_error(None, error.message)
            else:
                return redirect("bookings:screening", token=token)
    answered = appointment.screening_status != ScreeningStatus.NOT_SCREENED
    if form is None and (not answered or request.GET.get("again") == "1"):
        form = LinkScreeningForm()
    policy = change_policy(appointment)
    return render(
        request,
        "bookings/screening.html",
        {
            "appointment": appointment,
            "form": form,
            "answered": answered,
            "referral": appointment.screening_status == ScreeningStatus.REFERRAL,
            "flagged": appointment.screening_status == ScreeningStatus.FLAGGED,
            "manage_url": tokens.manage_path(appointment) if policy.allowed else "",
            "token": token,
        },
    )
