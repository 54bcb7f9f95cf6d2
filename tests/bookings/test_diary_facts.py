"""What a block and the day sheet say about an appointment: first visit, course session, the
confirmation text's fate, the patient's other appointments that day; in a fixed number of queries."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bookings.course_texts import CourseKind
from bookings.diary.facts import facts_of, load_texts_and_others, with_facts
from bookings.models import Appointment, Course, Patient
from bookings.notifications import Kind
from clinic.sms.models import Message
from tests.bookings.diary_support import book
from tests.conftest import at

pytestmark = pytest.mark.django_db


def text(about, kind, status):
    return Message.objects.create(kind=kind, to="+447700900123", body="x", status=status, about=about)


def facts(*appointments):
    # As the day sheet reads them: every appointment of those therapists on those days.
    days = {a.local_start.date() for a in appointments}
    rows = [
        a
        for a in with_facts(
            Appointment.objects.filter(therapist__in={a.therapist_id for a in appointments})
        ).select_related("therapist")
        if a.local_start.date() in days
    ]
    seen = load_texts_and_others(rows)
    found = {a.pk: facts_of(a, seen[a.pk]) for a in rows}
    return [found[a.pk] for a in appointments]


def test_the_patients_earliest_kept_appointment_is_their_first_visit(patient, alice, lengths, next_monday):
    book(patient, alice, lengths[30], at(next_monday, "09:00"), status=Appointment.Status.CANCELLED)
    first = book(patient, alice, lengths[30], at(next_monday, "10:00"))
    second = book(patient, alice, lengths[30], at(next_monday + timedelta(days=7), "10:00"))

    found = facts(first, second)

    assert [f.first_visit for f in found] == [True, False]
    assert ("info", "First visit") in found[0].badges()


def test_the_latest_confirming_text_says_how_it_went(patient, alice, lengths, next_monday):
    delivered = book(patient, alice, lengths[30], at(next_monday, "10:00"))
    text(delivered, Kind.BOOKING_CONFIRMATION, Message.Status.DELIVERED)
    moved = book(patient, alice, lengths[30], at(next_monday + timedelta(days=1), "10:00"))
    text(moved, Kind.BOOKING_CONFIRMATION, Message.Status.DELIVERED)
    text(moved, Kind.TIME_CHANGE, Message.Status.FAILED)
    text(moved, Kind.TIME_CHANGE, Message.Status.CANCELLED)  # withdrawn: not what the patient got
    silent = book(patient, alice, lengths[30], at(next_monday + timedelta(days=2), "10:00"))

    on_time, failed, none = facts(delivered, moved, silent)

    assert (on_time.text_state, on_time.text_label) == ("delivered", "Text delivered")
    assert failed.text_state == "failed" and failed.needs_attention
    assert ("warning", "Text failed") in failed.badges()
    assert none.text_state == "" and not none.needs_attention


def test_a_course_session_takes_its_course_texts_status_and_its_number(patient, alice, lengths, next_monday):
    course = Course.objects.create(patient=patient, therapist=alice, length=lengths[30])
    sessions = [
        book(patient, alice, lengths[30], at(next_monday + timedelta(weeks=n), "10:00"), course=course)
        for n in range(4)
    ]
    Appointment.objects.filter(pk=sessions[3].pk).update(status=Appointment.Status.CANCELLED)
    text(course, CourseKind.COURSE_BOOKED, Message.Status.UNDELIVERED)
    text(sessions[1], Kind.REMINDER, Message.Status.FAILED)

    first, second, third, cancelled = facts(*sessions)

    assert [f.session for f in (first, second, third, cancelled)] == [
        "session 1 of 3",
        "session 2 of 3",
        "session 3 of 3",
        "",
    ]
    assert first.text_label == "Text not delivered"
    assert second.reminder_failed and not third.reminder_failed


def test_another_appointment_that_day_is_mentioned_and_an_overlapping_one_is_a_warning(
    patient, alice, ben, lengths, next_monday
):
    here = book(patient, alice, lengths[60], at(next_monday, "10:00"))
    book(patient, ben, lengths[30], at(next_monday, "15:00"))
    book(patient, ben, lengths[30], at(next_monday + timedelta(days=1), "10:00"))  # the next day: not mentioned
    robin = Patient.objects.create(name="Robin Sample", phone="+447700900456")
    someone_else = book(robin, ben, lengths[30], at(next_monday, "09:00"))

    (calm,) = facts(here)
    assert calm.other.text == "Also: 15:00–15:30 with Ben Sample" and not calm.needs_attention

    book(patient, ben, lengths[30], at(next_monday, "10:30"))
    here_now, other_patient = facts(here, someone_else)

    assert here_now.other.text == "Overlaps: 10:30–11:00 with Ben Sample and 1 more"
    assert here_now.overlapping and here_now.needs_attention
    assert here_now.badges()[0] == ("warning", "Overlaps: 10:30–11:00 with Ben Sample and 1 more")
    assert other_patient.other is None


def test_the_facts_cost_three_queries_for_one_appointment_or_thirty(patient, alice, lengths, next_monday):
    course = Course.objects.create(patient=patient, therapist=alice, length=lengths[30])
    book(patient, alice, lengths[30], at(next_monday, "09:00"), course=course)
    for i in range(29):
        person = Patient.objects.create(name=f"P {i}", phone=f"+4477009003{i:02d}")
        book(person, alice, lengths[30], at(next_monday + timedelta(days=i // 8 + 1), f"{9 + i % 8}:00"), course=course)
    first, everyone = Appointment.objects.first(), list(Appointment.objects.all())
    with CaptureQueriesContext(connection) as one:
        facts(first)
    with CaptureQueriesContext(connection) as thirty:
        facts(*everyone)
    # The appointments with the annotated facts, their texts, the patients' other appointments.
    assert len(one) == len(thirty) == 3
