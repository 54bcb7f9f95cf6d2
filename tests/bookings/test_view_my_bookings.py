""" "My bookings": a patient signs in with a code texted to their mobile and sees, moves and
cancels the appointments booked with that number; nobody learns whether a number is known."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from bookings.models import Appointment, Patient
from bookings.services import create_booking
from clinic.codes.models import PhoneCode
from clinic.sms.models import Message
from tests.bookings.diary_support import book
from tests.bookings.my_bookings_support import ask_for_code, code_texted_to, sign_in
from tests.conftest import at

pytestmark = pytest.mark.django_db

URL = reverse("bookings:my_bookings")
CODE_URL = reverse("bookings:my_bookings_code")
UNKNOWN = "+447700900999"


@pytest.fixture
def booked(patient, lengths, alice, next_monday):
    """Pat's two upcoming appointments (Monday and Tuesday) and one last year."""
    monday = create_booking(length=lengths[45], therapist=alice, start=at(next_monday, "10:00"), patient=patient)
    tuesday = create_booking(
        length=lengths[30], therapist=alice, start=at(next_monday + timedelta(days=1), "11:00"), patient=patient
    )
    past = book(patient, alice, lengths[60], at(next_monday - timedelta(days=370), "09:00"))
    return monday, tuesday, past


@pytest.fixture
def someone_else(lengths, alice, next_monday):
    other = Patient.objects.create(name="Olive Other", phone="+447700900321")
    return create_booking(length=lengths[30], therapist=alice, start=at(next_monday, "15:00"), patient=other)


def page(response) -> str:
    return response.content.decode()


def test_the_page_is_linked_from_every_pages_footer_and_the_home_page(client, lengths):
    home = page(client.get(reverse("bookings:home")))
    assert home.count(f'href="{URL}"') == 2  # the home page's own link and the footer's


def test_a_right_code_signs_in_and_lists_upcoming_and_past_appointments(client, patient, booked):
    monday, tuesday, past = booked
    sign_in(client, patient.phone)

    listing = page(client.get(URL))
    assert listing.index(monday.reference) < listing.index(tuesday.reference)
    assert listing.count("Move to another time") == 2 and listing.count("Cancel this appointment") == 2
    assert "Past and cancelled" in listing and past.start.strftime("%Y") in listing
    assert f'href="/book/day/?length={monday.length_id}&amp;therapist={monday.therapist_id}"' in listing
    assert reverse("bookings:my_bookings_calendar", args=[monday.reference]) in listing
    assert "Tight" not in listing and "note" not in listing.lower()  # no notes or health answers


def test_known_and_unknown_numbers_get_the_same_answer_after_the_same_queries(client, patient, booked):
    answers, statements = {}, {}
    for phone in (str(patient.phone), UNKNOWN):
        client.cookies.clear()
        with CaptureQueriesContext(connection) as run:
            response = client.post(URL, {"phone": phone})
        answers[phone] = (response.status_code, response["Location"])
        statements[phone] = [re.sub(r"'[^']*'|\d+", "?", q["sql"]) for q in run.captured_queries]
        code_page = page(client.get(CODE_URL)).replace(patient.phone.as_national, "NUMBER")
        code_page = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", code_page.replace("07700 900999", "NUMBER"))
        answers[phone] += (code_page,)
    assert answers[str(patient.phone)] == answers[UNKNOWN]
    assert answers[UNKNOWN][:2] == (302, CODE_URL)
    assert statements[str(patient.phone)] == statements[UNKNOWN]


def test_only_a_number_with_appointments_is_texted_a_code(client, patient, booked):
    ask_for_code(client, UNKNOWN)
    ask_for_code(client, patient.phone)
    assert list(PhoneCode.objects.order_by("pk").values_list("status", flat=True)) == ["withheld", "texted"]
    assert not Message.objects.filter(to=UNKNOWN).exists()
    assert "code to see your bookings" in Message.objects.get(kind="phone_code").body


def test_the_number_never_travels_in_an_address(client, patient, booked):
    response = ask_for_code(client, patient.phone)
    assert response["Location"] == CODE_URL
    signed_in = client.post(CODE_URL, {"code": code_texted_to(patient.phone)}, follow=True)
    addresses = [url for url, _status in signed_in.redirect_chain] + re.findall(r'href="([^"]+)"', page(signed_in))
    digits = str(patient.phone)[3:]
    assert not [a for a in addresses if digits in a or "7700" in a]


def test_a_wrong_code_five_times_locks_that_code(client, patient, booked):
    ask_for_code(client, patient.phone)
    right = code_texted_to(patient.phone)
    wrong = f"{(int(right) + 1) % 1_000_000:06d}"
    for tries_left in (4, 3, 2, 1):
        assert f"({tries_left} more tr" in page(client.post(CODE_URL, {"code": wrong}))
    assert "that was the last try" in page(client.post(CODE_URL, {"code": wrong}))

    refused = page(client.post(CODE_URL, {"code": right}))
    assert "tried too many times" in refused
    assert "Move to another time" not in page(client.get(URL))


def test_an_expired_code_is_refused(client, patient, booked, time_machine):
    time_machine.move_to(timezone.now(), tick=False)
    ask_for_code(client, patient.phone)
    time_machine.shift(timedelta(minutes=10, seconds=1))
    refused = page(client.post(CODE_URL, {"code": code_texted_to(patient.phone)}))
    assert "That code has expired" in refused
    assert "Move to another time" not in page(client.get(URL))


