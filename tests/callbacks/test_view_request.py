"""The public form at /callback/: a valid request, field errors, and the bot defences (a honeypot
dropped silently; a too-fast submission asked to confirm once, never lost)."""

import re
import time
from datetime import date, timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from bookings.consents import WORDINGS, Purpose
from bookings.models import ConsentRecord
from callbacks.forms import started_token
from callbacks.models import CallbackRequest, SmsKind
from clinic.sms.models import Message

from .conftest import MOBILE, MOBILE_E164, RECEPTION_MOBILE, form_data

pytestmark = pytest.mark.django_db

URL = "/callback/"


def test_the_form_is_reachable_at_callback_and_named_request(client):
    assert reverse("callbacks:request") == URL
    response = client.get(URL)
    assert response.status_code == 200
    assert "Request a callback" in response.content.decode()


def test_a_valid_request_creates_one_request_one_acknowledgement_and_one_notice(
    client, reception, no_quiet_hours, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(URL, form_data(message="Lower back, since Monday"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("callbacks:thanks"))
    req = CallbackRequest.objects.get()
    assert (req.name, req.phone.as_e164, req.reason, req.status) == ("Pat Example", MOBILE_E164, "book", "new")
    assert req.message == "Lower back, since Monday"
    texts = Message.objects.about(req).filter()
    ack = texts.get(kind=SmsKind.CALLBACK_ACK)
    notice = texts.get(kind=SmsKind.CALLBACK_NOTICE)
    assert texts.count() == 2
    assert ack.to.as_e164 == MOBILE_E164
    assert ack.body.startswith("Thanks, Pat, we'll call you")
    assert notice.to.as_e164 == RECEPTION_MOBILE
    assert notice.body.startswith("New callback request waiting: https://clinic.example.test/admin/")
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["reception@clinic.example.test"]
    assert f"/admin/callbacks/callbackrequest/{req.pk}/change/" in mail.outbox[0].body


def test_the_thank_you_page_says_when_we_will_call_and_gives_the_phone_number(client):
    response = client.post(URL, form_data(), follow=True)

    page = response.content.decode()
    assert "Thank you, we will call you" in page
    assert "01632 960000" in page  # the clinic's phone, as a tel: link
    assert 'href="tel:+441632960000"' in page


def test_a_request_for_a_day_is_repeated_back_on_the_thank_you_page(client):
    day = timezone.localdate() + timedelta(days=3)
    response = client.post(
        URL, form_data(when="day", preferred_day=day.isoformat(), preferred_period="afternoon"), follow=True
    )

    req = CallbackRequest.objects.get()
    assert (req.when, req.preferred_day, req.preferred_period) == ("day", day, "afternoon")
    assert f"on {day:%a} {day.day} {day:%b} in the afternoon" in response.content.decode()


def test_a_landline_gets_no_acknowledgement_text_but_reception_is_told(client, reception):
    client.post(URL, form_data(phone="0113 496 0000"))

    req = CallbackRequest.objects.get()
    kinds = list(Message.objects.about(req).filter().values_list("kind", flat=True))
    assert kinds == [SmsKind.CALLBACK_NOTICE]


@pytest.mark.parametrize(
    ("overrides", "field", "error"),
    [
        ({"name": ""}, "name", "Enter your name."),
        ({"phone": "07400 12"}, "phone", "Enter a UK phone number"),
        ({"phone": "+1 415 555 2671"}, "phone", "Enter a UK phone number"),
        ({"consent": None}, "consent", "Tick the box to agree"),
        ({"when": "day", "preferred_day": "", "preferred_period": "morning"}, "preferred_day", "Choose a day"),
    ],
)
def test_each_bad_input_shows_a_field_error_and_keeps_what_was_typed(client, overrides, field, error):
    data = form_data(**({"name": "Robin Typed", "message": "Please call after lunch"} | overrides))
    response = client.post(URL, data)

    assert response.status_code == 200
    form = response.context["form"]
    assert error in " ".join(form.errors[field])
    page = response.content.decode()
    assert f'href="#id_{field}' in page  # the summary at the top links to the field
    assert "Please call after lunch" in page
    for typed in ("name", "phone"):
        if data.get(typed):
            assert f'value="{data[typed]}"' in page
    assert not CallbackRequest.objects.exists()


def test_a_day_in_the_past_is_refused_with_a_field_error(client):
    yesterday = timezone.localdate() - timedelta(days=1)
    response = client.post(
        URL, form_data(name="Robin Typed", when="day", preferred_day=yesterday.isoformat(), preferred_period="morning")
    )

    assert response.status_code == 200
    assert response.context["form"].errors["preferred_day"] == ["Choose a day in the next week."]
    assert 'value="Robin Typed"' in response.content.decode()
    assert not CallbackRequest.objects.exists()


def test_the_day_choices_are_the_next_seven_days_starting_today(client):
    response = client.get(URL)

    choices = [value for value, _ in response.context["form"].fields["preferred_day"].choices if value]
    today = timezone.localdate()
    assert choices == [(today + timedelta(days=n)).isoformat() for n in range(7)]


def test_a_filled_honeypot_stores_nothing_and_shows_the_normal_thank_you_page(client, reception):
    response = client.post(URL, form_data(website="http://spam.example"), follow=True)

    assert response.status_code == 200
    assert "Thank you, we will call you" in response.content.decode()
    assert not CallbackRequest.objects.exists()
    assert not Message.objects.exists()


def started_on_page(response) -> str:
    return re.search(r'name="started" value="([^"]+)"', response.content.decode()).group(1)


def test_a_too_fast_submission_is_asked_to_confirm_once_and_nothing_typed_is_lost(client, reception):
    # Autofill or a fast typist: a person, probably. Nothing is saved yet, nothing is dropped.
    data = form_data(name="Robin Quick", message="After 5 please", started=started_token(time.time() - 1))
    response = client.post(URL, data)

    assert response.status_code == 200
    page = response.content.decode()
    assert "Please check your details and press “Request a callback” again" in page
    assert 'value="Robin Quick"' in page and "After 5 please" in page
    assert not CallbackRequest.objects.exists()

    response = client.post(URL, data | {"started": started_on_page(response)}, follow=True)
    assert "Thank you, we will call you" in response.content.decode()
    assert CallbackRequest.objects.get().name == "Robin Quick"
    assert Message.objects.filter(kind=SmsKind.CALLBACK_ACK).count() == 1


@pytest.mark.parametrize("started", ["1700000000:forged", None])
def test_a_forged_or_missing_start_time_is_asked_to_confirm_too(client, started):
    response = client.post(URL, form_data(started=started))

    assert "press “Request a callback” again" in response.content.decode()
    assert not CallbackRequest.objects.exists()
    client.post(URL, form_data(started=started_on_page(response)))
    assert CallbackRequest.objects.count() == 1


def test_a_too_fast_submission_with_mistakes_shows_the_mistakes_first(client):
    response = client.post(URL, form_data(phone="12345", started=started_token(time.time() - 1)))

    page = response.content.decode()
    assert "Enter a UK phone number" in page
    assert "press “Request a callback” again" not in page
    assert not CallbackRequest.objects.exists()


def test_the_minimum_fill_time_comes_from_settings(client, settings):
    settings.CALLBACK_MIN_FILL_SECONDS = 0
    client.post(URL, form_data(started=started_token()))

    assert CallbackRequest.objects.count() == 1


def test_the_reason_in_the_link_is_preselected_but_no_one_can_mark_their_own_request_for_clinical_review(client):
    response = client.get(URL + "?reason=book&injury=1")

    assert response.context["form"]["reason"].value() == "book"
    client.post(URL, form_data(reason="book", recent_injury="True", clinical_review="True"))
    # Clinical review comes only from a refer answer in the health questions (stored with them).
    assert CallbackRequest.objects.get().clinical_review is False


def test_the_consent_tick_is_stored_with_its_wording_and_version(client):
    client.post(URL, form_data())

    req = CallbackRequest.objects.get()
    consent = ConsentRecord.objects.about(req).get()
    assert consent.purpose == Purpose.CALLBACK_CONTACT
    assert consent.wording == WORDINGS[Purpose.CALLBACK_CONTACT].text
    assert consent.wording_version == WORDINGS[Purpose.CALLBACK_CONTACT].version
    assert abs((timezone.now() - consent.given_at).total_seconds()) < 60


def test_an_unknown_reason_in_the_link_is_ignored(client):
    response = client.get(URL + "?reason=<script>")

    assert response.context["form"]["reason"].value() is None


def test_the_form_needs_a_csrf_token(db):
    from django.test import Client

    response = Client(enforce_csrf_checks=True).post(URL, form_data(phone=MOBILE))

    assert response.status_code == 403
    assert not CallbackRequest.objects.exists()


def test_days_the_clinic_is_closed_are_not_offered(client):
    from datetime import time

    from clinic.core.models import OpeningHours

    for weekday in range(5):
        OpeningHours.objects.create(weekday=weekday, opens=time(9), closes=time(17))
    response = client.get(URL)

    offered = [value for value, _ in response.context["form"].fields["preferred_day"].choices if value]
    assert offered
    assert all(date.fromisoformat(value).weekday() < 5 for value in offered)


def test_asking_again_while_a_request_is_open_says_it_was_updated(client):
    client.post(URL, form_data())
    response = client.post(URL, form_data(message="Also: evenings are best"), follow=True)

    assert "we have updated it" in response.content.decode()
    assert CallbackRequest.objects.count() == 1
