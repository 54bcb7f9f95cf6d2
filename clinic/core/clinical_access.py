"""The record of who looked at which patient's clinical note or screening answers.

Health data is special-category data: the clinic must be able to say who saw it. The pages that
show a note or screening answers call `record_clinical_view`; managers read the records in admin
(Clinic → Clinical record accesses), and a patient's subject access export lists them.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone

from .models import ClinicalAccess
from .personal_data import Applied, Category, Retention, Subject


def record_clinical_view(
    *, user, patient_ids: Iterable[int], what: str, where: str = "", unless_within: timedelta | None = None
) -> int:
    """Record that `user` was shown `what` ("clinical note", "screening answers") of each patient
    in `patient_ids` (one row per patient, however many of their appointments were on the page).

    With `unless_within`, a patient this user was shown the same `what` at the same `where`
    less than that long ago is not recorded again: a diary left open redraws itself (live updates,
    a reload every few minutes) and each redraw is the same look. Returns how many rows were written.
    """
    ids = {pk for pk in patient_ids if pk is not None}
    if ids and unless_within is not None:
        recent = ClinicalAccess.objects.filter(
            by=user, what=what[:60], where=where[:120], at__gte=timezone.now() - unless_within, patient_id__in=ids
        )
        ids -= set(recent.values_list("patient_id", flat=True))
    ids = sorted(ids)
    ClinicalAccess.objects.bulk_create(
        ClinicalAccess(by=user, by_username=user.get_username(), patient_id=pk, what=what[:60], where=where[:120])
        for pk in ids
    )
    return len(ids)


def _export(subject: Subject) -> list[dict]:
    return [
        {"when": access.at, "staff": access.by_username, "what": access.what, "where": access.where}
        for access in ClinicalAccess.objects.filter(patient_id=subject.patient_id).order_by("at")
    ]


def _older_than_patient_retention(now: datetime) -> models.QuerySet:
    cutoff = now - timedelta(days=365 * settings.PATIENT_RETENTION_YEARS)
    return ClinicalAccess.objects.filter(at__lt=cutoff)


def _delete(rows: models.QuerySet, now: datetime) -> Applied:
    deleted, _ = rows.delete()
    return Applied(deleted)


CATEGORY = Category(
    key="core.clinical_access",
    title="Who viewed your clinical information",
    order=85,
    holds="When a member of staff viewed your note or screening answers, and who.",
    purpose="To protect your health information: we can show who has seen it.",
    lawful_basis="Legal obligation and legitimate interests: the security of health records.",
    export=_export,
    # The records name staff and a record number only; they stay as evidence of access.
    erase=lambda subject: 0,
    preview=lambda subject: "",
    retention=(
        Retention(
            key="core.clinical_access",
            action="clinical record accesses deleted",
            notice=lambda: (
                f"records of who viewed your clinical information are deleted {settings.PATIENT_RETENTION_YEARS} "
                "years after each view"
            ),
            candidates=_older_than_patient_retention,
            apply=_delete,
            deletes=True,
        ),
    ),
)
