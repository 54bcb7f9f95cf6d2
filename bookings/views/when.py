"""Steps 2 and 3 of the booking flow: the day and the time (`flow.py` has the steps around them).

With JavaScript, htmx swaps the day-and-time panel in place; without it, the same links load whole
pages. Both are the same for every visitor asking the same question in the same minute, so both
are cached (docs/caching.md).
"""

from __future__ import annotations

import hashlib
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from clinic.core.versions import SETUP, cached, current

from ..catalogue import NO_PREFERENCE, Catalogue, load_catalogue
from ..forms import ChoiceForm, format_start
from ..lengths import length_label
from ..schedules import ANY_DIARY, ceil_minute, diary_version
from ..when import when_context
from .flow import _render_choose

# --- steps 2 and 3: day and time ----------------------------------------------------------------


def day(request):
    """Step 2: the next 14 days (pages further up to the horizon), each with its number of free times."""
    return _booking_when(request, wants_day=False)


def time(request):
    """Step 3: the free times of one day, grouped morning / afternoon / evening."""
    return _booking_when(request, wants_day=True)


def _booking_when(request, *, wants_day: bool):
    if request.GET.get("therapist") == NO_PREFERENCE:
        # The two versions everything below depends on, read alone: not with the versions of
        # every therapist's diary this process knows, which would grow with the clinic.
        current([SETUP, ANY_DIARY], alone=True)
    catalogue = load_catalogue()
    # The panel's own links always carry a valid choice: checked against the catalogue directly,
    # since building the form (its fields and their choices) costs more than a cached panel.
    choice = catalogue.choice(request.GET.get("length"), request.GET.get("therapist"))
    if choice is None:
        form = ChoiceForm(request.GET)
        form.is_valid()  # the catalogue refused the choice: the form says why
        return _render_choose(request, form)
    length, therapist = choice
    day = request.GET.get("day", "") if wants_day else None
    page_from = request.GET.get("from")
    now = timezone.now()
    # The panel is the same for every visitor asking the same question in the same minute,
    # until the clinic's set-up or one of these therapists' diaries changes.
    therapist_value = str(therapist.pk) if therapist else NO_PREFERENCE
    question = "|".join([str(length.pk), therapist_value, str(day), str(page_from)])
    key = f"when-panel:{hashlib.blake2b(question.encode(), digest_size=12).hexdigest()}:{ceil_minute(now):%Y%m%d%H%M}"
    depends_on = [SETUP, diary_version(therapist.pk) if therapist else ANY_DIARY]

    def panel():
        return cached(
            key,
            depends_on=depends_on,
            compute=lambda: _when_panel(request, catalogue, choice, day=day, page_from=page_from),
            keep=lambda panel: panel["cacheable"],
            timeout=WHEN_PANEL_SECONDS,
            shared=True,
        )

    if request.htmx:
        return HttpResponse(panel()["html"])
    if not _sees_only_shared_content(request):
        return _when_page(request, panel())
    # The whole page is as shared as its panel (same question, minute and versions) for a visitor
    # with nothing of their own to show: the site's layout then costs nothing either.
    page = cached(
        f"{key}:page",
        depends_on=depends_on,
        compute=lambda: _shared_render(
            request, lambda: (_when_page(request, panel()).content, {}), cacheable=panel()["cacheable"]
        ),
        keep=lambda page: page["cacheable"],
        timeout=WHEN_PANEL_SECONDS,
        shared=True,
    )
    return HttpResponse(page["html"])


def _sees_only_shared_content(request) -> bool:
    """Whether the layout shows this visitor nothing of their own. It shows one thing, the
    messages a redirect left for them, which live in the messages cookie or the session; the
    booking flow's anonymous visitors have neither (it keeps its state in the address)."""
    return settings.SESSION_COOKIE_NAME not in request.COOKIES and MESSAGES_COOKIE not in request.COOKIES


# django.contrib.messages' cookie (CookieStorage.cookie_name): the first place messages are kept.
MESSAGES_COOKIE = "messages"


def _when_page(request, panel: dict) -> HttpResponse:
    return render(request, "bookings/when.html", {"panel": panel["html"], "selected": panel["selected"], "step": 3})


# A panel's key holds the minute it was made in, so it is never read after that minute anyway.
WHEN_PANEL_SECONDS = 120


def _when_panel(request, catalogue: Catalogue, choice: tuple, *, day: str | None, page_from: str | None) -> dict:
    """Steps 2 and 3's panel (`_when_page.html`, what htmx swaps) as HTML, and the chosen day."""
    length, therapist = choice
    base = {"length": str(length.pk), "therapist": str(therapist.pk) if therapist else NO_PREFERENCE}
    paths = {name: reverse(f"bookings:{name}") for name in ("day", "time", "details", "book", "wait_list")}
    context = when_context(
        length=length,
        therapist=therapist,
        day=day,
        page_from=page_from,
        day_url=lambda **extra: f"{paths['day']}?{urlencode(base | extra)}",
        time_url=lambda **extra: f"{paths['time']}?{urlencode(base | extra)}",
        pick_url=lambda start: f"{paths['details']}?{urlencode(base | {'start': format_start(start)})}",
    )
    context |= {
        "length_text": length_label(length, named=catalogue.names_treatments, price=True),
        "treatment_step": len(catalogue.treatments) > 1,
        "change_url": f"{paths['book']}?{urlencode(base)}",
        "wait_list_url": f"{paths['wait_list']}?{urlencode(base)}",
    }
    return _shared_render(
        request, lambda: (render_to_string("bookings/_when_page.html", context, request=request), context)
    )


def _shared_render(request, render_html, *, cacheable: bool = True) -> dict:
    """HTML for every visitor asking the same question: {"html", "selected", "cacheable"}.

    What is shared between visitors must hold nothing of one visitor's: a CSRF token rendered
    into it (a form added to the panel or the layout one day) means it cannot be cached."""
    token_before = request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
    html, context = render_html()
    cacheable = cacheable and (not request.META.get("CSRF_COOKIE_NEEDS_UPDATE") or bool(token_before))
    return {"html": html, "selected": context.get("selected"), "cacheable": cacheable}
