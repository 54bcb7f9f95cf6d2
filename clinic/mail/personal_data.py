"""The email log as personal data: each email holds an address and wording about a patient.

A follower in the registry (`clinic.core.personal_data`), like the SMS log: the emails of a
subject are those about any of the subject's objects (appointments, ...) or sent to one of their
addresses, so this module needs no domain model. Retention removes each email's wording and
attachments some days after it was sent (`EMAIL_BODY_RETENTION_DAYS`, 30 by default) and keeps the
row, so staff can still see that an email went.
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

from .models import Email

FINISHED = [Email.Status.SENT, Email.Status.FAILED, Email.Status.UNKNOWN]
REMOVED = "(removed after the retention period)"


def emails_of(subject: Subject) -> models.QuerySet:
    """Emails about any of the subject's objects, or to one of their addresses."""
    addresses = [address for address in subject.emails if address]
    condition = Q(to__in=addresses) if addresses else Q(pk__in=[])
    for model, pks in by_content_type(subject.objects).items():
        condition |= Q(about_type=ContentType.objects.get_for_model(model), about_id__in=pks)
    return Email.objects.filter(condition)


def _export(subject: Subject) -> list[dict]:
    return [
        {
            "kind": email.kind_label,
            "to": email.to,
            "subject": email.subject if email.redacted_at is None else REMOVED,
            "text": email.text_body if email.redacted_at is None else REMOVED,
            "attachments": [attachment["name"] for attachment in email.attachments],
            "status": email.get_status_display(),
            "written": email.created_at,
            "sent": email.sent_at,
        }
        for email in emails_of(subject).order_by("created_at", "pk")
    ]


def _wording_removed(now: datetime) -> dict:
    return {
        "subject": "",
        "text_body": "",
        "html_body": "",
        "attachments": [],
        "error_message": "",
        "redacted_at": now,
        "updated_at": now,
    }


def _erase(subject: Subject) -> int:
    """The address and the wording go; the row stays as a count of emails sent. An email still
    queued never goes: it is left with no address, which the sender refuses (see services)."""
    return emails_of(subject).update(to="", **_wording_removed(timezone.now()))


def _preview(subject: Subject) -> str:
    count = emails_of(subject).count()
    if not count:
        return ""
    return f"{count} email{'s' if count != 1 else ''}: address, wording and attachments removed."


def _old_bodies(now: datetime) -> models.QuerySet:
    cutoff = now - timedelta(days=settings.EMAIL_BODY_RETENTION_DAYS)
    return (
        Email.objects.filter(status__in=FINISHED, redacted_at__isnull=True)
        .alias(finished_at=Coalesce("sent_at", "updated_at"))
        .filter(finished_at__lt=cutoff)
    )


CATEGORY = Category(
    key="mail.emails",
    title="Emails",
    order=82,
    holds="The emails we send you if you give an email address (confirmations, changes, cancellations, with "
    "a calendar invitation) and whether they were sent.",
    purpose="To confirm your appointments and keep your calendar right when they change.",
    lawful_basis="Contract: emails about the appointments you book.",
    export=_export,
    erase=_erase,
    preview=_preview,
    shared_with=("email",),
    retention=(
        Retention(
            key="mail.bodies",
            action="emails: wording and attachments removed",
            notice=lambda: (
                f"the wording of each email is removed {settings.EMAIL_BODY_RETENTION_DAYS} days after it is sent; "
                "the record that an email was sent stays with the appointment"
            ),
            candidates=_old_bodies,
            apply=lambda rows, now: Applied(rows.update(**_wording_removed(now))),
        ),
    ),
)
