"""Patients who gave an email address get each confirmation, change and cancellation by email,
with an .ics invitation that keeps one event in their calendar up to date."""

from datetime import UTC, date, datetime, timedelta

import pytest
from icalendar import Calendar

from bookings import ics
from bookings.models import Patient
from bookings.services import cancel_booking, create_booking, reschedule_booking
from clinic.core.models import ClinicSettings
from clinic.mail.models import Email
from clinic.sms.models import Message
from tests.conftest import at

pytestmark = pytest.mark.django_db

NOTE = "Sore left knee after a fall"


@pytest.fixture
def clinic(db):
    clinic = ClinicSettings.load()
    clinic.name, clinic.phone = "Riverside Soft Tissue Clinic", "+441632960123"
    clinic.address = "1 River Street\nExampletown"
    clinic.save()
    return clinic


def book(patient, lengths, alice, start, **kwargs):
    return create_booking(
        length=lengths[60], therapist=alice, start=start, patient=patient, online_rules=False, note=NOTE, **kwargs
    )


def invitation(email: Email):
    """The email's one attachment, parsed: (calendar, its event, the raw text)."""
    [attachment] = email.attachments
    assert attachment["name"].endswith(".ics")
    calendar = Calendar.from_ical(attachment["content"])
    [event] = calendar.events
    return calendar, event, attachment


def only_email(appointment, kind) -> Email:
    [email] = Email.objects.about(appointment).filter(kind=kind)
    return email


def test_a_booking_writes_one_confirmation_email_with_an_invitation(clinic, patient, lengths, alice, next_monday):
    appointment = book(patient, lengths, alice, at(next_monday, "10:00"))

    email = only_email(appointment, "booking_confirmation")
    assert Email.objects.count() == 1
    assert email.to == "pat@example.com" and email.status == Email.Status.QUEUED
    assert email.subject == f"Your appointment on Monday {next_monday.day} {next_monday:%B %Y} at 10:00 is booked"
    for part in (email.text_body, email.html_body):
        assert "Hi Pat," in part
        assert "Riverside Soft Tissue Clinic" in part and "01632 960123" in part
        assert "Soft tissue release massage, 60 minutes, £70" in part
        assert "Alice Example" in part and appointment.reference in part
        assert "https://clinic.example.test/manage/" in part
        # The change policy, in the words the manage page uses.
        assert "You can cancel or move online until" in part and "(24 hours before the start)" in part
    calendar, event, attachment = invitation(email)
    assert attachment["content_type"] == "text/calendar; method=REQUEST"
    assert calendar["METHOD"] == "REQUEST"
    assert event["UID"] == ics.uid(appointment)
    assert event["SEQUENCE"] == 0 and event["STATUS"] == "CONFIRMED"
    assert event.start == at(next_monday, "10:00") and event.end == at(next_monday, "11:00")
    assert str(event["ORGANIZER"]) == "mailto:bookings@localhost"
    assert str(event["ATTENDEE"]) == "mailto:pat@example.com"


def test_no_email_holds_the_patients_note_or_health_answers(clinic, patient, lengths, alice, next_monday):
    appointment = book(patient, lengths, alice, at(next_monday, "10:00"))
    reschedule_booking(appointment=appointment, start=at(next_monday, "14:00"))
    cancel_booking(appointment=appointment, cancelled_by="clinic")
    emails = list(Email.objects.all())
    assert len(emails) == 3
    for email in emails:
        assert "knee" not in f"{email.subject}{email.text_body}{email.html_body}{email.attachments}".lower()


def test_a_move_writes_a_time_change_email_whose_invitation_has_a_higher_sequence(
    clinic, patient, lengths, alice, ben, next_monday
):
    appointment = book(patient, lengths, alice, at(next_monday, "10:00"))
    reschedule_booking(appointment=appointment, start=at(next_monday, "14:30"), therapist=ben)

    email = only_email(appointment, "time_change")
    assert email.subject == f"Your appointment has changed: now Monday {next_monday.day} {next_monday:%B %Y} at 14:30"
    assert f"(it was Monday {next_monday.day} {next_monday:%B %Y} at 10:00)" in email.text_body
    assert "Ben Sample" in email.text_body and "Ben Sample" in email.html_body
    _, first, _ = invitation(only_email(appointment, "booking_confirmation"))
    calendar, moved, _ = invitation(email)
    assert calendar["METHOD"] == "REQUEST"
    assert moved["UID"] == first["UID"]
    assert moved["SEQUENCE"] == 1 > first["SEQUENCE"]
    assert moved.start == at(next_monday, "14:30")

    reschedule_booking(appointment=appointment, start=at(next_monday, "15:00"))
    _, again, _ = invitation(Email.objects.about(appointment).filter(kind="time_change").latest("pk"))
    assert again["SEQUENCE"] == 2


