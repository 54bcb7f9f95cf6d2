"""What callbacks holds about a patient, for the personal-data registry (`clinic.core.personal_data`).

A callback request belongs to a subject when it is linked to their patient record or was made
from their number. Erasure de-identifies requests and call notes (the rows stay, closed, for the
queue's figures); retention deletes closed requests `CALLBACK_RETENTION_DAYS` after closing, with
their call attempts and texts (`services.purge_closed_callbacks` does the same from its command).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from clinic.core.personal_data import NEUTRAL_NAME, Category, Retention, Subject

from .models import CallAttempt, CallbackRequest
from .services import closed_before, delete_requests


def requests_of(subject: Subject) -> models.QuerySet:
    condition = Q(patient_id=subject.patient_id) if subject.patient_id else Q(pk__in=[])
    if subject.phones:
        condition |= Q(phone__in=subject.phones)
    return CallbackRequest.objects.filter(condition)


def _objects(subject: Subject) -> list[models.Model]:
    requests = list(requests_of(subject))
    return [*requests, *CallAttempt.objects.filter(request__in=requests)]


def _export(subject: Subject) -> list[dict]:
    return [
        {
            "asked at": req.created_at,
            "name given": req.name,
            "phone": req.phone.as_e164 if req.phone else "",
            "when to call": req.preferred_time_display,
            "about": req.get_reason_display(),
            "message": req.message,
            "clinical review": req.clinical_review,
            "wanted to book": req.wanted_display,
            "status": req.get_status_display(),
            "closed": req.closed_at,
            "calls": [
                {"when": attempt.at, "outcome": attempt.get_outcome_display(), "note": attempt.note}
                for attempt in req.attempts.all()
            ],
        }
        for req in requests_of(subject).prefetch_related("attempts").order_by("created_at")
    ]


def _erase(subject: Subject) -> int:
    """Neutral name, no number or message, closed; the call notes go blank."""
    now = timezone.now()
    requests = requests_of(subject)
    ids = list(requests.values_list("pk", flat=True))
    CallAttempt.objects.filter(request_id__in=ids).update(note="")
    # Closing first keeps the one-open-request-per-number constraint out of the way: every erased
    # request has the same (empty) number.
    requests.filter(status__in=CallbackRequest.Status.open_statuses()).update(
        status=CallbackRequest.Status.CLOSED, closed_at=now
    )
    return CallbackRequest.objects.filter(pk__in=ids).update(
        name=NEUTRAL_NAME,
        phone="",
        message="",
        clinical_review=False,
        wanted_length=None,
        wanted_therapist=None,
        wanted_start=None,
        updated_at=now,
    )


def _preview(subject: Subject) -> str:
    requests = requests_of(subject)
    count = requests.count()
    if not count:
        return ""
    still_open = requests.open().count()
    attempts = CallAttempt.objects.filter(request__in=requests).count()
    text = (
        f"{count} callback request{'s' if count != 1 else ''} and {attempts} call note{'s' if attempts != 1 else ''}:"
        " name, number, message and notes removed"
    )
    return text + (f"; {still_open} still open will be closed." if still_open else ".")


def _closed_expired(now: datetime) -> models.QuerySet:
    return closed_before(now - timedelta(days=settings.CALLBACK_RETENTION_DAYS))


CATEGORY = Category(
    key="callbacks.requests",
    title="Callback requests",
    order=30,
    holds="Your name, number, when to call and what it is about, any message you leave, and notes of our calls.",
    purpose="To phone you back as you asked.",
    lawful_basis="Legitimate interests and steps before a contract: answering your request to be called.",
    objects=_objects,
    export=_export,
    erase=_erase,
    preview=_preview,
    retention=(
        Retention(
            key="callbacks.closed",
            action="closed callback requests deleted",
            notice=lambda: f"callback requests are deleted {settings.CALLBACK_RETENTION_DAYS} days after we close them",
            candidates=_closed_expired,
            apply=lambda rows, now: delete_requests(requests=rows),
            deletes=True,
        ),
    ),
)