def test_the_per_address_limit_holds_with_a_spoofed_x_forwarded_for(client, settings, patient, booked):
    settings.TRUSTED_PROXY_COUNT = 0
    settings.PHONE_CODE_RATE_PER_IP = "3/h"
    settings.PHONE_CODE_RATE_PER_NUMBER = ["50/h"]
    for n in range(3):
        response = client.post(URL, {"phone": UNKNOWN}, HTTP_X_FORWARDED_FOR=f"203.0.113.{n}")
        assert response.status_code == 302

    refused = client.post(URL, {"phone": str(patient.phone)}, HTTP_X_FORWARDED_FOR="198.51.100.77")
    assert refused.status_code == 429 and int(refused["Retry-After"]) > 0
    assert "01632 960000" in page(refused)
    resend = client.post(CODE_URL, {"action": "resend"}, HTTP_X_FORWARDED_FOR="198.51.100.78")
    assert resend.status_code == 429
    assert PhoneCode.objects.count() == 3


def test_the_signed_in_page_shows_only_that_numbers_appointments(client, patient, booked, someone_else):
    sign_in(client, patient.phone)
    listing = page(client.get(URL))
    assert booked[0].reference in listing and someone_else.reference not in listing
    assert "Olive" not in listing

    for name in ("bookings:my_bookings_move", "bookings:my_bookings_cancel", "bookings:my_bookings_calendar"):
        assert client.get(reverse(name, args=[someone_else.reference])).status_code == 404
    assert client.post(reverse("bookings:my_bookings_cancel", args=[someone_else.reference])).status_code == 404
    someone_else.refresh_from_db()
    assert someone_else.status == Appointment.Status.BOOKED


def test_without_signing_in_the_appointment_pages_ask_to_sign_in(client, booked):
    for name in ("bookings:my_bookings_move", "bookings:my_bookings_cancel", "bookings:my_bookings_calendar"):
        response = client.get(reverse(name, args=[booked[0].reference]))
        assert response.status_code == 302 and response["Location"] == URL


def test_the_signed_in_state_ends_after_thirty_minutes(client, patient, booked, time_machine):
    time_machine.move_to(timezone.now(), tick=False)
    sign_in(client, patient.phone)
    assert client.session.get_expiry_age() == 30 * 60  # the row holding the number goes with it
    time_machine.shift(timedelta(minutes=29, seconds=59))
    assert "Move to another time" in page(client.get(URL))

    time_machine.shift(timedelta(seconds=1))
    assert "Text me a code" in page(client.get(URL))
    response = client.post(reverse("bookings:my_bookings_cancel", args=[booked[0].reference]))
    assert response.status_code == 302 and response["Location"] == URL
    booked[0].refresh_from_db()
    assert booked[0].status == Appointment.Status.BOOKED


def test_signing_out_ends_the_signed_in_state(client, patient, booked):
    sign_in(client, patient.phone)
    client.post(reverse("bookings:my_bookings_sign_out"))
    assert "Text me a code" in page(client.get(URL))


def test_cancelling_from_my_bookings_asks_to_confirm_and_keeps_the_reason(client, patient, booked):
    sign_in(client, patient.phone)
    url = reverse("bookings:my_bookings_cancel", args=[booked[1].reference])
    confirm = page(client.get(url))
    assert "Cancel your appointment?" in confirm and "I can&#x27;t make that time" in confirm
    booked[1].refresh_from_db()
    assert booked[1].status == Appointment.Status.BOOKED

    done = client.post(url, {"reason": "cannot_make_it"}, follow=True)
    booked[1].refresh_from_db()
    assert booked[1].status == Appointment.Status.CANCELLED
    assert booked[1].cancellation_reason == "Cancelled online by the patient: I can't make that time"
    assert f"Your appointment {booked[1].reference} is cancelled." in page(done)
    assert done.redirect_chain[-1][0] == URL


def test_moving_from_my_bookings_to_another_therapist(client, patient, booked, ben, next_monday):
    Message.objects.update(status=Message.Status.SENT)  # the confirmations went long ago
    sign_in(client, patient.phone)
    url = reverse("bookings:my_bookings_move", args=[booked[0].reference])
    start = f"{next_monday.isoformat()}T14:00"
    confirm = page(client.get(url, {"therapist": ben.pk, "start": start}))
    assert "Ben Sample (was Alice Example)" in confirm

    done = client.post(url, {"therapist": ben.pk, "start": start}, follow=True)
    booked[0].refresh_from_db()
    assert (booked[0].therapist, booked[0].start) == (ben, at(next_monday, "14:00"))
    assert "moved to" in page(done) and "with Ben Sample" in page(done)
    text = Message.objects.about(booked[0]).filter(kind="time_change").get().body
    assert "with a new therapist, Ben Sample" in text


def test_the_calendar_file_is_the_appointments(client, patient, booked):
    sign_in(client, patient.phone)
    response = client.get(reverse("bookings:my_bookings_calendar", args=[booked[0].reference]))
    assert response["Content-Type"].startswith("text/calendar")
    assert booked[0].reference in response.content.decode()


def test_the_signed_in_state_holds_its_own_end_whatever_the_session_row_says():
    # The session row also expires after 30 minutes; this checks the state's own expiry alone.
    from bookings import my_bookings

    now = timezone.now()
    session = {"my_bookings": {"phone": "+447700900123", "until": (now + timedelta(seconds=1)).timestamp()}}
    assert str(my_bookings.signed_in_phone(session, now=now)) == "+447700900123"
    assert my_bookings.signed_in_phone(session, now=now + timedelta(seconds=1)) is None
    assert "my_bookings" not in session
