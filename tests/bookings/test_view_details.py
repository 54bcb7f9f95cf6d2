"""Steps 4 and 5: the patient's details, every bad input, and booking exactly once."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from bookings.models import Appointment, Patient
from bookings.services import create_booking
from tests.bookings.conftest import details, slot
from tests.bookings.screening_support import question_data, seeded_questionnaire
from tests.conftest import at, make_therapist

pytestmark = pytest.mark.django_db

URL = "/book/details/"


def post(client, data):
    return client.post(reverse("bookings:details"), data)


def test_the_details_page_summarises_the_choice_and_carries_a_one_time_token(client, lengths, alice, next_monday):
    response = client.get(URL, slot(lengths[45], alice, at(next_monday, "10:00")))
    page = response.content.decode()
    assert response.status_code == 200
    assert f"{next_monday:%A} {next_monday.day} {next_monday:%B}" in page
    assert "10:00" in page and "45 minutes" in page and "£55" in page and "Alice Example" in page
    assert re.search(r'name="token" value="[^"]{20,}"', page)
    assert "Health questions" in page and "No to all of these" in page
    assert "have you had an injury, strain, sprain, broken bone, surgery or an open wound" in page
    assert 'for="id_phone"' in page and 'autocomplete="tel"' in page


def test_booking_redirects_to_a_confirmation_with_the_reference(client, lengths, alice, next_monday):
    response = post(client, details(lengths[45], alice, at(next_monday, "10:00")))
    assert response.status_code == 302
    appointment = Appointment.objects.get()
    assert str(appointment.pk) not in response["Location"].split("/")  # not a guessable id
    page = client.get(response["Location"]).content.decode()
    assert appointment.reference in page
    assert appointment.therapist == alice and appointment.start == at(next_monday, "10:00")
    assert appointment.patient.phone.as_e164 == "+447700900456"
    assert appointment.note == "Tight calves after running."
    assert appointment.answer_sets.get().answers["recent-injury"]["answer"] == "no"
    assert appointment.screening_status == Appointment.ScreeningStatus.CLEAR


@pytest.mark.parametrize("phone", ["+44 7700 900456", "447700900456", "07700-900-456", "(07700) 900456"])
def test_a_uk_mobile_in_any_common_form_is_stored_in_international_form(client, lengths, alice, next_monday, phone):
    post(client, details(lengths[30], alice, at(next_monday, "10:00"), phone=phone))
    assert Patient.objects.get().phone.as_e164 == "+447700900456"


@pytest.mark.parametrize(
    ("phone", "message"),
    [
        ("0161 496 0000", "That looks like a landline"),
        ("01632 960123", "That looks like a landline"),
        ("07700 9001", "Enter a UK mobile number"),
        ("12345", "Enter a UK mobile number"),  # too short to be anything, so not "a landline"
        ("phone me", "Enter a UK mobile number"),
        ("+1 415 555 2671", "Please give a UK mobile number"),
        ("", "Enter your mobile phone number"),
    ],
)
def test_a_bad_phone_number_gets_a_message_next_to_the_field_and_keeps_the_rest(
    client, lengths, alice, next_monday, phone, message
):
    response = post(client, details(lengths[30], alice, at(next_monday, "10:00"), phone=phone))
    page = response.content.decode()
    assert response.status_code == 200
    assert message in page
    assert 'id="id_phone_error"' in page and 'href="#id_phone"' in page
    assert 'value="Robin Patient"' in page and "Tight calves after running." in page
    assert not Appointment.objects.exists()


def test_missing_consent_is_asked_for(client, lengths, alice, next_monday):
    data = details(lengths[30], alice, at(next_monday, "10:00"))
    del data["consent_privacy"], data["consent_cancellation"]
    page = post(client, data).content.decode()
    assert "Please confirm you have read the privacy notice." in page
    assert "Please agree to the cancellation policy." in page
    assert not Appointment.objects.exists()


def test_a_recent_injury_means_no_online_booking_and_offers_a_callback(client, lengths, alice, next_monday):
    version = seeded_questionnaire()
    data = details(lengths[30], alice, at(next_monday, "10:00")) | question_data(version, yes=["recent-injury"])
    page = post(client, data).content.decode()
    assert "We can&#x27;t book this online" in page
    assert "never used on the site of a recent injury" in page
    assert "may be able to work around the injury rather than on it" in page
    assert 'name="action" value="refer"' in page and "Ask us to call you back" in page
    assert 'class="referral-box mb-3 is-shown"' in page
    assert not Appointment.objects.exists()


def test_unanswered_health_questions_are_asked_for(client, lengths, alice, next_monday):
    version = seeded_questionnaire()
    data = details(lengths[30], alice, at(next_monday, "10:00")) | question_data(version)
    del data["q-pregnancy"]
    data["none_apply"] = ""
    page = post(client, data).content.decode()
    assert "Please answer every health question, or tick “No to all of these”." in page
    assert 'href="#id_q-pregnancy"' in page
    assert not Appointment.objects.exists()


def test_a_time_taken_meanwhile_shows_the_friendly_message_and_three_alternatives(
    client, patient, lengths, alice, next_monday
):
    data = details(lengths[30], alice, at(next_monday, "10:00"))
    create_booking(length=lengths[60], therapist=alice, start=at(next_monday, "09:45"), patient=patient)
    response = post(client, data)
    page = response.content.decode()
    assert response.status_code == 200
    assert "Sorry, that time has just been booked." in page
    alternatives = re.findall(r'name="pick_start" value="([^"]+)"', page)
    assert [value[-5:] for value in alternatives] == ["09:15", "10:45", "09:00"]  # nearest first
    assert 'value="Robin Patient"' in page and 'value="07700 900456"' in page
    assert Appointment.objects.count() == 1


def test_picking_an_alternative_keeps_what_was_typed_without_booking_yet(client, patient, lengths, alice, next_monday):
    data = details(lengths[30], alice, at(next_monday, "10:00"))
    response = post(client, data | {"pick_start": f"{next_monday.isoformat()}T11:00"})
    page = response.content.decode()
    assert "Time changed to" in page
    assert f'name="start" value="{next_monday.isoformat()}T11:00"' in page
    assert 'value="Robin Patient"' in page and "Tight calves after running." in page
    assert f'name="token" value="{data["token"]}"' in page
    assert not Appointment.objects.exists()


def test_submitting_the_same_form_twice_books_once_and_shows_the_same_confirmation(client, lengths, alice, next_monday):
    data = details(lengths[30], alice, at(next_monday, "10:00"))
    first = post(client, data)
    second = post(client, data)
    assert first.status_code == second.status_code == 302
    assert Appointment.objects.count() == 1
    reference = Appointment.objects.get().reference
    assert reference in client.get(first["Location"]).content.decode()
    assert reference in client.get(second["Location"]).content.decode()


def test_a_tampered_token_is_refused_and_replaced(client, lengths, alice, next_monday):
    data = details(lengths[30], alice, at(next_monday, "10:00"), token="made-up")
    page = post(client, data).content.decode()
    assert "This form had expired or was changed" in page
    assert 'name="token" value="made-up"' not in page
    assert not Appointment.objects.exists()


@pytest.mark.parametrize("start", ["tomorrow at ten", "2030-13-01T10:00", ""])
def test_a_tampered_time_is_refused_next_to_the_appointment(client, lengths, alice, next_monday, start):
    page = post(client, details(lengths[30], alice, at(next_monday, "10:00")) | {"start": start}).content.decode()
    assert "That time is not one we can book" in page or "Please choose a time" in page
    assert 'href="#appointment-summary"' in page
    assert not Appointment.objects.exists()


def test_a_time_in_the_past_is_refused(client, lengths, alice):
    yesterday = timezone.localdate() - timedelta(days=1)
    page = post(client, details(lengths[30], alice, at(yesterday, "10:00"))).content.decode()
    assert "That time has already passed" in page
    assert not Appointment.objects.exists()


def test_a_time_outside_working_hours_is_refused(client, lengths, alice, next_monday):
    page = post(client, details(lengths[30], alice, at(next_monday, "07:00"))).content.decode()
    assert "outside our hours for online booking" in page
    assert not Appointment.objects.exists()


def test_a_time_off_the_grid_is_refused_as_such_not_as_taken_or_outside_hours(client, lengths, alice, next_monday):
    # 10:07 typed into the address: inside Alice's hours and free, just not a start we offer.
    for page in (
        client.get(URL, slot(lengths[30], alice, at(next_monday, "10:07"))).content.decode(),
        post(client, details(lengths[30], alice, at(next_monday, "10:07"))).content.decode(),
    ):
        assert "Online bookings start every 15 minutes, and 10:07 is not one of those times." in page
        assert "just been booked" not in page and "outside our hours" not in page
    assert not Appointment.objects.exists()


def test_a_time_beyond_the_horizon_is_refused(client, lengths, alice, clinic_settings):
    far = timezone.localdate() + timedelta(days=clinic_settings.horizon_days + 2)
    page = post(client, details(lengths[30], alice, at(far, "10:00"))).content.decode()
    assert "too far ahead to book online" in page
    assert not Appointment.objects.exists()


def test_a_length_the_therapist_does_not_offer_is_refused_even_if_posted(client, lengths, next_monday):
    chris = make_therapist("Chris Short", lengths=[lengths[30]])
    page = post(client, details(lengths[60], chris, at(next_monday, "10:00"))).content.decode()
    assert "Chris Short does not offer 60-minute sessions" in page
    assert not Appointment.objects.exists()


def test_the_details_page_for_a_taken_time_says_so_before_anything_is_typed(
    client, patient, lengths, alice, next_monday
):
    create_booking(length=lengths[30], therapist=alice, start=at(next_monday, "10:00"), patient=patient)
    page = client.get(URL, slot(lengths[30], alice, at(next_monday, "10:00"))).content.decode()
    assert "Sorry, that time has just been booked." in page
    assert len(re.findall(r'name="pick_start"', page)) == 3


def test_no_preference_books_whoever_is_free(client, patient, lengths, alice, ben, next_monday):
    create_booking(length=lengths[30], therapist=alice, start=at(next_monday, "10:00"), patient=patient)
    response = post(client, details(lengths[30], None, at(next_monday, "10:00")))
    assert response.status_code == 302
    assert Appointment.objects.get(patient__phone="+447700900456").therapist == ben


def test_a_filled_honeypot_books_nothing(client, lengths, alice, next_monday):
    response = post(client, details(lengths[30], alice, at(next_monday, "10:00"), website="http://spam.example"))
    assert response.status_code == 200
    assert not Appointment.objects.exists()


def test_coming_back_to_a_booked_time_links_to_the_booking(client, lengths, alice, next_monday):
    data = details(lengths[30], alice, at(next_monday, "10:00"))
    confirmation = post(client, data)["Location"]
    page = client.get(URL, slot(lengths[30], alice, at(next_monday, "10:00"))).content.decode()
    assert "You have already booked this time." in page
    assert confirmation in page


@pytest.mark.postgres
def test_a_clash_only_the_database_catches_answers_just_taken_not_an_error(
    client, recheck_misses_the_clash, patient, lengths, alice, next_monday
):
    Appointment.objects.create(patient=patient, therapist=alice, length=lengths[60], start=at(next_monday, "09:45"))
    response = post(client, details(lengths[30], alice, at(next_monday, "10:00")))
    page = response.content.decode()
    assert response.status_code == 200
    assert "Sorry, that time has just been booked." in page
    assert len(re.findall(r'name="pick_start"', page)) == 3
    assert Appointment.objects.count() == 1


def _fields(page: str) -> str:
    """The form's own fields, from the name field to the consents (no token, no CSRF token)."""
    return page[page.index('id="div_id_name"') : page.index("</fieldset>", page.index("Before you book"))]


