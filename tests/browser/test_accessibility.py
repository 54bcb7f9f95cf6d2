"""Every public page, and every step of the booking, manage and callback flows, on a 390x844 phone:
no serious or critical axe-core violation, 44 px tap targets, 3:1 field borders, a clear focus ring
on every control and the clinic's name clear of the screen's edge (tests/browser/audit.py).
Screenshots of every page audited go to test-artifacts/screenshots/<test>/."""

import re

import pytest
from playwright.sync_api import expect

from bookings import tokens
from bookings.models import Appointment
from bookings.services import create_booking
from clinic.core.models import ClinicSettings
from tests.browser.conftest import choose_day
from tests.conftest import at

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def booked(clinic, lengths, alice, patient, next_monday):
    return create_booking(length=lengths[45], therapist=alice, start=at(next_monday, "10:00"), patient=patient)


def test_the_information_pages_pass_the_audit(page, live_server, audit, clinic, lengths, alice, ben):
    for name, path in [
        ("home", "/"),
        ("treatment", "/soft-tissue-release/"),
        ("privacy", "/privacy/"),
        ("cancellation-policy", "/cancellation-policy/"),
        ("not-found", "/no-such-page/"),
        ("link-not-valid", "/manage/not-a-real-token/"),
    ]:
        page.goto(live_server.url + path)
        audit.check(page, name)
    audit.assert_clean()


def test_every_step_of_the_booking_flow_passes_the_audit(
    page, live_server, audit, clinic, lengths, alice, ben, patient, next_monday
):
    page.goto(live_server.url + "/book/")
    audit.check(page, "length-and-therapist")
    page.get_by_role("button", name="Choose a day").click()
    expect(page.get_by_role("alert")).to_be_visible()
    audit.check(page, "length-and-therapist-error")

    page.get_by_label("60 minutes, £70").check()
    page.get_by_role("radio", name=re.compile("Alice Example")).check()
    page.get_by_role("button", name="Choose a day").click()
    expect(page.get_by_role("heading", name="Choose a day")).to_be_visible()
    audit.check(page, "day")

    choose_day(page, next_monday)
    audit.check(page, "time")

    page.get_by_role("link", name=re.compile("^11:00 on Monday")).click()
    expect(page.get_by_role("heading", name="Your details")).to_be_visible()
    audit.check(page, "details")

    page.locator("#book-button").click()
    expect(page.get_by_role("alert").first).to_be_visible()
    audit.check(page, "details-errors")

    page.locator("#id_q-recent-injury").get_by_role("radio", name="Yes").check()
    page.locator("#id_q-pregnancy").get_by_role("radio", name="Yes").check()
    expect(page.locator("#referral-box")).to_be_visible()
    audit.check(page, "details-referral")

    page.get_by_label("Your full name").fill("Robin Patient")
    page.get_by_label("Mobile phone number").fill("07700 900456")
    page.get_by_label("No to all of these").check()
    page.get_by_label(re.compile("keeping my answers to these health questions")).check()
    page.get_by_label("I have read the privacy notice").check()
    page.get_by_label("I agree to the cancellation policy").check()
    create_booking(length=lengths[30], therapist=alice, start=at(next_monday, "11:15"), patient=patient)
    page.locator("#book-button").click()
    expect(page.locator("button[name=pick_start]").first).to_be_visible()
    audit.check(page, "details-time-taken")

    page.locator("button[name=pick_start]").first.click()
    page.locator("#book-button").click()
    expect(page.get_by_role("heading", name="You're booked in")).to_be_visible()
    audit.check(page, "confirmation")
    audit.assert_clean()


