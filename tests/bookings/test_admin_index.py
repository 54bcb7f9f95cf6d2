"""The admin's front page: today at a glance for reception."""

import html

import pytest
from django.urls import reverse
from django.utils import timezone

from bookings.models import Appointment
from bookings.notifications import Kind
from callbacks.models import CallbackRequest
from clinic.core.roles import THERAPIST
from clinic.sms.models import Message
from tests.bookings.diary_support import book, ensure_roles_exist, staff
from tests.conftest import at

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _roles(db):
    """Before the cast's `receptionist` joins the Reception group."""
    ensure_roles_exist()


@pytest.fixture
def today_busy(patient, alice, ben, lengths):
    today = timezone.localdate()
    book(patient, alice, lengths[30], at(today, "09:00"))
    book(patient, alice, lengths[30], at(today, "10:00"))
    book(patient, ben, lengths[30], at(today, "11:00"))
    book(patient, ben, lengths[30], at(today, "12:00"), status=Appointment.Status.CANCELLED)
    CallbackRequest.objects.create(name="Caller One", phone="+447700900301")
    CallbackRequest.objects.create(name="Caller Two", phone="+447700900302", status=CallbackRequest.Status.DONE)
    Message.objects.create(kind=Kind.REMINDER, to="+447700900123", body="x", status=Message.Status.FAILED)
    Message.objects.create(kind=Kind.REMINDER, to="+447700900123", body="y", status=Message.Status.SENT)


def test_reception_sees_todays_appointments_callbacks_and_failed_texts(client, receptionist, today_busy):
    client.force_login(receptionist)
    response = client.get(reverse("admin:index"))
    page = html.unescape(response.content.decode())

    assert "Open today's diary" in page
    assert reverse("admin:bookings_diary") in page
    assert '<strong class="glance-count">3</strong> appointments today' in page
    assert "Alice Example: <strong>2</strong>" in page and "Ben Sample: <strong>1</strong>" in page
    assert '<strong class="glance-count">1</strong> callback request to phone back' in page
    assert f'href="{reverse("admin:callbacks_callbackrequest_changelist")}?open=yes"' in page
    assert '<strong class="glance-count">1</strong> text message needing attention' in page
    assert f'href="{reverse("admin:sms_message_changelist")}?attention=yes"' in page


def test_a_therapist_sees_only_their_own_count_and_no_queues(client, alice, today_busy):
    client.force_login(staff("alice", THERAPIST, therapist=alice))
    page = client.get(reverse("admin:index")).content.decode()
    assert '<strong class="glance-count">2</strong> appointments today' in page
    assert "Ben Sample" not in page
    assert "callback request" not in page and "needing attention" not in page


def test_the_appointments_list_links_to_the_diary(client, receptionist):
    client.force_login(receptionist)
    page = client.get(reverse("admin:bookings_appointment_changelist")).content.decode()
    assert f'href="{reverse("admin:bookings_diary")}?date={timezone.localdate().isoformat()}"' in page
