"""The printable day sheet: one page per therapist, from the diary's Print button; notes only for
staff with the clinical-notes permission; a therapist prints only their own page."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from bookings.models import Appointment, Patient
from clinic.core.models import ClinicSettings
from clinic.core.roles import MANAGER, THERAPIST
from tests.bookings.diary_support import book, ensure_roles_exist, staff
from tests.conftest import at, make_therapist

pytestmark = pytest.mark.django_db

SHEET = reverse("admin:bookings_day_sheet")


@pytest.fixture(autouse=True)
def _roles(db):
    ensure_roles_exist()


@pytest.fixture
def day(next_monday):
    return next_monday


@pytest.fixture
def diary(patient, alice, ben, lengths, day):
    """Pat with Alice at 10:00 (a note) and with Ben at 15:00; Robin with Ben at 09:00."""
    robin = Patient.objects.create(name="Robin Sample", phone="+447700900456")
    return [
        book(patient, alice, lengths[30], at(day, "10:00"), note="Left shoulder stiff since March"),
        book(patient, ben, lengths[60], at(day, "15:00")),
        book(robin, ben, lengths[45], at(day, "09:00")),
        book(robin, ben, lengths[30], at(day, "11:00"), status=Appointment.Status.CANCELLED),
    ]


def sheet(client, day):
    response = client.get(SHEET, {"date": day.isoformat()})
    assert response.status_code == 200
    return response.content.decode()


def test_the_diary_links_to_the_days_sheet(client, receptionist, day, alice):
    client.force_login(receptionist)
    page = client.get(reverse("admin:bookings_diary"), {"date": day.isoformat()}).content.decode()
    assert f"{SHEET}?date={day.isoformat()}" in page and "Print day sheet" in page


def test_each_therapist_gets_a_page_with_their_appointments_in_time_order(client, receptionist, diary, day):
    make_therapist("Cara Away", hours={})  # works no hours and has nothing booked: no page
    client.force_login(receptionist)

    html = sheet(client, day)

    assert html.count('class="sheet-page"') == 2
    alice_page, ben_page = html.split('class="sheet-page"')[1:]
    assert "Alice Example" in alice_page and "10:00–10:30" in alice_page and "Pat Example" in alice_page
    assert ben_page.index("09:00–09:45") < ben_page.index("15:00–16:00")
    assert "Robin Sample" in ben_page and "11:00" not in ben_page  # the cancelled one is not on it
    assert "Cara Away" not in html
    assert 'href="tel:+447700900123"' in alice_page and "07700 900123" in alice_page
    assert "First visit" in alice_page
    assert "Also: 15:00–16:00 with Ben Sample" in alice_page
    assert "Working 09:00–13:00, 14:00–17:00" in alice_page


def test_reception_without_the_notes_permission_sees_that_there_is_a_note_but_not_what_it_says(
    client, receptionist, diary, day
):
    client.force_login(receptionist)
    html = sheet(client, day)
    assert "Left shoulder" not in html
    assert "Note on file" in html
    assert "patients' notes are not printed" in html


def test_staff_with_the_notes_permission_see_the_note(client, diary, day):
    client.force_login(staff("mia", MANAGER))
    html = sheet(client, day)
    assert "Left shoulder stiff since March" in html
    assert "Patient's note" in html


def test_a_therapist_prints_only_their_own_page(client, diary, alice, day):
    client.force_login(staff("terry", THERAPIST, therapist=alice))
    html = sheet(client, day)
    assert html.count('class="sheet-page"') == 1
    assert "Alice Example" in html and "Robin Sample" not in html


def test_someone_without_access_to_appointments_cannot_open_it(client, diary, day):
    client.force_login(staff("nobody", None))
    assert client.get(SHEET, {"date": day.isoformat()}).status_code == 403


def test_the_sheet_costs_the_same_queries_for_a_quiet_day_and_a_busy_one(
    client, receptionist, patient, alice, lengths, day
):
    client.force_login(receptionist)
    ClinicSettings.load()  # the settings row a real clinic has; from the cache after its first read
    book(patient, alice, lengths[30], at(day, "09:00"))
    sheet(client, day)
    with CaptureQueriesContext(connection) as quiet:
        sheet(client, day)
    busy_day = day + timedelta(days=1)
    for i in range(12):
        person = Patient.objects.create(name=f"P {i}", phone=f"+4477009003{i:02d}")
        book(person, alice, lengths[30], at(busy_day, f"{9 + i // 2}:{30 * (i % 2):02d}"))
    with CaptureQueriesContext(connection) as busy:
        sheet(client, busy_day)
    assert len(quiet) == len(busy)
