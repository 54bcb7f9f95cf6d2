"""Each role against the admin pages that matter, and who may read a patient's clinical note."""

from datetime import timedelta

import pytest
from django.urls import reverse

from bookings.models import Appointment, Patient
from clinic.core.roles import MANAGER, RECEPTION, THERAPIST
from tests.bookings.diary_support import book, staff
from tests.bookings.screening_support import give_answers, seeded_questionnaire
from tests.conftest import at

pytestmark = pytest.mark.django_db

NOTE = "Sore left shoulder since the house move"
SCREENING_ANSWER = "Blood thinners since June"

OK, DENIED, LOGIN = 200, 403, 302

# page -> expected status for (reception, therapist, manager, anonymous)
PAGES = {
    "admin:index": (OK, OK, OK, LOGIN),
    "admin:bookings_diary": (OK, OK, OK, LOGIN),
    "admin:bookings_diary_week": (OK, OK, OK, LOGIN),
    "admin:bookings_appointment_changelist": (OK, OK, OK, LOGIN),
    "admin:bookings_appointment_add": (OK, DENIED, OK, LOGIN),
    "admin:bookings_patient_changelist": (OK, OK, OK, LOGIN),
    "admin:bookings_patient_add": (OK, DENIED, OK, LOGIN),
    "admin:callbacks_callbackrequest_changelist": (OK, DENIED, OK, LOGIN),
    "admin:sms_message_changelist": (OK, DENIED, OK, LOGIN),
    "admin:sms_incomingtext_changelist": (OK, DENIED, OK, LOGIN),
    "admin:sms_textconsent_changelist": (OK, DENIED, OK, LOGIN),
    "admin:bookings_waitlistentry_changelist": (OK, DENIED, OK, LOGIN),
    "admin:bookings_waitlistentry_add": (OK, DENIED, OK, LOGIN),
    "admin:bookings_freedtime_changelist": (OK, DENIED, OK, LOGIN),
    "admin:therapists_therapist_changelist": (DENIED, DENIED, OK, LOGIN),
    "admin:therapists_absence_changelist": (DENIED, DENIED, OK, LOGIN),
    "admin:therapists_closure_changelist": (DENIED, DENIED, OK, LOGIN),
    "admin:bookings_treatment_changelist": (DENIED, DENIED, OK, LOGIN),
    "admin:bookings_treatmentlength_changelist": (DENIED, DENIED, OK, LOGIN),
    "admin:auth_user_changelist": (DENIED, DENIED, OK, LOGIN),
}
ROLES = ("reception", "therapist", "manager", "anonymous")


@pytest.fixture
def people(alice):
    return {
        "reception": staff("rita", RECEPTION),
        "therapist": staff("alice", THERAPIST, therapist=alice),
        "manager": staff("boss", MANAGER),
        "anonymous": None,
    }


@pytest.fixture
def noted(patient, alice, lengths, next_monday):
    """Alice's appointment whose patient wrote a note and answered the health questions."""
    appointment = book(patient, alice, lengths[30], at(next_monday, "10:00"), note=NOTE)
    version = seeded_questionnaire()
    return give_answers(appointment, version, yes=["blood-thinners"], details={"blood-thinners": SCREENING_ANSWER})


# (Not named `page`: that is pytest-playwright's fixture, and the clash reorders the test run.)
@pytest.mark.parametrize("url_name", PAGES)
@pytest.mark.parametrize("role", ROLES)
def test_each_role_reaches_only_its_pages(client, people, url_name, role):
    if people[role]:
        client.force_login(people[role])
    response = client.get(reverse(url_name))
    assert response.status_code == PAGES[url_name][ROLES.index(role)]
    if response.status_code == LOGIN:
        assert response["Location"].startswith(reverse("admin:login"))


@pytest.fixture
def on_its_day(time_machine, noted):
    """Half an hour before `noted` starts: arrived / no-show can only be marked from its day on."""
    time_machine.move_to(noted.start - timedelta(minutes=30))


@pytest.mark.parametrize("role", ["reception", "manager"])
def test_staff_who_run_the_diary_can_change_any_appointment(client, people, noted, on_its_day, role):
    client.force_login(people[role])
    change = reverse("admin:bookings_appointment_change", args=[noted.pk])
    page = client.get(change).content.decode()
    assert 'name="start_0"' in page and "Mark arrived" in page


def test_a_therapist_sees_their_own_appointment_read_only(client, people, noted, on_its_day):
    client.force_login(people["therapist"])
    change = reverse("admin:bookings_appointment_change", args=[noted.pk])
    response = client.get(change)
    page = response.content.decode()
    assert response.status_code == 200
    assert 'name="start_0"' not in page and "Mark arrived" not in page
    assert client.post(change, {"start_0": "2030-01-01"}).status_code == 403
    status = reverse("admin:bookings_appointment_set_status", args=[noted.pk, "arrived"])
    assert client.post(status).status_code == 403
    noted.refresh_from_db()
    assert noted.status == Appointment.Status.BOOKED


