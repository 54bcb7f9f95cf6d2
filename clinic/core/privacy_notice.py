"""The privacy notice, written from the real settings rather than kept by hand.

The controller's details come from `ClinicSettings` (edited in admin), what is kept and why from
the personal-data registry (each category's `holds`, `purpose`, `lawful_basis`), every retention
period from the registered rules as configured, and the processors from the SMS backend and the
admin settings. Its version is a short hash of the notice's text: any change to what it says
(a setting, a new category) gives a new version, which each consent record stores
(`current_version()`).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from django.conf import settings
from django.core.signals import setting_changed
from django.template.loader import render_to_string

from .models import ClinicSettings
from .personal_data import categories, retention_rules
from .versions import CLINIC, current


@dataclass(frozen=True)
class Processor:
    """Someone who handles personal data for the clinic, on its instructions."""

    who: str
    does: str
    where: str = ""  # outside the UK, or where the manager's description does not say
    transfer: str = ""  # how data leaving the UK is protected


def _sms_processor() -> Processor:
    if settings.SMS_BACKEND.endswith("TwilioBackend"):
        return Processor(
            who="Twilio (Twilio Ireland Limited, and Twilio Inc. in the USA)",
            does="sends our text messages: it receives your mobile number and the wording of each text",
            where="the United States and elsewhere",
            transfer=(
                "Your number and our texts are transferred to the USA. The transfer is protected by the UK's "
                "data bridge with the USA (the UK Extension to the EU-US Data Privacy Framework, under which "
                "Twilio Inc. is certified) and by Twilio's data protection addendum, which includes the UK "
                "International Data Transfer Addendum."
            ),
        )
    return Processor(who="our SMS provider", does="sends our text messages: it receives your number and each text")


def processors(clinic: ClinicSettings) -> list[Processor]:
    return [
        _sms_processor(),
        Processor(
            who=clinic.hosting_provider or "the company that hosts our booking system",
            does="stores the booking system's database and runs it",
        ),
        Processor(
            who=clinic.email_provider or "our email provider",
            does="carries the emails we send (to you, if you give an email address, and to our reception)",
        ),
    ]


def context() -> dict:
    clinic = ClinicSettings.load()
    return {
        "clinic": clinic,
        "contact_email": clinic.privacy_contact or clinic.email,
        "categories": [c for c in categories() if c.holds],
        "retention": [rule.notice() for rule in retention_rules()],
        "processors": processors(clinic),
        "sms_days": settings.SMS_BODY_RETENTION_DAYS,
        "patient_years": settings.PATIENT_RETENTION_YEARS,
        "callback_days": settings.CALLBACK_RETENTION_DAYS,
    }


# This process's rendering of the notice, by the clinic settings' version (`clinic.core.versions`).
_rendered: dict[str, tuple[str, str]] = {}


def _forget_rendering(**kwargs) -> None:
    _rendered.clear()


# Settings change only under tests (override_settings), which must then see the new notice.
setting_changed.connect(_forget_rendering, dispatch_uid="clinic.core.privacy_notice")


def render_notice() -> tuple[str, str]:
    """The notice's HTML (the page's article) and its version.

    Every booking stores the version with its consents, and rendering the notice was a tenth of
    a booking's time, so each process keeps its rendering for as long as the clinic settings
    keep their version. Everything else the notice is written from (settings, the registry, the
    template) is fixed for the life of a process; that is also why the copy is not shared
    through Redis, where another host's settings or another release's registry could have
    written it."""
    versions = current([CLINIC])
    key = versions[CLINIC] if versions else None
    if key is not None and key in _rendered:
        return _rendered[key]
    html = render_to_string("privacy/notice.html", context())
    rendered = html, hashlib.sha256(html.encode()).hexdigest()[:12]
    if key is not None:
        _rendered.clear()  # an older version's is never asked for again
        _rendered[key] = rendered
    return rendered


def current_version() -> str:
    """The version of the notice as it reads now, to store with a consent record."""
    return render_notice()[1]
