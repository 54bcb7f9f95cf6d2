"""The health answers and consent records, for the personal-data registry (`clinic.core.personal_data`).

Answer sets are special-category health data: exported in the wording the patient answered, and
deleted on erasure (with the consent records about them). The other consent records (privacy
notice, cancellation policy, callback contact) name no one but the patient row, which erasure
makes neutral; they stay as evidence of what was agreed and when. Both follow the patient's
retention: erasing an inactive patient (`bookings.patients`) runs these erasures too.
"""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.db import models

from clinic.core.personal_data import Category, Subject

from ..consents import ConsentRecord
from ..models import AnswerSet
from ..personal_data import LAWFUL_BASIS_HEALTH


def _answer_sets(subject: Subject) -> models.QuerySet:
    if subject.patient_id is None:
        return AnswerSet.objects.none()
    return AnswerSet.objects.filter(patient_id=subject.patient_id)


def _consents(subject: Subject) -> models.QuerySet:
    if subject.patient_id is None:
        return ConsentRecord.objects.none()
    return ConsentRecord.objects.filter(patient_id=subject.patient_id)


def _export_answers(subject: Subject) -> list[dict]:
    answer_sets = _answer_sets(subject).select_related("version", "appointment").order_by("created_at", "pk")
    return [
        {
            "answered": answer_set.created_at,
            "where": answer_set.get_role_display(),
            "appointment": answer_set.appointment.reference if answer_set.appointment else "",
            "questions version": answer_set.version.number,
            "answers": [
                {"question": row["text"], "answer": "Yes" if row["yes"] else "No", "details": row["detail"]}
                for row in answer_set.rows()
            ],
        }
        for answer_set in answer_sets
    ]


def _erase_answers(subject: Subject) -> int:
    """Delete the answers, and the consents that were about them (nothing left to consent to)."""
    ids = list(_answer_sets(subject).values_list("pk", flat=True))
    ConsentRecord.objects.filter(about_type=ContentType.objects.get_for_model(AnswerSet), about_id__in=ids).delete()
    deleted, _ = AnswerSet.objects.filter(pk__in=ids).delete()
    return deleted


def _preview_answers(subject: Subject) -> str:
    count = _answer_sets(subject).count()
    if not count:
        return ""
    return f"{count} set{'s' if count != 1 else ''} of answers to the health questions deleted, with their consent."


HEALTH_ANSWERS = Category(
    key="bookings.health_answers",
    title="Health questions",
    order=25,
    holds="Your answers to our health questions before treatment, with any details you typed, the version of "
    "the questions you answered, and where you answered them.",
    purpose="To treat you safely: some answers mean a therapist talks to you first or adapts the treatment.",
    lawful_basis=LAWFUL_BASIS_HEALTH,
    objects=_answer_sets,
    export=_export_answers,
    erase=_erase_answers,
    preview=_preview_answers,
)


def _export_consents(subject: Subject) -> list[dict]:
    return [
        {
            "given": record.given_at,
            "agreed to": record.get_purpose_display(),
            "wording": record.wording,
            "wording version": record.wording_version,
            "privacy notice version": record.privacy_notice_version,
        }
        for record in _consents(subject).order_by("given_at", "pk")
    ]


CONSENTS = Category(
    key="bookings.consents",
    title="What you agreed to",
    order=27,
    holds="Each time you ticked a box to agree (health questions, privacy notice, cancellation policy, a "
    "callback): what it said, which version of the words, and when.",
    purpose="To show what you agreed to and when.",
    lawful_basis="Legal obligation: a record of consent (UK GDPR article 7(1)).",
    objects=_consents,
    export=_export_consents,
    # They name no one but the patient row, which erasure makes neutral; consents about deleted
    # health answers go with them (see `_erase_answers`).
    erase=lambda subject: 0,
    preview=lambda subject: "",
)
