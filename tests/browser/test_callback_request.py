"""A patient on a phone asks to be called back, starting from the home page."""

import pytest

from callbacks.models import CallbackRequest, SmsKind
from clinic.sms.models import Message

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.mark.django_db(transaction=True)
def test_a_patient_requests_a_callback_from_the_home_page_on_a_phone(live_server, page, settings, shots):
    # The test types faster than a person; the bot check's minimum fill time is configurable.
    settings.CALLBACK_MIN_FILL_SECONDS = 0
    page.goto(live_server.url + "/")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Request a callback").click()
    page.wait_for_url("**/callback/")
    shots(page, "form")

    page.get_by_label("Your name").fill("Pat Example")
    page.get_by_label("Phone number").fill("07400 123456")
    page.get_by_label("A question about treatment").check()
    page.get_by_label("I agree that the clinic may keep these details").check()
    page.get_by_role("button", name="Request a callback").click()

    page.get_by_role("heading", name="Thank you, we will call you").wait_for()
    shots(page, "thank-you")

    req = CallbackRequest.objects.get()
    assert (req.name, req.phone.as_e164, req.reason) == ("Pat Example", "+447400123456", "question")
    assert Message.objects.about(req).filter(kind=SmsKind.CALLBACK_ACK).count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_mistake_is_shown_at_the_top_and_what_was_typed_is_kept(live_server, page, settings, shots):
    settings.CALLBACK_MIN_FILL_SECONDS = 0
    page.goto(live_server.url + "/callback/")
    page.get_by_label("Your name").fill("Pat Example")
    page.get_by_label("Phone number").fill("12345")
    page.get_by_role("button", name="Request a callback").click()

    summary = page.get_by_role("alert")
    summary.get_by_role("link", name="Enter a UK phone number").wait_for()
    assert page.get_by_label("Your name").input_value() == "Pat Example"
    shots(page, "errors")

    assert not CallbackRequest.objects.exists()
