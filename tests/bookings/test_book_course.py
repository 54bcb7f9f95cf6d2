"""Booking a course is all or nothing through the booking service, with one text listing every
date; cancelling a course cancels only its sessions still to come, with one text."""

import re
from datetime import timedelta

import pytest

from bookings.course_texts import CourseKind
from bookings.courses import session_numbers
from bookings.models import Appointment, Course, Patient
from bookings.notifications import Kind
from bookings.services import BookingError, SlotUnavailable, book_course, cancel_course
from clinic.sms import gsm
from clinic.sms.models import Message
from tests.bookings.diary_support import book
from tests.conftest import at

pytestmark = pytest.mark.django_db


@pytest.fixture
def origin(patient, alice, lengths, next_monday):
    return book(patient, alice, lengths[30], at(next_monday, "10:00"))


def weekly(therapist, first_day, count, time="10:00"):
    return [(at(first_day + timedelta(weeks=n), time), therapist) for n in range(1, count + 1)]


def course_texts(course):
    return list(Message.objects.about(course).order_by("pk"))


def test_booking_a_six_week_course_books_five_more_sessions_as_one_course(origin, alice, next_monday, receptionist):
    course = book_course(appointment=origin, sessions=weekly(alice, next_monday, 5), by_user=receptionist)

    sessions = list(course.sessions.order_by("start"))
    assert len(sessions) == 6 and sessions[0] == origin
    assert all(s.status == Appointment.Status.BOOKED and s.therapist == alice for s in sessions)
    assert all(s.source == Appointment.Source.RECEPTION for s in sessions[1:])
    assert course.patient == origin.patient and course.created_by == receptionist
    numbers = session_numbers(sessions)
    assert [numbers[s.pk] for s in sessions] == [(n, 6) for n in range(1, 7)]
    assert sessions[3].history.first().history_user == receptionist


def test_the_patient_gets_one_text_listing_every_date_and_a_reminder_per_session(origin, alice, next_monday):
    course = book_course(appointment=origin, sessions=weekly(alice, next_monday, 5))

    texts = course_texts(course)
    assert [t.kind for t in texts] == [CourseKind.COURSE_BOOKED]
    body = texts[0].body
    dates = [next_monday + timedelta(weeks=n) for n in range(6)]
    assert f"Mondays at 10:00 on {', '.join(f'{d.day} {d:%b}' for d in dates)}." in body
    assert "Hi Pat, your 30 min sessions with Alice Example are booked" in body
    assert gsm.segments(body) <= 2
    sessions = course.sessions.exclude(pk=origin.pk)
    assert not Message.objects.filter(kind=Kind.BOOKING_CONFIRMATION).exists()
    for session in sessions:
        assert Message.objects.about(session).filter(kind=Kind.REMINDER, status=Message.Status.PENDING).count() == 1


def test_dates_with_another_time_or_therapist_are_listed_one_by_one(origin, alice, ben, next_monday):
    chosen = weekly(alice, next_monday, 2) + [(at(next_monday + timedelta(weeks=3, days=1), "11:15"), ben)]

    course = book_course(appointment=origin, sessions=chosen)

    body = course_texts(course)[0].body
    d = [next_monday + timedelta(weeks=n) for n in range(3)] + [next_monday + timedelta(weeks=3, days=1)]
    expected = f"Mon {d[0].day} {d[0]:%b} 10:00, Mon {d[1].day} {d[1]:%b} 10:00, Mon {d[2].day} {d[2]:%b} 10:00, "
    assert expected + f"Tue {d[3].day} {d[3]:%b} 11:15 with Ben." in body


def test_a_long_course_at_varied_times_is_split_into_numbered_texts_that_each_fit(origin, alice, ben, next_monday):
    chosen = [
        (at(next_monday + timedelta(weeks=n, days=n % 5), f"{9 + n % 4}:{15 * (n % 4):02d}"), ben if n % 2 else alice)
        for n in range(1, 13)
    ]

    course = book_course(appointment=origin, sessions=chosen)

    texts = course_texts(course)
    assert len(texts) >= 2
    assert [f"({i}/{len(texts)})" in t.body for i, t in enumerate(texts, start=1)] == [True] * len(texts)
    assert all(gsm.segments(t.body) <= 2 for t in texts)
    listed = [d for t in texts for d in re.findall(r"(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun) \d+ \w{3} \d\d:\d\d", t.body)]
    assert len(listed) == 13


