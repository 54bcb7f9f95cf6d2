"""The public pages and the patient's booking flow.

The flow is plain links and GET forms until the final POST, so every step is an address that Back
and refresh can return to: /book/ (length and therapist) -> /book/day/ -> /book/time/?day= ->
/book/details/?start= -> POST -> redirect to /book/confirmed/<signed token>/. Each step validates
the choices it is given again (they come from the browser). With JavaScript, htmx swaps the
day-and-time panel in place; without it, the same links load whole pages (steps 2 and 3 are in
`when.py`).
"""

from __future__ import annotations

import json
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import SafeString
from django.views.decorators.http import require_http_methods

from clinic.core.errors import NotFoundExplained
from clinic.core.ip import ratelimit_ip_key
from clinic.core.models import ClinicSettings
from clinic.core.ratelimits import from_setting, rate_limit
from clinic.core.versions import SETUP, cached

from .. import ics, tokens
from ..catalogue import NO_PREFERENCE, Catalogue, load_catalogue
from ..forms import ChoiceForm, DetailsForm, SlotForm, format_start, parse_start
from ..lengths import length_label
from ..models import Appointment, Treatment
from ..screening import session as screening_session
from ..screening.models import QUESTIONNAIRE
from ..screening.services import refer_for_clinical_review
from ..services import (
    AlreadyBooked,
    BookingError,
    PatientDetails,
    ScreeningError,
    SlotUnavailable,
    change_policy,
    create_booking,
)

# The confirmations this browser booked lately, {choice: confirmation token}, in a signed cookie
# rather than the session: a booking then writes no session row (4 of its queries) and the
# anonymous patient gets no server-side session at all.
RECENT_COOKIE = "bookings_recent"
RECENT_SALT = "bookings.recent"
RECENT_MAX_AGE = 60 * 60 * 24 * 30
RECENT_KEEP = 5


def _recent(request) -> dict[str, str]:
    raw = request.get_signed_cookie(RECENT_COOKIE, default="", salt=RECENT_SALT, max_age=RECENT_MAX_AGE)
    try:
        recent = json.loads(raw) if raw else {}
    except ValueError:
        return {}
    return recent if isinstance(recent, dict) else {}


def _remember_recent(request, response, key: str, token: str) -> None:
    recent = _recent(request)
    recent.pop(key, None)
    recent[key] = token
    response.set_signed_cookie(
        RECENT_COOKIE,
        json.dumps(dict(list(recent.items())[-RECENT_KEEP:])),
        salt=RECENT_SALT,
        max_age=RECENT_MAX_AGE,
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )


# --- step 1: treatment (only when there are several), then length and therapist ----------------


def book(request):
    """Step 1. With more than one treatment on offer, the patient first chooses the treatment
    (?treatment=<slug>); with one there is no such step. Arriving with ?length=&therapist= (the
    Back link) preselects those choices, and the length says which treatment it is."""
    catalogue = load_catalogue()
    treatment = _chosen_treatment(catalogue, request.GET)
    if treatment is None and len(catalogue.treatments) > 1:
        return _render_treatments(request, catalogue)
    form = ChoiceForm(
        initial={"length": request.GET.get("length"), "therapist": request.GET.get("therapist") or NO_PREFERENCE},
        treatment=treatment,
    )
    return _render_choose(request, form)


def _chosen_treatment(catalogue: Catalogue, query) -> Treatment | None:
    """The treatment named by ?treatment= or implied by ?length=, if it is offered; the only
    one if just one is (a treatment whose lengths no therapist gives is not offered, so its
    lengths are not shown); else None."""
    treatment = catalogue.treatment(query.get("treatment"))
    if treatment is None and (length := catalogue.length(query.get("length"))) is not None:
        treatment = catalogue.treatment(length.treatment.slug)
    if treatment is None and len(catalogue.treatments) == 1:
        treatment = catalogue.treatments[0]
    return treatment


def _render_treatments(request, catalogue: Catalogue):
    """The treatment step: each treatment with its description, lengths and prices."""
    treatments = [
        {
            "treatment": treatment,
            "lengths": [
                {"text": length_label(length, named=False), "price": length.price_display}
                for length in catalogue.lengths_of(treatment)
            ],
            "url": f"{reverse('bookings:book')}?{urlencode({'treatment': treatment.slug})}",
        }
        for treatment in catalogue.treatments
    ]
    context = {"treatments": treatments, "step": 0, "treatment_step": True}
    return render(request, "bookings/treatments.html", context)


