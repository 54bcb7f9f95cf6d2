"""Every write of screening data: publishing question versions, recording answers with their
consent, setting the appointment's badge, and handing refer answers to reception.

Answers are only ever stored together with the patient's consent to their use (a
`ConsentRecord` about the answer set, written in the same transaction).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.apps import apps as global_apps
from django.db import IntegrityError, transaction
from django.utils import timezone

from clinic.core.versions import cached

from .. import notifications
from ..consents import ConsentRecord, Purpose
from ..models import AnswerSet, Appointment, Patient, QuestionnaireVersion, ScreeningQuestion, ScreeningStatus
from ..services.consents import consent_records
from ..services.errors import NeedsClinicalReview, ScreeningError
from . import referrals
from .models import QUESTIONNAIRE
from .questions import DEFAULT_QUESTIONS, FLAG, REFER, Answers, assess

# A refer answer given without booking is remembered this long for the same patient: the injury
# question asks about the last 6 weeks, so an online booking within that time is traced to it.
REFERRAL_MEMORY = timedelta(weeks=6)

STATUS_FOR_OUTCOME = {"clear": ScreeningStatus.CLEAR, FLAG: ScreeningStatus.FLAGGED, REFER: ScreeningStatus.REFERRAL}


# --- questions and versions ---------------------------------------------------------------------


def _snapshot(questions) -> list[dict]:
    return [q.snapshot() for q in questions if q.active]


def publish_questionnaire(*, by_user=None) -> QuestionnaireVersion:
    """Publish the active questions as a new version, unless the latest version already asks
    exactly them (then that one is returned). Answers name the version they answered, so old
    answers keep their wording after an edit."""
    with transaction.atomic():
        # Publishing is rare; locking the questions serialises two managers saving at once.
        questions = list(ScreeningQuestion.objects.select_for_update().order_by("order", "pk"))
        snapshot = _snapshot(questions)
        latest = QuestionnaireVersion.objects.latest_published()
        if latest is not None and latest.questions == snapshot:
            return latest
        number = (latest.number if latest else 0) + 1
        try:
            with transaction.atomic():
                return QuestionnaireVersion.objects.create(number=number, questions=snapshot, published_by=by_user)
        except IntegrityError:
            # Published at the same moment by another request (with no question rows to lock, as
            # on a new database): theirs is the same snapshot, so use it.
            return QuestionnaireVersion.objects.latest_published()


def save_question(*, question: ScreeningQuestion, by_user=None) -> QuestionnaireVersion:
    """Save a manager's new or edited question and publish the questionnaire it belongs to.
    Returns the version now asked."""
    with transaction.atomic():
        question.save()
        return publish_questionnaire(by_user=by_user)


def current_questionnaire() -> QuestionnaireVersion:
    """The version patients are asked now. Publishes one from the active questions if none has
    been published yet (a new database whose questions were added by hand). Read from the shared
    cache: publishing a version bumps its version key (`clinic.core.versions`)."""
    return cached("questionnaire-current", depends_on=[QUESTIONNAIRE], compute=_current_questionnaire_fresh)


def _current_questionnaire_fresh() -> QuestionnaireVersion:
    return QuestionnaireVersion.objects.latest_published() or publish_questionnaire()


def ensure_default_questions(*, apps=global_apps) -> None:
    """Add the default questions if there are none, and publish them (idempotent). The data
    migration calls this with its historical models; tests call it after a database flush."""
    question_model = apps.get_model("bookings", "ScreeningQuestion")
    version_model = apps.get_model("bookings", "QuestionnaireVersion")
    if not question_model.objects.exists():
        question_model.objects.bulk_create(
            question_model(order=10 * (i + 1), active=True, **q) for i, q in enumerate(DEFAULT_QUESTIONS)
        )
    questions = list(question_model.objects.filter(active=True).order_by("order", "pk"))
    snapshot = [{k: getattr(q, k) for k in ("key", "text", "help_text", "explanation", "outcome")} for q in questions]
    latest = version_model.objects.order_by("-number").first()
    if latest is None or latest.questions != snapshot:
        version_model.objects.create(number=(latest.number if latest else 0) + 1, questions=snapshot)


# --- answers ------------------------------------------------------------------------------------


def _version(number: int) -> QuestionnaireVersion:
    current = current_questionnaire()
    if current.number == number:  # nearly always: no query
        return current
    version = QuestionnaireVersion.objects.filter(number=number).first()
    if version is None:
        raise ScreeningError("Our health questions have changed. Please answer them again.")
    return version


def _store(*, answers: dict, version, role, appointment=None, patient=None, at=None, consents=None) -> AnswerSet:
    """One answer set with the consent to its use (the health-answers tick); the consent is added
    to `consents` instead of stored when a list is given (the caller stores them all at once)."""
    answer_set = AnswerSet.objects.create(
        version=version,
        answers=answers,
        outcome=assess(version.questions, answers).outcome,
        role=role,
        appointment=appointment,
        patient=patient,
    )
    if answers:  # no questions asked (all retired), so no health data and no consent to record
        records = consent_records(purposes=[Purpose.HEALTH_ANSWERS], about=answer_set, patient=patient, at=at)
        if consents is None:
            ConsentRecord.objects.bulk_create(records)
        else:
            consents.extend(records)
    return answer_set


def recent_referral(patient: Patient | None, *, now: datetime | None = None) -> AnswerSet | None:
    """This patient's latest refer answers given without booking, within `REFERRAL_MEMORY`."""
    if patient is None or patient.pk is None:
        return None
    since = (now or timezone.now()) - REFERRAL_MEMORY
    return (
        AnswerSet.objects.filter(
            patient=patient, role=AnswerSet.Role.REFERRAL, outcome=REFER, appointment=None, created_at__gte=since
        )
        .order_by("-created_at")
        .first()
    )


