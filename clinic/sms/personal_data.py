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
from .models import IncomingText, Message, TextConsent

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


# --- texts patients send us, and who opted out -----------------------------------------------------


def incoming_of(subject: Subject) -> models.QuerySet:
    """Texts from one of the subject's numbers, or matched to any of their objects (the patient)."""
    condition = Q(sender__in=subject.phones) if subject.phones else Q(pk__in=[])
    for model, pks in by_content_type(subject.objects).items():
        condition |= Q(contact_type=ContentType.objects.get_for_model(model), contact_id__in=pks)
    return IncomingText.objects.filter(condition)


def consents_of(subject: Subject) -> models.QuerySet:
    return TextConsent.objects.filter(phone__in=subject.phones)


def _incoming_objects(subject: Subject) -> list[models.Model]:
    # Before the registry resolves the subject only the numbers are known; that finds them all.
    return [*IncomingText.objects.filter(sender__in=subject.phones), *consents_of(subject)]


def _export_incoming(subject: Subject) -> list[dict]:
    texts = [
        {
            "received": text.received_at,
            "from": str(text.sender) if text.sender else "",
            "text": text.body or "(removed after the retention period)",
            "what it did": text.action,
        }
        for text in incoming_of(subject).order_by("received_at", "pk")
    ]
    consents = [
        {"when": c.at, "number": str(c.phone), "choice": "opted out" if c.opted_out else "opted back in", "how": c.how}
        for c in consents_of(subject).order_by("at", "pk")
    ]
    if not texts and not consents:
        return []
    return [{"texts received": texts, "reminders and offers: opted out or back in": consents}]


def _erase_incoming(subject: Subject) -> int:
    """The texts lose their number and wording; the opt-out records go with the number (an erased
    patient's number is kept nowhere, so nothing could text it)."""
    consents_of(subject).delete()
    return incoming_of(subject).update(sender="", to="", body="", detail="")


def _preview_incoming(subject: Subject) -> str:
    texts, consents = incoming_of(subject).count(), consents_of(subject).count()
    if not texts and not consents:
        return ""
    return (
        f"{texts} text{'s' if texts != 1 else ''} received: number and wording removed; "
        f"{consents} opt-out record{'s' if consents != 1 else ''} deleted."
    )


def _old_incoming(now: datetime) -> models.QuerySet:
    cutoff = now - timedelta(days=settings.SMS_BODY_RETENTION_DAYS)
    return IncomingText.objects.filter(received_at__lt=cutoff).exclude(body="", detail="")


INCOMING = Category(
    key="sms.incoming",
    title="Texts you send us",
    order=81,
    holds="The texts you send to the clinic's number (such as Y, C or STOP), what we did with them, "
    "and when you opted out of reminders and offers or back in.",
    purpose="To confirm or cancel appointments as you ask, pass your messages to reception, "
    "and never send reminders or offers to a number that opted out.",
    lawful_basis="Contract: acting on your answers about your appointments; legal obligation and legitimate "
    "interests: respecting your opt-out.",
    objects=_incoming_objects,
    export=_export_incoming,
    erase=_erase_incoming,
    preview=_preview_incoming,
    shared_with=("sms",),
    retention=(
        Retention(
            key="sms.incoming_bodies",
            action="texts received: wording removed",
            notice=lambda: (
                f"the wording of texts you send us is removed {settings.SMS_BODY_RETENTION_DAYS} days "
                "after we receive them"
            ),
            candidates=_old_incoming,
            apply=lambda rows, now: Applied(rows.update(body="", detail="")),
        ),
    ),
)
