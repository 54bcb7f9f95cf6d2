"""Erasure: a manager erases a patient in one transaction; nothing that identifies them is left in
any table, while their appointments stay, de-identified, in the diary's figures."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from bookings.consents import Purpose
from bookings.models import AnswerSet, Appointment, ConsentRecord, Patient
from bookings.services import BookingError, erase_patient, erasure_plan
from callbacks.models import CallbackRequest
from clinic.core import personal_data
from clinic.core.models import PrivacyRecord
from clinic.core.personal_data import Category
from clinic.sms.models import Message
from tests.conftest import at
from tests.privacy_support import CARA_NEEDLES, OLLY_NEEDLES, found_in_database, seed

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded(alice, lengths, next_monday, manager):
    return seed(therapist=alice, lengths=lengths, day=next_monday, staff=manager)


@pytest.fixture
def after_the_day(seeded):
    with time_machine.travel(at(seeded.day + timedelta(days=2), "12:00"), tick=False):
        yield seeded


def test_the_seeded_patient_is_everywhere_before_erasure(seeded):
    """The search below can find her: every kind of table holds her name or number."""
    tables = {hit.split(".")[0] for hit in found_in_database(CARA_NEEDLES)}
    assert {
        "bookings_patient",
        "bookings_historicalpatient",
        "bookings_historicalappointment",
        "sms_message",
        "callbacks_callbackrequest",
        "callbacks_callattempt",
        "django_admin_log",
        "codes_phonecode",
    } <= tables


def test_erasure_is_refused_while_a_future_appointment_is_booked(seeded, manager):
    with pytest.raises(BookingError, match="appointment still to come .*Cancel it first"):
        erase_patient(patient=seeded.cara, by_user=manager)

    assert Patient.objects.get(pk=seeded.cara.pk).name == "Cara Callback"
    assert not PrivacyRecord.objects.filter(kind="erasure").exists()
    assert erasure_plan(patient=seeded.cara).allowed is False


def test_after_erasure_no_table_holds_the_patients_name_phone_or_email(after_the_day, manager):
    erase_patient(patient=after_the_day.cara, by_user=manager)

    assert found_in_database(CARA_NEEDLES) == []
    # Olly, same therapist and day, keeps everything.
    assert {n for hit in found_in_database(OLLY_NEEDLES) for n in OLLY_NEEDLES if hit.endswith(n)} == set(OLLY_NEEDLES)
    assert Appointment.objects.get(pk=after_the_day.olly_visit.pk).note == "Olly's stiff shoulder"


def test_erased_appointments_keep_time_length_therapist_status_and_price(after_the_day, manager):
    before = {
        a.pk: (a.start, a.length_id, a.therapist_id, a.status, a.price)
        for a in Appointment.objects.filter(patient=after_the_day.cara)
    }

    erase_patient(patient=after_the_day.cara, by_user=manager)

    after = Appointment.objects.filter(pk__in=before)
    assert {a.pk: (a.start, a.length_id, a.therapist_id, a.status, a.price) for a in after} == before
    assert {(a.note, a.cancellation_reason) for a in after} == {("", "")}
    assert not AnswerSet.objects.filter(appointment__in=after).exists()
    assert not ConsentRecord.objects.filter(purpose=Purpose.HEALTH_ANSWERS).exists()
    patient = Patient.objects.get(pk=after_the_day.cara.pk)
    assert (patient.name, patient.phone, patient.email) == ("Erased patient", None, "")
    assert patient.erased_at is not None


def test_erased_appointments_still_count_in_the_diary(after_the_day, manager, client):
    day = after_the_day.day
    counted = Appointment.objects.on_day(day).holding_time().count()

    erase_patient(patient=after_the_day.cara, by_user=manager)

    assert Appointment.objects.on_day(day).holding_time().count() == counted == 2
    client.force_login(manager)
    page = client.get("/admin/bookings/appointment/diary/", {"date": day.isoformat()}).content.decode()
    assert "Erased patient" in page and "Olly Other" in page


def test_erasure_closes_open_callback_requests_and_blanks_texts(after_the_day, manager):
    CallbackRequest.objects.update(status="new", closed_at=None)

    erase_patient(patient=after_the_day.cara, by_user=manager)

    req = CallbackRequest.objects.get()
    assert (req.status, req.name, str(req.phone), req.message, req.clinical_review) == (
        "closed",
        "Erased patient",
        "",
        "",
        False,
    )
    cara_texts = Message.objects.filter(redacted_at__isnull=False)
    assert cara_texts.count() >= 4 and set(cara_texts.values_list("body", flat=True)) == {""}
    # Olly's confirmation is untouched.
    assert Message.objects.about(after_the_day.olly_visit).exclude(body="").exists()


def test_the_erasure_is_recorded_without_personal_data(after_the_day, manager):
    erase_patient(patient=after_the_day.cara, by_user=manager)

    record = PrivacyRecord.objects.get(kind="erasure")
    assert (record.by, record.patient_id) == (manager, after_the_day.cara.pk)
    assert record.counts["bookings.appointments"] == 2
    assert found_in_database(CARA_NEEDLES) == []  # the record included


def test_erasure_is_one_transaction(after_the_day, manager, monkeypatch):
    """A category failing after the others have run leaves every one of them unchanged."""

    def broken(subject):
        raise RuntimeError("disk full")

    last = Category(
        key="tests.broken", title="Broken", order=999, holds="", purpose="", lawful_basis="",
        export=lambda subject: [], erase=broken, preview=lambda subject: "",
    )  # fmt: skip
    monkeypatch.setitem(personal_data._categories, last.key, last)
    hits = found_in_database(CARA_NEEDLES)

    with pytest.raises(RuntimeError):
        erase_patient(patient=after_the_day.cara, by_user=manager)

    assert Patient.objects.get(pk=after_the_day.cara.pk).name == "Cara Callback"
    assert Appointment.objects.get(pk=after_the_day.visit.pk).note == "Sore left knee after a fall"
    assert found_in_database(CARA_NEEDLES) == hits


def test_an_erased_patient_cannot_be_booked_or_erased_again(after_the_day, manager, lengths, alice):
    erase_patient(patient=after_the_day.cara, by_user=manager)
    erased = Patient.objects.get(pk=after_the_day.cara.pk)

    with pytest.raises(BookingError, match="erased already"):
        erase_patient(patient=erased, by_user=manager)
    with pytest.raises(BookingError, match="erased"):
        from bookings.services import create_booking

        create_booking(
            length=lengths[30],
            start=timezone.now() + timedelta(days=3),
            patient=erased,
            therapist=alice,
            online_rules=False,
        )
