"""Helpers for tests of the health questions: the seeded questionnaire, answers, and form data."""

from __future__ import annotations

from bookings.models import Appointment, QuestionnaireVersion
from bookings.screening.questions import NO, REFER, YES, Answers
from bookings.screening.services import (
    current_questionnaire,
    ensure_default_questions,
    plan_booking_answers,
    store_booking_answers,
)


def seeded_questionnaire() -> QuestionnaireVersion:
    """The default questions, published (again, if a transactional test flushed them)."""
    ensure_default_questions()
    return current_questionnaire()


def refer_keys(version: QuestionnaireVersion) -> list[str]:
    return [q["key"] for q in version.questions if q["outcome"] == REFER]


def flag_keys(version: QuestionnaireVersion) -> list[str]:
    return [q["key"] for q in version.questions if q["outcome"] != REFER]


def answers(version: QuestionnaireVersion, *, yes=(), details=None) -> Answers:
    """Answers to every question of `version`: Yes to `yes`, No to the rest."""
    details = details or {}
    return Answers(
        version.number,
        {
            q["key"]: {"answer": YES if q["key"] in yes else NO, "detail": details.get(q["key"], "")}
            for q in version.questions
        },
    )


def question_data(version: QuestionnaireVersion, *, yes=(), details=None) -> dict:
    """The questions as a patient posts them, one radio each (not "No to all")."""
    details = details or {}
    data = {"questionnaire": str(version.number), "none_apply": ""}
    for q in version.questions:
        data[f"q-{q['key']}"] = YES if q["key"] in yes else NO
        if q["key"] in details:
            data[f"q-{q['key']}-detail"] = details[q["key"]]
    return data


def give_answers(appointment: Appointment, version: QuestionnaireVersion, **kwargs) -> Appointment:
    """Store answers on an appointment written straight to the table, as an online booking would."""
    plan = plan_booking_answers(answers=answers(version, **kwargs), patient=appointment.patient)
    Appointment.objects.filter(pk=appointment.pk).update(
        screening_status=plan.status, answers_changed=plan.answers_changed
    )
    appointment.refresh_from_db()
    store_booking_answers(appointment=appointment, plan=plan)
    return appointment
