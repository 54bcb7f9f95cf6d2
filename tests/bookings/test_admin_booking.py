"""Reception books and moves appointments in admin, through the booking services' guard."""

import html
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from bookings.admin import forms as admin_forms
from bookings.models import Appointment, Patient
from bookings.notifications import Kind
from clinic.sms.models import Message
from tests.bookings.diary_support import book, ensure_roles_exist
from tests.conftest import at

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _roles(db):
    """Before the cast's `receptionist` joins the Reception group."""
    ensure_roles_exist()


ADD = reverse("admin:bookings_appointment_add")


def booking_form(therapist, length, start, **overrides) -> dict:
    local = timezone.localtime(start)
    data = {
        "patient": "",
        "new_patient_name": "",
        "new_patient_phone": "",
        "therapist": str(therapist.pk),
        "length": str(length.pk),
        "start_0": local.strftime("%Y-%m-%d"),
        "start_1": local.strftime("%H:%M"),
        "notify_patient": "on",
        "_save": "Save",
    }
    return data | overrides


def move_form(appointment, **overrides) -> dict:
    local = appointment.local_start
    data = {
        "therapist": str(appointment.therapist_id),
        "length": str(appointment.length_id),
        "start_0": local.strftime("%Y-%m-%d"),
        "start_1": local.strftime("%H:%M"),
        "_save": "Save",
    }
    return data | overrides


@pytest.fixture
def signed_in(client, receptionist):
    client.force_login(receptionist)
    return client


def test_reception_books_a_known_patient_and_lands_on_that_days_diary(
    signed_in, receptionist, patient, alice, lengths, next_monday
):
    response = signed_in.post(ADD, booking_form(alice, lengths[30], at(next_monday, "10:00"), patient=patient.pk))

    appointment = Appointment.objects.get()
    assert (appointment.patient, appointment.therapist, appointment.start) == (
        patient,
        alice,
        at(next_monday, "10:00"),
    )
    assert appointment.source == Appointment.Source.RECEPTION
    assert appointment.history.first().history_user == receptionist
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('admin:bookings_diary')}?date={next_monday.isoformat()}"
    assert Message.objects.about(appointment).filter(kind=Kind.BOOKING_CONFIRMATION).exists()


def test_a_new_patient_is_created_inline_with_the_phone_in_international_form(signed_in, alice, lengths, next_monday):
    signed_in.post(
        ADD,
        booking_form(
            alice,
            lengths[60],
            at(next_monday, "14:00"),
            new_patient_name="Robin Caller",
            new_patient_phone="07700 900456",
        ),
    )
    appointment = Appointment.objects.get()
    assert appointment.patient.name == "Robin Caller"
    assert str(appointment.patient.phone) == "+447700900456"


def test_a_known_phone_number_books_that_patient_instead_of_a_duplicate(
    signed_in, patient, alice, lengths, next_monday
):
    signed_in.post(
        ADD,
        booking_form(
            alice, lengths[30], at(next_monday, "09:00"), new_patient_name="Pat E", new_patient_phone="07700 900123"
        ),
    )
    assert Appointment.objects.get().patient == patient
    assert Patient.objects.count() == 1


def test_the_form_asks_for_a_patient_when_none_is_given(signed_in, alice, lengths, next_monday):
    response = signed_in.post(ADD, booking_form(alice, lengths[30], at(next_monday, "09:00")))
    assert response.status_code == 200
    assert "Find the patient, or enter a new patient&#x27;s name and phone below." in response.content.decode()
    assert not Appointment.objects.exists()


def test_reception_may_book_outside_the_online_rules(signed_in, patient, alice, lengths):
    # Within the hour (too soon online) and at 07:30, before Alice's hours start.
    tomorrow_early = at(timezone.localdate() + timedelta(days=1), "07:30")
    response = signed_in.post(ADD, booking_form(alice, lengths[30], tomorrow_early, patient=patient.pk))
    assert response.status_code == 302
    assert Appointment.objects.get().start == tomorrow_early


