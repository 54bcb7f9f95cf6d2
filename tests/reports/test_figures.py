"""The managers' figures equal a week worked out by hand, and cost the same queries for a week
as for a year."""

from datetime import date, datetime, time, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from bookings.models import Appointment, Patient
from callbacks.models import CallAttempt, CallbackRequest
from clinic.core.models import ClinicSettings, OpeningHours
from clinic.sms.models import Message
from reports.figures import build_report
from reports.period import Period
from tests.bookings.diary_support import book
from tests.conftest import at, make_therapist
from therapists.models import Absence, Closure

pytestmark = pytest.mark.django_db

S = Appointment.Status
MONDAY = date(2030, 1, 7)
WEEK = Period(MONDAY, MONDAY + timedelta(days=6))
NOW = at(date(2030, 1, 9), "12:00")


def day(n):
    return MONDAY + timedelta(days=n)


@pytest.fixture
def week(alice, ben, lengths):
    """The hand-worked week (figures in the tests below and in docs/reports.md)."""
    make_therapist("Cara Retired", lengths=lengths.values(), order=3).__class__.objects.filter(
        name="Cara Retired"
    ).update(active=False)
    Closure.objects.create(start_date=day(2), end_date=day(2), reason="Training day")
    Absence.objects.create(therapist=ben, starts_at=at(day(3), "14:00"), ends_at=at(day(3), "17:00"))
    pat = Patient.objects.create(name="Pat Example", phone="+447700900123")
    online, reception = Appointment.Source.ONLINE, Appointment.Source.RECEPTION

    def appt(therapist, n, hh_mm, minutes, status, source, cancelled_at=None):
        return book(
            pat, therapist, lengths[minutes], at(day(n), hh_mm), status=status, source=source, cancelled_at=cancelled_at
        )

    appt(alice, 0, "10:00", 60, S.COMPLETED, online)
    appt(alice, 0, "11:00", 30, S.COMPLETED, reception)
    appt(alice, 1, "10:00", 45, S.ARRIVED, online)
    appt(alice, 1, "11:00", 30, S.NO_SHOW, online)
    appt(alice, 3, "10:00", 60, S.BOOKED, reception)
    appt(alice, 4, "10:00", 30, S.CANCELLED, online, cancelled_at=at(day(3), "12:00"))  # 22 h before: late
    appt(alice, 4, "11:00", 30, S.CANCELLED, reception, cancelled_at=at(day(0), "09:00"))  # in good time
    appt(ben, 0, "09:00", 60, S.COMPLETED, reception)
    appt(ben, 0, "10:00", 60, S.NO_SHOW, online)
    appt(ben, 1, "09:00", 30, S.CANCELLED, online, cancelled_at=at(day(1), "08:30"))  # late
    appt(ben, 5, "09:00", 45, S.COMPLETED, online)
    appt(alice, 7, "10:00", 60, S.COMPLETED, online)  # the next Monday: outside the week
    appt(alice, -1, "10:00", 60, S.COMPLETED, online)  # the Sunday before


def test_working_hours_booked_hours_and_utilisation(week):
    report = build_report(WEEK, now=NOW)

    alice, ben = report.therapists
    assert [t.name for t in report.therapists] == ["Alice Example", "Ben Sample"]  # not the retired one
    # 39 h a week, less Wednesday's closure (7 h); Ben also less Thursday afternoon (3 h).
    assert (alice.working_minutes, ben.working_minutes) == (32 * 60, 29 * 60)
    assert (alice.booked_minutes, ben.booked_minutes) == (225, 165)
    assert alice.utilisation == pytest.approx(225 / 1920)
    assert ben.utilisation == pytest.approx(165 / 1740)
    assert report.clinic.utilisation == pytest.approx(390 / 3660)


def test_appointments_by_status_and_the_two_rates(week):
    report = build_report(WEEK, now=NOW)

    alice, ben = report.therapists
    assert alice.by_status == {S.BOOKED: 1, S.ARRIVED: 1, S.COMPLETED: 2, S.NO_SHOW: 1, S.CANCELLED: 2}
    assert ben.by_status == {S.BOOKED: 0, S.ARRIVED: 0, S.COMPLETED: 2, S.NO_SHOW: 1, S.CANCELLED: 1}
    assert (alice.no_show_rate, ben.no_show_rate, report.clinic.no_show_rate) == (1 / 5, 1 / 3, 2 / 8)
    assert (alice.late_cancellations, ben.late_cancellations) == (1, 1)
    assert (alice.late_cancellation_rate, ben.late_cancellation_rate) == (1 / 7, 1 / 4)
    assert report.clinic.late_cancellation_rate == 2 / 11


def test_a_longer_notice_period_makes_more_cancellations_late(week):
    settings = ClinicSettings.load()
    settings.cancellation_notice_hours = 24 * 5
    settings.save()
    assert build_report(WEEK, now=NOW).clinic.late_cancellations == 3


