"""Moving from the diary through the endpoint its script calls: a move lands through the booking
service with one time-change text queued; a clash is refused naming it and changes nothing; a
move made on a stale page never overwrites a change made meanwhile."""

import pytest
from django.urls import reverse

from bookings.models import Appointment, Patient, Treatment, TreatmentLength
from bookings.notifications import Kind
from clinic.core.roles import THERAPIST
from clinic.sms.models import Message
from tests.bookings.diary_support import book, ensure_roles_exist, staff
from tests.conftest import at, make_therapist

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _roles(db):
    ensure_roles_exist()


@pytest.fixture
def appointment(patient, alice, lengths, next_monday):
    return book(patient, alice, lengths[30], at(next_monday, "10:00"))


@pytest.fixture
def signed_in(client, receptionist):
    client.force_login(receptionist)
    return client


def move(client, appointment, start, therapist, version=None):
    return client.post(
        reverse("admin:bookings_appointment_move", args=[appointment.pk]),
        {
            "start": str(int(start.timestamp())),
            "therapist": str(therapist.pk),
            "version": (version or appointment.updated_at).isoformat(),
        },
    )


def test_a_drag_to_another_therapist_and_time_moves_it_and_queues_one_text(
    signed_in, appointment, ben, next_monday, receptionist
):
    response = move(signed_in, appointment, at(next_monday, "11:15"), ben)

    assert response.status_code == 200
    assert response.json() == {
        "ok": True,
        "message": f"Moved Pat Example to Mon {next_monday.day} {next_monday:%b} 11:15 with Ben Sample. "
        "They will be texted the new time.",
    }
    appointment.refresh_from_db()
    assert (appointment.start, appointment.therapist) == (at(next_monday, "11:15"), ben)
    texts = Message.objects.about(appointment).filter(kind=Kind.TIME_CHANGE)
    assert texts.count() == 1 and "11:15" in texts.get().body
    assert appointment.history.first().history_user == receptionist


def test_a_clash_is_refused_naming_it_with_its_clearing_up_time_and_nothing_changes(
    signed_in, appointment, ben, next_monday
):
    sports = Treatment.objects.create(name="Sports massage", slug="sports-massage")
    with_buffer = TreatmentLength.objects.create(treatment=sports, minutes=30, price=40, buffer_minutes=15)
    ben.lengths.add(with_buffer)
    robin = Patient.objects.create(name="Robin Sample", phone="+447700900456")
    held = book(robin, ben, with_buffer, at(next_monday, "09:45"))

    response = move(signed_in, appointment, at(next_monday, "10:15"), ben)

    assert response.status_code == 409
    assert response.json()["message"] == (
        f"Not moved. Ben Sample already has Robin Sample ({held.reference}) 09:45–10:15, "
        f"clearing up until 10:30 on Mon {next_monday:%d %b}."
    )
    appointment.refresh_from_db()
    assert appointment.start == at(next_monday, "10:00")
    assert not Message.objects.filter(kind=Kind.TIME_CHANGE).exists()


def test_a_move_from_a_page_drawn_before_someone_else_changed_it_is_refused(signed_in, appointment, ben, next_monday):
    seen = appointment.updated_at
    other = Appointment.objects.get(pk=appointment.pk)
    other.start = at(next_monday, "14:00")
    other.save()  # another desk moved it meanwhile

    response = move(signed_in, appointment, at(next_monday, "11:00"), ben, version=seen)

    assert response.status_code == 409
    assert response.json()["message"] == (
        f"Not moved. Pat Example's appointment was changed at another desk meanwhile (it is now Mon "
        f"{next_monday.day} {next_monday:%b} 14:00 with Alice Example, booked). Nothing was changed; check it "
        "and try again."
    )
    appointment.refresh_from_db()
    assert (appointment.start, appointment.therapist.name) == (at(next_monday, "14:00"), "Alice Example")


def test_a_therapist_who_does_not_offer_the_length_is_refused(signed_in, appointment, next_monday):
    cara = make_therapist("Cara Short", lengths=[], order=3)
    response = move(signed_in, appointment, at(next_monday, "10:00"), cara)
    assert response.status_code == 409
    assert response.json()["message"].startswith("Not moved. Cara Short does not offer")


def test_nonsense_is_refused_politely(signed_in, appointment):
    url = reverse("admin:bookings_appointment_move", args=[appointment.pk])
    for data in ({}, {"start": "soon", "therapist": "1"}, {"start": "99999999999999", "therapist": "1"}):
        response = signed_in.post(url, data)
        assert response.status_code == 400
        assert response.json()["message"] == "That move could not be read. Reload the diary and try again."
    assert signed_in.get(url).status_code == 405


def test_dropping_it_where_it_was_changes_nothing(signed_in, appointment, alice, next_monday):
    response = move(signed_in, appointment, at(next_monday, "10:00"), alice)
    assert response.json() == {"ok": True, "message": "Left where it was."}
    assert not Message.objects.filter(kind=Kind.TIME_CHANGE).exists()


def test_a_therapist_login_cannot_move_appointments(client, appointment, alice, ben, next_monday):
    client.force_login(staff("terry", THERAPIST, therapist=alice))
    assert move(client, appointment, at(next_monday, "11:00"), ben).status_code == 403
    appointment.refresh_from_db()
    assert appointment.therapist == alice


def test_saving_the_appointment_page_over_a_move_made_meanwhile_is_refused_then_allowed(
    signed_in, appointment, alice, ben, next_monday
):
    url = reverse("admin:bookings_appointment_change", args=[appointment.pk])
    page = signed_in.get(url).content.decode()
    version = appointment.updated_at.isoformat()
    assert f'name="version" value="{version}"' in page
    meanwhile = Appointment.objects.get(pk=appointment.pk)
    meanwhile.start = at(next_monday, "14:00")
    meanwhile.save()  # another desk dragged it to 14:00 while this page was open
    form = {
        "therapist": ben.pk,
        "length": appointment.length_id,
        "start_0": next_monday.strftime("%d/%m/%Y"),
        "start_1": "11:00",
        "version": version,
    }

    refused = signed_in.post(url, form)

    assert refused.status_code == 200
    assert "was changed at another desk meanwhile (it is now Mon" in refused.content.decode()
    appointment.refresh_from_db()
    assert (appointment.start, appointment.therapist) == (at(next_monday, "14:00"), alice)
    fresh = appointment.updated_at.isoformat()
    assert f'name="version" value="{fresh}"' in refused.content.decode()

    saved = signed_in.post(url, form | {"version": fresh})  # having read it, save again
    assert saved.status_code == 302
    appointment.refresh_from_db()
    assert (appointment.start, appointment.therapist) == (at(next_monday, "11:00"), ben)
