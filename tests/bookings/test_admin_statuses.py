"""Arrived, completed, no-show, cancel, book again, resend: from the appointment page and as list
actions, each leaving a history record with the member of staff who did it."""

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.urls import reverse

from bookings.models import Appointment, Patient
from bookings.notifications import Kind
from clinic.core.roles import MANAGER
from clinic.sms.models import Message
from tests.bookings.diary_support import book, ensure_roles_exist, staff
from tests.conftest import at

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _roles(db):
    """Before the cast's `receptionist` joins the Reception group."""
    ensure_roles_exist()


@pytest.fixture(autouse=True)
def _on_the_day(time_machine, next_monday):
    """Reception marks what happened on the appointments' day (09:30, before the 10:00 visit)."""
    time_machine.move_to(at(next_monday, "09:30"))


CHANGELIST = reverse("admin:bookings_appointment_changelist")
Status = Appointment.Status


def status_url(appointment, status):
    return reverse("admin:bookings_appointment_set_status", args=[appointment.pk, status])


def cancel_url(appointment):
    return reverse("admin:bookings_appointment_cancel", args=[appointment.pk])


def action(name, *appointments, **extra):
    return {"action": name, ACTION_CHECKBOX_NAME: [a.pk for a in appointments], "index": "0", **extra}


@pytest.fixture
def appointment(patient, alice, lengths, next_monday):
    return book(patient, alice, lengths[30], at(next_monday, "10:00"))


@pytest.fixture
def signed_in(client, receptionist):
    client.force_login(receptionist)
    return client


def latest(appointment):
    return appointment.history.order_by("-history_date", "-history_id").first()


@pytest.mark.parametrize(
    ("before", "after"),
    [
        (Status.BOOKED, Status.ARRIVED),
        (Status.ARRIVED, Status.COMPLETED),
        (Status.BOOKED, Status.NO_SHOW),
        (Status.NO_SHOW, Status.BOOKED),
        (Status.CANCELLED, Status.BOOKED),
    ],
)
def test_each_status_button_changes_the_status_and_records_who(signed_in, receptionist, appointment, before, after):
    Appointment.objects.filter(pk=appointment.pk).update(status=before)

    response = signed_in.post(status_url(appointment, after), {"confirm": "yes"})  # a no-show is confirmed

    appointment.refresh_from_db()
    assert appointment.status == after
    assert (latest(appointment).status, latest(appointment).history_user) == (after, receptionist)
    assert response.status_code == 302


def test_a_status_change_that_is_not_allowed_says_why(signed_in, appointment):
    Appointment.objects.filter(pk=appointment.pk).update(status=Status.CANCELLED)
    response = signed_in.post(status_url(appointment, Status.COMPLETED), follow=True)
    assert "cannot be marked completed" in response.content.decode()
    appointment.refresh_from_db()
    assert appointment.status == Status.CANCELLED


def test_the_appointment_page_offers_the_next_steps(signed_in, appointment):
    page = signed_in.get(reverse("admin:bookings_appointment_change", args=[appointment.pk])).content.decode()
    assert "Mark arrived" in page and "Mark no-show" in page and "Cancel appointment" in page
    assert "Resend confirmation text" in page
    assert status_url(appointment, Status.ARRIVED) in page


def test_cancelling_needs_a_reason(signed_in, appointment):
    response = signed_in.post(cancel_url(appointment), {"reason": "", "notify_patient": "on"})
    assert response.status_code == 200
    assert "Enter the reason for cancelling." in response.content.decode()
    appointment.refresh_from_db()
    assert appointment.status == Status.BOOKED


def test_cancelling_keeps_the_appointment_with_reason_and_who_and_can_text_the_patient(
    signed_in, receptionist, appointment
):
    response = signed_in.post(cancel_url(appointment), {"reason": "Patient unwell", "notify_patient": "on"})

    assert response.status_code == 302
    appointment.refresh_from_db()
    assert (appointment.status, appointment.cancellation_reason) == (Status.CANCELLED, "Patient unwell")
    assert appointment.cancelled_by_user == receptionist
    assert latest(appointment).history_user == receptionist
    assert Message.objects.about(appointment).filter(kind=Kind.CANCELLATION).count() == 1


def test_cancelling_without_texting_the_patient_writes_no_message(signed_in, appointment):
    signed_in.post(cancel_url(appointment), {"reason": "Clinic error"})
    appointment.refresh_from_db()
    assert appointment.status == Status.CANCELLED
    assert not Message.objects.about(appointment).filter(kind=Kind.CANCELLATION).exists()


def test_resending_the_confirmation_queues_another_text(signed_in, appointment):
    response = signed_in.post(reverse("admin:bookings_appointment_resend", args=[appointment.pk]), follow=True)
    assert "queued again" in response.content.decode()
    assert Message.objects.about(appointment).filter(kind=Kind.BOOKING_CONFIRMATION).count() == 1


def test_status_views_only_accept_post(signed_in, appointment):
    assert signed_in.get(status_url(appointment, Status.ARRIVED)).status_code == 405


# --- list actions ------------------------------------------------------------------------------


def test_marking_arrived_from_the_list_records_who_for_each(signed_in, receptionist, appointment, alice, lengths):
    other = book(
        Patient.objects.create(name="Sam Sample", phone="+447700900999"),
        alice,
        lengths[30],
        at(appointment.local_start.date(), "11:00"),
    )
    signed_in.post(CHANGELIST, action("mark_arrived", appointment, other))
    for row in (appointment, other):
        row.refresh_from_db()
        assert row.status == Status.ARRIVED
        assert latest(row).history_user == receptionist


