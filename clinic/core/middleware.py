"""A last line for requests that found the database busy."""

from __future__ import annotations

import logging

from django.shortcuts import render

from .db import is_lock_timeout

logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 5


class DatabaseBusyMiddleware:
    """A request that waited `lock_timeout` for a row lock (another transaction stalled while
    holding it) gets a polite "busy, please try again" page with 503 and Retry-After, not a 500.

    The booking services turn the same error into their own `Busy` refusal with alternatives;
    this catches every other place (admin actions and the like).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not is_lock_timeout(exception):
            return None
        logger.warning("Gave up waiting for a row lock on %s %s", request.method, request.path)
        response = render(request, "busy.html", status=503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