def test_an_empty_form_is_rendered_once_for_everyone_exactly_as_it_renders_fresh(
    client, lengths, alice, next_monday, settings
):
    from django.test import Client

    seeded_questionnaire()
    query = slot(lengths[45], alice, at(next_monday, "10:00"))
    first = client.get(URL, query).content.decode()
    response = Client().get(URL, query)
    shared = response.content.decode()
    assert "bookings/_details_fields.html" not in [t.name for t in response.templates]  # not rendered again
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
    fresh = Client().get(URL, query).content.decode()
    assert _fields(shared) == _fields(first) == _fields(fresh)
    assert "No to all of these" in _fields(shared) and 'id="id_consent_privacy"' in _fields(shared)


def test_a_form_with_something_of_the_visitors_in_it_is_rendered_for_them(client, lengths, alice, next_monday):
    from django.test import Client

    query = slot(lengths[45], alice, at(next_monday, "10:00"))
    Client().get(URL, query)  # the empty form's fields are shared from now on
    page = client.get(URL, query | {"name": "Robin Patient"}).content.decode()
    assert 'value="Robin Patient"' in _fields(page)
    assert "Robin Patient" not in Client().get(URL, query).content.decode()
    refused = post(client, details(lengths[45], alice, at(next_monday, "10:00"), phone="not a phone"))
    assert "Enter a UK mobile number" in _fields(refused.content.decode())


def test_a_newly_published_question_is_asked_at_once(client, lengths, alice, next_monday):
    from bookings.models import ScreeningQuestion
    from bookings.screening.services import publish_questionnaire

    seeded_questionnaire()
    query = slot(lengths[45], alice, at(next_monday, "10:00"))
    assert "Are you training for a marathon?" not in client.get(URL, query).content.decode()
    question = ScreeningQuestion.objects.order_by("order").first()
    question.text = "Are you training for a marathon?"
    question.save()
    publish_questionnaire()
    assert "Are you training for a marathon?" in client.get(URL, query).content.decode()
