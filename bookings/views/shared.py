"""Pages rendered once and served to every visitor asking the same question (docs/caching.md).

A page can be shared when it shows the visitor nothing of their own. Two things may still be
theirs on a page with a form: the CSRF token and a one-time token; those are rendered as
placeholders and each visitor's own are put in when the page is served (`with_visitor_tokens`).
"""

from __future__ import annotations

from django.conf import settings
from django.middleware.csrf import get_token

# django.contrib.messages' cookie (CookieStorage.cookie_name): the first place messages are kept.
MESSAGES_COOKIE = "messages"

# Rendered where a visitor's own token goes; replaced per request. Neither can come from a
# visitor's input on a shared page: such a page holds none (`sees_only_shared_content`).
CSRF_SLOT = "csrf-token-of-this-visitor"
ONE_TIME_SLOT = "one-time-token-of-this-page"


def sees_only_shared_content(request) -> bool:
    """Whether the layout shows this visitor nothing of their own. It shows one thing, the
    messages a redirect left for them, which live in the messages cookie or the session; the
    booking flow's anonymous visitors have neither (it keeps its state in the address)."""
    return settings.SESSION_COOKIE_NAME not in request.COOKIES and MESSAGES_COOKIE not in request.COOKIES


def shared_render(request, render_html, *, cacheable: bool = True) -> dict:
    """HTML for every visitor asking the same question: {"html", "selected", "cacheable"}.

    What is shared between visitors must hold nothing of one visitor's: a CSRF token rendered
    into it (not through `CSRF_SLOT`: a form added to the layout one day) means it cannot be
    cached."""
    token_before = request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
    html, context = render_html()
    cacheable = cacheable and (not request.META.get("CSRF_COOKIE_NEEDS_UPDATE") or bool(token_before))
    return {"html": html, "selected": context.get("selected"), "cacheable": cacheable}


def with_visitor_tokens(html: str, request, *, one_time: str) -> str:
    """A shared page with this visitor's CSRF token (set in their cookie, as `{% csrf_token %}`
    would) and the page's one-time token in place of the placeholders."""
    return html.replace(CSRF_SLOT, get_token(request)).replace(ONE_TIME_SLOT, one_time)
