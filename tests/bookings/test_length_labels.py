"""One label for a length everywhere (bookings/lengths.py): "30 minutes" with one treatment on
offer; "Sports massage, 30 minutes" once there are more, so no two lengths read the same."""

import pytest
from django.urls import reverse

from bookings import tokens
from bookings.diary import load_day
from bookings.lengths import length_label, names_treatments
from bookings.notifications import Kind
from bookings.services import NotOffered, create_booking
from callbacks.models import CallbackRequest
from clinic.sms.models import Message
from tests.bookings.diary_support import ensure_roles_exist
from tests.bookings.wait_list_support import cancel, waiting
from tests.conftest import at

pytestmark = pytest.mark.django_db


def test_with_one_treatment_a_length_reads_as_minutes(lengths, alice):
    assert not names_treatments()
    assert length_label(lengths[30]) == "30 minutes"
    assert length_label(lengths[30], price=True) == "30 minutes, £40"
    assert lengths[30].label(short=True) == "30 min"


def test_with_two_treatments_every_label_names_its_treatment(lengths, sports_massage, alice, cara):
    assert names_treatments()
    assert length_label(lengths[30], price=True) == "Soft tissue release massage, 30 minutes, £40"
    assert length_label(sports_massage[30], price=True) == "Sports massage, 30 minutes, £40"
    assert sports_massage[60].label(short=True) == "Sports massage, 60 min"


def test_a_treatment_nobody_gives_does_not_make_labels_name_treatments(lengths, sports_massage, alice):
    assert not names_treatments()
    assert length_label(lengths[30]) == "30 minutes"


def test_adding_the_second_treatments_therapist_changes_the_labels_at_once(lengths, sports_massage, alice):
    assert length_label(lengths[30]) == "30 minutes"  # now cached
    alice.lengths.add(sports_massage[30])  # the catalogue's version is bumped
    assert length_label(lengths[30]) == "Soft tissue release massage, 30 minutes"


def test_the_confirmation_text_names_the_treatment(patient, lengths, sports_massage, alice, cara, next_monday):
    create_booking(length=sports_massage[30], therapist=cara, start=at(next_monday, "10:00"), patient=patient)
    body = Message.objects.get(kind=Kind.BOOKING_CONFIRMATION).body
    assert "(Sports massage, 30 min)" in body


def test_the_confirmation_text_with_one_treatment_is_as_before(patient, lengths, alice, next_monday):
    create_booking(length=lengths[30], therapist=alice, start=at(next_monday, "10:00"), patient=patient)
    assert "(30 min)." in Message.objects.get(kind=Kind.BOOKING_CONFIRMATION).body


def test_the_diary_names_the_treatment_when_the_day_holds_two(
    patient, lengths, sports_massage, alice, cara, next_monday
):
    ensure_roles_exist()
    soft = create_booking(length=lengths[30], therapist=alice, start=at(next_monday, "10:00"), patient=patient)
    sports = create_booking(length=sports_massage[30], therapist=cara, start=at(next_monday, "11:00"), patient=patient)
    blocks = {c.block.pk: c.block for col in load_day(next_monday).grid.columns for c in col.cells if c and c.block}
    assert blocks[soft.pk].length_label == "Soft tissue release massage, 30 min"
    assert blocks[sports.pk].length_label == "Sports massage, 30 min"
    assert "Sports massage, 30 min" in blocks[sports.pk].title


def test_the_appointment_list_in_admin_names_the_treatment(
    client, manager, patient, lengths, sports_massage, alice, cara, next_monday
):
    create_booking(length=sports_massage[30], therapist=cara, start=at(next_monday, "10:00"), patient=patient)
    client.force_login(manager)
    page = client.get(reverse("admin:bookings_appointment_changelist")).content.decode()
    assert "Sports massage, 30 min" in page


def test_the_therapist_list_in_admin_names_each_offered_length(client, manager, lengths, sports_massage, cara):
    client.force_login(manager)
    page = client.get(reverse("admin:therapists_therapist_changelist")).content.decode()
    assert "Sports massage, 30 min, Sports massage, 60 min" in page


def test_a_wait_list_offer_text_names_the_treatment(
    monday_afternoon, lengths, sports_massage, alice, cara, booked_wednesday, on_commit, sms_outbox
):
    waiting("First", "+447700900405", lengths[45])
    cancel(on_commit, booked_wednesday)
    body = next(sms.body for sms in sms_outbox if sms.kind == "waitlist_offer")
    assert body.startswith("Hi First, a 45-minute Soft tissue release massage slot is free Wed 9 Jan 10:00"), body


def test_the_patients_move_page_names_the_treatment(client, patient, lengths, sports_massage, alice, cara, next_monday):
    appointment = create_booking(
        length=sports_massage[60], therapist=cara, start=at(next_monday, "10:00"), patient=patient
    )
    page = client.get(tokens.manage_path(appointment) + "move/").content.decode()
    assert "(Sports massage, 60 minutes)" in page


def test_the_day_sheet_names_the_treatment(
    client, receptionist, patient, lengths, sports_massage, alice, cara, next_monday
):
    ensure_roles_exist()
    create_booking(length=sports_massage[30], therapist=cara, start=at(next_monday, "10:00"), patient=patient)
    client.force_login(receptionist)
    page = client.get(reverse("admin:bookings_day_sheet"), {"date": next_monday.isoformat()}).content.decode()
    assert "<td>Sports massage, 30 min</td>" in page


def test_what_a_referred_patient_wanted_names_the_treatment(lengths, sports_massage, alice, cara, next_monday):
    wanted = CallbackRequest(
        wanted_length=sports_massage[30], wanted_therapist=cara, wanted_start=at(next_monday, "10:00")
    )
    assert wanted.wanted_display.startswith("Sports massage, 30 min with Cara Sports, Mon ")


def test_a_refusal_names_the_treatment_of_the_length(lengths, sports_massage, alice, cara, patient, next_monday):
    with pytest.raises(NotOffered, match="Alice Example does not offer 30-minute Sports massage sessions"):
        create_booking(length=sports_massage[30], therapist=alice, start=at(next_monday, "10:00"), patient=patient)
