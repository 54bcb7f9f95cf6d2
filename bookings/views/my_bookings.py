""" "My bookings": ask for a code by mobile number, enter it, then see, move and cancel one's
appointments (`bookings.my_bookings` holds the rules; the move and cancel pages are the manage
link's, `changes`).

Asking for a code answers the same way whatever the number (a redirect to the code page, after
the same queries); the code page says "if we have appointments for this number". Nothing
personal travels in an address: the number lives in the session, appointments are named by
their reference and looked up within the signed-in number's.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from clinic.core.ip import ratelimit_ip_key
from clinic.core.models import ClinicSettings
from clinic.core.ratelimits import from_setting, hit_limit, rate_limit, rate_limited_response

from .. import my_bookings as mine
from ..phone_codes import CodeForm, PhoneForm
from ..policy import change_policy
from .changes import Links, cancel_page, move_page
from .flow import ics_response

ASK_GROUP = "bookings.my_bookings.ask"


@require_http_methods(["GET", "POST"])
@rate_limit(group=ASK_GROUP, key=ratelimit_ip_key, rate=from_setting("PHONE_CODE_RATE_PER_IP"))
def my_bookings(request):
    """Signed in: the list. Otherwise the number form; POST asks for a code and goes to the code page."""
    phone = mine.signed_in_phone(request.session)
    if phone is not None and request.method == "GET":
        return _render_list(request, phone)
    form = PhoneForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            mine.ask_for_code(phone=form.cleaned_data["phone"])
        except mine.MyBookingsError as error:
            form.add_error("phone", error.message)
        else:
            mine.sign_out(request.session)  # asking for another number's code ends the last sign-in
            mine.remember_asked(request.session, form.cleaned_data["phone"])
            return redirect("bookings:my_bookings_code")
    return render(request, "bookings/my_bookings_phone.html", {"form": form})


@require_http_methods(["GET", "POST"])
@rate_limit(group="bookings.my_bookings.code", key=ratelimit_ip_key, rate="30/h")
def enter_code(request):
    """The texted code (or "Text me a new code")."""
    phone = mine.asked_phone(request.session)
    if phone is None:
        return redirect("bookings:my_bookings")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and request.POST.get("action") == "resend":
        # The same per-address limit as asking from the number form.
        retry_after = hit_limit(
            request, group=ASK_GROUP, key=ratelimit_ip_key, rate=from_setting("PHONE_CODE_RATE_PER_IP")
        )
        if retry_after is not None:
            return rate_limited_response(request, retry_after=retry_after)
        form = CodeForm()
        try:
            mine.ask_for_code(phone=phone)
        except mine.MyBookingsError as error:
            form.add_error(None, error.message)
        else:
            messages.info(request, "If we have appointments for this number, we have texted it a new code.")
    elif request.method == "POST" and form.is_valid():
        try:
            mine.check_code(phone=phone, code=form.cleaned_data["code"])
        except mine.MyBookingsError as error:
            form.add_error("code", error.message)
        else:
            mine.sign_in(request.session, phone)
            return redirect("bookings:my_bookings")
    return render(request, "bookings/my_bookings_code.html", {"form": form, "phone": phone})


@require_POST
def sign_out(request):
    mine.sign_out(request.session)
    messages.info(request, "You have signed out of My bookings.")
    return redirect("bookings:my_bookings")


def _render_list(request, phone):
    clinic = ClinicSettings.load()
    found = mine.bookings_for(phone)
    upcoming = [
        {"appointment": a, "policy": change_policy(a, clinic=clinic), "links": _links(a), "again": _book_again(a)}
        for a in found.upcoming
    ]
    past = [{"appointment": a, "again": _book_again(a)} for a in found.past]
    return render(
        request,
        "bookings/my_bookings.html",
        {
            "phone": phone,
            "upcoming": upcoming,
            "past": past,
            "until": mine.signed_in_until(request.session),
            "minutes": int(mine.SIGNED_IN_FOR.total_seconds() // 60),
        },
    )


def _links(appointment) -> Links:
    ref = appointment.reference
    return Links(
        back=reverse("bookings:my_bookings"),
        move=reverse("bookings:my_bookings_move", args=[ref]),
        cancel=reverse("bookings:my_bookings_cancel", args=[ref]),
        calendar=reverse("bookings:my_bookings_calendar", args=[ref]),
    )


def _signed_in_appointment(request, reference: str):
    """The signed-in number's appointment with this reference; None (the caller redirects to
    sign in) when not signed in; 404 for a reference that is not theirs."""
    phone = mine.signed_in_phone(request.session)
    if phone is None:
        return None
    appointment = mine.appointment_for(phone, reference)
    if appointment is None:
        raise Http404("No appointment with that reference was booked with this number.")
    return appointment


def _please_sign_in(request):
    messages.info(request, "Please sign in again: for your privacy, My bookings signs you out after a while.")
    return redirect("bookings:my_bookings")


@require_http_methods(["GET", "POST"])
def move(request, reference: str):
    appointment = _signed_in_appointment(request, reference)
    if appointment is None:
        return _please_sign_in(request)
    return move_page(request, appointment, _links(appointment))


@require_http_methods(["GET", "POST"])
def cancel(request, reference: str):
    appointment = _signed_in_appointment(request, reference)
    if appointment is None:
        return _please_sign_in(request)
    return cancel_page(request, appointment, _links(appointment))


def calendar(request, reference: str):
    appointment = _signed_in_appointment(request, reference)
    if appointment is None:
        return _please_sign_in(request)
    return ics_response(request, appointment)


def _book_again(appointment) -> str:
    """Into the booking flow's day step with the same therapist and length chosen."""
    return f"{reverse('bookings:day')}?length={appointment.length_id}&therapist={appointment.therapist_id}"