def test_a_cancellation_writes_an_email_whose_invitation_cancels_the_event(
    clinic, patient, lengths, alice, next_monday
):
    appointment = book(patient, lengths, alice, at(next_monday, "10:00"))
    cancel_booking(appointment=appointment, cancelled_by="clinic", reason="Therapist ill")

    email = only_email(appointment, "cancellation")
    assert email.subject == f"Your appointment on Monday {next_monday.day} {next_monday:%B %Y} at 10:00 is cancelled"
    assert "is cancelled" in email.text_body and "https://clinic.example.test/book/" in email.text_body
    assert "/manage/" not in email.text_body  # nothing left to change online
    calendar, event, attachment = invitation(email)
    assert attachment["content_type"] == "text/calendar; method=CANCEL"
    assert calendar["METHOD"] == "CANCEL" and event["STATUS"] == "CANCELLED"
    assert event["UID"] == ics.uid(appointment) and event["SEQUENCE"] == 1


def test_a_patient_without_an_email_address_gets_texts_and_no_email(clinic, lengths, alice, next_monday):
    patient = Patient.objects.create(name="Nora Nomail", phone="+447700900999")
    appointment = book(patient, lengths, alice, at(next_monday, "10:00"))
    reschedule_booking(appointment=appointment, start=at(next_monday, "14:00"))
    cancel_booking(appointment=appointment, cancelled_by="clinic")
    assert Email.objects.count() == 0
    kinds = set(Message.objects.about(appointment).values_list("kind", flat=True))
    assert {"booking_confirmation", "cancellation"} <= kinds  # the texts go as ever


# Clock changes in Europe/London: 01:00 UTC on the last Sundays of March (GMT -> BST) and October.
@pytest.mark.parametrize(
    "day, utc_hour",
    [
        (date(2027, 3, 27), 10),  # Saturday before the spring change: 10:00 GMT
        (date(2027, 3, 29), 9),  # Monday after: 10:00 BST is 09:00 UTC
        (date(2027, 10, 30), 9),  # Saturday before the autumn change: 10:00 BST
        (date(2027, 11, 1), 10),  # Monday after: 10:00 GMT
    ],
)
def test_the_invitation_shows_the_local_time_booked_either_side_of_a_clock_change(
    clinic, patient, lengths, alice, day, utc_hour
):
    appointment = book(patient, lengths, alice, at(day, "10:00"))
    assert appointment.start == datetime(day.year, day.month, day.day, utc_hour, tzinfo=UTC)
    calendar, event, attachment = invitation(only_email(appointment, "booking_confirmation"))
    raw = attachment["content"].replace("\r\n ", "")
    assert f"DTSTART;TZID=Europe/London:{day:%Y%m%d}T100000" in raw
    assert f"DTEND;TZID=Europe/London:{day:%Y%m%d}T110000" in raw
    assert event.start.astimezone(UTC).hour == utc_hour
    # The zone's rules travel with the file, so a calendar without them still shows 10:00.
    [zone] = calendar.timezones
    assert zone["TZID"] == "Europe/London"
    assert {c.name for c in zone.subcomponents} == {"STANDARD", "DAYLIGHT"}


def test_each_invitation_carries_the_zone_rules_of_its_own_year(clinic, patient, lengths, alice):
    # The rules are built once per year and shared between invitations: a booking in another
    # year must not get the first one's.
    for day in (date(2027, 6, 1), date(2028, 6, 6), date(2027, 12, 31)):
        appointment = book(patient, lengths, alice, at(day, "10:00"))
        calendar, event, attachment = invitation(only_email(appointment, "booking_confirmation"))
        [zone] = calendar.timezones
        changes = sorted(c.DTSTART for c in zone.subcomponents)
        assert {c.year for c in changes} == {day.year}
        # The summer time change of that year, with the hour the clocks go forward.
        summer = [c for c in zone.subcomponents if c.name == "DAYLIGHT"]
        assert [(c.DTSTART.month, c.TZOFFSETTO) for c in summer] == [(3, timedelta(hours=1))]
        assert event.start.astimezone(zone.to_tz()).hour == 10
