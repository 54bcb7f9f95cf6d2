"""The public booking path's query budgets, counted exactly so that a regression fails CI.

Timings are in bench/ (docs/benchmarks.md); these are the numbers of SQL statements each request
costs, in production's shape: the settings row exists, and "warm" means the cache holds what an
earlier visitor's request put there.
"""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from bookings.models import Appointment, TreatmentLength
from tests.bookings.conftest import choice, details
from tests.bookings.screening_support import seeded_questionnaire
from tests.conftest import at, make_therapist

pytestmark = pytest.mark.django_db

TIME = reverse("bookings:time")

# A day/time panel nobody has asked for since the cache was emptied: the catalogue of what can
# be booked (lengths, who offers them, therapists: 3), the clinic settings (1), the set-up
# snapshot (working hours, absences, closures: 3) and the appointments of the days shown (1).
PANEL_COLD = 8
# The same panel asked again (another visitor, the same minute, nothing written meanwhile).
PANEL_WARM = 0
# A panel whose therapists' days are cached but not the panel itself (another day of the same
# page of days, or the next minute): no query at all either.
PANEL_DAYS_WARM = 0


@pytest.fixture
def eight(lengths):
    return [make_therapist(f"Therapist {i}", lengths=lengths.values(), order=i) for i in range(8)]


def panel(client, length, therapist, day):
    response = client.get(TIME, choice(length, therapist) | {"day": day.isoformat()}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    return response


@pytest.mark.parametrize("who", ["one therapist", "no preference"])
def test_the_day_time_panel_costs_8_queries_cold_and_none_warm(
    client, lengths, eight, next_monday, clinic_settings, django_assert_num_queries, who
):
    therapist = eight[0] if who == "one therapist" else None
    cache.clear()
    with django_assert_num_queries(PANEL_COLD):
        cold = panel(client, lengths[45], therapist, next_monday)
    with django_assert_num_queries(PANEL_WARM):
        warm = panel(Client(), lengths[45], therapist, next_monday)
    assert warm.content == cold.content
    # The day before: always on the same 14-day page as next_monday (pages count from today, and
    # next_monday can be the page's last day, so the day after may start the next page's load).
    with django_assert_num_queries(PANEL_DAYS_WARM):
        panel(client, lengths[45], therapist, next_monday - timedelta(days=1))


def test_a_full_diary_costs_one_load_more_for_next_available(
    client, patient, lengths, eight, clinic_settings, django_assert_num_queries
):
    """The "next available" link looks past a fully booked page in one load, not page by page."""
    therapist = eight[0]
    today = timezone.localdate()
    whole_day = TreatmentLength.objects.create(treatment=lengths[30].treatment, minutes=8 * 60, price=Decimal(300))
    rows = []
    for offset in range(28):  # the first two pages, booked solid (09:00-17:00, lunch included)
        start = at(today + timedelta(days=offset), "09:00")
        rows.append(
            Appointment(
                patient=patient,
                therapist=therapist,
                length=whole_day,
                start=start,
                end=start + whole_day.duration,
                blocked_until=start + whole_day.duration,
                price=whole_day.price,
                reference=f"F{offset:06d}",
            )
        )
    Appointment.objects.bulk_create(rows)
    cache.clear()
    with django_assert_num_queries(PANEL_COLD + 1):
        page = panel(client, lengths[30], therapist, today + timedelta(days=3)).content.decode()
    assert "Next available" in page
    assert (today + timedelta(days=28)).isoformat() in page


# The booking POST, as production runs it (transactions committed; BEGIN and COMMIT are counted):
# BEGIN, the therapist's row lock, the form's one-time token (a repeated form finds its booking),
# the patient by phone (4); the therapist's appointments that day (1: the rest of availability's
# inputs come from the cached set-up snapshot); the new patient and its history row (2), the
# appointment and its history row (2); the health answers (1) and the consents ticked (1: to the
# answers' use and to the booking's terms, in one INSERT); the confirmation and the reminder texts
# (2); the confirmation email, as the patient gave an address (1); COMMIT.
BOOKING_POST = 15
# "No preference" costs the same: who is free, and how much of the day each already has booked
# (to share the work out), come from the same load of their appointments.
BOOKING_POST_ANY = 15


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(("who", "budget"), [("named", BOOKING_POST), ("no preference", BOOKING_POST_ANY)])
def test_a_booking_post_costs_at_most_15_queries_with_its_texts_and_email(
    client, lengths, eight, next_monday, clinic_settings, who, budget
):
    therapist = eight[0] if who == "named" else None
    seeded_questionnaire()  # the health questions, as a transactional test's flush removed them
    client.post(reverse("bookings:details"), details(lengths[45], therapist, at(next_monday, "09:00")))
    ContentType.objects.get_for_model(Appointment)  # cached in the process after its first use

    data = details(lengths[45], therapist, at(next_monday, "10:00"), phone="07700 900999")
    with CaptureQueriesContext(connection) as queries:
        response = client.post(reverse("bookings:details"), data)

    # The booking's own statements, up to its COMMIT. Tasks run in-process in tests, so the
    # outbox sends queued on commit follow in this request; in production a worker runs them.
    statements = [query["sql"] for query in queries.captured_queries]
    booking, after = statements[: statements.index("COMMIT") + 1], statements[statements.index("COMMIT") + 1 :]
    assert len(booking) == budget, "\n".join(booking)
    assert all(sql in ("BEGIN", "COMMIT") or '"mail_email"' in sql or '"sms_message"' in sql for sql in after)
    assert response.status_code == 302
    assert budget <= 15
    booked = Appointment.objects.get(start=at(next_monday, "10:00"))
    assert booked.sms_messages.count() == 2
    assert booked.emails.count() == 1
    assert booked.answer_sets.count() == 1


# Showing the details page for a chosen time checks it is still free, from the cached days.
DETAILS_PAGE_WARM = 0


def test_the_details_page_checks_the_time_from_the_cache(
    client, lengths, eight, next_monday, clinic_settings, django_assert_num_queries
):
    panel(client, lengths[45], eight[0], next_monday)
    url = reverse("bookings:details")
    client.get(url, choice(lengths[45], eight[0]) | {"start": f"{next_monday.isoformat()}T09:00"})
    query = choice(lengths[45], eight[0]) | {"start": f"{next_monday.isoformat()}T10:00"}
    with django_assert_num_queries(DETAILS_PAGE_WARM):
        response = client.get(url, query)
    assert response.status_code == 200
