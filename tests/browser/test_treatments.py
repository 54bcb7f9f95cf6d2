"""A clinic with a second treatment, on a 390x844 phone: the home page lists both, the booking
starts with the treatment, and the treatment step and what follows pass the accessibility audit
(tests/browser/audit.py). Screenshots go to test-artifacts/screenshots/<test>/."""

import re

import pytest
from playwright.sync_api import expect

from bookings.models import Appointment
from tests.browser.conftest import choose_day
from tests.browser.test_booking_flow import fill_details

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def test_a_patient_chooses_the_second_treatment_and_books_it(
    page, live_server, audit, clinic, lengths, sports_massage, alice, cara, next_monday
):
    page.goto(live_server.url + "/")
    expect(page.get_by_role("heading", name="Treatments and prices")).to_be_visible()
    audit.check(page, "home-with-two-treatments")

    page.get_by_role("link", name="Book a massage").first.click()
    expect(page.get_by_role("heading", name="Which treatment would you like?")).to_be_visible()
    expect(page.get_by_text("Step 1 of 6")).to_be_visible()
    audit.check(page, "treatment-step")

    page.get_by_role("link", name="Choose Sports massage").click()
    expect(page.get_by_role("heading", name="Book: Sports massage")).to_be_visible()
    expect(page.get_by_role("radio")).to_have_count(4)  # its two lengths, no preference, Cara
    page.get_by_role("button", name="Choose a day").click()
    expect(page.get_by_role("alert")).to_be_visible()
    audit.check(page, "sports-lengths-error")

    page.get_by_label("Sports massage, 60 minutes, £65").check()
    page.get_by_role("radio", name=re.compile("No preference")).check()
    page.get_by_role("button", name="Choose a day").click()
    expect(page.get_by_role("heading", name="Choose a day")).to_be_visible()
    choose_day(page, next_monday)
    page.get_by_role("link", name=re.compile("^11:00 on Monday")).click()
    expect(page.get_by_role("heading", name="Your details")).to_be_visible()
    fill_details(page)
    page.get_by_role("button", name="Book").click()
    expect(page.get_by_role("heading", name=re.compile("booked", re.I))).to_be_visible()
    expect(page.get_by_text("Sports massage, 60 minutes")).to_be_visible()
    audit.check(page, "confirmation")
    audit.assert_clean()

    appointment = Appointment.objects.get()
    assert (appointment.length, appointment.therapist, str(appointment.price)) == (sports_massage[60], cara, "65.00")
