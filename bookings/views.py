"""The public pages and the patient's booking flow.

The flow is plain links and GET forms until the final POST, so every step is an address that Back
and refresh can return to: /book/ (length and therapist) -> /book/day/ -> /book/time/?day= ->
/book/details/?start= -> POST -> redirect to /book/confirmed/<signed token>/. Each step validates
the choices it is given again (they come from the browser). With JavaScript, htmx swaps the
day-and-time panel in place; without it, the same links load whole pages.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from urllib.parse import urlencode

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods
from django_ratelimit.decorators import ratelimit

from clinic.core.models import ClinicSettings, OpeningHours
from therapists.models import Therapist

from . import ics, tokens
from .forms import NO_PREFERENCE, ChoiceForm, DetailsForm, SlotForm, format_start, parse_day, parse_start
from .models import Appointment, TreatmentLength
from .schedules import BookingPolicy, find_free_starts
from .services import (
    BookingError,
    PatientDetails,
    SlotUnavailable,
    cancel_booking,
    create_booking,
    reschedule_booking,
)

DAYS_PER_PAGE = 14
RECENT_SESSION_KEY = "bookings.recent"


# --- public pages ------------------------------------------------------------------------------


def _lengths():
    return TreatmentLength.objects.bookable().select_related("treatment").order_by("minutes")


def home(request):
    return render(
        request,
        "pages/home.html",
        {"lengths": _lengths(), "opening_hours": OpeningHours.objects.all(), "therapists": Therapist.objects.active()},
    )


def treatment(request):
    return render(request, "pages/treatment.html", {"lengths": _lengths()})


def privacy(request):
    return render(request, "pages/privacy.html")


def cancellation_policy(request):
    return render(request, "pages/cancellation_policy.html")


# --- step 1: length and therapist ---------------------------------------------------------------


def book(request):
    """Step 1. Arriving with ?length=&therapist= (the Back link) preselects those choices."""
    form = ChoiceForm(
        initial={"length": request.GET.get("length"), "therapist": request.GET.get("therapist") or NO_PREFERENCE}
    )
    return _render_choose(request, form)


def _render_choose(request, form: ChoiceForm):
    therapists = [
        {"value": str(t.pk), "name": t.name, "bio": t.bio, "lengths": sorted(x.pk for x in t.lengths.all())}
        for t in form.therapists
    ]
    return render(request, "bookings/choose.html", {"form": form, "therapist_options": therapists, "step": 1})


# --- steps 2 and 3: day and time ----------------------------------------------------------------


def day(request):
    """Step 2: the next 14 days (pages further up to the horizon), each with its number of free times."""
    return _booking_when(request, wants_day=False)


def time(request):
    """Step 3: the free times of one day, grouped morning / afternoon / evening."""
    return _booking_when(request, wants_day=True)


def _booking_when(request, *, wants_day: bool):
    form = ChoiceForm(request.GET)
    if not form.is_valid():
        return _render_choose(request, form)
    base = form.query()
    context = _when_context(
        request,
        length=form.cleaned_data["length"],
        therapist=form.cleaned_data["therapist_obj"],
        wants_day=wants_day,
        day_url=lambda **extra: f"{reverse('bookings:day')}?{urlencode(base | extra)}",
        time_url=lambda **extra: f"{reverse('bookings:time')}?{urlencode(base | extra)}",
        pick_url=lambda start: f"{reverse('bookings:details')}?{urlencode(base | {'start': format_start(start)})}",
    )
    context |= {"form": form, "change_url": f"{reverse('bookings:book')}?{urlencode(base)}"}
    template = "bookings/_when_page.html" if request.htmx else "bookings/when.html"
    return render(request, template, context)


def _first_free_day(free: dict[date, list[datetime]]) -> date | None:
    return next((d for d in sorted(free) if free[d]), None)


def _union_by_day(free: dict[int, dict[date, list[datetime]]]) -> dict[date, list[datetime]]:
    """For "no preference": a time is free if any therapist is free then."""
    union: dict[date, set[datetime]] = {}
    for per_day in free.values():
        for d, starts in per_day.items():
            union.setdefault(d, set()).update(starts)
    return {d: sorted(starts) for d, starts in union.items()}


def _when_context(
    request,
    *,
    length: TreatmentLength,
    therapist: Therapist | None,
    wants_day: bool,
    day_url,
    time_url,
    pick_url,
    ignore_appointment_id: int | None = None,
) -> dict:
    """Days (with their number of free times) and, for a chosen day, its free times grouped.

    Shared by the booking flow and the patient's "move my appointment" page; the three url
    callables say where a page of days, a day and a time lead.
    """
    ids = (
        [therapist.pk] if therapist else list(Therapist.objects.active().offering(length).values_list("pk", flat=True))
    )
    now = timezone.now()
    policy = BookingPolicy.from_settings()
    today, last_day = timezone.localdate(), policy.last_day(now)

    def free_between(first: date, last: date) -> dict[date, list[datetime]]:
        found = find_free_starts(
            therapist_ids=ids,
            length=length,
            first_day=first,
            last_day=last,
            now=now,
            policy=policy,
            ignore_appointment_id=ignore_appointment_id,
        )
        return _union_by_day(found)

    selected, day_error = None, ""
    if wants_day:
        selected = parse_day(request.GET.get("day"))
        if selected is None:
            day_error = "That date is not valid. Please choose a day below."
        elif selected < today:
            day_error = "That day has passed. Please choose a day below."
        elif selected > last_day:
            day_error = f"You can book online up to {last_day:%a %-d %b}. Please choose an earlier day, or phone us."
        if day_error:
            selected = None

    anchor = parse_day(request.GET.get("from")) or selected or today
    anchor = min(max(anchor, today), last_day)
    page_start = today + timedelta(days=(anchor - today).days // DAYS_PER_PAGE * DAYS_PER_PAGE)
    page_end = min(page_start + timedelta(days=DAYS_PER_PAGE - 1), last_day)
    # The "next available" link looks from today; when this page follows straight on from today's,
    # one load covers both (the loader's cost is the same four queries whatever the range).
    load_from = today if (page_start - today).days <= DAYS_PER_PAGE else page_start
    free = free_between(load_from, page_end)

    days = [
        {"date": d, "count": len(free.get(d, [])), "url": time_url(day=d.isoformat()), "selected": d == selected}
        for d in (page_start + timedelta(days=i) for i in range((page_end - page_start).days + 1))
    ]
    next_available = _first_free_day(free) if load_from == today else None
    chunk_start = page_end + timedelta(days=1) if load_from == today else today
    while next_available is None and chunk_start <= last_day:
        # Look ahead a page at a time: the next free day is nearly always in the first page, and
        # the whole horizon of a busy clinic is a lot of diary to load for one link.
        chunk_end = min(chunk_start + timedelta(days=DAYS_PER_PAGE - 1), last_day)
        next_available = _first_free_day(free_between(chunk_start, chunk_end))
        chunk_start = chunk_end + timedelta(days=1)

    groups = []
    if selected is not None:
        starts = free.get(selected, [])
        for label, low, high in (("Morning", 0, 12), ("Afternoon", 12, 17), ("Evening", 17, 24)):
            times = [{"start": s, "url": pick_url(s)} for s in starts if low <= timezone.localtime(s).hour < high]
            if times:
                groups.append({"label": label, "times": times})

    return {
        "length": length,
        "therapist": therapist,
        "days": days,
        "selected": selected,
        "groups": groups,
        "day_error": day_error,
        "last_day": last_day,
        "next_available": next_available,
        "next_available_url": time_url(day=next_available.isoformat()) if next_available else "",
        "prev_url": day_url(**{"from": (page_start - timedelta(days=DAYS_PER_PAGE)).isoformat()})
        if page_start > today
        else "",
        "next_url": day_url(**{"from": (page_start + timedelta(days=DAYS_PER_PAGE)).isoformat()})
        if page_end < last_day
        else "",
        "step": 3 if selected else 2,
    }


# --- steps 4 and 5: details and confirm ---------------------------------------------------------


@require_http_methods(["GET", "POST"])
@ratelimit(key="ip", rate="20/h", method="POST", block=True)
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

    if already := _booked_with_token(request.POST.get("token", "")):
        # The same form again (double tap, refresh, Back and resubmit): show what it booked.
        return redirect("bookings:confirmation", token=tokens.confirmation_token(already))
    form = DetailsForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            appointment = create_booking(
                length=data["length"],
                therapist=data["therapist_obj"],
                start=data["start"],
                patient=PatientDetails(name=data["name"], phone=data["phone"], email=data["email"]),
                note=data["note"],
                screening=form.screening(),
                source=Appointment.Source.ONLINE,
                idempotency_key=data["token"],
            )
        except SlotUnavailable as error:
            form.alternatives = error.alternatives
            form.add_error("start", error.message)
        except BookingError as error:
            form.add_error("start", error.message)
        else:
            token = tokens.confirmation_token(appointment)
            recent = request.session.get(RECENT_SESSION_KEY, {})
            recent[_slot_key(form.query())] = token
            request.session[RECENT_SESSION_KEY] = dict(list(recent.items())[-5:])
            return redirect("bookings:confirmation", token=token)
    return _render_details(request, form, form)


def _booked_with_token(token: str) -> Appointment | None:
    try:
        key = tokens.read_idempotency_token(token)
    except tokens.BadToken:
        return None
    return Appointment.objects.filter(idempotency_key=key).first()


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
    recent = request.session.get(RECENT_SESSION_KEY, {}).get(_slot_key(base | {"start": raw.get("start", "")}))
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
        "change_time_url": f"{reverse('bookings:time')}?{urlencode(base | {'day': start.date().isoformat()})}"
        if start
        else f"{reverse('bookings:book')}?{urlencode(base)}",
        "step": 4,
    }
    return render(request, "bookings/details.html", context)


def _appointment_from_confirmation(token: str) -> Appointment:
    try:
        pk = tokens.read_confirmation_token(token)
    except tokens.BadToken:
        raise Http404("This confirmation link is not valid or has expired.")
    try:
        return Appointment.objects.select_related("therapist", "length__treatment", "patient").get(pk=pk)
    except Appointment.DoesNotExist:
        raise Http404("No such appointment.")


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
            "reminder_hours": clinic.reminder_hours_before,
            "notice_hours": clinic.cancellation_notice_hours,
            "step": 5,
        },
    )


def calendar_file(request, token: str):
    appointment = _appointment_from_confirmation(token)
    return _ics_response(request, appointment)


def _ics_response(request, appointment: Appointment) -> HttpResponse:
    body = ics.appointment_calendar(appointment, clinic=ClinicSettings.load(), host=request.get_host())
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="appointment-{appointment.reference}.ics"'
    return response


# --- the patient's own appointment: view, cancel, move ------------------------------------------


def _appointment_from_manage(token: str) -> Appointment:
    try:
        pk, reference = tokens.read_manage_token(token)
    except tokens.BadToken:
        raise Http404("This link is not valid or has expired.")
    appointment = (
        Appointment.objects.select_related("therapist", "length__treatment", "patient")
        .filter(pk=pk, reference=reference)
        .first()
    )
    if appointment is None:
        raise Http404("No such appointment.")
    return appointment


def _change_refusal(appointment: Appointment, clinic: ClinicSettings) -> str:
    """Why the patient cannot cancel or move this appointment online, or "" if they can."""
    if appointment.status == Appointment.Status.CANCELLED:
        return "This appointment has been cancelled."
    if appointment.status != Appointment.Status.BOOKED:
        return "This appointment can no longer be changed online."
    if appointment.start - timezone.now() < timedelta(hours=clinic.cancellation_notice_hours):
        return (
            f"It is less than {clinic.cancellation_notice_hours} hours until your appointment, so it can no longer "
            f"be changed online. Please phone us on {clinic.phone.as_national}."
        )
    return ""


@require_http_methods(["GET", "POST"])
def manage(request, token: str):
    """The page a patient's SMS links to: their appointment, with cancel and move while policy allows."""
    appointment = _appointment_from_manage(token)
    clinic = ClinicSettings.load()
    refusal = _change_refusal(appointment, clinic)
    error = ""
    if request.method == "POST" and request.POST.get("action") == "cancel":
        if refusal:
            error = refusal
        else:
            try:
                cancel_booking(
                    appointment=appointment,
                    cancelled_by=Appointment.CancelledBy.PATIENT,
                    reason="Cancelled online by the patient",
                )
            except BookingError as failure:
                error = failure.message
            else:
                messages.success(request, f"Your appointment {appointment.reference} is cancelled.")
                return redirect("bookings:manage", token=token)
    return render(
        request,
        "bookings/manage.html",
        {"appointment": appointment, "token": token, "refusal": refusal, "error": error},
        status=409 if error else 200,
    )


@require_http_methods(["GET", "POST"])
def manage_move(request, token: str):
    """Choose another free time with the same therapist and length; GET ?start= asks to confirm."""
    appointment = _appointment_from_manage(token)
    clinic = ClinicSettings.load()
    refusal = _change_refusal(appointment, clinic)
    if refusal:
        messages.error(request, refusal)
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
    context = _when_context(
        request,
        length=appointment.length,
        therapist=appointment.therapist,
        wants_day=bool(request.GET.get("day")),
        day_url=lambda **extra: f"{move_url}?{urlencode(extra)}",
        time_url=lambda **extra: f"{move_url}?{urlencode(extra)}",
        pick_url=lambda s: f"{move_url}?{urlencode({'start': format_start(s)})}",
        ignore_appointment_id=appointment.pk,
    )
    context |= {"appointment": appointment, "token": token, "error": error}
    # htmx picks the #when-page block out of the whole page (hx-select).
    template = "bookings/manage_move.html"
    return render(request, template, context)


def manage_calendar(request, token: str):
    return _ics_response(request, _appointment_from_manage(token))
