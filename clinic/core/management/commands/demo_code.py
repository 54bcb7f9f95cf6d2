"""The current sign-in code of a demo login's authenticator app: the demo's stand-in for a phone.

Allowed only where the settings say so (`DEMO_TWO_FACTOR_CODES`, on in `clinic.settings.dev`
only): anywhere else it refuses before it reads anything, so it is no way round the second factor.
"""

import time

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice


def current_code(device: TOTPDevice) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time()
    return f"{totp.token():0{device.digits}d}"  # token() is an int: keep leading zeros


class Command(BaseCommand):
    help = "Print the current authenticator code of a demo staff login (development settings only)."

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, *args, username, **options):
        if not getattr(settings, "DEMO_TWO_FACTOR_CODES", False):
            raise CommandError("Demo codes are only available with the development settings (clinic.settings.dev).")
        user = get_user_model().objects.filter(username=username).first()
        device = TOTPDevice.objects.filter(user=user, confirmed=True).first() if user else None
        if device is None:
            raise CommandError(f"{username} has no authenticator app set up.")
        self.stdout.write(current_code(device))