def test_booking_into_a_taken_time_shows_an_error_naming_the_clash(signed_in, patient, alice, lengths, next_monday):
    taken = book(patient, alice, lengths[60], at(next_monday, "10:00"))
    other = Patient.objects.create(name="Sam Sample", phone="+447700900999")

    response = signed_in.post(ADD, booking_form(alice, lengths[30], at(next_monday, "10:30"), patient=other.pk))

    assert response.status_code == 200
    page = response.content.decode()
    assert f"Alice Example already has Pat Example ({taken.reference}) 10:00–11:00" in page
    assert Appointment.objects.count() == 1


def test_a_time_taken_between_the_check_and_the_booking_shows_the_services_message(
    signed_in, patient, alice, lengths, next_monday, monkeypatch
):
    book(patient, alice, lengths[60], at(next_monday, "10:00"))
    other = Patient.objects.create(name="Sam Sample", phone="+447700900999")
    # The form's early check sees the time free (as if the other booking landed just after it).
    monkeypatch.setattr(admin_forms, "clashes", lambda *args: False)

    response = signed_in.post(ADD, booking_form(alice, lengths[30], at(next_monday, "10:30"), patient=other.pk))

    assert response.status_code == 200
    assert "Alice Example already has Pat Example" in response.content.decode()
    assert Appointment.objects.count() == 1


def test_a_length_the_therapist_does_not_offer_is_refused(signed_in, patient, alice, lengths, next_monday):
    alice.lengths.remove(lengths[45])
    response = signed_in.post(ADD, booking_form(alice, lengths[45], at(next_monday, "10:00"), patient=patient.pk))
    assert response.status_code == 200
    assert "Alice Example does not offer" in response.content.decode()
    assert not Appointment.objects.exists()


def test_the_add_form_is_filled_in_from_the_diarys_link(signed_in, patient, alice, next_monday):
    response = signed_in.get(
        ADD, {"therapist": alice.pk, "start": f"{next_monday.isoformat()}T10:15", "patient": patient.pk}
    )
    form = response.context["adminform"].form
    assert str(form.initial["therapist"]) == str(alice.pk)
    assert str(form.initial["patient"]) == str(patient.pk)
    assert form.initial["start"] == at(next_monday, "10:15")
    page = response.content.decode()
    assert "10:15" in page and "Pat Example" in page


def test_a_booking_can_be_moved_to_a_free_time_and_therapist(
    signed_in, receptionist, patient, alice, ben, lengths, next_monday
):
    appointment = book(patient, alice, lengths[30], at(next_monday, "10:00"))
    change = reverse("admin:bookings_appointment_change", args=[appointment.pk])

    response = signed_in.post(change, move_form(appointment, therapist=str(ben.pk), start_1="15:00"))

    assert response.status_code == 302
    appointment.refresh_from_db()
    assert (appointment.therapist, appointment.start) == (ben, at(next_monday, "15:00"))
    assert appointment.history.first().history_user == receptionist
    assert Message.objects.about(appointment).filter(kind=Kind.TIME_CHANGE).exists()


def test_moving_onto_a_taken_time_is_refused_with_the_clash(signed_in, patient, alice, lengths, next_monday):
    taken = book(patient, alice, lengths[60], at(next_monday, "10:00"))
    other = Patient.objects.create(name="Sam Sample", phone="+447700900999")
    moving = book(other, alice, lengths[30], at(next_monday, "14:00"))
    change = reverse("admin:bookings_appointment_change", args=[moving.pk])

    response = signed_in.post(change, move_form(moving, start_1="10:30"))

    assert response.status_code == 200
    assert f"Alice Example already has Pat Example ({taken.reference})" in response.content.decode()
    moving.refresh_from_db()
    assert moving.start == at(next_monday, "14:00")