def test_a_taken_date_books_nothing_at_all_and_names_the_clash(origin, alice, lengths, next_monday):
    robin = Patient.objects.create(name="Robin Sample", phone="+447700900456")
    book(robin, alice, lengths[30], at(next_monday + timedelta(weeks=3), "10:00"))
    before = Appointment.objects.count()

    with pytest.raises(SlotUnavailable) as refusal:
        book_course(appointment=origin, sessions=weekly(alice, next_monday, 5))

    assert "Alice Example already has Robin Sample" in refusal.value.message
    assert "Nothing was booked" in refusal.value.message
    assert Appointment.objects.count() == before
    assert not Course.objects.exists()
    origin.refresh_from_db()
    assert origin.course is None
    assert not Message.objects.exists()


def test_a_cancelled_origin_cannot_start_a_course(origin, alice, next_monday):
    origin.status = Appointment.Status.CANCELLED
    origin.save()
    with pytest.raises(BookingError, match="Only a booked appointment"):
        book_course(appointment=origin, sessions=weekly(alice, next_monday, 2))


def test_choosing_nothing_or_the_same_time_twice_is_refused(origin, alice, next_monday):
    with pytest.raises(BookingError, match="at least one"):
        book_course(appointment=origin, sessions=[])
    twice = weekly(alice, next_monday, 1) * 2
    with pytest.raises(BookingError, match="twice"):
        book_course(appointment=origin, sessions=twice)
    assert not Course.objects.exists()


def test_more_sessions_join_the_existing_course(origin, alice, next_monday):
    course = book_course(appointment=origin, sessions=weekly(alice, next_monday, 2))
    last = course.sessions.order_by("-start").first()

    again = book_course(appointment=last, sessions=weekly(alice, next_monday + timedelta(weeks=2), 2))

    assert again == course
    assert course.sessions.count() == 5


def test_cancelling_a_course_cancels_only_the_sessions_still_to_come(origin, alice, next_monday, time_machine):
    course = book_course(appointment=origin, sessions=weekly(alice, next_monday, 5))
    time_machine.move_to(at(next_monday + timedelta(weeks=1), "12:00"))
    sessions = list(course.sessions.order_by("start"))
    sessions[0].status = Appointment.Status.COMPLETED  # what happened stays as it was
    sessions[0].save()

    cancelled = cancel_course(course=course, reason="Moving away")

    assert [a.pk for a in cancelled] == [s.pk for s in sessions[2:]]
    statuses = [a.status for a in course.sessions.order_by("start")]
    assert statuses == [Appointment.Status.COMPLETED, Appointment.Status.BOOKED] + [Appointment.Status.CANCELLED] * 4
    assert all(a.cancellation_reason == "Moving away" for a in cancelled)
    course.refresh_from_db()
    assert course.cancelled_at is not None and course.cancellation_reason == "Moving away"
    texts = [t for t in course_texts(course) if t.kind == CourseKind.COURSE_CANCELLED]
    assert len(texts) == 1
    assert "your remaining sessions with Alice Example are cancelled" in texts[0].body
    for session in sessions[2:]:
        assert not Message.objects.about(session).filter(status=Message.Status.PENDING).exists()
        assert not Message.objects.about(session).filter(kind=Kind.CANCELLATION).exists()
    assert Message.objects.about(sessions[1]).filter(kind=Kind.REMINDER).exclude(status="cancelled").exists()


def test_cancelling_a_course_with_nothing_left_to_cancel_says_so(origin, alice, next_monday):
    course = book_course(appointment=origin, sessions=weekly(alice, next_monday, 1))
    cancel_course(course=course)
    with pytest.raises(BookingError, match="no booked sessions still to come"):
        cancel_course(course=course)
