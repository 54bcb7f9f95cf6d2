"""The reception diary's day page is cached between writes (bookings/diary/page.py): each kind of
write the page shows must give it a new version, so the next look shows the change.

Each test looks at the page once (which caches it), checks that the same look is served from the
cache, makes one write the way the product makes it, and looks again.
"""

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse

from bookings.models import Appointment, Course, Patient
from bookings.notifications import Kind
from bookings.services import cancel_booking
from clinic.core.roles import MANAGER
from clinic.sms.models import Message
from tests.bookings.diary_support import book, ensure_roles_exist, staff
from tests.conftest import at
from therapists.models import Absence

pytestmark = pytest.mark.django_db

DIARY = reverse("admin:bookings_diary")
# Session, user and permissions: what a look at a cached page costs.
CACHED_LOOK = 4


@pytest.fixture(autouse=True)
def _roles(db, clinic_settings):
    ensure_roles_exist()


@pytest.fixture
def looked_at(client, receptionist, alice, patient, lengths, next_monday, django_assert_num_queries):
    """A booked appointment on the page, looked at once; `look()` looks again."""
    appointment = book(patient, alice, lengths[30], at(next_monday, "10:00"))
    Message.objects.create(
        kind=Kind.BOOKING_CONFIRMATION, to="+447700900123", body="x", status="sent", about=appointment
    )
    client.force_login(receptionist)

    def look() -> str:
        response = client.get(DIARY, {"date": next_monday.isoformat()})
        assert response.status_code == 200
        return response.content.decode()

    first = look()
    with django_assert_num_queries(CACHED_LOOK):
        again = look()
    assert again.count('class="block"') == first.count('class="block"') == 1
    return appointment, look


def test_a_look_with_nothing_changed_is_the_cached_page(
    client, receptionist, alice, patient, lengths, next_monday, django_assert_num_queries
):
    book(patient, alice, lengths[30], at(next_monday, "10:00"))
    client.force_login(receptionist)
    first = client.get(DIARY, {"date": next_monday.isoformat()}).content.decode()
    with django_assert_num_queries(CACHED_LOOK):
        again = client.get(DIARY, {"date": next_monday.isoformat()}).content.decode()
    assert again.count('class="block"') == first.count('class="block"') == 1
    assert "Pat Example" in again


def test_a_patients_new_name_shows(looked_at, patient):
    _, look = looked_at
    patient.name = "Patricia Example"
    patient.save()
    assert "Patricia Example" in look()


def test_a_patients_name_changed_in_bulk_shows(looked_at, patient):
    _, look = looked_at
    Patient.objects.filter(pk=patient.pk).update(name="Patricia Example")
    assert "Patricia Example" in look()


def test_a_note_added_to_the_appointment_shows(looked_at):
    appointment, look = looked_at
    assert "badge-note" not in look()
    appointment.note = "Left shoulder stiff"
    appointment.save(update_fields=["note", "updated_at"])
    assert "badge-note" in look()


def test_a_cancellation_shows(looked_at):
    appointment, look = looked_at
    cancel_booking(appointment=appointment, cancelled_by=Appointment.CancelledBy.CLINIC)
    page = look()
    assert 'class="block"' not in page
    assert "Cancelled and no-shows on this day" in page


def test_a_texts_delivery_shows(looked_at):
    appointment, look = looked_at
    assert "Text sent" in look()
    message = Message.objects.about(appointment).get()
    message.status = Message.Status.DELIVERED
    message.save(update_fields=["status", "updated_at"])
    assert "Text delivered" in look()


def test_a_texts_failure_recorded_in_bulk_shows(looked_at):
    appointment, look = looked_at
    Message.objects.about(appointment).update(status=Message.Status.FAILED)
    assert "Text failed" in look()


def test_a_course_text_for_the_appointment_shows(looked_at, patient, alice, lengths):
    appointment, look = looked_at
    course = Course.objects.create(patient=patient, therapist=alice, length=lengths[30])
    Appointment.objects.filter(pk=appointment.pk).update(course=course)
    assert "Session 1 of 1" in look()


def test_an_earlier_visit_on_another_day_ends_the_first_visit_badge(looked_at, patient, alice, lengths, next_monday):
    _, look = looked_at
    assert "First visit" in look()
    book(patient, alice, lengths[30], at(next_monday - timedelta(days=7), "10:00"))
    assert "First visit" not in look()


def test_an_absence_shows(looked_at, alice, next_monday):
    _, look = looked_at
    Absence.objects.create(therapist=alice, starts_at=at(next_monday, "14:00"), ends_at=at(next_monday, "15:00"))
    assert "shaded absent" in look()


def test_a_viewer_allowed_to_see_notes_gets_a_page_of_their_own(client, looked_at, next_monday):
    appointment, look = looked_at
    appointment.note = "Left shoulder stiff"
    appointment.save(update_fields=["note", "updated_at"])
    assert "Left shoulder stiff" not in look()  # reception: that there is a note, not its words
    client.force_login(staff("mia", MANAGER))
    page = client.get(DIARY, {"date": next_monday.isoformat()}).content.decode()
    assert 'title="Left shoulder stiff">Note</span>' in page


def test_the_now_line_moves_with_the_quarter_hour(client, receptionist, alice, patient, lengths, next_monday):
    book(patient, alice, lengths[30], at(next_monday, "10:00"))
    with time_machine.travel(at(next_monday, "11:05"), tick=False) as clock:
        client.force_login(receptionist)
        assert '<th scope="row" class="time">11:00 <span class="now-tag">' in client.get(DIARY).content.decode()
        clock.move_to(at(next_monday, "11:20"))
        page = client.get(DIARY).content.decode()
    assert '<th scope="row" class="time">11:15 <span class="now-tag">' in page
    assert '<th scope="row" class="time">11:00 <span class="now-tag">' not in page