@pytest.mark.parametrize(
    ("name", "status"),
    [("mark_completed", Status.COMPLETED), ("mark_no_show", Status.NO_SHOW)],
)
def test_completed_and_no_show_list_actions_record_who(signed_in, receptionist, appointment, name, status):
    signed_in.post(CHANGELIST, action(name, appointment, apply="1"))
    appointment.refresh_from_db()
    assert appointment.status == status
    assert latest(appointment).history_user == receptionist


def test_booking_again_into_a_time_taken_meanwhile_is_refused_from_the_list(signed_in, appointment, alice, lengths):
    Appointment.objects.filter(pk=appointment.pk).update(status=Status.CANCELLED)
    taker = book(
        Patient.objects.create(name="Sam Sample", phone="+447700900999"),
        alice,
        lengths[60],
        appointment.start,
    )

    response = signed_in.post(CHANGELIST, action("book_again", appointment), follow=True)

    page = response.content.decode()
    assert f"Alice Example already has Sam Sample ({taker.reference})" in page
    appointment.refresh_from_db()
    assert appointment.status == Status.CANCELLED


def test_cancelling_from_the_list_asks_for_a_reason_first(signed_in, receptionist, appointment):
    first = signed_in.post(CHANGELIST, action("cancel_selected", appointment))
    assert first.status_code == 200
    assert "Reason for cancelling" in first.content.decode()
    appointment.refresh_from_db()
    assert appointment.status == Status.BOOKED

    missing = signed_in.post(CHANGELIST, action("cancel_selected", appointment, apply="1", reason=""))
    assert "Enter the reason for cancelling." in missing.content.decode()

    signed_in.post(CHANGELIST, action("cancel_selected", appointment, apply="1", reason="Snow", notify_patient="on"))
    appointment.refresh_from_db()
    assert (appointment.status, appointment.cancellation_reason) == (Status.CANCELLED, "Snow")
    assert latest(appointment).history_user == receptionist
    assert Message.objects.about(appointment).filter(kind=Kind.CANCELLATION).exists()


def test_cancelled_and_no_show_appointments_stay_and_can_be_filtered(signed_in, appointment, alice, lengths):
    signed_in.post(CHANGELIST, action("mark_no_show", appointment, apply="1"))
    page = signed_in.get(CHANGELIST, {"status": "no_show"}).content.decode()
    assert appointment.reference in page
    assert appointment.reference not in signed_in.get(CHANGELIST, {"status": "active"}).content.decode()


# --- nothing is deleted ------------------------------------------------------------------------


def test_nobody_but_a_superuser_can_delete_an_appointment(client, appointment):
    delete = reverse("admin:bookings_appointment_delete", args=[appointment.pk])
    for user in (staff("rita", "Reception"), staff("boss", MANAGER)):
        client.force_login(user)
        assert client.get(delete).status_code == 403
        assert client.post(delete, {"post": "yes"}).status_code == 403
        assert "delete_selected" not in client.get(CHANGELIST).content.decode()
    assert Appointment.objects.filter(pk=appointment.pk).exists()


def test_the_list_has_no_bulk_delete_even_for_a_superuser(client, manager, appointment):
    client.force_login(manager)
    response = client.post(CHANGELIST, action("delete_selected", appointment, post="yes"))
    assert Appointment.objects.filter(pk=appointment.pk).exists()
    assert response.status_code in (200, 302)


# --- no-show: confirmed first, and undone in one click ------------------------------------------


def test_marking_a_no_show_asks_to_confirm_first(signed_in, appointment):
    response = signed_in.post(status_url(appointment, Status.NO_SHOW))

    assert response.status_code == 200
    page = response.content.decode()
    assert "Mark Pat Example as a no-show?" in page
    assert 'name="confirm" value="yes"' in page
    appointment.refresh_from_db()
    assert appointment.status == Status.BOOKED


@pytest.mark.parametrize("before", [Status.BOOKED, Status.ARRIVED])
def test_a_confirmed_no_show_offers_an_undo_that_puts_back_what_it_was(signed_in, appointment, before):
    Appointment.objects.filter(pk=appointment.pk).update(status=before)
    response = signed_in.post(status_url(appointment, Status.NO_SHOW), {"confirm": "yes"}, follow=True)

    appointment.refresh_from_db()
    assert appointment.status == Status.NO_SHOW
    page = response.content.decode()
    assert "is marked no-show" in page
    assert f'action="{status_url(appointment, before)}"' in page and ">Undo</button>" in page

    signed_in.post(status_url(appointment, before))
    appointment.refresh_from_db()
    assert appointment.status == before


def test_marking_no_shows_from_the_list_asks_to_confirm_first(signed_in, appointment):
    first = signed_in.post(CHANGELIST, action("mark_no_show", appointment))
    assert first.status_code == 200
    assert "Mark 1 appointment as a no-show?" in first.content.decode()
    appointment.refresh_from_db()
    assert appointment.status == Status.BOOKED

    response = signed_in.post(CHANGELIST, action("mark_no_show", appointment, apply="1"), follow=True)
    appointment.refresh_from_db()
    assert appointment.status == Status.NO_SHOW
    assert f'action="{status_url(appointment, Status.BOOKED)}"' in response.content.decode()  # undo
