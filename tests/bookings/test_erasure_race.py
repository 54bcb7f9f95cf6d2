"""A booking racing an erasure of the same patient never lands on the erased record.

The erasure locks the patient's row first and, in the same transaction, replaces their name,
phone and email with neutral values. A booking for that phone which started meanwhile must wait for
it and then book a new patient record with the phone (the person is still a patient), and a
reception booking naming the erased record must be refused, rather than a future appointment
hanging off a record that no longer says whose it is (an erasure is refused while one exists).
"""

import threading

import psycopg
import pytest
from django.db import connection

from bookings.models import Appointment, Patient
from bookings.services import BookingError, PatientDetails, create_booking
from tests.clinic.sms.fixtures import wait_until
from tests.conftest import at

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres]

PHONE = "+447700900456"


@pytest.fixture
def cara(db):
    return Patient.objects.create(name="Cara Callback", phone=PHONE)


def _connect(autocommit=False):
    db = connection.settings_dict
    return psycopg.connect(
        host=db["HOST"],
        port=db["PORT"] or 5432,
        user=db["USER"],
        password=db["PASSWORD"] or None,
        dbname=db["NAME"],
        autocommit=autocommit,
    )


class ErasureHoldingThePatient:
    """Another session that has begun erasing `patient`: it holds the row, as erase_patient does first."""

    def __init__(self, patient):
        self.other = _connect()
        # pg_stat_activity is a snapshot per transaction: watch from a session of its own.
        self.watcher = _connect(autocommit=True)
        self.patient = patient
        self.other.execute("SELECT 1 FROM bookings_patient WHERE id = %s FOR UPDATE", [patient.pk])

    def someone_waits_for_it(self) -> bool:
        row = self.watcher.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()"
        ).fetchone()
        return row[0] > 0

    def abandon(self):
        self.other.close()
        self.watcher.close()

    def finish(self):
        self.other.execute(
            "UPDATE bookings_patient SET name = 'Erased patient', phone = NULL, email = '', erased_at = now()"
            " WHERE id = %s",
            [self.patient.pk],
        )
        self.other.commit()
        self.abandon()


def book_while_erasing(patient, call):
    erasure = ErasureHoldingThePatient(patient)
    outcome = {}

    def booking():
        try:
            outcome["result"] = call()
        except BaseException as error:  # reported to the test below
            outcome["result"] = error
        finally:
            connection.close()

    thread = threading.Thread(target=booking)
    thread.start()
    try:
        wait_until(erasure.someone_waits_for_it, message="the booking waits for the erasure")
    except AssertionError:
        erasure.abandon()
        thread.join(timeout=30)
        raise AssertionError(f"the booking did not wait for the erasure: {outcome.get('result')!r}") from None
    erasure.finish()
    thread.join(timeout=30)
    assert not thread.is_alive()
    return outcome["result"]


def test_a_booking_by_phone_racing_the_erasure_books_a_new_record_not_the_erased_one(cara, alice, lengths, next_monday):
    result = book_while_erasing(
        cara,
        lambda: create_booking(
            length=lengths[30],
            therapist=alice,
            start=at(next_monday, "10:00"),
            patient=PatientDetails(name="Cara Callback", phone=PHONE),
        ),
    )

    assert isinstance(result, Appointment), result
    assert result.patient_id != cara.pk
    assert str(Patient.objects.get(pk=result.patient_id).phone) == PHONE
    assert not Appointment.objects.filter(patient=cara).exists()


def test_a_reception_booking_naming_a_record_erased_meanwhile_is_refused(cara, alice, lengths, next_monday):
    result = book_while_erasing(
        cara,
        lambda: create_booking(length=lengths[30], therapist=alice, start=at(next_monday, "10:00"), patient=cara),
    )

    assert isinstance(result, BookingError), result
    assert "erased" in str(result)
    assert not Appointment.objects.exists()