def test_revenue_by_treatment_length_counts_what_attended_appointments_were_priced_at(week):
    report = build_report(WEEK, now=NOW)

    assert [(r.label, r.attended, r.revenue) for r in report.revenue] == [
        ("Soft tissue release massage, 30 min", 1, Decimal("40")),
        ("Soft tissue release massage, 45 min", 2, Decimal("110")),
        ("Soft tissue release massage, 60 min", 2, Decimal("140")),
    ]
    assert [t.revenue for t in report.therapists] == [Decimal("165"), Decimal("125")]
    assert report.clinic.revenue == Decimal("290")


def test_online_and_reception_bookings(week):
    assert build_report(WEEK, now=NOW).sources == {"online": 7, "reception": 4}


def _asked(when_asked, **fields):
    request = CallbackRequest.objects.create(
        name="Robin", phone=f"+4477009004{CallbackRequest.objects.count():02d}", **fields
    )
    CallbackRequest.objects.filter(pk=request.pk).update(created_at=when_asked)
    return request


def test_callback_requests_against_the_time_promised(db):
    for weekday in range(5):
        OpeningHours.objects.create(weekday=weekday, opens=time(9), closes=time(17))
    in_time = _asked(at(day(0), "10:00"))  # promised by Monday 17:00
    CallAttempt.objects.create(request=in_time, at=at(day(0), "11:00"), outcome=CallAttempt.Outcome.NO_ANSWER)
    late = _asked(at(day(0), "16:45"), status=CallbackRequest.Status.DONE)  # too late for today: Tuesday 17:00
    CallAttempt.objects.create(request=late, at=at(day(2), "10:00"), outcome=CallAttempt.Outcome.REACHED)
    _asked(
        at(day(0), "12:00"),
        when="day",
        preferred_day=day(3),
        preferred_period="morning",
        status=CallbackRequest.Status.CLOSED,
    )  # never called
    _asked(at(day(1), "12:00"), when="day", preferred_day=day(4))  # Friday, not yet due on Wednesday
    _asked(at(day(-1), "12:00"))  # before the week

    callbacks = build_report(WEEK, now=NOW).callbacks

    assert (callbacks.asked, callbacks.in_time, callbacks.late, callbacks.not_called, callbacks.waiting) == (
        4,
        1,
        1,
        1,
        1,
    )
    assert callbacks.in_time_rate == 1 / 3


def _text(status, body, provider_id="", created=None):
    message = Message.objects.create(
        kind="reminder", to="+447700900123", body=body, status=status, provider_id=provider_id
    )
    Message.objects.filter(pk=message.pk).update(created_at=created or at(day(1), "10:00"))


def test_texts_sent_failed_and_segments_charged(db):
    _text(Message.Status.DELIVERED, "a" * 100, "SM1")  # 1 segment
    _text(Message.Status.SENT, "b" * 161, "SM2")  # 2
    _text(Message.Status.FAILED, "c" * 138 + "€" * 12, "SM3")  # 162 septets: 2
    _text(Message.Status.UNDELIVERED, "d" * 320, "SM4")  # 3
    _text(Message.Status.DELIVERED, "i" * 155 + "\\^{", "SM6")  # 161 septets: 2
    _text(Message.Status.FAILED, "e" * 100)  # refused before leaving: no segments
    _text(Message.Status.PENDING, "f" * 100)
    _text(Message.Status.CANCELLED, "g" * 100)
    _text(Message.Status.DELIVERED, "h" * 100, "SM5", created=at(day(8), "10:00"))  # after the week

    sms = build_report(WEEK, now=NOW).sms

    assert (sms.sent, sms.delivered, sms.failed, sms.unknown, sms.waiting) == (3, 2, 3, 0, 1)
    assert sms.segments == 10


def test_the_figures_cost_nine_queries_for_a_week_and_for_a_year(week):
    year = Period(date(2029, 7, 1), date(2030, 6, 30))
    ClinicSettings.load()  # inserts the row a real clinic has (which bumps its cache version)
    ClinicSettings.load()  # and caches it: the report reads the settings from the cache
    with CaptureQueriesContext(connection) as for_a_week:
        build_report(WEEK, now=NOW)
    with CaptureQueriesContext(connection) as for_a_year:
        build_report(year, now=NOW)
    assert len(for_a_week) == len(for_a_year) == 9


def test_a_clock_change_day_counts_the_hours_worked(lengths):
    # Sunday 31 March 2030: the clocks go forward at 01:00. Someone working 00:00-04:00 works 3 hours.
    night = make_therapist("Nina Night", lengths=lengths.values(), hours={6: [("00:00", "04:00")]})
    report = build_report(Period(date(2030, 3, 31), date(2030, 3, 31)), now=timezone.make_aware(datetime(2030, 4, 1)))
    assert next(t for t in report.therapists if t.therapist_id == night.pk).working_minutes == 180
