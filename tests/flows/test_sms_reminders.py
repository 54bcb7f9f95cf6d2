"""What patients are texted as appointments are booked, moved, cancelled and restored, and when."""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from bookings.models import Appointment
from bookings.notifications import Kind
from bookings.services import (
    BookingError,
    cancel_booking,
    create_booking,
    reschedule_booking,
    resend_confirmation,
    set_status,
)
from clinic.core.models import ClinicSettings
from clinic.sms.models import Message
from clinic.sms.services import relay_due_messages
from tests.conftest import at

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
MONDAY = date(2030, 1, 7)
WEDNESDAY = date(2030, 1, 9)


@pytest.fixture
def monday_afternoon(time_machine):
    time_machine.move_to(datetime(2030, 1, 7, 14, 0, tzinfo=LONDON), tick=False)


@pytest.fixture
def book(on_commit, lengths, alice, patient):
    def book(start, **kwargs):
        return on_commit(create_booking, length=lengths[60], start=start, patient=patient, therapist=alice, **kwargs)

    return book


def messages(appointment, **filters):
    return list(Message.objects.about(appointment).filter(**filters).order_by("pk"))


def reminder(appointment):
    return Message.objects.about(appointment).get(kind=Kind.REMINDER, status=Message.Status.PENDING)


def test_a_booking_is_confirmed_at_once_and_reminded_24_hours_before(monday_afternoon, book, sms_outbox):
    appointment = book(at(WEDNESDAY, "10:00"))

    [confirmation] = sms_outbox
    assert confirmation.kind == "booking_confirmation"
    assert confirmation.to == "+447700900123"
    assert "Wed 9 Jan at 10:00" in confirmation.body
    assert confirmation.body.endswith("Example Physio & Massage (demo)")
    assert messages(appointment, kind="booking_confirmation")[0].status == Message.Status.SENT
    assert reminder(appointment).due_at == at(date(2030, 1, 8), "10:00")


def test_the_reminder_goes_out_when_it_is_due(monday_afternoon, book, sms_outbox, time_machine):
    appointment = book(at(WEDNESDAY, "10:00"))
    time_machine.move_to(datetime(2030, 1, 8, 9, 59, 59, tzinfo=LONDON), tick=False)
    assert relay_due_messages() == 0
    time_machine.move_to(datetime(2030, 1, 8, 10, 0, 10, tzinfo=LONDON), tick=False)
    assert relay_due_messages() == 1
    assert [m.kind for m in sms_outbox] == ["booking_confirmation", "reminder"]
    assert "a reminder: you're booked with Alice Example on Wed 9 Jan at 10:00" in sms_outbox[1].body
    assert messages(appointment, kind="reminder")[0].status == Message.Status.SENT


def test_the_reminder_is_24_elapsed_hours_before_across_the_clock_change(book):
    # Sunday 29 March 2026 10:00 BST is 09:00 UTC; 24 hours earlier is 09:00 UTC on Saturday the
    # 28th, which is 09:00 GMT on the wall clock (not 10:00, which wall-clock arithmetic would give).
    with time_machine.travel(datetime(2026, 3, 25, 12, 0, tzinfo=UTC), tick=False):
        appointment = book(datetime(2026, 3, 29, 10, 0, tzinfo=LONDON), online_rules=False)
    due = reminder(appointment).due_at
    assert due == datetime(2026, 3, 28, 9, 0, tzinfo=UTC)
    assert due.astimezone(LONDON).strftime("%a %d %b %H:%M") == "Sat 28 Mar 09:00"


def test_the_reminder_offset_is_the_clinics_setting(monday_afternoon, book):
    ClinicSettings.objects.filter(pk=ClinicSettings.load().pk).update(reminder_hours_before=48)
    appointment = book(at(WEDNESDAY, "15:00"))
    assert reminder(appointment).due_at == at(MONDAY, "15:00")


def test_a_reminder_due_in_quiet_hours_moves_to_eight_in_the_morning(monday_afternoon, book):
    ClinicSettings.objects.filter(pk=ClinicSettings.load().pk).update(reminder_hours_before=26)
    appointment = book(at(WEDNESDAY, "09:00"))  # 26 hours before is 07:00 on Tuesday
    assert reminder(appointment).due_at == at(date(2030, 1, 8), "08:00")


def test_no_reminder_is_written_when_the_appointment_is_closer_than_that(monday_afternoon, book, sms_outbox):
    appointment = book(at(date(2030, 1, 8), "10:00"))  # 20 hours away
    assert [m.kind for m in messages(appointment)] == ["booking_confirmation"]
    assert len(sms_outbox) == 1


def test_a_confirmation_booked_late_at_night_waits_for_the_morning(book, sms_outbox):
    with time_machine.travel(datetime(2030, 1, 7, 22, 15, tzinfo=LONDON), tick=False):
        appointment = book(at(WEDNESDAY, "10:00"))
    assert sms_outbox == []
    [confirmation] = messages(appointment, kind="booking_confirmation")
    assert confirmation.status == Message.Status.PENDING
    assert confirmation.due_at == at(date(2030, 1, 8), "08:00")


