"""Reception books and cancels courses from the appointment page; the therapist role cannot."""

from datetime import timedelta

import pytest
from django.urls import reverse

from bookings.course_texts import CourseKind
from bookings.courses import plan_course
from bookings.models import Appointment, Course, Patient
from clinic.core.roles import THERAPIST
from clinic.sms.models import Message
from tests.bookings.diary_support import book, ensure_roles_exist, staff
from tests.conftest import at

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _roles(db):
    ensure_roles_exist()


@pytest.fixture
def origin(patient, alice, lengths, next_monday):
    return book(patient, alice, lengths[30], at(next_monday, "10:00"))


@pytest.fixture
def signed_in(client, receptionist):
    client.force_login(receptionist)
    return client


def course_url(appointment):
    return reverse("admin:bookings_appointment_course", args=[appointment.pk])


def change_url(appointment):
    return reverse("admin:bookings_appointment_change", args=[appointment.pk])


def choose(planned, **overrides):
    data = {"sessions": str(len(planned)), "every_weeks": "1"}
    for session in planned:
        data[f"session-{session.number}"] = session.suggested.value if session.suggested else "skip"
    return data | overrides


def test_the_appointment_page_offers_a_course(signed_in, origin):
    page = signed_in.get(change_url(origin))
    assert f'href="{course_url(origin)}"' in page.content.decode()
    assert "Book a course…" in page.content.decode()


def test_the_preview_lists_five_weekly_dates_by_default_with_taken_ones_and_alternatives(
    signed_in, origin, alice, lengths, next_monday
):
    robin = Patient.objects.create(name="Robin Sample", phone="+447700900456")
    book(robin, alice, lengths[30], at(next_monday + timedelta(weeks=2), "10:00"))

    page = signed_in.get(course_url(origin))

    assert page.status_code == 200
    html = page.content.decode()
    assert html.count('class="is-free"') == 4 and html.count('class="is-taken"') == 1
    assert "Alice Example has Robin Sample 10:00–10:30." in html
    assert "(alternative)" in html


def test_booking_the_chosen_dates_books_the_course_and_one_text(signed_in, origin, next_monday):
    planned = plan_course(appointment=origin, sessions=5, every_weeks=1)

    response = signed_in.post(course_url(origin), choose(planned, **{"session-4": "skip"}))

    assert response.status_code == 302 and response["Location"] == change_url(origin)
    origin.refresh_from_db()
    assert origin.course.sessions.count() == 5
    assert Message.objects.about(origin.course).filter(kind=CourseKind.COURSE_BOOKED).count() == 1
    page = signed_in.get(change_url(origin))
    html = page.content.decode()
    assert "Booked 4 more sessions for Pat Example (5 in the course)" in html
    assert "Course: session 1 of 5, every week" in html
    later = origin.course.sessions.order_by("start").last()
    assert "Course: session 5 of 5" in signed_in.get(change_url(later)).content.decode()


def test_a_time_taken_after_the_preview_was_drawn_is_refused_and_nothing_is_booked(
    signed_in, origin, alice, lengths, next_monday
):
    planned = plan_course(appointment=origin, sessions=3, every_weeks=1)
    robin = Patient.objects.create(name="Robin Sample", phone="+447700900456")
    book(robin, alice, lengths[30], at(next_monday + timedelta(weeks=3), "10:00"))

    response = signed_in.post(course_url(origin), choose(planned))

    assert response.status_code == 200
    assert "That time has just been taken; choose again." in response.content.decode()
    assert Appointment.objects.count() == 2
    assert not Course.objects.exists()


def test_cancelling_the_rest_of_a_course_from_its_page(signed_in, origin):
    signed_in.post(course_url(origin), choose(plan_course(appointment=origin, sessions=3, every_weeks=1)))
    origin.refresh_from_db()
    cancel = reverse("admin:bookings_course_cancel", args=[origin.course_id])
    assert cancel in signed_in.get(change_url(origin)).content.decode()

    page = signed_in.get(cancel)
    assert "Cancel 4 sessions" in page.content.decode()
    refused = signed_in.post(cancel, {"reason": "", "notify_patient": "on"})
    assert "Enter the reason for cancelling." in refused.content.decode()
    response = signed_in.post(cancel, {"reason": "Patient moving away", "notify_patient": "on"})

    assert response.status_code == 302
    assert origin.course.sessions.filter(status=Appointment.Status.CANCELLED).count() == 4
    assert Message.objects.about(origin.course).filter(kind=CourseKind.COURSE_CANCELLED).count() == 1


def test_a_therapist_login_can_neither_preview_nor_book_nor_cancel_a_course(client, origin, alice):
    client.force_login(staff("terry", THERAPIST, therapist=alice))
    assert client.get(course_url(origin)).status_code == 403
    planned = plan_course(appointment=origin, sessions=1, every_weeks=1)
    assert client.post(course_url(origin), choose(planned)).status_code == 403
    course = Course.objects.create(patient=origin.patient, therapist=alice, length=origin.length)
    assert client.get(reverse("admin:bookings_course_cancel", args=[course.pk])).status_code == 403
    assert not Appointment.objects.filter(course__isnull=False).exists()
