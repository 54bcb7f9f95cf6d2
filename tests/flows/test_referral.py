"""A refer answer in the booking flow becomes a clinical-review callback in one tap: the request
carries name, phone, the time chosen and the question, reaches the top of reception's queue, and
nothing about the patient's health leaves in a URL, a text or an email."""

import re

import pytest
from django.urls import reverse

from bookings.consents import Purpose
from bookings.models import AnswerSet, Appointment, ConsentRecord, Patient
from callbacks.models import CallbackRequest, SmsKind
from clinic.sms.models import Message
from tests.bookings.conftest import details
from tests.bookings.diary_support import staff
from tests.bookings.screening_support import question_data, seeded_questionnaire
from tests.callbacks.conftest import RECEPTION_MOBILE, reception  # noqa: F401  (a fixture)
from tests.conftest import at

pytestmark = pytest.mark.django_db

INJURY_DETAIL = "Torn calf muscle playing football"
# Words that would name a condition: from every seeded question and what the patient typed.
HEALTH_WORDS = [
    "injury",
    "strain",
    "sprain",
    "broken",
    "surgery",
    "wound",
    "clot",
    "dvt",
    "thrombosis",
    "fever",
    "infectious",
    "skin",
    "pregnan",
    "blood",
    "varicose",
    "diabetes",
    "numb",
    "osteoporosis",
    "cancer",
    "pacemaker",
    "metal",
    "torn",
    "calf",
    "football",
]


def health_words_in(text: str) -> list[str]:
    lowered = text.lower()
    return [word for word in HEALTH_WORDS if word in lowered]


@pytest.fixture
def version(db):
    return seeded_questionnaire()


@pytest.fixture
def referral_form(lengths, alice, next_monday, version):
    """What the patient has typed when they answer Yes to the injury question and tap the button."""
    data = details(lengths[45], alice, at(next_monday, "10:00"), consent_cancellation="")
    return (
        data
        | question_data(version, yes=["recent-injury"], details={"recent-injury": INJURY_DETAIL})
        | {"action": "refer"}
    )


def refer(client, data, capture=None):
    if capture is None:
        return client.post(reverse("bookings:details"), data)
    with capture(execute=True):
        return client.post(reverse("bookings:details"), data)


def test_one_tap_creates_the_clinical_review_request_with_everything_already_typed(
    client, referral_form, lengths, alice, next_monday
):
    response = refer(client, referral_form)

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('callbacks:thanks')}?when=asap&review=1"
    req = CallbackRequest.objects.get()
    assert (req.name, req.phone.as_e164) == ("Robin Patient", "+447700900456")
    assert req.clinical_review and req.status == CallbackRequest.Status.NEW
    assert (req.wanted_length, req.wanted_therapist, req.wanted_start) == (
        lengths[45],
        alice,
        at(next_monday, "10:00"),
    )
    assert req.screening.role == AnswerSet.Role.REFERRAL
    assert [row["key"] for row in req.screening.yes_questions()] == ["recent-injury"]
    assert req.screening.answers["recent-injury"]["detail"] == INJURY_DETAIL
    assert req.patient == Patient.objects.get(phone="+447700900456") == req.screening.patient
    assert ConsentRecord.objects.about(req.screening).get().purpose == Purpose.HEALTH_ANSWERS
    assert ConsentRecord.objects.about(req).get().purpose == Purpose.PRIVACY_NOTICE
    assert not Appointment.objects.exists()
    thanks = client.get(response["Location"]).content.decode()
    assert "A therapist will look at your answers" in thanks


