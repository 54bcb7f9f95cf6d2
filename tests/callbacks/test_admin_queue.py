"""Reception's callback queue in Django admin."""

from datetime import timedelta
from html.parser import HTMLParser

import pytest
import time_machine
from django.contrib.auth.models import Permission, User
from django.utils import timezone

from bookings.models import Patient
from callbacks.admin import waiting_label
from callbacks.models import CallAttempt, CallbackRequest

pytestmark = pytest.mark.django_db

QUEUE = "/admin/callbacks/callbackrequest/"


def _request(name, phone, *, minutes_ago, status=CallbackRequest.Status.NEW):
    with time_machine.travel(timezone.now() - timedelta(minutes=minutes_ago)):
        return CallbackRequest.objects.create(name=name, phone=phone, reason="book", status=status)


@pytest.fixture
def queue(db):
    return {
        "done": _request("Dana Done", "+447400100001", minutes_ago=500, status=CallbackRequest.Status.DONE),
        "newest": _request("Nina Newest", "+447400100002", minutes_ago=5),
        "oldest": _request("Olly Oldest", "+447400100003", minutes_ago=130),
        "middle": _request("Mo Middle", "+447400100004", minutes_ago=60, status=CallbackRequest.Status.IN_PROGRESS),
    }


@pytest.fixture
def caller(db):
    """A staff member allowed to work the queue (explicit permissions, no group)."""
    user = User.objects.create_user("caller", password="x", is_staff=True)
    user.user_permissions.add(
        *Permission.objects.filter(
            content_type__app_label="callbacks",
            codename__in=["view_callbackrequest", "change_callbackrequest", "add_callattempt", "change_callattempt"],
        )
    )
    return user


def test_the_queue_shows_open_requests_first_and_the_longest_waiting_first(client, manager, queue):
    client.force_login(manager)
    response = client.get(QUEUE)

    names = [obj.name for obj in response.context["cl"].result_list]
    assert names == ["Olly Oldest", "Mo Middle", "Nina Newest", "Dana Done"]
    page = response.content.decode()
    assert "waiting 2 h 10 min" in page
    assert 'href="tel:+447400100003"' in page


def test_the_waiting_time_reads_naturally():
    assert waiting_label(timedelta(minutes=7)) == "waiting 7 min"
    assert waiting_label(timedelta(hours=2, minutes=10)) == "waiting 2 h 10 min"
    assert waiting_label(timedelta(days=1, hours=3)) == "waiting 1 day 3 h"


def test_a_staff_user_without_callback_permissions_cannot_see_the_queue(client, queue):
    plain = User.objects.create_user("plain", password="x", is_staff=True)
    client.force_login(plain)

    assert client.get(QUEUE).status_code == 403
    assert client.get(f"{QUEUE}{queue['oldest'].pk}/change/").status_code == 403
    assert client.post(f"{QUEUE}{queue['oldest'].pk}/book/").status_code == 403
    assert not Patient.objects.exists()


def test_a_user_given_the_callback_permissions_sees_the_queue(client, caller, queue):
    client.force_login(caller)
    response = client.get(QUEUE)

    assert response.status_code == 200
    assert "Olly Oldest" in response.content.decode()


def _change_form_data(req, **attempt):
    data = {
        "status": req.status,
        "name": req.name,
        "phone": str(req.phone),
        "when": req.when,
        "preferred_day": "",
        "preferred_period": "",
        "reason": req.reason,
        "message": req.message,
        "attempts-TOTAL_FORMS": "1",
        "attempts-INITIAL_FORMS": "0",
        "attempts-MIN_NUM_FORMS": "0",
        "attempts-MAX_NUM_FORMS": "1000",
    }
    if attempt:
        now = timezone.localtime()
        data.update(
            {
                "attempts-0-at_0": now.strftime("%Y-%m-%d"),
                "attempts-0-at_1": now.strftime("%H:%M:%S"),
                "attempts-0-outcome": attempt["outcome"],
                "attempts-0-note": attempt.get("note", ""),
            }
        )
    return data


def test_logging_a_call_records_who_and_moves_a_new_request_to_in_progress(client, caller, queue):
    req = queue["oldest"]
    client.force_login(caller)
    response = client.post(f"{QUEUE}{req.pk}/change/", _change_form_data(req, outcome="no_answer", note="Rang twice"))

    assert response.status_code == 302, response.context["adminform"].form.errors
    attempt = CallAttempt.objects.get(request=req)
    assert (attempt.outcome, attempt.note, attempt.by) == ("no_answer", "Rang twice", caller)
    req.refresh_from_db()
    assert req.status == CallbackRequest.Status.IN_PROGRESS


