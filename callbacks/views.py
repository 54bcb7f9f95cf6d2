"""The public callback form and its thank-you page. Thin: validate, check limits, call the service."""

from __future__ import annotations

import contextlib
import logging
from datetime import date, timedelta
from urllib.parse import urlencode

from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from bookings.consents import Purpose
from clinic.core.ip import ratelimit_ip_key
from clinic.core.models import OpeningHours
from clinic.core.ratelimits import from_setting, hit_limit, rate_limited_response

from . import services
from .call_times import describe_call_time
from .forms import CallbackRequestForm
from .models import CallbackRequest

logger = logging.getLogger(__name__)


def _thanks_url(*, when: str, day: date | None = None, period: str = "", updated: bool = False) -> str:
    # Only the chosen time travels in the URL, never who asked (design rule 6).
    params = {"when": when}
    if when == CallbackRequest.When.DAY and day:
        params.update(day=day.isoformat(), period=period)
    if updated:
        params["updated"] = "1"
    return f"{reverse('callbacks:thanks')}?{urlencode(params)}"


@require_http_methods(["GET", "POST"])
def request_callback(request):
    if request.method == "POST":
        form = CallbackRequestForm(request.POST)
        if form.filled_honeypot():
            # Silently accepted: the bot sees the same page a person would, so it learns nothing.
            logger.info("callback form: honeypot filled, submission dropped")
            data = form.cleaned_data if form.is_valid() else {}
            return redirect(
                _thanks_url(
                    when=data.get("when", CallbackRequest.When.ASAP),
                    day=data.get("preferred_day"),
                    period=data.get("preferred_period", ""),
                )
            )
        if form.is_valid() and form.needs_confirming():
            # Too fast for most people, but autofill is fast too: a request is never dropped for
            # speed alone. Show the answers again and take the next press as meant.
            logger.info("callback form: submitted quickly, asked to confirm")
            return render(request, "callbacks/request.html", {"form": form.asking_to_confirm(), "confirm": True})
        if form.is_valid():
            data = form.cleaned_data
            # Counted only for valid submissions, so a patient correcting a typo uses up nothing.
            phone_key = data["phone"].as_e164
            for limit, key in (("ip", ratelimit_ip_key), ("phone", lambda group, req: phone_key)):
                retry_after = hit_limit(
                    request,
                    group=f"callbacks.{limit}",
                    key=key,
                    rate=from_setting(f"CALLBACK_RATE_PER_{limit.upper()}"),
                )
                if retry_after is not None:
                    return rate_limited_response(
                        request, retry_after=retry_after, template="callbacks/limited.html", context={"limit": limit}
                    )
            submission = services.request_callback(
                name=data["name"],
                phone=data["phone"],
                reason=data["reason"],
                when=data["when"],
                preferred_day=data["preferred_day"],
                preferred_period=data["preferred_period"],
                message=data["message"],
                consents=(Purpose.CALLBACK_CONTACT,),
            )
            req = submission.request
            return redirect(
                _thanks_url(
                    when=req.when, day=req.preferred_day, period=req.preferred_period, updated=not submission.created
                )
            )
    else:
        initial = {"when": CallbackRequest.When.ASAP}
        if request.GET.get("reason") in CallbackRequest.Reason.values:
            initial["reason"] = request.GET["reason"]
        form = CallbackRequestForm(initial=initial)
    return render(request, "callbacks/request.html", {"form": form})


@require_GET
def thanks(request):
    when = request.GET.get("when")
    when = when if when in CallbackRequest.When.values else CallbackRequest.When.ASAP
    today = timezone.localdate()
    day = None
    with contextlib.suppress(ValueError):
        day = date.fromisoformat(request.GET.get("day", ""))
    if day is not None and not today <= day <= today + timedelta(days=7):
        day = None
    period = request.GET.get("period", "")
    period = period if period in CallbackRequest.Period.values else ""
    if when == CallbackRequest.When.DAY and day is None:
        when = CallbackRequest.When.ASAP
    promise = describe_call_time(when=when, preferred_day=day, preferred_period=period)
    return render(
        request,
        "callbacks/thanks.html",
        {
            "promise": promise,
            "updated": request.GET.get("updated") == "1",
            # From the health questions' "Ask us to call you back": a therapist will look first.
            "review": request.GET.get("review") == "1",
            "opening_hours": OpeningHours.objects.all(),
        },
    )
