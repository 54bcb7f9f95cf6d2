"""The wait list's pages: joining from the day page with a texted code, one's place, offer links."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse

from bookings import tokens
from bookings.models import Appointment, WaitListEntry, WaitListOffer
from clinic.sms.models import TextConsent
from tests.bookings.screening_support import question_data, seeded_questionnaire
from tests.bookings.wait_list_support import WEDNESDAY, cancel, waiting
from tests.conftest import at

pytestmark = pytest.mark.django_db

JOIN = "/book/wait-list/"


def join_form(length, therapist=None, **overrides):
    return {
        "length": str(length.pk),
        "therapist": str(therapist.pk) if therapist else "any",
        "days": ["0", "2"],
        "parts": ["morning"],
        "weeks": "2",
        "name": "Wendy Waiting",
        "phone": "07700 900456",
        "consent_privacy": "on",
        "website": "",
    } | overrides


def texted_code(sms_outbox) -> str:
    [sms] = [sms for sms in sms_outbox if sms.kind == "phone_code"]
    return re.match(r"(\d{6}) is your ", sms.body).group(1)


def test_the_day_page_offers_the_wait_list_with_the_patients_choices(client, lengths, alice, monday_afternoon):
    page = client.get("/book/day/", {"length": lengths[45].pk, "therapist": alice.pk}).content.decode()
    assert "Tell me if something comes up" in page
    assert f'href="{JOIN}?length={lengths[45].pk}&amp;therapist={alice.pk}"' in page


def test_the_join_form_starts_with_the_choices_from_the_day_page(client, lengths, alice, monday_afternoon):
    page = client.get(JOIN, {"length": lengths[45].pk, "therapist": alice.pk}).content.decode()
    assert re.search(rf'value="{lengths[45].pk}"[^>]*checked', page)
    assert re.search(rf'value="{alice.pk}"[^>]*checked', page)
    assert "Which days suit you?" in page and "Saturday" in page and "Sunday" not in page


def test_joining_texts_a_code_and_the_code_puts_the_patient_on_the_list(
    client, lengths, alice, monday_afternoon, sms_outbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(JOIN, join_form(lengths[45], alice))

    entry = WaitListEntry.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("bookings:wait_list_confirm", args=[tokens.wait_list_token(entry)])
    assert (entry.status, entry.name, str(entry.phone)) == ("unconfirmed", "Wendy Waiting", "+447700900456")
    assert (entry.days, entry.parts, entry.therapist, entry.last_day) == (
        "02",
        "morning",
        alice,
        WEDNESDAY + timedelta(days=12),
    )
    code = texted_code(sms_outbox)
    assert sms_outbox[0].body.startswith(f"{code} is your Example Physio & Massage (demo) code to join our wait list.")

    page = client.get(response["Location"]).content.decode()
    assert "We have texted a code to <strong>07700 900456</strong>" in page
    wrong = client.post(response["Location"], {"code": "000000" if code != "000000" else "111111"})
    assert "That code is not right" in wrong.content.decode()
    assert WaitListEntry.objects.get().status == "unconfirmed"

    right = client.post(response["Location"], {"code": code})
    assert right.status_code == 302
    entry.refresh_from_db()
    assert entry.status == WaitListEntry.Status.WAITING and entry.confirmed_at
    page = client.get(right["Location"]).content.decode()
    assert "You're on the wait list" in page and "Mon, Wed" in page and "Morning" in page


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"days": []}, "Choose at least one day."),
        ({"parts": []}, "Choose at least one time of day."),
        ({"phone": "01632 960123"}, "That looks like a landline."),
        ({"consent_privacy": ""}, "Please confirm you have read the privacy notice."),
        ({"weeks": "9"}, "Select a valid choice."),
    ],
)
def test_a_join_form_with_a_problem_says_what_to_fix_and_texts_nothing(
    client, lengths, alice, monday_afternoon, sms_outbox, overrides, message
):
    response = client.post(JOIN, join_form(lengths[45], **overrides))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not WaitListEntry.objects.exists() and sms_outbox == []


def test_a_number_that_replied_stop_is_told_how_to_opt_back_in(client, lengths, alice, monday_afternoon, sms_outbox):
    TextConsent.objects.create(phone="+447700900456", opted_out=True, how='Texted "STOP"')
    page = client.post(JOIN, join_form(lengths[45])).content.decode()
    assert "Reply START to any text from us" in page
    assert not WaitListEntry.objects.exists()


def test_leaving_the_list_withdraws_open_offers(client, lengths, monday_afternoon, booked_wednesday, on_commit):
    entry = waiting("Wendy Waiting", "+447700900456", lengths[45])
    cancel(on_commit, booked_wednesday)
    url = reverse("bookings:wait_list_entry", args=[tokens.wait_list_token(entry)])

    response = client.post(url, {"action": "leave"})

    assert response.status_code == 302
    entry.refresh_from_db()
    assert entry.status == WaitListEntry.Status.LEFT
    assert WaitListOffer.objects.get().status == WaitListOffer.Status.WITHDRAWN
    assert "You're not on the wait list" in client.get(url).content.decode()


def test_a_tampered_entry_link_is_not_found(client, lengths, monday_afternoon):
    entry = waiting("Wendy Waiting", "+447700900456", lengths[45])
    token = tokens.wait_list_token(entry)
    assert client.get(reverse("bookings:wait_list_entry", args=[token[:-2] + "xx"])).status_code == 404
    assert client.post(reverse("bookings:wait_list_entry", args=[token + "x"]), {"action": "leave"}).status_code == 404
    assert WaitListEntry.objects.get().status == WaitListEntry.Status.WAITING


# --- the offer link ------------------------------------------------------------------------------


@pytest.fixture
def offer(monday_afternoon, lengths, booked_wednesday, on_commit):
    waiting("Wendy Waiting", "+447700900456", lengths[45], days=[2], parts=["morning", "afternoon"])
    cancel(on_commit, booked_wednesday)
    return WaitListOffer.objects.get()


def offer_url(offer):
    return reverse("bookings:offer", args=[tokens.offer_token(offer)])


CLAIM = {"none_apply": "on", "consent_health": "on", "consent_privacy": "on", "consent_cancellation": "on"}


def test_opening_an_offer_shows_the_time_and_books_nothing(client, offer):
    page = client.get(offer_url(offer)).content.decode()
    assert "A time came free" in page and "Wednesday 9 January 2030" in page and "10:00" in page
    assert "This offer ends at 16:00" in page
    assert WaitListOffer.objects.get().status == WaitListOffer.Status.OFFERED


def test_booking_an_offer_leads_to_the_booking_confirmation(client, offer):
    response = client.post(offer_url(offer), CLAIM)
    appointment = Appointment.objects.get(status="booked", start=at(WEDNESDAY, "10:00"))
    assert response.status_code == 302
    assert response["Location"] == reverse("bookings:confirmation", args=[tokens.confirmation_token(appointment)])
    assert appointment.patient.name == "Wendy Waiting"
    # The link again (the text is still on the phone) goes to the same booking.
    assert client.get(offer_url(offer))["Location"] == response["Location"]


def test_an_offer_is_not_booked_when_a_health_answer_needs_a_call_first(client, offer):
    refer = {**CLAIM, **question_data(seeded_questionnaire(), yes=["recent-injury"])}

    page = client.post(offer_url(offer), refer).content.decode()

    assert "We can't book this online" in page
    assert not Appointment.objects.filter(status="booked").exists()
    assert WaitListOffer.objects.get().status == WaitListOffer.Status.OFFERED


def test_one_tap_asks_for_a_clinical_review_call_about_the_offered_time(client, offer):
    from callbacks.models import CallbackRequest

    refer = {**CLAIM, **question_data(seeded_questionnaire(), yes=["recent-injury"]), "action": "refer"}

    response = client.post(offer_url(offer), refer)

    assert response.status_code == 302
    request = CallbackRequest.objects.get()
    assert (request.clinical_review, request.name, request.wanted_start) == (True, "Wendy Waiting", offer.start)
    assert not Appointment.objects.filter(status="booked").exists()


def test_the_health_answers_and_consents_are_kept_with_the_booking(client, offer):
    from bookings.consents import ConsentRecord

    client.post(offer_url(offer), CLAIM)

    appointment = Appointment.objects.get(status="booked", start=at(WEDNESDAY, "10:00"))
    assert appointment.screening_status == "clear"
    assert {c.purpose for c in ConsentRecord.objects.all()} >= {"privacy_notice", "cancellation_policy"}


def test_someone_quicker_leaves_a_polite_refusal_with_other_times_that_suit(
    client, offer, lengths, alice, patient, on_commit
):
    from bookings.services import create_booking

    create_booking(length=lengths[45], start=at(WEDNESDAY, "10:00"), patient=patient, therapist=alice)

    page = client.post(offer_url(offer), CLAIM).content.decode()

    assert "Sorry, someone was quicker" in page
    assert "You are still on the wait list" in page
    assert re.search(r'id="other-times".*Wed 9 Jan, 10:45', page, re.S)
    assert WaitListOffer.objects.get().status == WaitListOffer.Status.TOO_LATE


def test_an_expired_offer_link_changes_nothing(client, offer, time_machine):
    time_machine.shift(timedelta(hours=2, minutes=1))

    page = client.post(offer_url(offer), CLAIM).content.decode()

    assert "This offer has ended" in page
    assert not Appointment.objects.filter(status="booked").exists()


@pytest.mark.parametrize("mangle", [lambda t: t[:-3] + "abc", lambda t: t.replace(":", "x", 1), lambda t: "x" + t])
def test_a_tampered_offer_link_is_not_found_and_changes_nothing(client, offer, mangle):
    response = client.post(reverse("bookings:offer", args=[mangle(tokens.offer_token(offer))]), CLAIM)
    assert response.status_code == 404
    assert WaitListOffer.objects.get().status == WaitListOffer.Status.OFFERED
    assert not Appointment.objects.filter(status="booked").exists()


def test_an_offer_link_for_another_offer_id_signed_elsewhere_is_refused(client, offer):
    from django.core import signing

    forged = signing.dumps([offer.pk, int(offer.offered_at.timestamp())], salt="bookings.manage")
    assert client.get(reverse("bookings:offer", args=[forged])).status_code == 404
