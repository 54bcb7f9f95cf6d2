"""The texts a course causes: one listing every date when it is booked, one when its remaining
sessions are cancelled (not one per session), written as outbox rows in the caller's transaction.

A text stays within two SMS segments; a long course is split into as few numbered parts
("1/2", "2/2") as keep every part within that, each listing whole dates in order.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone

from clinic.sms import gsm
from clinic.sms.services import MAX_SEGMENTS, queue_sms, render_sms

from .models import Course


class CourseKind(models.TextChoices):
    """Registered with clinic.sms in `BookingsConfig.ready` (templates/sms/<kind>.txt)."""

    COURSE_BOOKED = "course_booked", "Course booked"
    COURSE_CANCELLED = "course_cancelled", "Course cancelled"


def _day(moment) -> str:
    local = timezone.localtime(moment)
    return f"{local:%a} {local.day} {local:%b}"


def describe_dates(sessions, *, therapist_id: int) -> str:
    """The dates in as few characters as a patient can still read: 'Mondays at 10:00 on 5 Jan,
    12 Jan' when they share weekday, time and therapist, else 'Mon 5 Jan 10:00, Tue 13 Jan 11:15
    with Ben' (naming the therapist only where it is not the course's own)."""
    local = [timezone.localtime(a.start) for a in sessions]
    if (
        len({(t.weekday(), t.time()) for t in local}) == 1
        and all(a.therapist_id == therapist_id for a in sessions)
        and len(sessions) > 1
    ):
        return f"{local[0]:%A}s at {local[0]:%H:%M} on " + ", ".join(f"{t.day} {t:%b}" for t in local)
    parts = []
    for a, t in zip(sessions, local, strict=True):
        text = f"{_day(a.start)} {t:%H:%M}"
        if a.therapist_id != therapist_id:
            text += f" with {a.therapist.name.split()[0]}"
        parts.append(text)
    return ", ".join(parts)


def _chunks(items: list, parts: int) -> list[list]:
    size, extra = divmod(len(items), parts)
    out, at = [], 0
    for i in range(parts):
        n = size + (1 if i < extra else 0)
        out.append(items[at : at + n])
        at += n
    return out


def _septets(text: str) -> int:
    return sum(2 if c in gsm.EXTENSION else 1 for c in text)


def contexts(kind: str, course: Course, sessions) -> list[dict]:
    """One context per text: the whole list if it fits, else the fewest numbered parts that do."""
    base = {
        "first_name": (course.patient.name.split() or [""])[0][:20],
        "therapist": course.therapist.name,
        "length": course.length.label(short=True),
    }
    # The text around the dates, measured once with the widest part marker: the dates are plain
    # GSM-7 and single-spaced, so each candidate's length is this plus the dates' own length.
    frame = _septets(render_sms(kind, base | {"dates": "", "part": "99/99"}))
    room = MAX_SEGMENTS * gsm.PER_SEGMENT - frame
    for parts in range(1, len(sessions) + 1):
        chunks = [describe_dates(chunk, therapist_id=course.therapist_id) for chunk in _chunks(sessions, parts)]
        if all(_septets(dates) <= room for dates in chunks) or parts == len(sessions):
            return [
                base | {"dates": dates, "part": f"{i}/{parts}" if parts > 1 else ""}
                for i, dates in enumerate(chunks, start=1)
            ]
    return []


def _queue(kind: str, course: Course, sessions) -> list:
    if not sessions:
        return []
    return [
        queue_sms(kind=kind, to=course.patient.phone, context=context, about=course)
        for context in contexts(kind, course, sessions)
    ]


def course_booked(course: Course, sessions) -> list:
    """The text listing every upcoming session of the course (in the caller's transaction)."""
    return _queue(CourseKind.COURSE_BOOKED, course, sessions)


def course_cancelled(course: Course, sessions) -> list:
    """The text listing the sessions just cancelled."""
    return _queue(CourseKind.COURSE_CANCELLED, course, sessions)
