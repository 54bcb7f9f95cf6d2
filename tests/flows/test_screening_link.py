"""A booking made by reception is "not yet screened" until the patient answers from the link in
the confirmation text; a refer answer there alerts reception instead of cancelling anything; the
link is refused when tampered with or once the appointment has started."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse

from bookings import notifications
from bookings.consents import Purpose
from bookings.models import AnswerSet, Appointment, ConsentRecord
from bookings.notifications import Kind
from bookings.services import cancel_booking, reschedule_booking
from bookings.tokens import screening_path
from callbacks.models import CallbackRequest, SmsKind
from clinic.sms.models import Message
from tests.bookings.diary_support import ensure_roles_exist
from tests.bookings.screening_support import question_data, seeded_questionnaire
from tests.conftest import at
from tests.flows.test_referral import health_words_in

pytestmark = pytest.mark.django_db

STATUS = Appointment.ScreeningStatus
LINK = re.compile(r"please answer our health questions: https://clinic\.example\.test(/health/[^/\s]+/)")


@pytest.fixture
def version(db):
    ensure_roles_exist()
    return seeded_questionnaire()


@pytest.fixture
def booked_by_reception(client, receptionist, version, alice, lengths, next_monday):
    """Reception books a new patient who phoned, through the admin, and texts the confirmation."""
    client.force_login(receptionist)
    local = at(next_monday + timedelta(days=7), "11:00")
    response = client.post(
        reverse("admin:bookings_appointment_add"),
        {
            "patient": "",
            "new_patient_name": "Dana Caller",
            "new_patient_phone": "07700 900321",
            "therapist": str(alice.pk),
            "length": str(lengths[60].pk),
            "start_0": f"{local:%Y-%m-%d}",
            "start_1": "11:00",
            "notify_patient": "on",
            "_save": "Save",
        },
    )
    assert response.status_code == 302
    client.logout()
    return Appointment.objects.get()


def link_in_confirmation(appointment) -> str:
    confirmation = Message.objects.about(appointment).get(kind=Kind.BOOKING_CONFIRMATION)
    found = LINK.search(confirmation.body)
    assert found, confirmation.body
    return found.group(1)


def answer(client, path, version, **kwargs):
    return client.post(path, question_data(version, **kwargs) | {"consent_health": "on"})


def test_reception_booking_texts_the_link_and_the_answers_arrive_on_the_appointment(
    client, booked_by_reception, version
):
    appointment = booked_by_reception
    assert appointment.screening_status == STATUS.NOT_SCREENED
    path = link_in_confirmation(appointment)
    assert "Dana" not in path and "900321" not in path and str(appointment.reference) not in path

    page = client.get(path).content.decode()
    assert "Health questions before your appointment" in page and appointment.reference in page
    response = answer(client, path, version, yes=["pregnancy"], details={"pregnancy": "20 weeks"})

    assert response.status_code == 302 and response["Location"] == path
    appointment.refresh_from_db()
    assert appointment.screening_status == STATUS.FLAGGED and appointment.status == Appointment.Status.BOOKED
    answer_set = appointment.answer_sets.get()
    assert (answer_set.role, answer_set.version) == (AnswerSet.Role.LINK, version)
    assert answer_set.answers["pregnancy"] == {"answer": "yes", "detail": "20 weeks"}
    assert ConsentRecord.objects.about(answer_set).get().purpose == Purpose.HEALTH_ANSWERS
    thanks = client.get(path).content.decode()
    assert "Thank you, we have your answers." in thanks and "go through your answers" in thanks


def test_a_refer_answer_from_the_link_alerts_reception_and_keeps_the_booking(
    client, booked_by_reception, version, no_quiet_hours
):
    from clinic.core.models import ClinicSettings

    clinic = ClinicSettings.load()
    clinic.reception_mobile = "+447400999000"
    clinic.save()
    appointment = booked_by_reception
    path = link_in_confirmation(appointment)

    answer(client, path, version, yes=["blood-clot"], details={"blood-clot": "DVT last year"})

    appointment.refresh_from_db()
    assert appointment.status == Appointment.Status.BOOKED
    assert appointment.screening_status == STATUS.REFERRAL
    req = CallbackRequest.objects.get()
    assert req.clinical_review and req.appointment == appointment and req.patient == appointment.patient
    assert req.reason == CallbackRequest.Reason.EXISTING_APPOINTMENT
    assert req.screening.answers["blood-clot"]["detail"] == "DVT last year"
    notice = Message.objects.about(req).get(kind=SmsKind.CALLBACK_NOTICE)
    assert notice.body.startswith("Clinical review callback waiting") and health_words_in(notice.body) == []
    assert "a therapist will phone you before your appointment" in client.get(path).content.decode()


def test_answering_again_from_refer_to_none_keeps_the_trace(client, booked_by_reception, version):
    path = link_in_confirmation(booked_by_reception)
    answer(client, path, version, yes=["recent-injury"])
    answer(client, path + "?again=1", version)

    appointment = Appointment.objects.get()
    assert appointment.answers_changed and appointment.screening_status == STATUS.FLAGGED
    assert list(appointment.answer_sets.values_list("outcome", flat=True)) == ["refer", "clear"]


def test_the_reminder_repeats_the_link_48_hours_before_and_is_withdrawn_by_the_answers(
    client, booked_by_reception, version
):
    appointment = booked_by_reception
    reminder = Message.objects.about(appointment).get(kind=Kind.SCREENING_REMINDER)
    assert reminder.status == Message.Status.PENDING
    assert reminder.due_at == notifications.screening_reminder_due_at(appointment)
    assert appointment.start - reminder.due_at >= timedelta(hours=48)
    assert screening_path(appointment) in reminder.body and health_words_in(reminder.body) == []

    answer(client, link_in_confirmation(appointment), version)

    reminder.refresh_from_db()
    assert reminder.status == Message.Status.CANCELLED
    # The usual appointment reminder is untouched.
    assert Message.objects.about(appointment).get(kind=Kind.REMINDER).status == Message.Status.PENDING


def test_moving_the_appointment_moves_the_screening_reminder(booked_by_reception):
    appointment = booked_by_reception
    reschedule_booking(appointment=appointment, start=appointment.start + timedelta(days=1), online_rules=False)
    pending = Message.objects.about(appointment).filter(kind=Kind.SCREENING_REMINDER, status=Message.Status.PENDING)
    appointment.refresh_from_db()
    assert [m.due_at for m in pending] == [notifications.screening_reminder_due_at(appointment)]


def test_no_screening_reminder_when_booked_within_48_hours_or_already_screened(
    client, receptionist, version, alice, lengths, time_machine, next_monday
):
    from bookings.services import PatientDetails, create_booking

    time_machine.move_to(at(next_monday, "09:00") - timedelta(hours=30))
    soon = create_booking(
        length=lengths[30],
        therapist=alice,
        start=at(next_monday, "09:00"),
        patient=PatientDetails(name="Soon", phone="+447700900111"),
        online_rules=False,
    )
    assert not Message.objects.about(soon).filter(kind=Kind.SCREENING_REMINDER).exists()
    assert LINK.search(Message.objects.about(soon).get(kind=Kind.BOOKING_CONFIRMATION).body)


def test_a_tampered_link_is_refused(client, booked_by_reception, version):
    path = link_in_confirmation(booked_by_reception)
    token = path.split("/")[2]
    tampered = [
        token[:-1] + ("A" if token[-1] != "A" else "B"),
        "1" + token,  # another appointment's id with this signature
        token.split("-")[0],
        "not-a-token",
    ]
    for bad in tampered:
        response = client.get(reverse("bookings:screening", args=[bad]))
        assert response.status_code == 404, bad
        assert "This link is not valid" in response.content.decode()
        assert answer(client, reverse("bookings:screening", args=[bad]), version).status_code == 404
    assert not AnswerSet.objects.exists()


def test_a_link_is_refused_once_the_appointment_has_started_or_was_cancelled(
    client, booked_by_reception, version, time_machine
):
    appointment = booked_by_reception
    path = link_in_confirmation(appointment)

    time_machine.move_to(appointment.start + timedelta(minutes=1))
    expired = client.get(path)
    assert expired.status_code == 410 and "This appointment has passed" in expired.content.decode()
    assert answer(client, path, version).status_code == 410

    time_machine.move_to(appointment.start - timedelta(days=3))
    cancel_booking(appointment=appointment, cancelled_by=Appointment.CancelledBy.CLINIC)
    assert client.get(path).status_code == 410
    assert not AnswerSet.objects.exists()


def test_an_online_booking_made_with_answers_gets_neither_the_link_nor_its_reminder(
    version, alice, lengths, next_monday
):
    from bookings.services import PatientDetails, create_booking
    from tests.bookings.screening_support import answers

    online = create_booking(
        length=lengths[30],
        therapist=alice,
        start=at(next_monday, "10:00"),
        patient=PatientDetails(name="Robin", phone="+447700900456"),
        screening=answers(version),
    )
    body = Message.objects.about(online).get(kind=Kind.BOOKING_CONFIRMATION).body
    assert "/health/" not in body and "Change or cancel: https://clinic.example.test/manage/" in body
    assert not Message.objects.about(online).filter(kind=Kind.SCREENING_REMINDER).exists()


def test_the_manage_page_asks_for_the_answers_until_they_arrive(client, booked_by_reception, version):
    from bookings.tokens import manage_path

    appointment = booked_by_reception
    manage = client.get(manage_path(appointment)).content.decode()
    assert 'id="screening-wanted"' in manage and screening_path(appointment) in manage

    answer(client, screening_path(appointment), version)

    assert 'id="screening-wanted"' not in client.get(manage_path(appointment)).content.decode()