@dataclass(frozen=True)
class BookingScreening:
    """What an online booking's answers mean for it, worked out before the appointment is saved so
    that its first history row already carries the right badge."""

    answers: Answers
    version: QuestionnaireVersion
    status: str
    answers_changed: bool
    earlier_version: QuestionnaireVersion | None = None  # this browser's earlier refer answers
    referral: AnswerSet | None = None  # or the patient's recent clinical-review answers


def plan_booking_answers(*, answers: Answers, patient: Patient | None) -> BookingScreening:
    """Read-only: the badge an online booking with these answers gets, and the earlier answers it
    keeps. If this browser gave a refer answer earlier (`answers.earlier`), or the patient's phone
    asked for a clinical review within `REFERRAL_MEMORY` without booking, the booking is flagged
    "answers changed during booking": the patient may have mis-tapped, so it stands, but a
    therapist sees both sets before treating. Raises `NeedsClinicalReview` for a refer answer."""
    version = _version(answers.version_number)
    outcome = assess(version.questions, answers.answers).outcome
    if outcome == REFER:
        raise NeedsClinicalReview()
    earlier_version = referral = None
    if answers.earlier is not None:
        candidate = _version(answers.earlier.version_number)
        if assess(candidate.questions, answers.earlier.answers).outcome == REFER:
            earlier_version = candidate
    if earlier_version is None:
        referral = recent_referral(patient)
    changed = earlier_version is not None or referral is not None
    status = ScreeningStatus.FLAGGED if changed else STATUS_FOR_OUTCOME[outcome]
    return BookingScreening(answers, version, status, changed, earlier_version, referral)


