"""What a block and the day sheet say about an appointment: first visit, course session, the
confirmation text's fate, the patient's other appointments that day; in a fixed number of queries."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bookings.course_texts import CourseKind
from bookings.diary.facts import load_facts
from bookings.models import Appointment, Course, Patient
from bookings.notifications import Kind
from clinic.sms.models import Message
from tests.bookings.diary_support import book
from tests.conftest import at

pytestmark = pytest.mark.django_db


def text(about, kind, status):
    return Message.objects.create(kind=kind, to="+447700900123", body="x", status=status, about=about)


def test_the_patients_earliest_kept_appointment_is_their_first_visit(patient, alice, lengths, next_monday):
    cancelled = book(patient, alice, lengths[30], at(next_monday, "09:00"), status=Appointment.Status.CANCELLED)
    first = book(patient, alice, lengths[30], at(next_monday, "10:00"))
    second = book(patient, alice, lengths[30], at(next_monday + timedelta(days=7), "10:00"))

    facts = load_facts([cancelled, first, second])

    assert [facts[a.pk].first_visit for a in (cancelled, first, second)] == [False, True, False]
    assert ("info", "First visit") in facts[first.pk].badges()


def test_the_latest_confirming_text_says_how_it_went(patient, alice, lengths, next_monday):
    delivered = book(patient, alice, lengths[30], at(next_monday, "10:00"))
    text(delivered, Kind.BOOKING_CONFIRMATION, Message.Status.DELIVERED)
    moved = book(patient, alice, lengths[30], at(next_monday + timedelta(days=1), "10:00"))
    text(moved, Kind.BOOKING_CONFIRMATION, Message.Status.DELIVERED)
    text(moved, Kind.TIME_CHANGE, Message.Status.FAILED)
    silent = book(patient, alice, lengths[30], at(next_monday + timedelta(days=2), "10:00"))

    facts = load_facts([delivered, moved, silent])

    assert (facts[delivered.pk].text_state, facts[delivered.pk].text_label) == ("delivered", "Text delivered")
    assert facts[moved.pk].text_state == "failed"
    assert facts[moved.pk].needs_attention
    assert ("warning", "Text failed") in facts[moved.pk].badges()
    assert facts[silent.pk].text_state == "" and not facts[silent.pk].needs_attention


def test_a_course_session_takes_its_course_texts_status_and_its_number(patient, alice, lengths, next_monday):
    course = Course.objects.create(patient=patient, therapist=alice, length=lengths[30])
    sessions = [
        book(patient, alice, lengths[30], at(next_monday + timedelta(weeks=n), "10:00"), course=course)
        for n in range(3)
    ]
    text(course, CourseKind.COURSE_BOOKED, Message.Status.UNDELIVERED)
    text(sessions[1], Kind.REMINDER, Message.Status.FAILED)

    facts = load_facts(sessions)

    assert facts[sessions[1].pk].session == "session 2 of 3"
    assert facts[sessions[0].pk].text_label == "Text not delivered"
    assert facts[sessions[1].pk].reminder_failed and not facts[sessions[2].pk].reminder_failed


def test_another_appointment_that_day_is_mentioned_and_an_overlapping_one_is_a_warning(
    patient, alice, ben, lengths, next_monday
):
    here = book(patient, alice, lengths[60], at(next_monday, "10:00"))
    overlapping = book(patient, ben, lengths[30], at(next_monday, "10:30"))
    later = book(patient, ben, lengths[30], at(next_monday, "15:00"))
    next_day = book(patient, ben, lengths[30], at(next_monday + timedelta(days=1), "10:00"))
    someone_else = book(
        Patient.objects.create(name="Robin Sample", phone="+447700900456"), ben, lengths[30], at(next_monday, "09:00")
    )

    facts = load_facts([here, someone_else])

    assert [o.text for o in facts[here.pk].others] == [
        "Overlaps: 10:30–11:00 with Ben Sample",
        "Also: 15:00–15:30 with Ben Sample",
    ]
    assert facts[here.pk].overlapping and facts[here.pk].needs_attention
    assert facts[here.pk].badges()[0] == ("warning", "Overlaps: 10:30–11:00 with Ben Sample")
    assert facts[someone_else.pk].others == []
    assert later.pk and next_day.pk and overlapping.pk


def test_facts_cost_four_queries_for_one_appointment_or_thirty(patient, alice, lengths, next_monday):
    course = Course.objects.create(patient=patient, therapist=alice, length=lengths[30])
    one = [book(patient, alice, lengths[30], at(next_monday, "09:00"), course=course)]
    many = one + [
        book(
            Patient.objects.create(name=f"P {i}", phone=f"+4477009003{i:02d}"),
            alice,
            lengths[30],
            at(next_monday + timedelta(days=i // 8 + 1), f"{9 + i % 8}:00"),
            course=course,
        )
        for i in range(29)
    ]
    load_facts(one)  # content types are cached after the first use
    with CaptureQueriesContext(connection) as few:
        load_facts(one)
    with CaptureQueriesContext(connection) as lots:
        load_facts(many)
    assert len(few) == len(lots) == 4
