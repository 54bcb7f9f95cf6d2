"""Two-factor sign-in in tests: a test client whose `force_login` leaves the session verified by
an authenticator app (as a real sign-in with a code does), and the current code of a device.

`force_login` skips the password; this makes it skip the second factor the same way, so admin
tests keep testing their own pages. Two-factor itself is tested through the real login form
(tests/clinic/core/test_two_factor.py); `force_login(user, verified=False)` gives a session
that has passed the password only.
"""

from __future__ import annotations

from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from clinic.core.management.commands.demo_code import current_code
from clinic.core.two_factor import requires_two_factor

__all__ = ["VerifiedClient", "current_code", "device_for"]


def device_for(user) -> TOTPDevice:
    """The user's confirmed authenticator app, set up now if they have none."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    return device or TOTPDevice.objects.create(user=user, name="Test phone", confirmed=True)


class VerifiedClient(Client):
    def force_login(self, user, backend=None, *, verified: bool | None = None):
        """Sign `user` in; `verified` (by default: if their role needs it) adds the second factor.
        Reception is left without a device, as most are (and their pages' query counts stay true)."""
        super().force_login(user, backend)
        if verified is None:
            verified = requires_two_factor(user)
        if verified:
            session = self.session
            session[DEVICE_ID_SESSION_KEY] = device_for(user).persistent_id
            session.save()