def test_a_therapist_cannot_open_someone_elses_appointment_by_its_address(client, people, ben, lengths, next_monday):
    someone = Patient.objects.create(name="Ben's Patient", phone="+447700900777")
    bens = book(someone, ben, lengths[30], at(next_monday, "10:00"), note="Ben's private note")
    client.force_login(people["therapist"])

    change = client.get(reverse("admin:bookings_appointment_change", args=[bens.pk]))
    history = client.get(reverse("admin:bookings_appointment_history", args=[bens.pk]))
    listing = client.get(reverse("admin:bookings_appointment_changelist")).content.decode()
    patients = client.get(reverse("admin:bookings_patient_changelist")).content.decode()

    assert change.status_code == 302  # admin's "does not exist" redirect
    assert history.status_code == 404
    assert "Ben&#x27;s Patient" not in listing and "Ben's Patient" not in listing
    assert "Ben&#x27;s Patient" not in patients


# --- the clinical note -------------------------------------------------------------------------


def _all_views_of(client, appointment):
    """The appointment page, the diary, the history list and every history entry's page."""
    pages = [
        client.get(reverse("admin:bookings_appointment_change", args=[appointment.pk])),
        client.get(reverse("admin:bookings_diary"), {"date": appointment.local_start.date().isoformat()}),
        client.get(reverse("admin:bookings_appointment_history", args=[appointment.pk])),
    ]
    for record in appointment.history.all():
        pages.append(client.get(reverse("admin:bookings_appointment_simple_history", args=[appointment.pk, record.pk])))
    return pages


def _edit_note(noted, text):
    noted.note = text
    noted.save()


def test_a_receptionist_without_the_clinical_notes_permission_never_sees_the_note(client, people, noted):
    _edit_note(noted, NOTE + ", worse at night")  # so the history has a change of note to show
    client.force_login(people["reception"])
    assert not people["reception"].has_perm("bookings.view_clinical_notes")

    for response in _all_views_of(client, noted):
        assert response.status_code == 200
        page = response.content.decode()
        assert "Sore left shoulder" not in page
        assert SCREENING_ANSWER not in page
    assert "Pat Example" in _all_views_of(client, noted)[1].content.decode()  # the diary itself is there


@pytest.mark.parametrize("role", ["therapist", "manager"])
def test_roles_with_the_clinical_notes_permission_see_the_note_everywhere(client, people, noted, role):
    _edit_note(noted, NOTE + ", worse at night")
    client.force_login(people[role])
    change, diary, history, *entries = _all_views_of(client, noted)
    assert NOTE in change.content.decode() and SCREENING_ANSWER in change.content.decode()
    assert NOTE in diary.content.decode()
    assert "worse at night" in history.content.decode()
    assert any(NOTE in entry.content.decode() for entry in entries)


def test_a_receptionist_given_the_permission_by_hand_does_see_the_note(client, people, noted):
    from django.contrib.auth.models import Permission

    reception = people["reception"]
    reception.user_permissions.add(Permission.objects.get(codename="view_clinical_notes"))
    client.force_login(reception)
    page = client.get(reverse("admin:bookings_appointment_change", args=[noted.pk])).content.decode()
    assert NOTE in page


def test_the_note_cannot_be_written_by_someone_who_cannot_read_it(client, people, noted):
    client.force_login(people["reception"])
    change = reverse("admin:bookings_appointment_change", args=[noted.pk])
    local = noted.local_start
    client.post(
        change,
        {
            "therapist": noted.therapist_id,
            "length": noted.length_id,
            "start_0": f"{local:%Y-%m-%d}",
            "start_1": f"{local:%H:%M}",
            "note": "overwritten",
            "_save": "Save",
        },
    )
    noted.refresh_from_db()
    assert noted.note == NOTE


def test_history_cannot_be_used_to_revert_an_appointment(client, people, noted):
    noted.status = Appointment.Status.CANCELLED
    noted.save()
    client.force_login(people["manager"])
    first = noted.history.earliest("history_date")
    url = reverse("admin:bookings_appointment_simple_history", args=[noted.pk, first.pk])
    assert client.post(url, {"status": "booked"}).status_code == 403
    noted.refresh_from_db()
    assert noted.status == Appointment.Status.CANCELLED


def test_the_appointment_history_shows_who_changed_what_and_when(client, people, noted, on_its_day):
    reception = people["reception"]
    client.force_login(reception)
    client.post(reverse("admin:bookings_appointment_set_status", args=[noted.pk, "arrived"]))
    page = client.get(reverse("admin:bookings_appointment_history", args=[noted.pk])).content.decode()
    assert "rita" in page
    assert "Booked" in page and "Arrived" in page  # the status change, from -> to


def test_the_patient_history_is_visible_from_the_patient_page(client, people, patient):
    client.force_login(people["reception"])
    change = reverse("admin:bookings_patient_change", args=[patient.pk])
    local = {"name": "Pat Example-Jones", "phone": "07700 900123", "email": "pat@example.com", "_save": "Save"}
    assert client.post(change, local).status_code == 302
    patient.refresh_from_db()
    assert patient.name == "Pat Example-Jones"
    page = client.get(reverse("admin:bookings_patient_history", args=[patient.pk])).content.decode()
    assert "rita" in page and "Pat Example-Jones" in page
