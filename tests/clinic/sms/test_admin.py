import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from clinic.sms.models import Message

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:sms_message_changelist"


@pytest.fixture
def log(db):
    def make(status, kind="reminder", to="+447700900123", body="Hello"):
        return Message.objects.create(kind=kind, to=to, body=body, status=status)

    return {
        "failed": make(Message.Status.FAILED, to="+447700900111", body="Failed one"),
        "unknown": make(Message.Status.UNKNOWN, kind="booking_confirmation", body="Unknown one"),
        "undelivered": make(Message.Status.UNDELIVERED, body="Undelivered one"),
        "delivered": make(Message.Status.DELIVERED, body="Delivered one"),
        "pending": make(Message.Status.PENDING, kind="cancellation", body="Pending one"),
    }


def listed(response):
    return {m.body for m in response.context["cl"].result_list}


def test_reception_sees_the_messages_that_need_attention(client, receptionist, log):
    client.force_login(receptionist)
    response = client.get(reverse(CHANGELIST), {"attention": "yes"})
    assert response.status_code == 200
    assert listed(response) == {"Failed one", "Unknown one", "Undelivered one"}
    assert Message.objects.needs_attention().count() == 3


def test_the_log_filters_by_status_and_kind(client, receptionist, log):
    client.force_login(receptionist)
    response = client.get(reverse(CHANGELIST), {"status__exact": "failed"})
    assert listed(response) == {"Failed one"}
    response = client.get(reverse(CHANGELIST), {"kind__exact": "booking_confirmation"})
    assert listed(response) == {"Unknown one"}


def test_the_log_is_searchable_by_phone_number_as_reception_types_it(client, receptionist, log):
    client.force_login(receptionist)
    assert listed(client.get(reverse(CHANGELIST), {"q": "07700 900111"})) == {"Failed one"}
    assert listed(client.get(reverse(CHANGELIST), {"q": "+447700900111"})) == {"Failed one"}


def test_the_log_is_read_only(client, receptionist, log):
    client.force_login(receptionist)
    url = reverse("admin:sms_message_change", args=[log["failed"].pk])
    response = client.get(url)
    assert response.status_code == 200
    assert b'name="_save"' not in response.content
    client.post(url, {"body": "Changed"})
    log["failed"].refresh_from_db()
    assert log["failed"].body == "Failed one"
    assert client.get(reverse("admin:sms_message_add")).status_code == 403


def test_resending_a_failed_message_sends_a_new_one(
    client, receptionist, log, sms_outbox, awake, django_capture_on_commit_callbacks
):
    client.force_login(receptionist)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse(CHANGELIST), {"action": "resend", "_selected_action": [log["failed"].pk]}, follow=True
        )
    assert "1 message queued again." in response.content.decode()
    again = Message.objects.get(resent_from=log["failed"])
    assert again.status == Message.Status.SENT
    assert again.resent_by == receptionist
    assert (again.to, again.body) == (log["failed"].to, "Failed one")
    log["failed"].refresh_from_db()
    assert log["failed"].status == Message.Status.FAILED  # the old row keeps its history
    assert [sms.body for sms in sms_outbox] == ["Failed one"]


def test_a_message_still_waiting_is_not_resent(client, receptionist, log):
    client.force_login(receptionist)
    response = client.post(
        reverse(CHANGELIST), {"action": "resend", "_selected_action": [log["pending"].pk]}, follow=True
    )
    assert "still waiting to be sent" in response.content.decode()
    assert not Message.objects.filter(resent_from=log["pending"]).exists()


def test_staff_without_the_sms_permission_cannot_see_the_log(client, log):
    someone = User.objects.create_user("someone", password="x", is_staff=True)
    client.force_login(someone)
    assert client.get(reverse(CHANGELIST)).status_code == 403


def test_the_public_cannot_see_the_log(client, log):
    response = client.get(reverse(CHANGELIST))
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]
