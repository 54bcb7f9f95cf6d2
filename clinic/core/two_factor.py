"""Two-factor sign-in for staff: a password and a code from an authenticator app (TOTP).

django-otp's `OTPAdminSite` requires a verified device of everyone; the clinic requires it of
those who can see health data or run the clinic (the clinical-notes permission, the Manager role,
superusers) and leaves it optional for reception. Someone who needs it and has no device yet is
sent, after their password, to a page that sets one up (scan a QR code, type a code) and signs
them in with it. django-two-factor-auth cannot be installed beside our phonenumber-field pin
(../shared/recipes-2.md §2), hence this small layer.
"""

from __future__ import annotations

import base64
from urllib.parse import urlencode

import qrcode
import qrcode.image.svg
from django import forms
from django.contrib.admin import AdminSite
from django.http import HttpResponseRedirect
from django.shortcuts import resolve_url
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django_otp import devices_for_user
from django_otp import login as otp_login
from django_otp.admin import OTPAdminAuthenticationForm, OTPAdminSite
from django_otp.plugins.otp_totp.models import TOTPDevice

from .roles import CLINICAL_NOTES_PERMISSION

# Managing staff accounts is what only managers do; its permission stands for "manager rights".
MANAGER_PERMISSION = "auth.change_user"


def requires_two_factor(user) -> bool:
    """Staff who can see patients' health data or run the clinic (the Manager role, superusers,
    anyone who may manage staff accounts) must use a second factor. Read from the user's cached
    permissions: no query per page."""
    return bool(user.is_superuser or user.has_perm(CLINICAL_NOTES_PERMISSION) or user.has_perm(MANAGER_PERMISSION))


def has_device(user) -> bool:
    return any(True for _ in devices_for_user(user, confirmed=True))


class ClinicLoginForm(OTPAdminAuthenticationForm):
    """Password, then the code from the user's authenticator app if they have one set up.

    Stock django-otp insists on a device choice and on a code for everyone; here a user with one
    device needs no choice, and one with no device signs in with the password alone (the site
    then lets them in only if their role does not need two factors, or sends them to set it up).
    """

    otp_token = forms.CharField(
        label="Code from your authenticator app",
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )

    def clean_otp(self, user):
        if user is None:
            return
        devices = list(devices_for_user(user, confirmed=True))
        if not devices:
            return
        if not self.cleaned_data.get("otp_device") and len(devices) == 1:
            self.cleaned_data["otp_device"] = devices[0].persistent_id
        super().clean_otp(user)

    @property
    def needs_device_choice(self) -> bool:
        user = self.get_user()
        return user is not None and len(list(devices_for_user(user, confirmed=True))) > 1


class SetupForm(forms.Form):
    token = forms.CharField(
        label="The 6-digit code your app shows now",
        max_length=8,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}),
    )

    def __init__(self, *args, device: TOTPDevice, **kwargs):
        super().__init__(*args, **kwargs)
        self.device = device

    def clean_token(self):
        token = "".join(self.cleaned_data["token"].split())
        if not self.device.verify_token(token):
            raise forms.ValidationError(
                "That code did not match. Check the app shows this clinic's account, wait for a new code and "
                "type it in."
            )
        return token


def _qr_code(url: str) -> str:
    """The otpauth:// URL as an SVG QR code in a data: URL (the CSP allows images from data:)."""
    svg = qrcode.make(url, image_factory=qrcode.image.svg.SvgPathFillImage, box_size=8, border=2).to_string()
    return "data:image/svg+xml;base64," + base64.b64encode(svg).decode()


def _grouped(secret: str) -> str:
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


class ClinicAdminSite(OTPAdminSite):
    """The admin, with two factors required by role (see the module docstring)."""

    login_form = ClinicLoginForm
    login_template = "admin/clinic_login.html"

    def __init__(self, name="admin"):  # OTPAdminSite's default name is "otpadmin"
        super().__init__(name)

    def has_permission(self, request):
        if not AdminSite.has_permission(self, request):
            return False
        return request.user.is_verified() or not requires_two_factor(request.user)

    def login(self, request, extra_context=None):
        user = request.user
        if (
            request.method == "GET"
            and user.is_authenticated
            and user.is_active
            and user.is_staff
            and requires_two_factor(user)
            and not user.is_verified()
            and not has_device(user)
        ):
            query = urlencode({"next": request.GET.get("next", "")}) if request.GET.get("next") else ""
            return HttpResponseRedirect(reverse("admin:two_factor_setup") + (f"?{query}" if query else ""))
        return super().login(request, extra_context)

    def get_urls(self):
        return [path("two-factor/", self.two_factor_setup, name="two_factor_setup"), *super().get_urls()]

    @method_decorator(never_cache)
    def two_factor_setup(self, request):
        """Set up an authenticator app: show its secret as a QR code, confirm with a code, and
        sign in with it. For any signed-in member of staff who has no device yet."""
        user = request.user
        if not (user.is_authenticated and user.is_active and user.is_staff):
            return HttpResponseRedirect(f"{reverse('admin:login')}?{urlencode({'next': request.get_full_path()})}")
        next_url = request.POST.get("next") or request.GET.get("next") or ""
        if not url_has_allowed_host_and_scheme(next_url, {request.get_host()}, request.is_secure()):
            next_url = ""
        context = {**self.each_context(request), "title": "Set up two-factor sign-in", "next": next_url}
        if has_device(user):
            context["already"] = True
            return TemplateResponse(request, "admin/two_factor_setup.html", context)
        device, _ = TOTPDevice.objects.get_or_create(user=user, confirmed=False, defaults={"name": "Authenticator app"})
        form = SetupForm(request.POST or None, device=device)
        if request.method == "POST" and form.is_valid():
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            otp_login(request, device)
            return HttpResponseRedirect(next_url or resolve_url("admin:index"))
        secret = base64.b32encode(device.bin_key).decode()
        context.update(
            form=form,
            secret=_grouped(secret),
            qr_code=_qr_code(device.config_url),
            required=requires_two_factor(user),
        )
        return TemplateResponse(request, "admin/two_factor_setup.html", context)