def _render_choose(request, form: ChoiceForm):
    several = len(form.catalogue.treatments) > 1
    if form.treatment is None:
        # A later step sent the patient back (a choice to correct): show the treatment they were
        # booking, known from the length (or the address), not every treatment's lengths at once.
        form.limit_to(_chosen_treatment(form.catalogue, form.data or request.GET))
    therapists = [
        {"value": str(t.pk), "name": t.name, "bio": t.bio, "lengths": form.catalogue.offered[t.pk]}
        for t in form.therapists
    ]
    context = {
        "form": form,
        "therapist_options": therapists,
        "treatment": form.treatment if several else None,
        "treatment_step": several,
        "step": 1,
    }
    return render(request, "bookings/choose.html", context)


# --- steps 4 and 5: details and confirm ---------------------------------------------------------


@require_http_methods(["GET", "POST"])
@rate_limit(group="bookings.details", key=ratelimit_ip_key, rate=from_setting("BOOKING_RATE_PER_IP"))
def details(request):
    """Step 4. GET shows the form for a chosen time; POST books and redirects to the confirmation."""
    if request.method == "GET":
        slot = SlotForm(request.GET)
        slot.is_valid()
        if slot.has_error("length") or slot.has_error("therapist"):
            return _render_choose(request, slot)
        form = DetailsForm(initial={**request.GET.dict(), "token": tokens.new_idempotency_token()})
        return _render_details(request, form, slot)

    if request.POST.get("pick_start"):
        # One of the offered alternative times: show the form again for it, keeping what was typed.
        data = request.POST.copy()
        data["start"] = request.POST["pick_start"]
        slot = SlotForm(data)
        slot.is_valid()
        initial = {key: data.get(key) for key in data if key not in ("csrfmiddlewaretoken", "pick_start")}
        return _render_details(request, DetailsForm(initial=initial), slot, picked=True)

    if request.POST.get("action") == "refer":
        return _refer(request)
    form = DetailsForm(request.POST, earlier=screening_session.earlier_answers(request))
    if not form.is_valid() and form.needs_referral:
        # Kept server-side: if this browser now books with other answers, staff see both sets.
        screening_session.remember_refer_answers(request, form.screening_answers)
    if form.is_valid():
        data = form.cleaned_data
        try:
            appointment = create_booking(
                length=data["length"],
                therapist=data["therapist_obj"],
                start=data["start"],
                patient=PatientDetails(name=data["name"], phone=data["phone"], email=data["email"]),
                note=data["note"],
                screening=form.screening_answers,
                consents=form.consents(),
                source=Appointment.Source.ONLINE,
                idempotency_key=data["token"],
            )
        except SlotUnavailable as error:
            form.alternatives = error.alternatives
            form.add_error("start", error.message)
        except AlreadyBooked as error:
            form.add_error("start", error.message)
            form.existing_booking = _recent_token_for(request, error.appointment)
        except BookingError as error:
            form.add_error("start", error.message)
        else:
            screening_session.forget(request)
            token = tokens.confirmation_token(appointment)
            response = redirect("bookings:confirmation", token=token)
            _remember_recent(request, response, _slot_key(form.query()), token)
            return response
    return _render_details(request, form, form)


def _refer(request):
    """ "Ask us to call you back" after a refer answer: one tap creates the clinical-review callback
    request from what the form already holds (name, phone, length, time, answers). Nothing travels
    in the address; the patient lands on the callback thank-you page."""
    form = DetailsForm(request.POST, referral=True)
    if form.is_valid():
        data = form.cleaned_data
        try:
            receipt = refer_for_clinical_review(
                name=data["name"],
                phone=data["phone"],
                answers=form.screening_answers,
                length=data["length"],
                therapist=data["therapist_obj"],
                start=data["start"],
                consents=form.consents(),
            )
        except ScreeningError as error:
            form.add_error(None, error.message)
        else:
            screening_session.forget(request)
            return redirect(receipt.next_url)
    elif form.needs_referral:
        screening_session.remember_refer_answers(request, form.screening_answers)
    return _render_details(request, form, form)


def _recent_token_for(request, appointment: Appointment) -> str:
    """The confirmation token of `appointment` if this browser booked it (so showing its link
    tells the patient nothing they did not know); otherwise ""."""
    for token in _recent(request).values():
        try:
            if tokens.read_confirmation_token(token) == appointment.pk:
                return token
        except tokens.BadToken:
            continue
    return ""


def _slot_key(query: dict) -> str:
    return "|".join(query.get(k, "") for k in ("length", "therapist", "start"))