def _rendered_inputs(html: str, prefix: str) -> dict:
    """Values of the <input> elements whose name contains `prefix`, as the browser would send them."""
    values = {}

    class Inputs(HTMLParser):
        def handle_starttag(self, tag, attrs):
            attrs = dict(attrs)
            if tag == "input" and prefix in (attrs.get("name") or "") and attrs.get("type") != "checkbox":
                values[attrs["name"]] = attrs.get("value") or ""

    Inputs().feed(html)
    return values


def test_saving_without_a_new_call_adds_no_attempt(client, caller, queue):
    req = queue["oldest"]
    client.force_login(caller)
    page = client.get(f"{QUEUE}{req.pk}/change/").content.decode()
    # The untouched extra row, exactly as rendered: "when" filled in with now, nothing else.
    extra_row = _rendered_inputs(page, "attempts-0-")
    assert extra_row["attempts-0-at_0"]

    response = client.post(f"{QUEUE}{req.pk}/change/", {**_change_form_data(req), **extra_row})

    assert response.status_code == 302
    assert not CallAttempt.objects.exists()


def test_three_calls_without_reaching_them_suggest_closing(client, caller, queue):
    req = queue["oldest"]
    for outcome in ("no_answer", "voicemail", "no_answer"):
        CallAttempt.objects.create(request=req, outcome=outcome, by=caller)
    client.force_login(caller)

    assert "consider closing" in client.get(QUEUE).content.decode()
    assert "Consider setting the status to" in client.get(f"{QUEUE}{req.pk}/change/").content.decode()
    CallAttempt.objects.create(request=req, outcome="reached", by=caller)
    assert "consider closing" not in client.get(QUEUE).content.decode()


def test_book_for_this_patient_creates_the_patient_and_prefills_the_appointment_form(client, manager, queue):
    req = queue["oldest"]
    client.force_login(manager)
    change_page = client.get(f"{QUEUE}{req.pk}/change/").content.decode()
    assert "Book for this patient" in change_page

    response = client.post(f"{QUEUE}{req.pk}/book/")

    patient = Patient.objects.get(phone="+447400100003")
    assert patient.name == "Olly Oldest"
    assert response.status_code == 302
    assert response["Location"] == f"/admin/bookings/appointment/add/?patient={patient.pk}"
    req.refresh_from_db()
    assert req.patient == patient
    add_form = client.get(response["Location"])
    assert add_form.status_code == 200
    assert str(add_form.context["adminform"].form["patient"].value()) == str(patient.pk)
    assert "Olly Oldest" in add_form.content.decode()


def test_book_for_this_patient_reuses_the_existing_patient_with_that_phone(client, manager, queue, patient):
    req = CallbackRequest.objects.create(name="Pat E.", phone=patient.phone, reason="book")
    client.force_login(manager)

    response = client.post(f"{QUEUE}{req.pk}/book/")

    assert response["Location"].endswith(f"?patient={patient.pk}")
    assert Patient.objects.filter(phone=patient.phone).count() == 1


def test_book_for_this_patient_is_never_a_get_side_effect(client, manager, queue):
    client.force_login(manager)

    assert client.get(f"{QUEUE}{queue['oldest'].pk}/book/").status_code == 405
    assert not Patient.objects.exists()


def test_the_close_without_contact_action_closes_and_stamps_the_time(client, caller, queue):
    client.force_login(caller)
    req = queue["oldest"]
    client.post(QUEUE, {"action": "close_without_contact", "_selected_action": [req.pk]})

    req.refresh_from_db()
    assert req.status == CallbackRequest.Status.CLOSED
    assert req.closed_at is not None


def test_the_admin_index_counts_the_open_requests_and_links_to_exactly_those(client, caller, queue):
    client.force_login(caller)
    page = client.get("/admin/").content.decode()
    assert '<strong class="glance-count">3</strong> callback requests to phone back' in page
    assert f'href="{QUEUE}?open=yes"' in page

    listed = client.get(f"{QUEUE}?open=yes").context["cl"].result_list
    assert sorted(r.name for r in listed) == ["Mo Middle", "Nina Newest", "Olly Oldest"]


def test_reception_can_work_the_queue_and_book_from_it(client, queue):
    from clinic.core.roles import RECEPTION, ensure_roles

    # A transactional test earlier in the run may have flushed the groups the migration made.
    receptionist = User.objects.create_user("front-desk", password="x", is_staff=True)
    receptionist.groups.add(ensure_roles()[RECEPTION])
    client.force_login(receptionist)
    req = queue["oldest"]

    assert client.get(QUEUE).status_code == 200
    assert "Book for this patient" in client.get(f"{QUEUE}{req.pk}/change/").content.decode()
    response = client.post(f"{QUEUE}{req.pk}/book/")
    assert response.status_code == 302
    assert Patient.objects.filter(phone="+447400100003").exists()
