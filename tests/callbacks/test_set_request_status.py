"""Every change of a callback request's status goes through `callbacks.services`, which keeps the
one-open-request-per-number rule and explains a refusal instead of failing."""

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.urls import reverse

from callbacks.models import CallbackRequest
from callbacks.services import CallbackError, set_request_status

pytestmark = pytest.mark.django_db
Status = CallbackRequest.Status
PHONE = "+447400100009"


@pytest.fixture
def two_closed_for_one_phone(db):
    return [
        CallbackRequest.objects.create(name="Cara Callback", phone=PHONE, status=Status.DONE),
        CallbackRequest.objects.create(name="Cara Callback", phone=PHONE, status=Status.CLOSED),
    ]


def test_reopening_two_closed_requests_for_one_phone_reopens_one_and_explains_the_other(
    client, manager, two_closed_for_one_phone
):
    client.force_login(manager)
    response = client.post(
        reverse("admin:callbacks_callbackrequest_changelist"),
        {"action": "mark_in_progress", ACTION_CHECKBOX_NAME: [r.pk for r in two_closed_for_one_phone], "index": "0"},
        follow=True,
    )
    assert response.status_code == 200
    assert CallbackRequest.objects.open().filter(phone=PHONE).count() == 1
    assert "already has an open request" in response.content.decode()


def test_the_service_refuses_to_reopen_beside_an_open_request(two_closed_for_one_phone):
    first, second = two_closed_for_one_phone
    set_request_status(callback_request=first, status=Status.IN_PROGRESS)
    with pytest.raises(CallbackError, match="already has an open request"):
        set_request_status(callback_request=second, status=Status.NEW)
    second.refresh_from_db()
    assert second.status == Status.CLOSED


def test_editing_a_closed_request_back_to_open_in_its_form_is_refused_politely(
    client, manager, two_closed_for_one_phone
):
    first, second = two_closed_for_one_phone
    set_request_status(callback_request=first, status=Status.NEW)
    client.force_login(manager)
    url = reverse("admin:callbacks_callbackrequest_change", args=[second.pk])
    form = {
        "status": "in_progress",
        "name": second.name,
        "phone": "07400 100009",
        "when": "asap",
        "reason": "book",
        "message": "",
        "attempts-TOTAL_FORMS": "0",
        "attempts-INITIAL_FORMS": "0",
        "attempts-MIN_NUM_FORMS": "0",
        "attempts-MAX_NUM_FORMS": "1000",
    }
    response = client.post(url, form, follow=True)
    assert response.status_code == 200
    assert "already has an open" in response.content.decode()
    second.refresh_from_db()
    assert second.status == Status.CLOSED


def test_closing_stamps_the_time_retention_counts_from(two_closed_for_one_phone):
    first, _ = two_closed_for_one_phone
    reopened = set_request_status(callback_request=first, status=Status.IN_PROGRESS)
    assert reopened.closed_at is None
    closed = set_request_status(callback_request=first, status=Status.DONE)
    assert closed.closed_at is not None