def test_a_move_refused_by_the_service_after_the_form_check_is_shown_not_raised(
    signed_in, patient, alice, lengths, next_monday, monkeypatch
):
    book(patient, alice, lengths[60], at(next_monday, "10:00"))
    other = Patient.objects.create(name="Sam Sample", phone="+447700900999")
    moving = book(other, alice, lengths[30], at(next_monday, "14:00"))
    monkeypatch.setattr(admin_forms, "clashes", lambda *args: False)

    response = signed_in.post(
        reverse("admin:bookings_appointment_change", args=[moving.pk]), move_form(moving, start_1="10:30")
    )

    assert response.status_code == 200
    assert "Alice Example already has Pat Example" in response.content.decode()
    moving.refresh_from_db()
    assert moving.start == at(next_monday, "14:00")


def test_a_cancelled_appointment_cannot_be_moved(signed_in, patient, alice, lengths, next_monday):
    cancelled = book(patient, alice, lengths[30], at(next_monday, "10:00"), status=Appointment.Status.CANCELLED)
    signed_in.post(
        reverse("admin:bookings_appointment_change", args=[cancelled.pk]), move_form(cancelled, start_1="15:00")
    )
    cancelled.refresh_from_db()
    assert cancelled.start == at(next_monday, "10:00")


def test_patients_are_found_by_the_phone_number_as_reception_hears_it(signed_in, patient):
    Patient.objects.create(name="Someone Else", phone="+447700900999")
    response = signed_in.get(
        reverse("admin:autocomplete"),
        {"term": "07700 900123", "app_label": "bookings", "model_name": "appointment", "field_name": "patient"},
    )
    assert [r["text"] for r in response.json()["results"]] == [str(patient)]


def test_the_clash_counts_the_clearing_up_time_and_suggests_the_nearest_free_times(
    signed_in, patient, alice, lengths, next_monday
):
    lengths[30].buffer_minutes = 15
    lengths[30].save()
    taken = book(patient, alice, lengths[30], at(next_monday, "09:45"))  # held until 10:30
    other = Patient.objects.create(name="Sam Sample", phone="+447700900999")

    response = signed_in.post(ADD, booking_form(alice, lengths[30], at(next_monday, "10:15"), patient=other.pk))

    page = html.unescape(response.content.decode())
    assert response.status_code == 200
    assert (
        f"Alice Example already has Pat Example ({taken.reference}) 09:45–10:15, clearing up until 10:30 "
        f"on {next_monday:%a %d %b}." in page
    )
    assert "Free nearby with Alice Example: 10:30, 10:45, 11:00." in page
    assert Appointment.objects.count() == 1


def test_a_clash_made_by_the_new_bookings_own_clearing_up_time_says_so(signed_in, patient, alice, lengths, next_monday):
    lengths[45].buffer_minutes = 15
    lengths[45].save()
    taken = book(patient, alice, lengths[30], at(next_monday, "10:00"))
    other = Patient.objects.create(name="Sam Sample", phone="+447700900999")

    response = signed_in.post(ADD, booking_form(alice, lengths[45], at(next_monday, "09:15"), patient=other.pk))

    page = html.unescape(response.content.decode())
    assert f"Alice Example already has Pat Example ({taken.reference}) 10:00–10:30" in page
    assert "This 45-minute booking needs Alice Example until 10:15 with its clearing-up time." in page


def test_after_a_refused_move_the_page_still_shows_the_saved_time(signed_in, patient, alice, lengths, next_monday):
    book(patient, alice, lengths[60], at(next_monday, "10:00"))
    other = Patient.objects.create(name="Sam Sample", phone="+447700900999")
    moving = book(other, alice, lengths[30], at(next_monday, "14:00"))

    response = signed_in.post(
        reverse("admin:bookings_appointment_change", args=[moving.pk]), move_form(moving, start_1="10:30")
    )

    page = html.unescape(response.content.decode())
    assert "already has Pat Example" in page  # the clash is explained
    title = page[page.index("<title>") : page.index("</title>")]
    assert "14:00" in title and "10:30" not in title
    ends = page[page.index("field-ends") :][:400]
    assert "14:30" in ends and "11:00" not in ends
    assert 'name="start_1" value="10:30"' in page  # what reception typed stays in the field to correct