def _render_details(request, form: DetailsForm, slot: SlotForm, *, picked: bool = False):
    """The details page; `slot` is the form whose length/therapist/time errors and alternatives
    are shown next to the appointment summary (the bound details form itself after a POST)."""
    raw = slot.data
    length = slot.cleaned_data.get("length") if hasattr(slot, "cleaned_data") else None
    therapist = slot.cleaned_data.get("therapist_obj") if hasattr(slot, "cleaned_data") else None
    start = parse_start(raw.get("start", ""))
    base = {"length": raw.get("length", ""), "therapist": raw.get("therapist", "")}
    token = raw.get("token") if form.is_bound and not form.has_error("token") else None
    token = token or form.initial.get("token") or tokens.new_idempotency_token()
    alternatives = [
        {"value": format_start(a.start), "start": a.start}
        for a in getattr(slot, "alternatives", [])
        if a.start != start
    ]
    recent = _recent(request).get(_slot_key(base | {"start": raw.get("start", "")}))
    recent = recent or getattr(form, "existing_booking", "")
    context = {
        "form": form,
        "slot": slot,
        "length": length,
        "therapist": therapist,
        "start": start,
        "hidden": {**base, "start": raw.get("start", ""), "token": token},
        "alternatives": alternatives,
        "slot_errors": slot.errors.get("start", []) if slot.is_bound else [],
        "picked": picked,
        "recent_confirmation": recent,
        "length_text": length_label(length, named=slot.catalogue.names_treatments) if length else "",
        "treatment_step": len(slot.catalogue.treatments) > 1,
        "change_time_url": f"{reverse('bookings:time')}?{urlencode(base | {'day': start.date().isoformat()})}"
        if start
        else f"{reverse('bookings:book')}?{urlencode(base)}",
        "step": 4,
        "fields_html": _empty_fields_html(form),
    }
    return render(request, "bookings/details.html", context)


# Initial values that are not the visitor's: the appointment's (hidden inputs) and the number of
# the questionnaire the form itself asks (part of the shared rendering, under its version).
NOT_THE_VISITORS = ("length", "therapist", "start", "token", "questionnaire")


def _empty_fields_html(form: DetailsForm) -> str | None:
    """The form's fields rendered for nobody in particular, or None when this visitor's form has
    something of theirs in it (typed values, errors: the template renders those itself).

    An empty form renders the same for everyone until its inputs change: the health questions
    (the questionnaire's version) and the clinic's set-up (the consents' wording and links), so
    the rendering (crispy-forms' templates for each field: most of the page's time) is shared."""
    if form.is_bound or any(form.initial.get(name) for name in form.fields if name not in NOT_THE_VISITORS):
        return None
    return cached(
        "details-fields",
        depends_on=[SETUP, QUESTIONNAIRE],
        compute=lambda: SafeString(render_to_string("bookings/_details_fields.html", {"form": form})),
        shared=True,
    )


class LinkNotValid(NotFoundExplained):
    """A confirmation or manage link that was altered, has expired, or names an appointment that
    no longer exists: the 404 page says so and gives the clinic's phone."""

    def __init__(self):
        super().__init__("This link has expired or is not valid.")


def _appointment_from_confirmation(token: str) -> Appointment:
    try:
        pk = tokens.read_confirmation_token(token)
    except tokens.BadToken:
        raise LinkNotValid()
    try:
        return Appointment.objects.select_related("therapist", "length__treatment", "patient").get(pk=pk)
    except Appointment.DoesNotExist:
        raise LinkNotValid()


def confirmation(request, token: str):
    """Step 5: what was booked, where, what happens next, and an add-to-calendar file."""
    appointment = _appointment_from_confirmation(token)
    clinic = ClinicSettings.load()
    return render(
        request,
        "bookings/confirmation.html",
        {
            "appointment": appointment,
            "token": token,
            "manage_url": tokens.manage_path(appointment),
            "policy": change_policy(appointment, clinic=clinic),
            "reminder_hours": clinic.reminder_hours_before,
            "notice_hours": clinic.cancellation_notice_hours,
            "treatment_step": len(load_catalogue().treatments) > 1,
            "step": 5,
        },
    )


def calendar_file(request, token: str):
    appointment = _appointment_from_confirmation(token)
    return ics_response(request, appointment)


def ics_response(request, appointment: Appointment) -> HttpResponse:
    body = ics.appointment_calendar(appointment, clinic=ClinicSettings.load())
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="appointment-{appointment.reference}.ics"'
    return response