@pytest.mark.usefixtures("reception", "no_quiet_hours")
def test_nothing_about_health_leaves_in_the_address_the_texts_or_the_email(
    client, referral_form, mailoutbox, django_capture_on_commit_callbacks
):
    response = refer(client, referral_form, capture=django_capture_on_commit_callbacks)

    req = CallbackRequest.objects.get()
    notice = Message.objects.about(req).get(kind=SmsKind.CALLBACK_NOTICE)
    ack = Message.objects.about(req).get(kind=SmsKind.CALLBACK_ACK)
    (email,) = mailoutbox
    assert notice.to.as_e164 == RECEPTION_MOBILE
    assert notice.body.startswith("Clinical review callback waiting")
    # Who asked and what about stay behind the staff login (the link leads there).
    assert "Robin" not in notice.body and "900456" not in notice.body and "/admin/callbacks/" in notice.body
    assert email.subject == "Clinical review callback waiting"
    assert "Robin" not in email.body and "900456" not in email.body and "/admin/callbacks/" in email.body
    for text in (response["Location"], notice.body, ack.body, email.subject, email.body):
        assert health_words_in(text) == [], text
    # The form posts to the details step itself: the address carries no answers either way.
    assert health_words_in(reverse("bookings:details")) == []


def test_a_clinical_review_tops_reception_queue_and_has_its_own_filter(client, referral_form, receptionist):
    older = CallbackRequest.objects.create(name="Asked First", phone="+447400111222", reason="question")
    refer(client, referral_form)
    client.force_login(receptionist)
    changelist = reverse("admin:callbacks_callbackrequest_changelist")

    queue = client.get(changelist).content.decode()
    filtered = client.get(changelist, {"clinical_review__exact": "1"}).content.decode()

    assert queue.index("Robin Patient") < queue.index(older.name)
    assert 'class="review-mark">Clinical review<' in queue
    assert "Robin Patient" in filtered and older.name not in filtered
    assert [r.name for r in CallbackRequest.objects.queue()] == ["Robin Patient", "Asked First"]


def test_reception_sees_the_mark_but_not_the_answers_and_a_therapist_sees_both(client, referral_form, alice):
    refer(client, referral_form)
    req = CallbackRequest.objects.get()
    url = reverse("admin:callbacks_callbackrequest_change", args=[req.pk])
    receptionist, manager = staff("rita", "Reception"), staff("boss", "Manager")

    client.force_login(receptionist)
    page = client.get(url).content.decode()
    assert "Clinical review" in page and "45 min with Alice Example" in page
    assert INJURY_DETAIL not in page and "open wound" not in page

    client.force_login(manager)
    page = client.get(url).content.decode()
    assert INJURY_DETAIL in page and "open wound" in page


def test_the_button_without_a_refer_answer_explains_that_they_can_book(client, referral_form, version):
    data = referral_form | question_data(version)
    page = refer(client, data).content.decode()
    assert "None of your answers needs a call first, so you can book online." in page
    assert not CallbackRequest.objects.exists() and not AnswerSet.objects.exists()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"phone": "0161 496 0000"}, "That looks like a landline"),
        ({"consent_health": ""}, "Please agree to us keeping your answers to the health questions."),
        ({"consent_privacy": ""}, "Please confirm you have read the privacy notice."),
    ],
)
def test_a_referral_with_a_problem_keeps_what_was_typed_and_creates_nothing(client, referral_form, change, message):
    page = refer(client, referral_form | change).content.decode()
    assert message in page
    assert 'value="Robin Patient"' in page and INJURY_DETAIL in page
    assert not CallbackRequest.objects.exists() and not AnswerSet.objects.exists()


@pytest.mark.usefixtures("reception", "no_quiet_hours")
def test_an_open_request_from_the_same_phone_becomes_a_clinical_review_and_reception_hears(client, referral_form):
    earlier = CallbackRequest.objects.create(name="Robin Patient", phone="+447700900456", reason="question")

    refer(client, referral_form)

    earlier.refresh_from_db()
    assert CallbackRequest.objects.count() == 1
    assert earlier.clinical_review and earlier.screening is not None and earlier.times_asked == 2
    assert Message.objects.about(earlier).filter(kind=SmsKind.CALLBACK_NOTICE).count() == 1


def test_the_refusal_page_links_nowhere_that_carries_answers(client, referral_form):
    data = dict(referral_form)
    del data["action"]
    page = client.post(reverse("bookings:details"), data).content.decode()
    links = re.findall(r'href="([^"]+)"', page)
    assert all(health_words_in(link) == [] for link in links), links
    assert not any("injury=" in link or "reason=" in link for link in links)