def test_every_step_of_managing_a_booking_passes_the_audit(page, live_server, audit, booked, next_monday):
    manage = live_server.url + tokens.manage_path(booked)
    # Not yet screened (booked without answers): the page its texts link to, before and after.
    page.goto(live_server.url + tokens.screening_path(booked))
    audit.check(page, "health-questions")
    page.locator("#id_q-blood-thinners").get_by_role("radio", name="Yes").check()
    page.get_by_label(re.compile("keeping my answers to these health questions")).check()
    page.get_by_role("button", name="Send my answers").click()
    expect(page.get_by_role("alert").first).to_be_visible()
    audit.check(page, "health-questions-errors")
    page.get_by_label("No to all of these").check()
    page.locator("#id_q-blood-thinners").get_by_role("radio", name="Yes").check()
    page.get_by_role("button", name="Send my answers").click()
    expect(page.locator("#screening-thanks")).to_be_visible()
    audit.check(page, "health-questions-thanks")

    page.goto(manage)
    audit.check(page, "manage")

    page.get_by_role("link", name="Move to another time").click()
    expect(page.get_by_role("heading", name="Move your appointment")).to_be_visible()
    audit.check(page, "move-day")
    choose_day(page, next_monday)
    audit.check(page, "move-time")
    page.get_by_role("link", name=re.compile("^14:00 on Monday")).click()
    expect(page.get_by_role("heading", name="Move your appointment?")).to_be_visible()
    audit.check(page, "move-confirm")
    page.get_by_role("button", name=re.compile("^Move to")).click()
    expect(page.get_by_text("Your appointment is moved")).to_be_visible()
    audit.check(page, "moved")

    page.get_by_role("link", name="Cancel this appointment").click()
    expect(page.get_by_role("heading", name="Cancel your appointment?")).to_be_visible()
    audit.check(page, "cancel-confirm")
    page.get_by_label("I no longer need it").check()
    page.get_by_role("button", name="Yes, cancel it").click()
    expect(page.get_by_text(re.compile("is cancelled"))).to_be_visible()
    audit.check(page, "cancelled")
    assert Appointment.objects.get().status == Appointment.Status.CANCELLED
    audit.assert_clean()


def test_a_booking_that_can_no_longer_be_changed_online_passes_the_audit(page, live_server, audit, booked):
    clinic = ClinicSettings.load()
    clinic.cancellation_notice_hours = 24 * 60
    clinic.change_grace_minutes = 0  # booked a moment ago: no grace period either
    clinic.save()
    page.goto(live_server.url + tokens.manage_path(booked))
    expect(page.get_by_text("can no longer be changed online")).to_be_visible()
    audit.check(page, "manage-inside-notice")
    audit.assert_clean()


def test_every_step_of_requesting_a_callback_passes_the_audit(page, live_server, audit, settings, clinic):
    settings.CALLBACK_MIN_FILL_SECONDS = 0
    settings.CALLBACK_RATE_PER_PHONE = "1/d"  # so a second request shows the "limited" page
    page.goto(live_server.url + "/callback/")
    audit.check(page, "callback-form")

    page.get_by_role("button", name="Request a callback").click()
    expect(page.get_by_role("alert")).to_be_visible()
    audit.check(page, "callback-errors")

    page.get_by_label("Your name").fill("Pat Example")
    page.get_by_label("Phone number").fill("07400 123456")
    page.get_by_label("On a particular day").check()
    page.get_by_label("Day", exact=True).select_option(index=1)
    page.get_by_label("Morning").check()
    page.get_by_label("A question about treatment").check()
    page.get_by_label("I agree that the clinic may keep these details").check()
    settings.CALLBACK_MIN_FILL_SECONDS = 3600  # faster than a person: asked to confirm once
    page.get_by_role("button", name="Request a callback").click()
    expect(page.get_by_text("press “Request a callback” again")).to_be_visible()
    audit.check(page, "callback-confirm")
    page.get_by_role("button", name="Request a callback").click()
    expect(page.get_by_role("heading", name=re.compile("^Thank you, we will call you"))).to_be_visible()
    audit.check(page, "callback-thanks")
    settings.CALLBACK_MIN_FILL_SECONDS = 0

    page.goto(live_server.url + "/callback/")
    page.get_by_label("Your name").fill("Pat Example")
    page.get_by_label("Phone number").fill("07400 123456")
    page.get_by_label("A question about treatment").check()
    page.get_by_label("I agree that the clinic may keep these details").check()
    page.get_by_role("button", name="Request a callback").click()
    expect(page.get_by_role("heading", name=re.compile("cannot take another request"))).to_be_visible()
    audit.check(page, "callback-limited")
    audit.assert_clean()
