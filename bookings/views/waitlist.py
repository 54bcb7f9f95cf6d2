"""The wait list's public pages: join ("Tell me if something comes up"), confirm the mobile with
the texted code, see or leave one's place, and claim an offer from its text.

Entry and offer pages are reached by signed tokens naming one row (no personal data in them).
Every change is a POST from a button: phones fetch links in texts to show previews, and a
preview must never book anything.
"""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlencode

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from clinic.core.ip import ratelimit_ip_key
from clinic.core.ratelimits import rate_limit
from therapists.models import Therapist

from .. import tokens
from ..forms import format_start
from ..models import WaitListEntry, WaitListOffer
from ..phone_codes import CodeForm
from ..schedules import find_free_starts
from ..screening.services import ScreeningError, refer_for_clinical_review
from ..waitlist.entries import WaitListError, confirm_wait_list_entry, join_wait_list, leave_wait_list, send_new_code
from ..waitlist.forms import ClaimForm, WaitListForm
from ..waitlist.offers import EXPIRED, TOO_LATE, WITHDRAWN, OfferUnavailable, claim_offer


@require_http_methods(["GET", "POST"])
@rate_limit(group="bookings.wait_list.join", key=ratelimit_ip_key, rate="10/h")
def join(request):
    """The form: what would suit, name and mobile; a code is texted to confirm the mobile."""
    if request.method == "POST":
        form = WaitListForm(request.POST)
        if form.is_valid():
            try:
                entry = join_wait_list(
                    name=form.cleaned_data["name"], phone=form.cleaned_data["phone"], wish=form.wish()
                )
            except WaitListError as error:
                form.add_error("phone", error.message)
            else:
                return redirect("bookings:wait_list_confirm", token=tokens.wait_list_token(entry))
    else:
        form = WaitListForm(
            initial={
                "length": request.GET.get("length"),
                "therapist": request.GET.get("therapist") or "any",
                "days": [],
                "weeks": "2",
            }
        )
    return render(request, "bookings/wait_list_join.html", {"form": form})


def _entry(token: str) -> WaitListEntry:
    try:
        pk, created = tokens.read_wait_list_token(token)
    except tokens.BadToken:
        raise Http404("This link is not valid or has expired.")
    entry = WaitListEntry.objects.select_related("length__treatment", "therapist").filter(pk=pk).first()
    if entry is None or int(entry.created_at.timestamp()) != created:
        raise Http404("This wait-list place no longer exists.")
    return entry


@require_http_methods(["GET", "POST"])
@rate_limit(group="bookings.wait_list.confirm", key=ratelimit_ip_key, rate="20/h")
def confirm(request, token: str):
    """Enter the texted code (or ask for another)."""
    entry = _entry(token)
    if entry.status != WaitListEntry.Status.UNCONFIRMED:
        return redirect("bookings:wait_list_entry", token=token)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and request.POST.get("action") == "resend":
        form = CodeForm()
        try:
            send_new_code(entry=entry)
        except WaitListError as error:
            form.add_error(None, error.message)
        else:
            messages.info(request, "We have texted you a new code.")
    elif request.method == "POST" and form.is_valid():
        try:
            confirm_wait_list_entry(entry=entry, code=form.cleaned_data["code"])
        except WaitListError as error:
            form.add_error("code", error.message)
        else:
            return redirect("bookings:wait_list_entry", token=token)
    return render(request, "bookings/wait_list_confirm.html", {"entry": entry, "form": form})


@require_http_methods(["GET", "POST"])
def entry(request, token: str):
    """One's place on the list, with a button to leave it."""
    entry = _entry(token)
    if request.method == "POST" and request.POST.get("action") == "leave":
        leave_wait_list(entry=entry)
        messages.success(request, "You have left the wait list. We will not text you offers.")
        return redirect("bookings:wait_list_entry", token=token)
    if entry.status == WaitListEntry.Status.UNCONFIRMED:
        return redirect("bookings:wait_list_confirm", token=token)
    return render(request, "bookings/wait_list_entry.html", {"entry": entry, "token": token})


