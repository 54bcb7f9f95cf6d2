"""Services over the personal-data registry: subject access export, erasure, retention.

Each is recorded as a `PrivacyRecord` (who, when, how many rows) without personal data in it.
"""

from __future__ import annotations

import io
import json
import logging
import zipfile
from dataclasses import dataclass
from datetime import datetime

from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from . import admin_log
from .models import ClinicSettings, PrivacyRecord
from .personal_data import Retention, Subject, categories, plan_erasure, resolve, retention_rules

logger = logging.getLogger(__name__)


class PrivacyError(Exception):
    """A privacy request was refused; `message` is safe to show to staff."""

    def __init__(self, message: str):
        self.message = message
        super().__init__(message)


@dataclass(frozen=True)
class Export:
    filename: str
    content: bytes
    record: PrivacyRecord


class _ExportEncoder(DjangoJSONEncoder):
    """Dates and decimals as Django writes them; anything else (a phone number) as its text."""

    def default(self, o):
        try:
            return super().default(o)
        except TypeError:
            return str(o)


def _sections(subject: Subject) -> list[dict]:
    return [
        {"key": category.key, "title": category.title, "records": category.export(subject)} for category in categories()
    ]


def export_subject(*, subject: Subject, by_user=None) -> Export:
    """Everything the registry holds about `subject`, as a ZIP with a JSON file (machine-readable,
    for portability) and an HTML summary (for the patient to read). Side effect: a
    `PrivacyRecord` of kind export naming who made it and how many rows of each kind it holds."""
    subject = resolve(subject)
    now = timezone.now()
    sections = _sections(subject)
    clinic = ClinicSettings.load()
    document = {
        "generated_at": now,
        "controller": {"name": clinic.name, "address": clinic.address, "phone": str(clinic.phone)},
        "patient_record": subject.patient_id,
        "sections": sections,
    }
    data = json.dumps(document, cls=_ExportEncoder, indent=2, ensure_ascii=False)
    html = render_to_string("privacy/export.html", {"document": document, "clinic": clinic})
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("personal-data.json", data)
        archive.writestr("personal-data.html", html)
    record = PrivacyRecord.objects.create(
        kind=PrivacyRecord.Kind.EXPORT,
        by=by_user,
        patient_id=subject.patient_id,
        counts={s["key"]: len(s["records"]) for s in sections},
    )
    # The file name identifies the record by number only: downloads folders get shared.
    filename = f"patient-{subject.patient_id}-data-{timezone.localdate(now):%Y-%m-%d}.zip"
    return Export(filename=filename, content=buffer.getvalue(), record=record)


def erase_subject(*, subject: Subject, by_user=None) -> PrivacyRecord:
    """De-identify everything the registry holds about `subject`, in one transaction.

    Raises `PrivacyError` (and changes nothing) when a category refuses, e.g. while a future
    appointment is booked. Each category replaces names, numbers, emails and free text with
    neutral values; rows the clinic's figures need (appointments) stay, de-identified. Side
    effect: a `PrivacyRecord` of kind erasure with the number of rows changed per category.
    """
    with transaction.atomic():
        plan = plan_erasure(subject)
        if not plan.allowed:
            raise PrivacyError(" ".join(plan.refusals))
        counts = {}
        for category in categories():
            changed = category.erase(plan.subject)
            counts[category.key] = changed if isinstance(changed, int) else len(changed or ())
        return PrivacyRecord.objects.create(
            kind=PrivacyRecord.Kind.ERASURE, by=by_user, patient_id=subject.patient_id, counts=counts
        )


@dataclass(frozen=True)
class RetentionResult:
    rule: Retention
    count: int


def apply_retention(*, now: datetime | None = None, dry_run: bool = False) -> list[RetentionResult]:
    """Run every registered retention rule (or, with `dry_run`, count what each would change).

    Each rule runs in its own transaction, so one failing leaves the others done (and is
    logged). The admin log follows its objects: entries about deleted rows are deleted, entries
    about de-identified rows lose their text. Side effect (real run): a `PrivacyRecord` of kind
    retention with the counts.
    """
    now = now or timezone.now()
    results = []
    for rule in retention_rules():
        if dry_run:
            results.append(RetentionResult(rule, rule.candidates(now).count()))
            continue
        try:
            with transaction.atomic():
                applied = rule.apply(rule.candidates(now), now)
                (admin_log.forget if rule.deletes else admin_log.scrub)(applied.objects)
        except Exception:
            logger.exception("Retention rule %s failed; the others ran", rule.key)
            continue
        results.append(RetentionResult(rule, applied.count))
    if not dry_run:
        PrivacyRecord.objects.create(
            kind=PrivacyRecord.Kind.RETENTION, counts={result.rule.key: result.count for result in results}
        )
    return results
