"""Recording consent ticks (the booking form, the health questions, the callback form)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from clinic.core.privacy_notice import current_version

from ..consents import WORDINGS, ConsentRecord


def record_consents(*, purposes: Iterable[str], about, patient=None, at: datetime | None = None) -> list[ConsentRecord]:
    """Store one `ConsentRecord` per purpose ticked, with the wording shown and its version, and
    the privacy notice's version in force.

    `about` is what the consent was given for (an answer set, an appointment, a callback request);
    call it inside the transaction that writes `about`, so a consent exists exactly when its
    subject does. Raises KeyError for a purpose with no wording (a programming error).
    """
    return ConsentRecord.objects.bulk_create(consent_records(purposes=purposes, about=about, patient=patient, at=at))


def consent_records(*, purposes: Iterable[str], about, patient=None, at: datetime | None = None) -> list[ConsentRecord]:
    """The records `record_consents` stores, unsaved: a writer giving consents about several
    things at once (a booking: its answers and itself) stores them in one INSERT."""
    given_at = at or timezone.now()
    about_type = ContentType.objects.get_for_model(about)
    notice_version = current_version()
    records = [
        ConsentRecord(
            purpose=purpose,
            wording_version=WORDINGS[purpose].version,
            wording=WORDINGS[purpose].text,
            privacy_notice_version=notice_version,
            given_at=given_at,
            patient=patient,
            about_type=about_type,
            about_id=about.pk,
        )
        for purpose in dict.fromkeys(purposes)
    ]
    return records
