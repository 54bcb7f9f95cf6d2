"""Patients answering their reminder by text: Y confirms, C cancels within the notice rule."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from bookings.models import Appointment
from bookings.notifications import Kind
from bookings.services import create_booking
from callbacks.models import CallbackRequest
from clinic.sms.models import IncomingText, Message, TextConsent
from clinic.sms.services import relay_due_messages
from tests.bookings.screening_support import answers, seeded_questionnaire
from tests.bookings.test_diary_queries import DIARY_QUERIES
from tests.conftest import at

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
WEDNESDAY, FRIDAY = date(2030, 1, 9), date(2030, 1, 11)


@pytest.fixture
def book(django_capture_on_commit_callbacks, lengths, alice, patient):
    def book(start, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            # Booked online with health answers, so no health-questions reminder is due.
            screening = answers(seeded_questionnaire())
            return create_booking(
                length=lengths[60], start=start, patient=patient, therapist=alice, screening=screening, **kwargs
            )

    return book


def remind(appointment):
    """The reminder as if it had gone out (sent now)."""
    from django.utils import timezone

    Message.objects.about(appointment).filter(kind=Kind.REMINDER).update(
        status=Message.Status.SENT, sent_at=timezone.now()
    )


def replies(sms_outbox):
    return [(sms.kind, sms.body) for sms in sms_outbox]


def test_y_confirms_the_reminded_appointment_and_thanks_the_patient(
    monday_afternoon, book, incoming_texts, sms_outbox, time_machine
):
    wednesday = book(at(WEDNESDAY, "10:00"))
    friday = book(at(FRIDAY, "15:00"))
    remind(friday)  # (reception resent it, say) while Wednesday is still ahead too
    sms_outbox.clear()

    incoming_texts.send("Y")

    friday.refresh_from_db()
    wednesday.refresh_from_db()
    assert friday.confirmed_at is not None and wednesday.confirmed_at is None
    assert replies(sms_outbox) == [
        (
            "confirmed_reply",
            "Thanks Pat, that's confirmed. See you Fri 11 Jan at 15:00 with Alice Example.\n"
            "Example Physio & Massage (demo)",
        )
    ]
    text = IncomingText.objects.get()
    assert (text.contact, text.about, text.action) == (friday.patient, friday, "Confirmed the appointment")


def test_of_two_reminded_appointments_the_latest_reminder_is_the_one_answered(
    monday_afternoon, book, incoming_texts, time_machine
):
    first, second = book(at(WEDNESDAY, "10:00")), book(at(FRIDAY, "15:00"))
    remind(first)
    time_machine.shift(60)
    remind(second)

    incoming_texts.send("yes please")

    first.refresh_from_db()
    second.refresh_from_db()
    assert second.confirmed_at is not None and first.confirmed_at is None


def test_without_a_reminder_y_confirms_the_next_appointment(monday_afternoon, book, incoming_texts):
    later, sooner = book(at(FRIDAY, "15:00")), book(at(WEDNESDAY, "10:00"))

    incoming_texts.send("Confirm")

    assert Appointment.objects.get(pk=sooner.pk).confirmed_at is not None
    assert Appointment.objects.get(pk=later.pk).confirmed_at is None


def test_yes_is_also_twilios_opt_in_word_so_it_confirms_without_a_second_reply(
    monday_afternoon, book, incoming_texts, sms_outbox
):
    appointment = book(at(WEDNESDAY, "10:00"))
    sms_outbox.clear()

    incoming_texts.send("YES")

    appointment.refresh_from_db()
    assert appointment.confirmed_at is not None
    assert sms_outbox == []  # Twilio's default handling answered YES itself


def test_with_advanced_opt_out_yes_is_answered_by_the_clinic(
    monday_afternoon, book, incoming_texts, sms_outbox, settings
):
    settings.TWILIO_ADVANCED_OPT_OUT = True
    book(at(WEDNESDAY, "10:00"))
    sms_outbox.clear()

    incoming_texts.send("Yes")

    assert [sms.kind for sms in sms_outbox] == ["confirmed_reply"]


def test_c_cancels_outside_the_notice_period_with_one_reply(monday_afternoon, book, incoming_texts, sms_outbox):
    appointment = book(at(WEDNESDAY, "10:00"))
    sms_outbox.clear()

    incoming_texts.send("C")

    appointment.refresh_from_db()
    assert appointment.status == Appointment.Status.CANCELLED
    assert appointment.cancelled_by == Appointment.CancelledBy.PATIENT
    assert appointment.cancellation_reason == 'Replied "C" to a text'
    [(kind, body)] = replies(sms_outbox)
    assert kind == "cancelled_reply"
    assert body.startswith(
        f"Hi Pat, your appointment with Alice Example on Wed 9 Jan at 10:00 (ref {appointment.reference}) "
        "is now cancelled.\nTo book again: https://clinic.example.test/book/ or call 01632 960000."
    )
    assert not Message.objects.about(appointment).filter(kind=Kind.REMINDER, status=Message.Status.PENDING).exists()
    assert not CallbackRequest.objects.exists()


def test_c_inside_the_notice_period_gives_the_phone_and_asks_reception_to_call(
    monday_afternoon, book, incoming_texts, sms_outbox, time_machine
):
    appointment = book(at(WEDNESDAY, "10:00"))
    time_machine.move_to(datetime(2030, 1, 8, 10, 30, tzinfo=LONDON), tick=False)
    remind(appointment)
    sms_outbox.clear()

    incoming_texts.send("c")

    appointment.refresh_from_db()
    assert appointment.status == Appointment.Status.BOOKED
    [(kind, body)] = replies(sms_outbox)
    assert kind == "cannot_cancel_reply"
    assert "less than 24 hours until your appointment on Wed 9 Jan at 10:00" in body
    assert "Please call us on 01632 960000. We've also asked reception to call you." in body
    request = CallbackRequest.objects.get()
    assert request.reason == CallbackRequest.Reason.TEXT
    assert request.name == "Pat Example"
    assert 'Text on Tue 8 Jan at 10:30: "c"' in request.message
    assert f"Asked by text to cancel {appointment.reference}" in request.message
    text = IncomingText.objects.get()
    assert text.about == appointment
    assert text.action.startswith("Asked to cancel inside the notice period; passed to reception")


def test_cancel_taken_by_twilio_as_stop_cancels_nothing_and_goes_to_reception(
    monday_afternoon, book, incoming_texts, sms_outbox, settings
):
    settings.TWILIO_ADVANCED_OPT_OUT = True  # ... but CANCEL left on the opt-out list
    appointment = book(at(WEDNESDAY, "10:00"))
    sms_outbox.clear()

    incoming_texts.send("CANCEL", OptOutType="STOP")

    appointment.refresh_from_db()
    assert appointment.status == Appointment.Status.BOOKED
    assert TextConsent.objects.opted_out("+447700900123")
    assert "took as STOP" in CallbackRequest.objects.get().message
    assert sms_outbox == []


def test_with_advanced_opt_out_cancel_is_an_answer(monday_afternoon, book, incoming_texts, sms_outbox, settings):
    settings.TWILIO_ADVANCED_OPT_OUT = True
    appointment = book(at(WEDNESDAY, "10:00"))

    incoming_texts.send("CANCEL")

    appointment.refresh_from_db()
    assert appointment.status == Appointment.Status.CANCELLED
    assert not TextConsent.objects.exists()


def test_an_answer_from_a_number_without_appointments_says_how_to_book(incoming_texts, awake, sms_outbox):
    incoming_texts.send("C", sender="+447700900555")

    [(kind, body)] = replies(sms_outbox)
    assert kind == "no_appointment_reply"
    assert body.startswith("We couldn't find an upcoming appointment for this number.")
    assert not CallbackRequest.objects.exists()


def test_a_longer_message_goes_to_reception_not_to_the_keywords(monday_afternoon, book, incoming_texts, sms_outbox):
    appointment = book(at(WEDNESDAY, "10:00"))

    incoming_texts.send("Cancel Wednesday and book me Friday instead please")

    appointment.refresh_from_db()
    assert appointment.status == Appointment.Status.BOOKED
    assert CallbackRequest.objects.get().patient is None
    assert "book me Friday" in CallbackRequest.objects.get().message


def test_stop_stops_reminders_but_not_a_new_bookings_confirmation_and_start_restores_them(
    monday_afternoon, book, incoming_texts, sms_outbox, time_machine
):
    wednesday = book(at(WEDNESDAY, "10:00"))
    incoming_texts.send("STOP")
    sms_outbox.clear()

    friday = book(at(FRIDAY, "15:00"))
    assert [sms.kind for sms in sms_outbox] == ["booking_confirmation"]

    time_machine.move_to(datetime(2030, 1, 8, 10, 0, 5, tzinfo=LONDON), tick=False)
    relay_due_messages()
    withheld = Message.objects.about(wednesday).get(kind=Kind.REMINDER)
    assert withheld.status == Message.Status.CANCELLED
    assert "opted out" in withheld.error_message
    assert [sms.kind for sms in sms_outbox] == ["booking_confirmation"]

    incoming_texts.send("START")
    time_machine.move_to(datetime(2030, 1, 10, 15, 0, 5, tzinfo=LONDON), tick=False)
    relay_due_messages()
    assert Message.objects.about(friday).get(kind=Kind.REMINDER).status == Message.Status.SENT
    assert [sms.kind for sms in sms_outbox] == ["booking_confirmation", "reminder"]


def test_a_confirmed_appointment_has_a_badge_on_its_diary_block(
    monday_afternoon, book, incoming_texts, client, receptionist, django_assert_num_queries
):
    from django.urls import reverse

    from clinic.core.models import ClinicSettings

    confirmed, unconfirmed = book(at(WEDNESDAY, "10:00")), book(at(WEDNESDAY, "14:00"))
    incoming_texts.send("Y")
    assert Appointment.objects.get(pk=confirmed.pk).confirmed_at is not None
    ClinicSettings.load()
    client.force_login(receptionist)

    with django_assert_num_queries(DIARY_QUERIES):  # the badge is read in the diary's one appointment query
        page = client.get(reverse("admin:bookings_diary"), {"date": WEDNESDAY.isoformat()}).content.decode()

    assert page.count('class="badge badge-confirmed" title="The patient confirmed by text on Mon 7 Jan at 14:00"') == 1
    assert page.count(">Confirmed</span>") == 1
    assert unconfirmed.pk != confirmed.pk


def test_moving_a_confirmed_appointment_asks_for_a_new_confirmation(monday_afternoon, book, incoming_texts):
    from bookings.services import reschedule_booking

    appointment = book(at(WEDNESDAY, "10:00"))
    incoming_texts.send("Y")

    moved = reschedule_booking(appointment=Appointment.objects.get(pk=appointment.pk), start=at(WEDNESDAY, "14:00"))

    assert moved.confirmed_at is None
