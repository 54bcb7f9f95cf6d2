"""Every view of a patient's clinical note or screening answers is recorded (who, when, which
patient) and visible to managers; reception sees neither the notes nor the record list."""

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from bookings.services import PatientDetails, create_booking
from clinic.core.models import ClinicalAccess
from clinic.core.roles import MANAGER, RECEPTION, THERAPIST
from tests.bookings.diary_support import book, staff
from tests.bookings.screening_support import answers, seeded_questionnaire
from tests.conftest import at

pytestmark = pytest.mark.django_db

RECORDS = reverse("admin:core_clinicalaccess_changelist")


@pytest.fixture
def appointment(patient, alice, lengths, next_monday):
    return book(patient, alice, lengths[30], at(next_monday, "10:00"), note="Sore knee")


@pytest.fixture
def thea(alice):
    """Alice's own login: a therapist, who may see her patients' notes."""
    return staff("thea", THERAPIST, therapist=alice)


def _records():
    return list(ClinicalAccess.objects.values_list("by_username", "patient_id", "what", "where"))


def test_opening_an_appointment_with_a_note_is_recorded(client, thea, appointment):
    client.force_login(thea)
    page = client.get(reverse("admin:bookings_appointment_change", args=[appointment.pk])).content.decode()

    assert "Sore knee" in page
    assert _records() == [
        ("thea", appointment.patient_id, "clinical note and screening answers", f"appointment {appointment.reference}")
    ]
    assert ClinicalAccess.objects.get().by == thea


def test_the_diary_records_each_patient_whose_note_it_shows_once(client, thea, appointment, lengths, alice):
    book(appointment.patient, alice, lengths[30], at(appointment.local_start.date(), "11:00"), note="Still sore")
    client.force_login(thea)
    page = client.get(reverse("admin:bookings_diary"), {"date": appointment.local_start.date().isoformat()})

    assert "Still sore" in page.content.decode()
    ((who, patient_id, what, where),) = _records()
    assert (who, patient_id, what) == ("thea", appointment.patient_id, "clinical note")
    assert where.startswith("diary, Mon")


def test_the_history_of_an_appointment_is_recorded(client, thea, appointment):
    client.force_login(thea)
    assert client.get(reverse("admin:bookings_appointment_history", args=[appointment.pk])).status_code == 200
    assert [r[3] for r in _records()] == [f"appointment {appointment.reference}, history"]


def test_reception_sees_no_note_so_nothing_is_recorded(client, appointment):
    client.force_login(staff("desk", RECEPTION))
    page = client.get(reverse("admin:bookings_appointment_change", args=[appointment.pk])).content.decode()
    client.get(reverse("admin:bookings_diary"), {"date": appointment.local_start.date().isoformat()})

    assert "Sore knee" not in page
    assert _records() == []


def test_managers_see_the_records_and_reception_cannot(client, thea, appointment):
    client.force_login(thea)
    client.get(reverse("admin:bookings_appointment_change", args=[appointment.pk]))

    client.force_login(staff("boss", MANAGER))
    page = client.get(RECORDS).content.decode()
    assert "thea" in page and "clinical note and screening answers" in page

    client.force_login(staff("desk", RECEPTION))
    assert client.get(RECORDS).status_code == 403
    record = ClinicalAccess.objects.get()
    assert client.get(reverse("admin:core_clinicalaccess_change", args=[record.pk])).status_code == 403


def test_nobody_can_change_or_delete_a_record(client, thea, appointment):
    client.force_login(thea)
    client.get(reverse("admin:bookings_appointment_change", args=[appointment.pk]))
    record = ClinicalAccess.objects.get()

    client.force_login(staff("boss", MANAGER))
    assert (
        client.post(reverse("admin:core_clinicalaccess_delete", args=[record.pk]), {"post": "yes"}).status_code == 403
    )
    assert ClinicalAccess.objects.count() == 1


def test_opening_an_appointment_with_health_answers_but_no_note_is_recorded(client, thea, alice, lengths, next_monday):
    booked = create_booking(
        length=lengths[30],
        start=at(next_monday, "15:00"),
        patient=PatientDetails(name="Hal Answers", phone="+447400444555"),
        therapist=alice,
        online_rules=False,
        screening=answers(seeded_questionnaire(), yes=["blood-thinners"]),
    )
    client.force_login(thea)
    client.get(reverse("admin:bookings_appointment_change", args=[booked.pk]))

    assert [(r[1], r[2]) for r in _records()] == [(booked.patient_id, "clinical note and screening answers")]


def test_the_day_sheet_records_the_notes_it_prints(client, thea, appointment):
    day = appointment.local_start.date()
    client.force_login(thea)
    page = client.get(reverse("admin:bookings_day_sheet"), {"date": day.isoformat()}).content.decode()

    assert "Sore knee" in page
    assert [(r[1], r[2], r[3][:9]) for r in _records()] == [(appointment.patient_id, "clinical note", "day sheet")]


def test_a_diary_left_open_records_one_look_per_half_hour(client, thea, appointment):
    day = appointment.local_start.date().isoformat()
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        client.force_login(thea)
        client.get(reverse("admin:bookings_diary"), {"date": day})
    with time_machine.travel(start + timedelta(minutes=10), tick=False):
        client.get(reverse("admin:bookings_diary"), {"date": day})  # the live diary drawing itself again
        assert len(_records()) == 1
    with time_machine.travel(start + timedelta(minutes=25 + 10), tick=False):
        client.get(reverse("admin:bookings_diary"), {"date": day})
        assert len(_records()) == 2
