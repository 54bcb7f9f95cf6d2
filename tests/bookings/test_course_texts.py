"""A course's texts: every part plain GSM-7 within two segments, even with long names, and the
dates listed whole and in order across the parts."""

from datetime import date, timedelta

import pytest

from bookings.course_texts import CourseKind, contexts, describe_dates
from bookings.models import Appointment, Course, Patient
from clinic.core.models import ClinicSettings
from clinic.sms import gsm
from clinic.sms.services import render_sms
from tests.conftest import at, make_therapist

pytestmark = pytest.mark.django_db


@pytest.fixture
def long_course(lengths):
    settings = ClinicSettings.load()
    settings.name = "Northfield Sports Physiotherapy & Massage Clinic"
    settings.save()
    therapist = make_therapist("Alexandra Fitzgerald-Montgomery", lengths=lengths.values())
    other = make_therapist("Bartholomew Featherstone", lengths=lengths.values())
    patient = Patient.objects.create(name="Maximiliana Featherstonehaugh-Smythe", phone="+447700900999")
    course = Course.objects.create(patient=patient, therapist=therapist, length=lengths[60])
    sessions = [
        Appointment.objects.create(
            patient=patient,
            therapist=other if n % 3 == 0 else therapist,
            length=lengths[60],
            start=at(date(2030, 1, 7) + timedelta(weeks=n, days=n % 4), f"{9 + n % 5}:{15 * (n % 4):02d}"),
            course=course,
        )
        for n in range(12)
    ]
    return course, sessions


@pytest.mark.parametrize("kind", list(CourseKind))
def test_every_part_of_a_long_course_text_is_plain_gsm_and_at_most_two_segments(long_course, kind):
    course, sessions = long_course
    bodies = [render_sms(kind, context) for context in contexts(kind, course, sessions)]

    assert 2 <= len(bodies) <= 4
    for i, body in enumerate(bodies, start=1):
        assert gsm.is_gsm7(body)
        assert gsm.segments(body) <= 2, body
        assert f"({i}/{len(bodies)})" in body
        assert body.endswith("\nNorthfield Sports Physiotherapy & Massage Clinic")
    listed = "".join(bodies)
    positions = [listed.index(f"{timezone_day(s)}") for s in sessions]
    assert positions == sorted(positions)


def timezone_day(appointment):
    local = appointment.local_start
    return f"{local:%a} {local.day} {local:%b} {local:%H:%M}"


def test_a_regular_course_is_listed_by_weekday_and_time_once(alice, patient, lengths):
    sessions = [
        Appointment(
            patient=patient,
            therapist=alice,
            length=lengths[30],
            start=at(date(2030, 1, 7) + timedelta(weeks=n), "10:00"),
        )
        for n in range(3)
    ]
    assert describe_dates(sessions, therapist_id=alice.pk) == "Mondays at 10:00 on 7 Jan, 14 Jan, 21 Jan"
    assert describe_dates(sessions[:1], therapist_id=alice.pk) == "Mon 7 Jan 10:00"
