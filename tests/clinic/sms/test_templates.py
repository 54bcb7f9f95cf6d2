import re
from datetime import date

import pytest

from bookings import notifications
from bookings.models import Appointment, Patient
from clinic.core.models import ClinicSettings
from clinic.sms import gsm
from clinic.sms.services import render_sms
from tests.conftest import at, make_therapist

pytestmark = pytest.mark.django_db

BOOKING_KINDS = ["booking_confirmation", "reminder", "cancellation", "time_change", "screening_reminder"]
# A long domain and a token as long as bookings.tokens.manage_token makes them (about 72 characters).
LONG_MANAGE_URL = "https://www.example-physio-and-massage.co.uk/manage/" + "x" * 76 + "/"
# The health questions' token: a base-36 id (six characters pass two billion) and 22 of signature.
LONG_SCREENING_URL = "https://www.example-physio-and-massage.co.uk/health/" + "x" * 29 + "/"
SCREENED = Appointment.ScreeningStatus.CLEAR


@pytest.fixture
def long_appointment(lengths):
    """Everything as long as a real clinic is likely to make it."""
    settings = ClinicSettings.load()
    settings.name = "Northfield Sports Physiotherapy & Massage Clinic"
    settings.save()
    therapist = make_therapist("Alexandra Fitzgerald-Montgomery", lengths=lengths.values())
    patient = Patient.objects.create(name="Maximiliana Featherstonehaugh-Smythe", phone="+447700900999")
    return Appointment.objects.create(
        patient=patient, therapist=therapist, length=lengths[60], start=at(date(2030, 1, 9), "10:15")
    )


@pytest.mark.parametrize("kind", BOOKING_KINDS)
@pytest.mark.parametrize("manage_url", ["", LONG_MANAGE_URL])
@pytest.mark.parametrize("screening_url", ["", LONG_SCREENING_URL])
def test_every_booking_text_is_plain_gsm_at_most_two_segments_and_signed(
    long_appointment, kind, manage_url, screening_url, monkeypatch
):
    monkeypatch.setattr(notifications, "_manage_url", lambda appointment, at=None: manage_url)
    monkeypatch.setattr(notifications, "_screening_url", lambda appointment: screening_url)
    body = notifications.text_of(kind, long_appointment, old_when="Mon 7 Jan at 09:00")

    assert gsm.is_gsm7(body)
    assert gsm.segments(body) <= 2, f"{kind} is {len(body)} characters:\n{body}"
    signature = "\nNorthfield Sports Physiotherapy & Massage Clinic"
    # A reminder ends with the answers the patient can text back.
    assert body.endswith(signature + "\nReply Y to confirm or C to cancel" if kind == "reminder" else signature)
    assert "Maximiliana" in body and "Wed 9 Jan at 10:15" in body
    assert "{" not in body and "&amp;" not in body


def test_the_confirmation_links_to_the_patients_manage_page(alice, patient, lengths):
    appointment = Appointment.objects.create(
        patient=patient,
        therapist=alice,
        length=lengths[60],
        start=at(date(2030, 1, 9), "10:00"),
        screening_status=SCREENED,
    )
    from bookings.tokens import read_manage_token

    body = render_sms("booking_confirmation", notifications._context(appointment))
    link = re.search(r"Change or cancel: https://clinic\.example\.test/manage/([^/\s]+)/", body)
    assert link, body
    assert read_manage_token(link.group(1)) == (appointment.pk, appointment.reference)


def test_the_confirmation_reads_naturally(alice, patient, lengths, monkeypatch):
    monkeypatch.setattr(notifications, "_manage_url", lambda appointment, at=None: "")
    appointment = Appointment.objects.create(
        patient=patient,
        therapist=alice,
        length=lengths[60],
        start=at(date(2030, 1, 9), "10:00"),
        screening_status=SCREENED,
    )
    body = render_sms("booking_confirmation", notifications._context(appointment))
    assert body == (
        f"Hi Pat, you're booked with Alice Example on Wed 9 Jan at 10:00 (60 min). Ref {appointment.reference}.\n"
        "To change or cancel, call 01632 960000.\n"
        "Example Physio & Massage (demo)"
    )


def test_a_confirmation_not_yet_screened_links_to_the_health_questions_instead(alice, patient, lengths):
    from bookings.tokens import screening_token_matches

    appointment = Appointment.objects.create(
        patient=patient, therapist=alice, length=lengths[60], start=at(date(2030, 1, 9), "10:00")
    )
    body = render_sms("booking_confirmation", notifications._context(appointment))
    link = re.search(r"please answer our health questions: https://clinic\.example\.test/health/([^/\s]+)/", body)
    assert link, body
    assert screening_token_matches(link.group(1), appointment)
    assert "/manage/" not in body  # the questions' page links there, so the text stays two segments
    assert str(patient.phone.national_number) not in link.group(0) and "Pat" not in link.group(0)


def test_typographic_characters_become_plain_ones_and_apostrophes_are_not_escaped(lengths, monkeypatch):
    monkeypatch.setattr(notifications, "_manage_url", lambda appointment, at=None: "")
    therapist = make_therapist("Siobh\u00e1n O\u2019Neill\u00a0\u2013 Senior", lengths=lengths.values())
    patient = Patient.objects.create(name="Zo\u00eb O'Brien", phone="+447700900555")
    appointment = Appointment.objects.create(
        patient=patient, therapist=therapist, length=lengths[30], start=at(date(2030, 1, 9), "09:00")
    )
    body = render_sms("reminder", notifications._context(appointment))
    assert "with Siobhan O'Neill - Senior on" in body
    assert "Hi Zoe," in body
    assert gsm.is_gsm7(body)


def test_segment_counting_follows_the_gsm_rules():
    assert gsm.segments("a" * 160) == 1
    assert gsm.segments("a" * 161) == 2
    assert gsm.segments("a" * 306) == 2
    assert gsm.segments("a" * 307) == 3
    assert gsm.segments("{" * 80) == 1  # extension characters count twice
    assert gsm.segments("{" * 81) == 2


def test_a_reminder_keeps_its_link_when_the_names_are_ordinary(alice, patient, lengths):
    appointment = Appointment.objects.create(
        patient=patient, therapist=alice, length=lengths[60], start=at(date(2030, 1, 9), "10:00")
    )
    body = notifications.text_of("reminder", appointment, at=at(date(2030, 1, 7), "10:00"))
    assert re.search(r"\nTo move it: https://clinic\.example\.test/manage/\S+/\n", body), body
    assert body.endswith("\nExample Physio & Massage (demo)\nReply Y to confirm or C to cancel")
    assert gsm.segments(body) <= 2


def test_a_text_shortened_to_fit_is_rendered_to_fit_and_not_logged_as_too_long(long_appointment, caplog, monkeypatch):
    monkeypatch.setattr(notifications, "_manage_url", lambda appointment, at=None: LONG_MANAGE_URL)
    monkeypatch.setattr(notifications, "_screening_url", lambda appointment: LONG_SCREENING_URL)
    full = render_sms("reminder", notifications._context(long_appointment))
    assert gsm.segments(full) > 2  # as written in full it would not fit
    caplog.clear()

    with caplog.at_level("WARNING", logger="clinic.sms.services"):
        body = notifications.text_of("reminder", long_appointment)

    assert gsm.segments(body) <= 2
    assert "segments long" not in caplog.text
