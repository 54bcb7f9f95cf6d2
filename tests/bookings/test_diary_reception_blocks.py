"""Everything on the block: the mobile to tap and call, first visit, course session, a note
indicator (its words only with the clinical-notes permission), the confirmation text's fate,
the patient's other appointments that day; and what the move script needs, only for those who
may move appointments."""

from datetime import timedelta

import pytest
from django.urls import reverse

from bookings.course_texts import CourseKind
from bookings.models import Course, Patient
from bookings.notifications import Kind
from clinic.core.roles import MANAGER, THERAPIST
from clinic.sms.models import Message
from tests.bookings.diary_support import book, ensure_roles_exist, staff
from tests.conftest import at

pytestmark = pytest.mark.django_db

DIARY = reverse("admin:bookings_diary")


@pytest.fixture(autouse=True)
def _roles(db):
    ensure_roles_exist()


def cell_of(page: str, appointment) -> str:
    """The table cell holding the appointment's block."""
    marker = f'id="appointment-{appointment.pk}"'
    start = page.rindex("<td", 0, page.index(marker))
    return page[start : page.index("</td>", start)]


def diary(client, day) -> str:
    response = client.get(DIARY, {"date": day.isoformat()})
    assert response.status_code == 200
    return response.content.decode()


def test_the_block_has_the_patients_mobile_and_a_link_to_tap_and_call_it(
    client, receptionist, alice, patient, lengths, next_monday
):
    appointment = book(patient, alice, lengths[60], at(next_monday, "10:00"))
    client.force_login(receptionist)

    cell = cell_of(diary(client, next_monday), appointment)

    assert '<span class="block-line block-phone">07700 900123</span>' in cell  # in the block's words
    # "Call" is a link of its own after the block's link (a link cannot hold another).
    assert cell.endswith(
        '</a><a class="block-action block-call" href="tel:+447700900123" aria-label="Call Pat Example on 07700 900123">'
        "Call</a>"
    )


def test_first_visit_course_session_and_a_note_are_on_the_block(
    client, receptionist, alice, patient, lengths, next_monday
):
    course = Course.objects.create(patient=patient, therapist=alice, length=lengths[30])
    first = book(patient, alice, lengths[60], at(next_monday, "10:00"), course=course, note="Left shoulder stiff")
    book(patient, alice, lengths[60], at(next_monday + timedelta(weeks=1), "10:00"), course=course)
    client.force_login(receptionist)

    cell = cell_of(diary(client, next_monday), first)

    assert '<span class="badge badge-info">First visit</span>' in cell
    assert '<span class="badge badge-info">Session 1 of 2</span>' in cell
    # Reception has no clinical-notes permission: that there is a note, not what it says.
    assert "badge-note" in cell and "shown to staff allowed to see patients&#x27; notes" in cell
    assert "Left shoulder" not in cell


def test_staff_with_the_notes_permission_see_the_notes_words(client, alice, patient, lengths, next_monday):
    appointment = book(patient, alice, lengths[60], at(next_monday, "10:00"), note="Left shoulder stiff")
    client.force_login(staff("mia", MANAGER))
    cell = cell_of(diary(client, next_monday), appointment)
    assert 'title="Left shoulder stiff">Note</span>' in cell


def test_the_confirmation_texts_fate_is_on_the_block(client, receptionist, alice, patient, lengths, next_monday):
    robin = Patient.objects.create(name="Robin Sample", phone="+447700900456")
    delivered = book(patient, alice, lengths[30], at(next_monday, "10:00"))
    failed = book(robin, alice, lengths[30], at(next_monday, "11:00"))
    for appointment, status in ((delivered, Message.Status.DELIVERED), (failed, Message.Status.UNDELIVERED)):
        Message.objects.create(
            kind=Kind.BOOKING_CONFIRMATION, to="+447700900123", body="x", status=status, about=appointment
        )
    client.force_login(receptionist)

    page = diary(client, next_monday)

    assert '<span class="badge badge-ok">Text delivered</span>' in cell_of(page, delivered)
    assert '<span class="badge badge-warning">Text not delivered</span>' in cell_of(page, failed)


def test_a_course_sessions_text_is_the_courses(client, receptionist, alice, patient, lengths, next_monday):
    course = Course.objects.create(patient=patient, therapist=alice, length=lengths[30])
    session = book(patient, alice, lengths[30], at(next_monday, "10:00"), course=course)
    Message.objects.create(kind=CourseKind.COURSE_BOOKED, to="+447700900123", body="x", status="failed", about=course)
    client.force_login(receptionist)
    assert '<span class="badge badge-warning">Text failed</span>' in cell_of(diary(client, next_monday), session)


def test_another_appointment_that_day_shows_and_an_overlapping_one_warns(
    client, receptionist, alice, ben, patient, lengths, next_monday
):
    here = book(patient, alice, lengths[60], at(next_monday, "10:00"))
    later = book(patient, ben, lengths[30], at(next_monday, "15:00"))
    client.force_login(receptionist)

    page = diary(client, next_monday)
    assert '<span class="badge badge-info">Also: 15:00–15:30 with Ben Sample</span>' in cell_of(page, here)
    assert '<span class="badge badge-info">Also: 10:00–11:00 with Alice Example</span>' in cell_of(page, later)

    book(patient, ben, lengths[30], at(next_monday, "10:30"))
    page = diary(client, next_monday)
    assert '<span class="badge badge-warning">Overlaps: 10:30–11:00 with Ben Sample and 1 more</span>' in cell_of(
        page, here
    )


def test_only_staff_who_may_move_appointments_get_draggable_blocks(
    client, receptionist, alice, patient, lengths, next_monday
):
    appointment = book(patient, alice, lengths[30], at(next_monday, "10:00"))
    client.force_login(receptionist)
    page = diary(client, next_monday)
    cell = cell_of(page, appointment)
    assert 'draggable="true"' in cell and f'data-appointment="{appointment.pk}"' in cell
    assert f'data-version="{appointment.updated_at.isoformat()}"' in cell
    assert "data-move-url=" in page

    client.force_login(staff("terry", THERAPIST, therapist=alice))
    page = diary(client, next_monday)
    assert 'draggable="true"' not in cell_of(page, appointment)
    assert "data-move-url=" not in page
