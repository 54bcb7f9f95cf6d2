"""Courses of sessions: booking the dates reception chose in one go, and cancelling what is left.

Each session is an ordinary appointment booked through `create_booking` (lock, re-check, the
exclusion constraint) and cancelled through `cancel_booking`; what a course adds is that the
whole run happens in one transaction, all or nothing, and the patient gets one text listing the
dates instead of one per session.
"""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from therapists.models import Therapist

from .. import course_texts, notifications
from ..courses import EVERY_WEEKS, MAX_SESSIONS, upcoming_sessions
from ..models import Appointment, Course
from .booking import create_booking, lock_therapists
from .changes import cancel_booking
from .errors import BookingError, SlotUnavailable


def _when(start: datetime) -> str:
    local = timezone.localtime(start)
    return f"{local:%a} {local.day} {local:%b} at {local:%H:%M}"


def book_course(
    *,
    appointment: Appointment,
    sessions: list[tuple[datetime, Therapist]],
    every_weeks: int = 1,
    notify_patient: bool = True,
    by_user=None,
) -> Course:
    """Book `sessions` (start, therapist) as a course following `appointment`, all or none.

    `appointment` becomes the course's first session, or, if it is in a course already, the new
    sessions join that course. Every therapist involved is locked first, in primary-key order,
    so two course bookings (or a course and a single booking) queue rather than deadlock; then
    each session is booked through `create_booking` with reception's rules. If any session is
    refused, nothing at all is booked and `SlotUnavailable` (or the refusal's own class) names the
    session and the clash. Writes each session's reminder and, if `notify_patient`, one text
    listing every upcoming session of the course. Raises `BookingError` for no sessions, more than
    `MAX_SESSIONS`, the same start twice, or an appointment that no longer holds its time.
    """
    if not sessions:
        raise BookingError("Choose at least one date to book.")
    if len(sessions) > MAX_SESSIONS:
        raise BookingError(f"A course can add at most {MAX_SESSIONS} sessions at a time.")
    if every_weeks not in EVERY_WEEKS:
        raise BookingError("A course repeats every 1, 2, 3 or 4 weeks.")
    sessions = sorted(sessions, key=lambda s: s[0])
    if len({start for start, _ in sessions}) != len(sessions):
        raise BookingError("The same time is chosen twice.")
    with transaction.atomic():
        lock_therapists({appointment.therapist_id, *(therapist.pk for _, therapist in sessions)})
        origin = Appointment.objects.select_for_update().select_related("patient", "length").get(pk=appointment.pk)
        if not origin.holds_time:
            raise BookingError("Only a booked appointment can start a course.")
        course = origin.course
        if course is None:
            course = Course.objects.create(
                patient=origin.patient,
                therapist_id=origin.therapist_id,
                length=origin.length,
                every_weeks=every_weeks,
                created_by=by_user,
            )
            origin.course = course
            origin._history_user = by_user
            origin.save(update_fields=["course", "updated_at"])
        for start, therapist in sessions:
            try:
                booked = create_booking(
                    length=origin.length,
                    start=start,
                    patient=origin.patient,
                    therapist=therapist,
                    source=Appointment.Source.RECEPTION,
                    online_rules=False,
                    notify_patient=False,
                    by_user=by_user,
                    course=course,
                )
            except BookingError as error:
                # Leaving the transaction with the error rolls back every session booked so far.
                refusal = SlotUnavailable if isinstance(error, SlotUnavailable) else BookingError
                raise refusal(
                    f"{_when(start)} with {therapist.name} could not be booked: {error.message} "
                    "Nothing was booked; choose another time for that date."
                ) from error
            notifications.session_booked(booked)
        if notify_patient:
            course_texts.course_booked(course, upcoming_sessions(course))
    return course


def cancel_course(
    *,
    course: Course,
    reason: str = "",
    notify_patient: bool = True,
    by_user=None,
) -> list[Appointment]:
    """Cancel every booked session of `course` still to come, in one transaction; return them.

    Sessions already past (and whatever happened at them) are left as they are. Each goes through
    `cancel_booking` (its reminder is cancelled, history records who); the patient gets one text
    listing the cancelled dates if `notify_patient`. Raises `BookingError` when no session is
    left to cancel.
    """
    now = timezone.now()
    with transaction.atomic():
        current = Course.objects.select_for_update().select_related("patient", "therapist", "length").get(pk=course.pk)
        future = list(
            current.sessions.filter(status=Appointment.Status.BOOKED, start__gt=now)
            .select_related("therapist")
            .order_by("start")
        )
        if not future:
            raise BookingError("This course has no booked sessions still to come.")
        cancelled = [
            cancel_booking(
                appointment=session,
                cancelled_by=Appointment.CancelledBy.CLINIC,
                reason=reason or "Course cancelled",
                notify_patient=False,
                by_user=by_user,
            )
            for session in future
        ]
        current.cancelled_at = now
        current.cancelled_by_user = by_user
        current.cancellation_reason = reason
        current.save(update_fields=["cancelled_at", "cancelled_by_user", "cancellation_reason"])
        if notify_patient:
            course_texts.course_cancelled(current, cancelled)
    return cancelled