def test_cancelling_cancels_the_reminder_and_tells_the_patient(monday_afternoon, book, on_commit, sms_outbox):
    appointment = book(at(WEDNESDAY, "10:00"))
    on_commit(cancel_booking, appointment=appointment, cancelled_by=Appointment.CancelledBy.CLINIC)

    assert messages(appointment, kind="reminder")[0].status == Message.Status.CANCELLED
    assert [m.kind for m in sms_outbox] == ["booking_confirmation", "cancellation"]
    assert "Wed 9 Jan at 10:00" in sms_outbox[1].body and "is cancelled" in sms_outbox[1].body
    assert relay_due_messages() == 0


def test_cancelling_without_notice_sends_nothing_more(monday_afternoon, book, on_commit, sms_outbox):
    appointment = book(at(WEDNESDAY, "10:00"))
    on_commit(
        cancel_booking, appointment=appointment, cancelled_by=Appointment.CancelledBy.CLINIC, notify_patient=False
    )
    assert messages(appointment, kind="reminder")[0].status == Message.Status.CANCELLED
    assert [m.kind for m in sms_outbox] == ["booking_confirmation"]


def test_rescheduling_re_times_the_reminder_and_tells_the_patient(monday_afternoon, book, on_commit, sms_outbox):
    appointment = book(at(WEDNESDAY, "10:00"))
    on_commit(reschedule_booking, appointment=appointment, start=at(date(2030, 1, 10), "15:30"))

    pending = reminder(appointment)
    assert pending.due_at == at(WEDNESDAY, "15:30")
    assert "Thu 10 Jan at 15:30" in pending.body
    assert [m.kind for m in sms_outbox] == ["booking_confirmation", "time_change"]
    assert "moved to Thu 10 Jan at 15:30 with Alice Example (was Wed 9 Jan at 10:00)" in sms_outbox[1].body
    assert len(messages(appointment, kind="reminder")) == 1


def test_rescheduling_to_within_a_day_cancels_the_reminder(monday_afternoon, book, on_commit):
    appointment = book(at(WEDNESDAY, "10:00"))
    on_commit(reschedule_booking, appointment=appointment, start=at(date(2030, 1, 8), "09:00"))
    assert [m.status for m in messages(appointment, kind="reminder")] == [Message.Status.CANCELLED]


def test_moving_a_near_appointment_further_away_schedules_a_reminder(monday_afternoon, book, on_commit):
    appointment = book(at(date(2030, 1, 8), "10:00"))
    on_commit(reschedule_booking, appointment=appointment, start=at(date(2030, 1, 10), "10:00"))
    assert reminder(appointment).due_at == at(WEDNESDAY, "10:00")


def test_a_move_before_the_confirmation_went_replaces_it(book, on_commit, sms_outbox):
    with time_machine.travel(datetime(2030, 1, 7, 22, 15, tzinfo=LONDON), tick=False):
        appointment = book(at(WEDNESDAY, "10:00"))
        on_commit(reschedule_booking, appointment=appointment, start=at(WEDNESDAY, "14:00"))
    notices = messages(appointment, kind__in=["booking_confirmation", "time_change"])
    assert [(m.kind, m.status) for m in notices] == [
        ("booking_confirmation", Message.Status.CANCELLED),
        ("booking_confirmation", Message.Status.PENDING),
    ]
    assert "Wed 9 Jan at 14:00" in notices[1].body


def test_restoring_a_cancelled_appointment_confirms_it_again_and_reschedules_the_reminder(
    monday_afternoon, book, on_commit, sms_outbox
):
    appointment = book(at(WEDNESDAY, "10:00"))
    on_commit(cancel_booking, appointment=appointment, cancelled_by=Appointment.CancelledBy.PATIENT)
    on_commit(set_status, appointment=appointment, status=Appointment.Status.BOOKED)

    assert [m.kind for m in sms_outbox] == ["booking_confirmation", "cancellation", "booking_confirmation"]
    assert reminder(appointment).due_at == at(date(2030, 1, 8), "10:00")


def test_resending_the_confirmation_makes_a_new_message(monday_afternoon, book, on_commit, sms_outbox):
    appointment = book(at(WEDNESDAY, "10:00"))
    first = messages(appointment, kind="booking_confirmation")[0]
    again = on_commit(resend_confirmation, appointment=appointment)
    again.refresh_from_db()
    assert again.pk != first.pk
    assert again.resent_from == first
    assert again.status == Message.Status.SENT
    assert [m.kind for m in sms_outbox] == ["booking_confirmation", "booking_confirmation"]


def test_a_cancelled_appointments_confirmation_cannot_be_resent(monday_afternoon, book, on_commit):
    appointment = book(at(WEDNESDAY, "10:00"))
    on_commit(cancel_booking, appointment=appointment, cancelled_by=Appointment.CancelledBy.CLINIC)
    appointment.refresh_from_db()
    with pytest.raises(BookingError, match="Only a booked appointment"):
        resend_confirmation(appointment=appointment)