def store_booking_answers(
    *, appointment: Appointment, plan: BookingScreening, consents: list | None = None
) -> AnswerSet:
    """Store the answers an online booking was made with (and the earlier ones it keeps), with the
    consents to their use: added to `consents` when given (`create_booking` stores them with its
    own in one INSERT), else stored here. Called by `create_booking` in its transaction, after
    the save."""
    patient = appointment.patient
    if plan.earlier_version is not None:
        _store(
            answers=plan.answers.earlier.answers,
            version=plan.earlier_version,
            role=AnswerSet.Role.EARLIER,
            appointment=appointment,
            patient=patient,
            consents=consents,
        )
    if plan.referral is not None:
        AnswerSet.objects.filter(pk=plan.referral.pk).update(appointment=appointment)
    return _store(
        answers=plan.answers.answers,
        version=plan.version,
        role=AnswerSet.Role.BOOKING,
        appointment=appointment,
        patient=patient,
        consents=consents,
    )


def record_link_answers(*, appointment: Appointment, answers: Answers) -> AnswerSet:
    """Store answers sent from the link in a reception booking's text, and act on them.

    The appointment stays booked whatever the answers: a refer answer sets the "referral" badge and
    creates a clinical-review queue item for reception instead. The pending screening reminder is
    cancelled. Answering again is allowed (the latest answers set the badge); going from a refer
    answer to none marks the answers as changed. Raises `ScreeningError` if the appointment is no
    longer booked or has started.
    """
    with transaction.atomic():
        appointment = Appointment.objects.select_for_update().select_related("patient").get(pk=appointment.pk)
        if appointment.status != Appointment.Status.BOOKED or appointment.start <= timezone.now():
            raise ScreeningError("This appointment is no longer booked, so we can't take answers for it here.")
        version = _version(answers.version_number)
        answer_set = _store(
            answers=answers.answers,
            version=version,
            role=AnswerSet.Role.LINK,
            appointment=appointment,
            patient=appointment.patient,
        )
        referred_before = appointment.answer_sets.filter(outcome=REFER).exclude(pk=answer_set.pk).exists()
        changed = referred_before and answer_set.outcome != REFER
        appointment.answers_changed = appointment.answers_changed or changed
        appointment.screening_status = STATUS_FOR_OUTCOME[answer_set.outcome]
        if changed:
            appointment.screening_status = ScreeningStatus.FLAGGED
        appointment.save(update_fields=["screening_status", "answers_changed", "updated_at"])
        notifications.screening_answered(appointment)
        if answer_set.outcome == REFER:
            referrals.send(
                referrals.Referral(
                    name=appointment.patient.name,
                    phone=appointment.patient.phone,
                    patient=appointment.patient,
                    answer_set=answer_set,
                    appointment=appointment,
                    length=appointment.length,
                    therapist=appointment.therapist,
                    start=appointment.start,
                )
            )
    return answer_set


def refer_for_clinical_review(
    *,
    name: str,
    phone,
    answers: Answers,
    length=None,
    therapist=None,
    start: datetime | None = None,
    consents: tuple[str, ...] = (),
) -> referrals.Receipt:
    """A patient whose answers need a therapist's call asks for it from the booking form.

    In one transaction: finds or creates the patient by phone, stores the answers (with consent)
    and hands a `Referral` carrying name, phone, the wanted length, therapist and time to reception's
    queue (`referrals.send`). Returns the receipt (queue item, page to show next). Raises
    `ScreeningError` if nothing in the answers needs a call (the patient can book online).
    """
    version = _version(answers.version_number)
    if assess(version.questions, answers.answers).outcome != REFER:
        raise ScreeningError("None of your answers needs a call first, so you can book online.")
    with transaction.atomic():
        patient, _ = Patient.objects.get_or_create(phone=phone, defaults={"name": " ".join(name.split())})
        answer_set = _store(answers=answers.answers, version=version, role=AnswerSet.Role.REFERRAL, patient=patient)
        return referrals.send(
            referrals.Referral(
                name=" ".join(name.split()),
                phone=phone,
                patient=patient,
                answer_set=answer_set,
                length=length,
                therapist=therapist,
                start=start,
                consents=tuple(consents),
            )
        )
