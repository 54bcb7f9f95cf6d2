"""The booking service: lock, re-check, write; one booking per form; friendly refusals."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from bookings.consents import Purpose
from bookings.models import Appointment, ConsentRecord, Patient
from bookings.services import (
    NotOffered,
    PatientDetails,
    PolicyViolation,
    SlotUnavailable,
    check_bookable,
    create_booking,
)
from tests.bookings.screening_support import answers, seeded_questionnaire
from tests.conftest import at, make_therapist

pytestmark = pytest.mark.django_db

ROBIN = PatientDetails(name="Robin Patient", phone="+447700900456", email="robin@example.com")
SAM = PatientDetails(name="Sam Other", phone="+447700900457")


def test_it_books_a_free_time_and_creates_the_patient_by_phone(alice, lengths, next_monday):
    appointment = create_booking(length=lengths[45], therapist=alice, start=at(next_monday, "10:00"), patient=ROBIN)
    appointment.refresh_from_db()
    assert appointment.status == Appointment.Status.BOOKED
    assert appointment.source == Appointment.Source.ONLINE
    assert appointment.end - appointment.start == timedelta(minutes=45)
    assert appointment.price == lengths[45].price
    assert appointment.patient.phone.as_e164 == "+447700900456"
    assert appointment.patient.name == "Robin Patient"


def test_it_finds_an_existing_patient_by_phone_instead_of_adding_another(patient, alice, lengths, next_monday):
    details = PatientDetails(name="Pat E.", phone="+447700900123", email="")
    appointment = create_booking(length=lengths[30], therapist=alice, start=at(next_monday, "10:00"), patient=details)
    assert appointment.patient == patient
    assert Patient.objects.count() == 1


def test_the_same_idempotency_key_returns_the_first_booking(alice, lengths, next_monday):
    first = create_booking(
        length=lengths[30], therapist=alice, start=at(next_monday, "10:00"), patient=ROBIN, idempotency_key="k" * 32
    )
    again = create_booking(
        length=lengths[30], therapist=alice, start=at(next_monday, "10:00"), patient=ROBIN, idempotency_key="k" * 32
    )
    assert again.pk == first.pk
    assert Appointment.objects.count() == 1


def test_no_preference_picks_the_free_therapist_with_fewest_booked_minutes_that_day(
    patient, alice, ben, lengths, next_monday
):
    create_booking(length=lengths[60], therapist=alice, start=at(next_monday, "09:00"), patient=patient)
    create_booking(length=lengths[30], therapist=ben, start=at(next_monday, "09:00"), patient=SAM)
    appointment = create_booking(length=lengths[30], therapist=None, start=at(next_monday, "15:00"), patient=ROBIN)
    assert appointment.therapist == ben
    second = create_booking(length=lengths[60], therapist=None, start=at(next_monday, "15:00"), patient=patient)
    assert second.therapist == alice  # Ben is busy at 15:00 now


def test_a_taken_time_raises_slot_unavailable_with_the_three_nearest_free_times(patient, alice, lengths, next_monday):
    create_booking(length=lengths[60], therapist=alice, start=at(next_monday, "10:00"), patient=patient)
    with pytest.raises(SlotUnavailable) as error:
        create_booking(length=lengths[30], therapist=alice, start=at(next_monday, "10:15"), patient=ROBIN)
    assert error.value.message == "Sorry, that time has just been booked."
    starts = [timezone.localtime(a.start).strftime("%H:%M") for a in error.value.alternatives]
    assert starts == ["09:30", "11:00", "09:15"]  # nearest first, earlier on a tie
    assert Appointment.objects.count() == 1


def test_no_preference_fails_only_when_every_therapist_is_taken(patient, alice, ben, lengths, next_monday):
    create_booking(length=lengths[30], therapist=alice, start=at(next_monday, "10:00"), patient=patient)
    create_booking(length=lengths[30], therapist=ben, start=at(next_monday, "10:00"), patient=SAM)
    with pytest.raises(SlotUnavailable) as error:
        create_booking(length=lengths[30], therapist=None, start=at(next_monday, "10:00"), patient=ROBIN)
    assert len(error.value.alternatives) == 3
    assert all(a.therapist_id is None for a in error.value.alternatives)


def test_a_length_the_therapist_does_not_offer_is_refused(lengths, next_monday):
    only_short = make_therapist("Chris Short", lengths=[lengths[30]])
    with pytest.raises(NotOffered):
        create_booking(length=lengths[60], therapist=only_short, start=at(next_monday, "10:00"), patient=ROBIN)
    assert not Appointment.objects.exists()


def test_a_time_in_the_past_is_refused(alice, lengths):
    yesterday = timezone.localdate() - timedelta(days=1)
    with pytest.raises(PolicyViolation, match="already passed"):
        create_booking(length=lengths[30], therapist=alice, start=at(yesterday, "10:00"), patient=ROBIN)


def test_a_time_inside_the_minimum_notice_is_refused(alice, lengths, next_monday):
    with time_machine.travel(at(next_monday, "09:30"), tick=False), pytest.raises(PolicyViolation, match="too soon"):
        create_booking(length=lengths[30], therapist=alice, start=at(next_monday, "10:00"), patient=ROBIN)


def test_a_day_beyond_the_horizon_is_refused(alice, lengths, clinic_settings):
    far = timezone.localdate() + timedelta(days=clinic_settings.horizon_days + 1)
    with pytest.raises(PolicyViolation, match="too far ahead"):
        create_booking(length=lengths[30], therapist=alice, start=at(far, "10:00"), patient=ROBIN)


def test_a_time_outside_working_hours_is_refused_as_outside_hours_not_as_taken(alice, lengths, next_monday):
    with pytest.raises(PolicyViolation, match="outside our hours"):
        create_booking(length=lengths[30], therapist=alice, start=at(next_monday, "13:15"), patient=ROBIN)
    assert not Appointment.objects.exists()


def test_check_bookable_tells_outside_hours_from_taken(patient, alice, lengths, next_monday):
    with pytest.raises(PolicyViolation, match="outside our hours"):
        check_bookable(length=lengths[30], therapist=alice, start=at(next_monday, "13:15"))
    create_booking(length=lengths[30], therapist=alice, start=at(next_monday, "10:00"), patient=patient)
    with pytest.raises(SlotUnavailable) as error:
        check_bookable(length=lengths[30], therapist=alice, start=at(next_monday, "10:00"))
    assert len(error.value.alternatives) == 3
    check_bookable(length=lengths[30], therapist=alice, start=at(next_monday, "10:30"))  # free: no error


def test_the_booking_keeps_the_note_and_the_health_answers_with_their_consent(alice, lengths, next_monday):
    version = seeded_questionnaire()
    appointment = create_booking(
        length=lengths[30],
        therapist=alice,
        start=at(next_monday, "10:00"),
        patient=ROBIN,
        note="Stiff neck",
        screening=answers(version),
        consents=(Purpose.PRIVACY_NOTICE, Purpose.CANCELLATION_POLICY),
    )
    appointment.refresh_from_db()
    assert appointment.note == "Stiff neck"
    assert appointment.screening_status == Appointment.ScreeningStatus.CLEAR
    answer_set = appointment.answer_sets.get()
    assert answer_set.version == version and answer_set.answers["recent-injury"] == {"answer": "no", "detail": ""}
    assert ConsentRecord.objects.about(answer_set).get().purpose == Purpose.HEALTH_ANSWERS
    assert sorted(ConsentRecord.objects.about(appointment).values_list("purpose", flat=True)) == [
        Purpose.CANCELLATION_POLICY,
        Purpose.PRIVACY_NOTICE,
    ]


def test_without_answers_a_booking_is_not_yet_screened_and_records_no_consent(alice, lengths, next_monday):
    appointment = create_booking(length=lengths[30], therapist=alice, start=at(next_monday, "10:00"), patient=ROBIN)
    assert appointment.screening_status == Appointment.ScreeningStatus.NOT_SCREENED
    assert not appointment.answer_sets.exists() and not ConsentRecord.objects.exists()


@pytest.mark.postgres
def test_a_clash_only_the_database_catches_is_still_just_taken_with_alternatives(
    recheck_misses_the_clash, patient, alice, lengths, next_monday
):
    Appointment.objects.create(patient=patient, therapist=alice, length=lengths[60], start=at(next_monday, "10:00"))
    with pytest.raises(SlotUnavailable) as refusal:
        create_booking(length=lengths[30], therapist=alice, start=at(next_monday, "10:30"), patient=ROBIN)
    assert refusal.value.message == "Sorry, that time has just been booked."
    assert len(refusal.value.alternatives) == 3
    assert Appointment.objects.count() == 1
