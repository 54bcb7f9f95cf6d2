"""The SMS log as personal data: each text holds a phone number and wording about a patient.

A follower in the registry (`clinic.core.personal_data`): the texts of a subject are those about
any of the subject's objects (appointments, callback requests, ...) or sent to their number, so
this module needs no domain model. Retention removes each text's wording some days after it was
sent (`SMS_BODY_RETENTION_DAYS`, 30 by default) and keeps the row for delivery figures.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.db.models.functions import Coalesce
from django.utils import timezone

from clinic.core.personal_data import Applied, Category, Retention, Subject, by_content_type

from . import kinds
from .models import Message

FINISHED = [s for s in Message.Status.values if s not in (Message.Status.PENDING, Message.Status.SENDING)]


def texts_of(subject: Subject) -> models.QuerySet:
    """Texts about any of the subject's objects, or to one of their numbers."""
    condition = Q(to__in=subject.phones) if subject.phones else Q(pk__in=[])
    for model, pks in by_content_type(subject.objects).items():
        condition |= Q(about_type=ContentType.objects.get_for_model(model), about_id__in=pks)
    return Message.objects.filter(condition)


def _export(subject: Subject) -> list[dict]:
    return [
        {
            "kind": kinds.label(message.kind),
            "to": str(message.to) if message.to else "",
            "text": message.body if message.redacted_at is None else "(removed after the retention period)",
            "status": message.get_status_display(),
            "written": message.created_at,
            "sent": message.sent_at,
        }
        for message in texts_of(subject).order_by("created_at", "pk")
    ]


def _erase(subject: Subject) -> int:
    texts = texts_of(subject)
    now = timezone.now()
    # Texts to reception about the patient keep reception's number; the patient's own go blank.
    texts.filter(to__in=subject.phones).update(to="")
    return texts.update(body="", error_message="", redacted_at=now, updated_at=now)


def _preview(subject: Subject) -> str:
    count = texts_of(subject).count()
    if not count:
        return ""
    return (
        f"{count} text message{'s' if count != 1 else ''}: number and wording removed "
        "(kept as counts of texts sent and delivered)."
    )


def _old_bodies(now: datetime) -> models.QuerySet:
    cutoff = now - timedelta(days=settings.SMS_BODY_RETENTION_DAYS)
    return (
        Message.objects.filter(status__in=FINISHED, redacted_at__isnull=True)
        .alias(finished_at=Coalesce("sent_at", "updated_at"))
        .filter(finished_at__lt=cutoff)
    )


def _redact(rows: models.QuerySet, now: datetime) -> Applied:
    """Remove the wording (and any provider error text, which can quote the number)."""
    changed = rows.update(body="", error_message="", redacted_at=now, updated_at=now)
    return Applied(changed)


CATEGORY = Category(
    key="sms.messages",
    title="Text messages",
    order=80,
    holds="The texts we send you (confirmations, reminders, changes) and their delivery status.",
    purpose="To confirm and remind you of appointments and tell you about changes.",
    lawful_basis="Contract: texts about the appointments you book; legitimate interests for reminders.",
    export=_export,
    erase=_erase,
    preview=_preview,
    shared_with=("sms",),
    retention=(
        Retention(
            key="sms.bodies",
            action="text messages: wording removed",
            notice=lambda: (
                f"the wording of each text is removed {settings.SMS_BODY_RETENTION_DAYS} days after it is sent; "
                "the record that a text was sent stays with the appointment"
            ),
            candidates=_old_bodies,
            apply=_redact,
        ),
    ),
)
