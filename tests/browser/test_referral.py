"""A patient on a phone answers Yes to the injury question and asks for a call in one tap; reception,
on a desktop, finds the request at the top of the queue marked for clinical review.

Playwright with Debian's Chromium; screenshots in test-artifacts/screenshots/<test>/.
"""

import re
from urllib.parse import urlencode

import pytest
from playwright.sync_api import expect

from bookings.models import Appointment
from callbacks.models import CallbackRequest
from clinic.core.models import ClinicSettings, OpeningHours
from clinic.core.roles import RECEPTION, ensure_roles
from tests.bookings.conftest import slot
from tests.bookings.diary_support import staff
from tests.bookings.screening_support import seeded_questionnaire
from tests.browser.conftest import DESKTOP, PHONE
from tests.conftest import at
from tests.flows.test_referral import health_words_in

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": PHONE, "locale": "en-GB", "timezone_id": "Europe/London"}


@pytest.fixture
def clinic(db):
    """Transactional tests start from an empty database: settings, hours, roles and the questions."""
    OpeningHours.objects.create(weekday=0, opens="09:00", closes="17:00")
    ensure_roles()
    seeded_questionnaire()
    return ClinicSettings.load()


def test_a_refer_answer_becomes_a_clinical_review_call_at_the_top_of_receptions_queue(
    page, browser, live_server, shots, clinic, lengths, alice, next_monday
):
    CallbackRequest.objects.create(name="Asked Earlier", phone="+447400111222", reason="question")
    staff("rita", RECEPTION)

    # The patient, on a phone, at the details step for Monday 10:00 with Alice.
    page.goto(f"{live_server.url}/book/details/?{urlencode(slot(lengths[45], alice, at(next_monday, '10:00')))}")
    expect(page.get_by_role("heading", name="Your details")).to_be_visible()
    page.get_by_label("Your full name").fill("Robin Patient")
    page.get_by_label("Mobile phone number").fill("07700 900456")
    injury = page.locator("#id_q-recent-injury")
    expect(injury).to_contain_text("In the last 6 weeks")
    expect(page.locator("#referral-box")).to_be_hidden()
    injury.get_by_role("radio", name="Yes").check()
    # The explanation, the detail box and the one button appear at once; "Book" steps aside.
    expect(injury).to_contain_text("never used on the site of a recent injury")
    injury.get_by_label("Tell us more (optional)").fill("Pulled hamstring two weeks ago")
    page.get_by_label(re.compile("keeping my answers to these health questions")).check()
    page.get_by_label("I have read the privacy notice").check()
    button = page.get_by_role("button", name="Ask us to call you back")
    expect(button).to_be_visible()
    expect(page.locator("#book-button")).to_be_hidden()
    shots(page, "refer-answer")
    button.click()

    expect(page.get_by_role("heading", name=re.compile("^Thank you, we will call you"))).to_be_visible()
    expect(page.locator("#review-note")).to_contain_text("A therapist will look at your answers")
    assert health_words_in(page.url) == [] and "/callback/thanks/" in page.url
    shots(page, "thank-you")

    req = CallbackRequest.objects.get(clinical_review=True)
    assert (req.name, req.phone.as_e164, req.wanted_start) == (
        "Robin Patient",
        "+447700900456",
        at(next_monday, "10:00"),
    )
    assert [row["key"] for row in req.screening.yes_questions()] == ["recent-injury"]
    assert not Appointment.objects.exists()

    # Reception, at a desktop.
    desk = browser.new_context(viewport=DESKTOP, locale="en-GB", timezone_id="Europe/London")
    reception = desk.new_page()
    try:
        reception.goto(f"{live_server.url}/admin/")
        reception.get_by_label("Username").fill("rita")
        reception.get_by_label("Password").fill("rita-pass-123")
        reception.get_by_role("button", name="Log in").click()
        expect(reception.locator(".glance")).to_contain_text("for clinical review")
        reception.goto(f"{live_server.url}/admin/callbacks/callbackrequest/")
        rows = reception.locator("#result_list tbody tr")
        expect(rows).to_have_count(2)
        expect(rows.first).to_contain_text("Robin Patient")
        expect(rows.first.locator(".review-mark")).to_have_text("Clinical review")
        expect(rows.nth(1)).to_contain_text("Asked Earlier")
        shots(reception, "reception-queue")

        rows.first.get_by_role("link", name="Robin Patient").click()
        expect(reception.locator("body")).to_contain_text("45 min with Alice Example")
        expect(reception.locator("body")).not_to_contain_text("hamstring")  # no clinical-notes permission
        shots(reception, "reception-request")
    finally:
        desk.close()