def _offer(token: str) -> WaitListOffer:
    try:
        pk, offered = tokens.read_offer_token(token)
    except tokens.BadToken:
        raise Http404("This offer link is not valid or has expired.")
    offer = WaitListOffer.objects.select_related("entry", "therapist", "length__treatment").filter(pk=pk).first()
    if offer is None or int(offer.offered_at.timestamp()) != offered:
        raise Http404("This offer no longer exists.")
    return offer


def other_times(entry: WaitListEntry, *, count: int = 3) -> list[dict]:
    """Free times that suit the entry, soonest first, as links into the booking flow."""
    today = timezone.localdate()
    if entry.last_day < today:
        return []
    ids = (
        [entry.therapist_id]
        if entry.therapist_id
        else Therapist.objects.active().offering(entry.length).values_list("pk", flat=True)
    )
    found = find_free_starts(therapist_ids=ids, length=entry.length, first_day=today, last_day=entry.last_day)
    starts = sorted({s for per_day in found.values() for day in per_day.values() for s in day if entry.suits(s)})
    base = {"length": entry.length_id, "therapist": entry.therapist_id or "any"}
    return [
        {"start": s, "url": f"{reverse('bookings:details')}?{urlencode(base | {'start': format_start(s)})}"}
        for s in starts[:count]
    ]


@require_http_methods(["GET", "POST"])
@rate_limit(group="bookings.wait_list.offer", key=ratelimit_ip_key, rate="20/h")
def offer(request, token: str):
    """The link in an offer text: the time, and a button to book it (the first to press wins).

    The same health questions and consents as the booking flow; a refer answer offers the
    one-tap clinical-review callback instead, carrying the offered time."""
    offer = _offer(token)
    if request.method == "POST" and request.POST.get("action") == "refer":
        return _refer(request, offer)
    form = ClaimForm(request.POST or None)
    refusal = None
    if request.method == "POST" and form.is_valid():
        try:
            appointment = claim_offer(offer=offer, screening=form.screening_answers, consents=form.consents())
        except OfferUnavailable as error:
            if error.reason == "busy":
                form.add_error(None, error.message)  # still open: the same button again
            else:
                refusal = error.message
                offer.refresh_from_db()
        else:
            return redirect("bookings:confirmation", token=tokens.confirmation_token(appointment))
    elif offer.status == WaitListOffer.Status.CLAIMED and offer.appointment_id:
        return redirect("bookings:confirmation", token=tokens.confirmation_token(offer.appointment))
    elif not offer.is_open:
        refusal = _closed(offer)
    return _render_offer(request, offer, form, refusal)


def _refer(request, offer: WaitListOffer):
    """ "Ask us to call you back" after a refer answer: the clinical-review request carries the
    offered time (the offer stays open for the others)."""
    form = ClaimForm(request.POST, referral=True)
    if form.is_valid():
        try:
            receipt = refer_for_clinical_review(
                name=offer.entry.name,
                phone=offer.entry.phone,
                answers=form.screening_answers,
                length=offer.length,
                therapist=offer.therapist,
                start=offer.start,
                consents=form.consents(),
            )
        except ScreeningError as error:
            form.add_error(None, error.message)
        else:
            return redirect(receipt.next_url)
    return _render_offer(request, offer, form, None)


def _render_offer(request, offer: WaitListOffer, form: ClaimForm, refusal: str | None):
    context = {
        "offer": offer,
        "form": form,
        "refusal": refusal,
        "others": other_times(offer.entry) if refusal and offer.entry.status == WaitListEntry.Status.WAITING else [],
        "entry_token": tokens.wait_list_token(offer.entry),
        "ends_soon": offer.expires_at - timezone.now() < timedelta(minutes=15),
        "now_day": f"{timezone.localdate():%Y%m%d}",
    }
    return render(request, "bookings/wait_list_offer.html", context)


def _closed(offer: WaitListOffer) -> str:
    if offer.status == WaitListOffer.Status.TOO_LATE:
        return TOO_LATE
    if offer.status in (WaitListOffer.Status.OFFERED, WaitListOffer.Status.EXPIRED):
        return EXPIRED
    return WITHDRAWN
