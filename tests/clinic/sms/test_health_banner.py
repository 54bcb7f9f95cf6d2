"""Staff see a red banner on the admin index when texts are not going out (issue 10, finding 6)."""

import html
from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from clinic.sms.models import Message
from tests.bookings.diary_support import ensure_roles_exist

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _roles(db):
    ensure_roles_exist()


def due(minutes_ago: float, status=Message.Status.PENDING) -> Message:
    return Message.objects.create(
        kind="reminder",
        to="+447700900123",
        body="x",
        status=status,
        due_at=timezone.now() - timedelta(minutes=minutes_ago),
    )


def admin_index(client, user) -> str:
    client.force_login(user)
    response = client.get(reverse("admin:index"))
    assert response.status_code == 200
    return html.unescape(response.content.decode())


def test_when_the_relay_has_stalled_reception_sees_since_when_and_how_many(client, receptionist):
    with time_machine.travel(timezone.make_aware(timezone.datetime(2030, 1, 7, 14, 0)), tick=False):
        due(25)
        due(12)
        due(2)  # due only just now: still waiting, counted
        due(40, status=Message.Status.SENT)

        page = admin_index(client, receptionist)
        readyz = client.get("/readyz")

    assert "Texts are not going out: 3 texts waiting, the oldest due since 13:35." in page
    assert "?status__exact=pending" in page
    assert readyz.status_code == 503


def test_no_banner_while_texts_are_going_out(client, receptionist):
    due(5)
    assert "Texts are not going out" not in admin_index(client, receptionist)


def test_a_backlog_from_an_earlier_day_says_which_day(client, receptionist):
    with time_machine.travel(timezone.make_aware(timezone.datetime(2030, 1, 8, 9, 0)), tick=False):
        due(60 * 15)  # since 18:00 the evening before
        page = admin_index(client, receptionist)
    assert "1 text waiting, the oldest due since 18:00 on Mon 7 Jan." in page
