"""A patient moving their appointment may also change its length (of the same treatment, priced
at the new length) and its therapist, or say "No preference"; through `reschedule_booking`
under the lock, from the manage link and from "My bookings" alike (the same pages)."""

import pytest
from django.urls import reverse

from bookings import tokens
from bookings.models import Treatment, TreatmentLength
from bookings.services import NotOffered, SlotUnavailable, create_booking, reschedule_booking
from clinic.sms.models import Message
from tests.conftest import at, make_therapist

pytestmark = pytest.mark.django_db


@pytest.fixture
def booked(patient, lengths, alice, next_monday):
    appointment = create_booking(length=lengths[30], therapist=alice, start=at(next_monday, "10:00"), patient=patient)
    Message.objects.update(status=Message.Status.SENT)  # the confirmation went when it was booked
    return appointment


def move_url(appointment) -> str:
    return reverse("bookings:manage_move", args=[tokens.manage_token(appointment)])


def time_change_text(appointment) -> str:
    return Message.objects.about(appointment).filter(kind="time_change").get().body


def test_moving_to_another_length_on_the_manage_page_charges_the_new_price(client, booked, lengths, next_monday):
    start = f"{next_monday.isoformat()}T10:00"
    confirm = client.get(move_url(booked), {"length": lengths[60].pk, "start": start}).content.decode()
    assert "60 minutes (was 30)" in confirm and "£70 (was £40)" in confirm

    response = client.post(move_url(booked), {"length": lengths[60].pk, "start": start}, follow=True)
    booked.refresh_from_db()
    assert (booked.length, booked.price, booked.start) == (lengths[60], lengths[60].price, at(next_monday, "10:00"))
    assert "(60 minutes, £70)" in response.content.decode()
    assert "changed to 60 min (£70)" in time_change_text(booked) and ", 30 min)" in time_change_text(booked)


def test_the_move_page_offers_the_treatments_lengths_and_therapists_with_no_preference(client, booked, lengths, ben):
    other = Treatment.objects.create(name="Sports massage", slug="sports")
    sports = TreatmentLength.objects.create(treatment=other, minutes=40, price=50)
    ben.lengths.add(sports)
    page = client.get(move_url(booked)).content.decode()
    assert "45 minutes, £55" in page and "60 minutes, £70" in page and "40 minutes" not in page
    assert ">No preference<" in page and ">Ben Sample<" in page
    assert "Days from" in page  # free days for the appointment as it is


def test_moving_with_no_preference_keeps_the_therapist_when_they_are_free(booked, lengths, ben, next_monday):
    moved = reschedule_booking(appointment=booked, start=at(next_monday, "11:00"), anyone=True, online_rules=True)
    assert moved.therapist == booked.therapist


def test_moving_with_no_preference_goes_to_whoever_is_free(patient, booked, lengths, alice, ben, next_monday):
    from bookings.models import Patient

    other = Patient.objects.create(name="Olive Other", phone="+447700900321")
    create_booking(length=lengths[30], therapist=alice, start=at(next_monday, "11:00"), patient=other)
    moved = reschedule_booking(appointment=booked, start=at(next_monday, "11:00"), anyone=True, online_rules=True)
    assert moved.therapist == ben
    assert "with a new therapist, Ben Sample" in time_change_text(moved)


def test_with_no_preference_and_nobody_free_nothing_moves(booked, lengths, alice, next_monday):
    from bookings.models import Patient

    other = Patient.objects.create(name="Olive Other", phone="+447700900321")
    create_booking(length=lengths[30], therapist=alice, start=at(next_monday, "11:00"), patient=other)
    with pytest.raises(SlotUnavailable):
        reschedule_booking(appointment=booked, start=at(next_monday, "11:00"), anyone=True, online_rules=True)
    booked.refresh_from_db()
    assert booked.start == at(next_monday, "10:00")


def test_a_patient_cannot_move_to_a_length_of_another_treatment(booked, alice, next_monday):
    other = Treatment.objects.create(name="Sports massage", slug="sports")
    sports = TreatmentLength.objects.create(treatment=other, minutes=30, price=50)
    alice.lengths.add(sports)
    with pytest.raises(NotOffered, match="same treatment"):
        reschedule_booking(appointment=booked, start=booked.start, length=sports, online_rules=True)


def test_a_therapist_who_does_not_offer_the_length_is_refused_on_the_page(client, booked, lengths, next_monday):
    carol = make_therapist("Carol Short", lengths=[lengths[30]], order=3)
    response = client.get(move_url(booked), {"length": lengths[60].pk, "therapist": carol.pk})
    page = response.content.decode()
    assert "Carol Short does not offer 60-minute sessions." in page
    assert "Days from" not in page

    client.post(
        move_url(booked),
        {"length": lengths[60].pk, "therapist": carol.pk, "start": f"{next_monday.isoformat()}T11:00"},
    )
    booked.refresh_from_db()
    assert (booked.therapist_id, booked.length) != (carol.pk, lengths[60])


def test_reception_changing_only_the_length_sends_no_text_but_the_patient_is_told(booked, lengths):
    reschedule_booking(appointment=booked, start=booked.start, length=lengths[45])
    assert not Message.objects.about(booked).filter(kind="time_change").exists()

    reschedule_booking(appointment=booked, start=booked.start, length=lengths[60], online_rules=True)
    assert "changed to 60 min (£70)" in time_change_text(booked)


def test_the_day_and_time_links_keep_the_chosen_length_and_therapist(client, booked, lengths, ben, next_monday):
    page = client.get(move_url(booked), {"length": lengths[45].pk, "therapist": ben.pk}).content.decode()
    assert f"length={lengths[45].pk}&amp;therapist={ben.pk}" in page
    day = client.get(
        move_url(booked), {"length": lengths[45].pk, "therapist": ben.pk, "day": next_monday.isoformat()}
    ).content.decode()
    assert f"length={lengths[45].pk}&amp;therapist={ben.pk}&amp;start={next_monday.isoformat()}T" in day
