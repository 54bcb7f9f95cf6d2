"""Health answers are for staff with the clinical-notes permission; everyone else sees the badge."""

import pytest
from django.urls import reverse

from bookings.models import Appointment
from clinic.core.roles import MANAGER, RECEPTION, THERAPIST
from tests.bookings.diary_support import book, staff
from tests.bookings.screening_support import give_answers, seeded_questionnaire
from tests.conftest import at

pytestmark = pytest.mark.django_db

DETAIL = "Warfarin since my valve operation"
QUESTION = "Do you take blood-thinning medicine?"
ROLES = [("reception", "rita", RECEPTION), ("therapist", "alice", THERAPIST), ("manager", "boss", MANAGER)]


@pytest.fixture
def people(alice):
    return {name: staff(login, role, therapist=alice if role == THERAPIST else None) for name, login, role in ROLES}


@pytest.fixture
def flagged(patient, alice, lengths, next_monday):
    """Alice's patient answered Yes to blood thinners, with a detail; then the time was moved, so
    the history has more than one entry."""
    appointment = book(patient, alice, lengths[30], at(next_monday, "10:00"))
    give_answers(appointment, seeded_questionnaire(), yes=["blood-thinners"], details={"blood-thinners": DETAIL})
    appointment.start = at(next_monday, "11:00")
    appointment.save()
    return appointment


def every_view_of(client, appointment) -> dict[str, str]:
    day = appointment.local_start.date().isoformat()
    pages = {
        "appointment": reverse("admin:bookings_appointment_change", args=[appointment.pk]),
        "list": reverse("admin:bookings_appointment_changelist"),
        "diary": f"{reverse('admin:bookings_diary')}?date={day}",
        "week": f"{reverse('admin:bookings_diary_week')}?therapist={appointment.therapist_id}&date={day}",
        "history": reverse("admin:bookings_appointment_history", args=[appointment.pk]),
        "index": reverse("admin:index"),
    }
    for record in appointment.history.all():
        pages[f"history {record.pk}"] = reverse(
            "admin:bookings_appointment_simple_history", args=[appointment.pk, record.pk]
        )
    views = {}
    for name, url in pages.items():
        response = client.get(url)
        assert response.status_code == 200, name
        views[name] = response.content.decode()
    return views


def test_reception_sees_the_badge_everywhere_but_never_the_answers_or_details(client, people, flagged):
    client.force_login(people["reception"])
    views = every_view_of(client, flagged)

    for name, page in views.items():
        assert DETAIL not in page, name
        assert QUESTION not in page, name
        assert "valve" not in page and "Warfarin" not in page, name
    for name in ("appointment", "list", "diary", "week"):
        assert "screening-badge screening-flagged" in views[name], name
        assert "Flagged: therapist reviews" in views[name], name


@pytest.mark.parametrize("role", ["therapist", "manager"])
def test_clinical_staff_see_the_answers_in_the_wording_asked(client, people, flagged, role):
    client.force_login(people[role])
    page = client.get(reverse("admin:bookings_appointment_change", args=[flagged.pk])).content.decode()
    assert QUESTION in page and DETAIL in page
    assert "screening-badge screening-flagged" in page


def test_a_therapist_never_sees_another_therapists_patients_answers(client, people, ben, lengths, next_monday):
    from bookings.models import Patient

    other = Patient.objects.create(name="Ben's Patient", phone="+447700900777")
    bens = give_answers(
        book(other, ben, lengths[30], at(next_monday, "10:00")),
        seeded_questionnaire(),
        yes=["blood-thinners"],
        details={"blood-thinners": DETAIL},
    )
    client.force_login(people["therapist"])
    assert client.get(reverse("admin:bookings_appointment_change", args=[bens.pk])).status_code == 302
    assert client.get(reverse("admin:bookings_appointment_history", args=[bens.pk])).status_code == 404


def test_the_answers_changed_warning_and_the_review_count_reach_reception(client, people, flagged):
    Appointment.objects.filter(pk=flagged.pk).update(answers_changed=True)
    client.force_login(people["reception"])

    diary = client.get(reverse("admin:bookings_diary"), {"date": flagged.local_start.date().isoformat()})
    index = client.get(reverse("admin:index")).content.decode()
    review = client.get(reverse("admin:bookings_appointment_changelist"), {"screening": "review"})

    assert "Answers changed during booking" in diary.content.decode()
    assert "health answers to review" in index
    assert flagged.patient.name in review.content.decode()
    assert DETAIL not in index + review.content.decode()


def test_a_reception_booking_shows_not_yet_screened(client, people, patient, alice, lengths, next_monday):
    appointment = book(patient, alice, lengths[30], at(next_monday, "10:00"))
    client.force_login(people["reception"])
    diary = client.get(reverse("admin:bookings_diary"), {"date": appointment.local_start.date().isoformat()})
    assert "screening-badge screening-not-screened" in diary.content.decode()
    assert "Not yet screened" in diary.content.decode()
