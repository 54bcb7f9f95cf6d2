"""Rate limits for public forms: counted in the shared cache, polite when hit, open when the cache is down.

django-ratelimit does the counting (fixed windows in the cache, keyed by `clinic.core.ip`). This
module adds what the public site needs around it:

- **Fail open.** The cache (Redis) being unreachable must not turn a booking or a callback request
  into a 500 (design rule 10): the request goes through, a warning is logged and counted.
- **A polite refusal.** Over a limit, the patient gets a 429 page in the site's layout with the
  clinic's phone number and a `Retry-After` header saying when the window ends.

    @rate_limit(group="bookings.details", key=ratelimit_ip_key, rate="20/h")
    def details(request): ...

or, inside a view that limits by something only known after validation (the callback form's phone):

    if retry_after := hit_limit(request, group="callbacks.phone", key=..., rate="3/d"):
        return rate_limited_response(request, retry_after=retry_after, template=...)
"""

from __future__ import annotations

import functools
import logging
import threading
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django_ratelimit.core import get_usage
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

Key = Callable[[str, HttpRequest], str] | str
Rate = str | Callable[[str, HttpRequest], str]

# How many limit checks were let through because the cache could not be reached, by group, in
# this process (the warning in the log is the durable record; tests and /readyz read this).
fail_open_counts: dict[str, int] = {}
_counts_lock = threading.Lock()


def from_setting(name: str) -> Callable[[str, HttpRequest], str]:
    """A rate read from a setting at request time (so a deployment or a test can change it)."""
    return lambda group, request: getattr(settings, name)


def hit_limit(request: HttpRequest, *, group: str, key: Key, rate: Rate, method: str | None = "POST") -> int | None:
    """Count this request against `rate` for `key`; return the seconds until the limit lifts if it
    is now exceeded, else None.

    `rate` is "N/period" (django-ratelimit's syntax) or a callable returning one (`from_setting`).
    Only requests with `method` are counted (None: every method). If the cache cannot be reached
    the request is allowed: a warning is logged and `fail_open_counts[group]` goes up.
    """
    try:
        usage = get_usage(request, group=group, key=key, rate=rate, method=method or get_usage.ALL, increment=True)
    except (RedisError, OSError) as error:
        with _counts_lock:
            fail_open_counts[group] = fail_open_counts.get(group, 0) + 1
            count = fail_open_counts[group]
        logger.warning(
            "Rate limit %s not checked: the cache is unreachable (%s); letting the request through",
            group,
            type(error).__name__,
            extra={"ratelimit_group": group, "fail_open_count": count},
        )
        return None
    if usage is None or not usage["should_limit"]:
        return None
    return max(1, int(usage["time_left"]))


def rate_limited_response(
    request: HttpRequest, *, retry_after: int, template: str = "rate_limited.html", context: dict | None = None
) -> HttpResponse:
    """The polite refusal: HTTP 429 in the site's layout (the template shows the clinic's phone),
    with `Retry-After` in seconds."""
    response = render(request, template, {"retry_after_minutes": -(-retry_after // 60), **(context or {})}, status=429)
    response["Retry-After"] = str(retry_after)
    return response


def rate_limit(*, group: str, key: Key, rate: Rate, method: str | None = "POST", template: str = "rate_limited.html"):
    """View decorator: refuse politely (see `rate_limited_response`) once `rate` is exceeded."""

    def decorator(view):
        @functools.wraps(view)
        def wrapped(request, *args, **kwargs):
            retry_after = hit_limit(request, group=group, key=key, rate=rate, method=method)
            if retry_after is not None:
                return rate_limited_response(request, retry_after=retry_after, template=template)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
