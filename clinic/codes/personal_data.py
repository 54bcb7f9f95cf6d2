"""Texted codes as personal data (`clinic.core.personal_data`): each row names a phone number.

The codes are worthless minutes after they are asked for, so erasure deletes a subject's rows
(with the texts that carried them) and retention is the app's own purge after
`PHONE_CODE_RETENTION_HOURS` (hourly from beat; the nightly retention job runs it too).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import models

from clinic.core.personal_data import Applied, Category, Retention, Subject

from .models import PhoneCode
from .services import purge_old_codes


def codes_of(subject: Subject) -> models.QuerySet:
    return PhoneCode.objects.filter(phone__in=subject.phones)


def _export(subject: Subject) -> list[dict]:
    return [
        {"asked at": code.created_at, "for": code.purpose, "status": code.get_status_display(), "used": code.used_at}
        for code in codes_of(subject).order_by("created_at")
    ]


def _erase(subject: Subject) -> int:
    deleted, by_model = codes_of(subject).delete()
    return by_model.get(PhoneCode._meta.label, 0)


def _preview(subject: Subject) -> str:
    count = codes_of(subject).count()
    return f"{count} texted code{'s' if count != 1 else ''}: deleted." if count else ""


def _expired(now: datetime) -> models.QuerySet:
    return PhoneCode.objects.filter(created_at__lt=now - timedelta(hours=settings.PHONE_CODE_RETENTION_HOURS))


CATEGORY = Category(
    key="codes.phone_codes",
    title="Texted sign-in codes",
    order=50,
    holds="When you asked for a code to be texted to your number, and whether it was used (never the code).",
    purpose="To check that you hold the number before showing your bookings, and to limit abuse.",
    lawful_basis="Legitimate interests: keeping your bookings safe from others.",
    objects=codes_of,
    export=_export,
    erase=_erase,
    preview=_preview,
    shared_with=("sms",),
    retention=(
        Retention(
            key="codes.phone_codes",
            action="texted codes deleted",
            notice=lambda: f"records of texted codes are deleted after {settings.PHONE_CODE_RETENTION_HOURS} hours",
            candidates=_expired,
            apply=lambda rows, now: Applied(purge_old_codes(now=now)),
            deletes=True,
        ),
    ),
)
