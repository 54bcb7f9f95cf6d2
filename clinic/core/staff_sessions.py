"""Staff sessions end after 30 minutes without activity and after 10 hours at most.

A staff login opens patients' records, so a browser left open at the front desk must not stay
signed in for the default two weeks. Patients' own sessions (the booking flow) are untouched.
"""

from __future__ import annotations

import time
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpResponseRedirect
from django.urls import NoReverseMatch, reverse

STARTED = "_staff_session_started"
SEEN = "_staff_session_seen"
# Writing the session on every request costs a database write per page; a minute is precise enough.
TOUCH_EVERY = 60


def start_staff_session(sender, request, user, **kwargs) -> None:
    """On `user_logged_in`: stamp the session's start, so the first admin page writes nothing."""
    if user.is_staff and request is not None and hasattr(request, "session"):
        _start(request.session, time.time())


def _start(session, now: float) -> None:
    session[STARTED] = session[SEEN] = now
    # The cookie and the stored session expire at the hard limit too.
    session.set_expiry(int(settings.STAFF_SESSION_MAX_HOURS * 3600))


class StaffSessionTimeoutMiddleware:
    """Signs staff out when idle in the admin for STAFF_SESSION_IDLE_MINUTES or signed in for
    longer than STAFF_SESSION_MAX_HOURS; the admin then asks them to sign in again."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        # Only the admin is staff work; public pages neither load the session for it nor count
        # as activity.
        prefix = self._admin_prefix()
        if prefix and request.path.startswith(prefix):
            user = getattr(request, "user", None)
            if user is not None and user.is_authenticated and user.is_staff:
                response = self._check(request)
                if response is not None:
                    return response
        return self.get_response(request)

    @staticmethod
    def _admin_prefix() -> str:
        try:
            return reverse("admin:index")
        except NoReverseMatch:  # a URLconf without the admin
            return ""

    def _check(self, request):
        now = time.time()
        session = request.session
        idle = settings.STAFF_SESSION_IDLE_MINUTES * 60
        longest = settings.STAFF_SESSION_MAX_HOURS * 3600
        started, seen = session.get(STARTED), session.get(SEEN)
        if started is None or seen is None:  # signed in before this existed
            _start(session, now)
            return None
        if now - seen <= idle and now - started <= longest:
            if now - seen >= TOUCH_EVERY:
                session[SEEN] = now
            return None
        reason = (
            f"after {settings.STAFF_SESSION_IDLE_MINUTES} minutes without activity"
            if now - seen > idle
            else f"after {settings.STAFF_SESSION_MAX_HOURS} hours"
        )
        logout(request)
        messages.info(request, f"You were signed out {reason}. Please sign in again.")
        return HttpResponseRedirect(f"{reverse('admin:login')}?{urlencode({'next': request.get_full_path()})}")
