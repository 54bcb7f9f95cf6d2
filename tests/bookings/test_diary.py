"""Reception's day diary: where blocks and shading land, who may see it, and what it costs."""

import re
from datetime import UTC, date, timedelta

import pytest
import time_machine
from django.urls import reverse

from bookings.diary import load_day
from bookings.models import Appointment, Patient
from clinic.core.roles import RECEPTION, THERAPIST
from tests.bookings.diary_support import book, ensure_roles_exist, staff
from tests.conftest import at, make_therapist
from therapists.models import Absence, Closure, WorkingHours

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _roles(db):
    """Before the cast's `receptionist` joins the Reception group."""
    ensure_roles_exist()


DIARY = reverse("admin:bookings_diary")


def cell_at(diary, therapist_name: str, label: str):
    """The cell that starts at the row labelled `label` in the therapist's column, or None."""
    column = next(c for c in diary.grid.columns if c.label == therapist_name)
    row = next(r for r in diary.grid.rows if r.label == label)
    return column.cells[row.index]


def covering_cell(diary, therapist_name: str, label: str):
    """The cell (possibly starting higher up) that covers the row labelled `label`."""
    column = next(c for c in diary.grid.columns if c.label == therapist_name)
    index = next(r.index for r in diary.grid.rows if r.label == label)
    while column.cells[index] is None:
        index -= 1
    return column.cells[index]


@pytest.fixture
def fixture_day(alice, ben, patient, lengths, next_monday):
    """Alice has a 30-minute and a 60-minute appointment; Ben is away 14:00-16:00 for training."""
    short = book(patient, alice, lengths[30], at(next_monday, "10:00"))
    other = Patient.objects.create(name="Sam Sample", phone="+447700900999")
    long = book(other, alice, lengths[60], at(next_monday, "11:00"))
    Absence.objects.create(
        therapist=ben, starts_at=at(next_monday, "14:00"), ends_at=at(next_monday, "16:00"), reason="Training"
    )
    return {"day": next_monday, "short": short, "long": long}


def test_a_30_minute_appointment_spans_two_rows_and_a_60_minute_one_four(fixture_day):
    diary = load_day(fixture_day["day"])

    short = cell_at(diary, "Alice Example", "10:00")
    assert (short.kind, short.rowspan, short.block.pk) == ("appointment", 2, fixture_day["short"].pk)
    long = cell_at(diary, "Alice Example", "11:00")
    assert (long.kind, long.rowspan, long.block.pk) == ("appointment", 4, fixture_day["long"].pk)
    # The rows under a block belong to it; the next row is free again.
    assert cell_at(diary, "Alice Example", "10:15") is None
    assert cell_at(diary, "Alice Example", "10:30").kind == "free"
    assert cell_at(diary, "Alice Example", "12:00").kind == "free"


def test_the_rows_run_every_15_minutes_across_the_working_hours(fixture_day):
    diary = load_day(fixture_day["day"])
    labels = [row.label for row in diary.grid.rows]
    assert labels[0] == "09:00"
    assert labels[-1] == "16:45"
    assert len(labels) == 8 * 4
    assert [c.label for c in diary.grid.columns] == ["Alice Example", "Ben Sample"]


def test_lunch_and_an_absence_are_shaded_with_words(fixture_day):
    diary = load_day(fixture_day["day"])

    lunch = cell_at(diary, "Alice Example", "13:00")
    assert (lunch.kind, lunch.rowspan, lunch.label) == ("off", 4, "Not working")
    away = cell_at(diary, "Ben Sample", "14:00")
    assert (away.kind, away.rowspan, away.label) == ("absent", 8, "Away: Training")
    assert cell_at(diary, "Ben Sample", "16:00").kind == "free"


def test_a_closed_day_is_shaded_for_everyone(alice, ben, next_monday):
    Closure.objects.create(start_date=next_monday, end_date=next_monday, reason="Bank holiday")
    diary = load_day(next_monday)

    for name in ("Alice Example", "Ben Sample"):
        closed = covering_cell(diary, name, "10:00")
        assert (closed.kind, closed.label) == ("closed", "Clinic closed: Bank holiday")


def test_the_page_shows_blocks_with_time_patient_length_and_status(client, receptionist, fixture_day):
    set_status = fixture_day["long"]
    set_status.status = Appointment.Status.ARRIVED
    set_status.save()
    client.force_login(receptionist)

    page = client.get(DIARY, {"date": fixture_day["day"].isoformat()}).content.decode()

    assert 'rowspan="2" class="cell appt status-booked' in page
    assert 'rowspan="4" class="cell appt status-arrived' in page
    assert "10:00–10:30" in page and "Pat Example" in page and "30 min" in page
    assert "11:00–12:00" in page and "Sam Sample" in page and "60 min" in page
    assert ">Arrived<" in page and ">Booked<" in page
    assert "Away: Training" in page and "Not working" in page


def test_a_free_cell_links_to_the_add_form_with_therapist_and_time(client, receptionist, fixture_day, alice):
    client.force_login(receptionist)
    page = client.get(DIARY, {"date": fixture_day["day"].isoformat()}).content.decode()
    day = fixture_day["day"].isoformat()
    add = reverse("admin:bookings_appointment_add")
    assert f'href="{add}?therapist={alice.pk}&amp;start={day}T10:30"' in page
    change = reverse("admin:bookings_appointment_change", args=[fixture_day["short"].pk])
    assert f'href="{change}"' in page


def test_cancelled_and_no_show_appointments_leave_the_grid_but_stay_listed(client, receptionist, fixture_day):
    fixture_day["short"].status = Appointment.Status.NO_SHOW
    fixture_day["short"].save()
    diary = load_day(fixture_day["day"])
    assert cell_at(diary, "Alice Example", "10:00").kind == "free"
    assert [b.pk for b in diary.not_in_grid] == [fixture_day["short"].pk]

    client.force_login(receptionist)
    page = client.get(DIARY, {"date": fixture_day["day"].isoformat()}).content.decode()
    assert "Cancelled and no-shows on this day" in page and ">No-show<" in page


def test_the_now_line_marks_the_current_row_on_today(client, receptionist, alice, next_monday):
    with time_machine.travel(at(next_monday, "10:37"), tick=False):
        client.force_login(receptionist)  # signed in then: a staff session lasts hours, not days
        diary = load_day(next_monday)
        page = client.get(DIARY).content.decode()
    assert [r.label for r in diary.grid.rows if r.is_now] == ["10:30"]
    now_rows = re.findall(r'<tr class="[^"]*\bnow\b[^"]*"[^>]*>\s*<th scope="row" class="time">([^<]*)', page)
    assert [label.strip() for label in now_rows] == ["10:30"]


def test_navigation_offers_previous_next_today_and_a_date_picker(client, receptionist, alice, next_monday):
    client.force_login(receptionist)
    page = client.get(DIARY, {"date": next_monday.isoformat()}).content.decode()
    assert f"?date={(next_monday - timedelta(days=1)).isoformat()}" in page
    assert f"?date={(next_monday + timedelta(days=1)).isoformat()}" in page
    assert 'type="date"' in page and f'value="{next_monday.isoformat()}"' in page
    assert reverse("admin:bookings_diary_week") in page


def test_the_week_view_shows_one_therapist_across_seven_days(client, receptionist, fixture_day, alice):
    client.force_login(receptionist)
    response = client.get(
        reverse("admin:bookings_diary_week"), {"therapist": alice.pk, "date": fixture_day["day"].isoformat()}
    )
    grid = response.context["grid"]
    assert [c.day for c in grid.columns] == [fixture_day["day"] + timedelta(days=i) for i in range(7)]
    monday = grid.columns[0]
    ten = next(r.index for r in grid.rows if r.label == "10:00")
    assert monday.cells[ten].block.pk == fixture_day["short"].pk
    sunday = grid.columns[6]
    assert sunday.cells[ten] is None or sunday.cells[ten].kind == "off"
    assert "Pat Example" in response.content.decode()


# --- clock-change days -------------------------------------------------------------------------


@pytest.fixture
def night_owl(lengths):
    """A therapist working Sundays 00:00-04:00, across the hour the clocks change."""
    return make_therapist("Night Owl", lengths=lengths.values(), hours={6: [("00:00", "04:00")]})


def test_spring_forward_day_skips_the_missing_hour(client, receptionist, night_owl):
    day = date(2026, 3, 29)
    diary = load_day(day)
    labels = [row.label for row in diary.grid.rows]
    assert labels == [
        "00:00",
        "00:15",
        "00:30",
        "00:45",
        *[f"{h:02d}:{m:02d}" for h in (2, 3) for m in (0, 15, 30, 45)],
    ]

    client.force_login(receptionist)
    page = client.get(DIARY, {"date": day.isoformat()}).content.decode()
    assert page.count('<th scope="row" class="time">') == 12
    assert "01:00" not in page.split("<tbody>")[1]


def test_fall_back_day_shows_the_repeated_hour_twice(client, receptionist, night_owl, patient, lengths):
    day = date(2026, 10, 25)
    # 01:30 GMT, the second 01:30 of the night: 2 h 30 min after midnight BST, in elapsed time.
    second_half_past_one = at(day, "00:00").astimezone(UTC) + timedelta(hours=2, minutes=30)
    booked = book(patient, night_owl, lengths[30], second_half_past_one)
    diary = load_day(day)
    labels = [row.label for row in diary.grid.rows]
    assert len(labels) == 20
    assert labels[4:12] == [
        "01:00 BST", "01:15 BST", "01:30 BST", "01:45 BST",
        "01:00 GMT", "01:15 GMT", "01:30 GMT", "01:45 GMT",
    ]  # fmt: skip
    block = cell_at(diary, "Night Owl", "01:30 GMT")
    assert (block.block.pk, block.rowspan) == (booked.pk, 2)
    assert cell_at(diary, "Night Owl", "01:30 BST").kind == "free"

    client.force_login(receptionist)
    page = client.get(DIARY, {"date": day.isoformat()}).content.decode()
    assert page.count('<th scope="row" class="time">') == 20
    assert "01:30 GMT" in page and "01:30 BST" in page


# --- who may see it ----------------------------------------------------------------------------


def test_a_receptionist_sees_the_diary_and_can_book_from_it(client, alice, next_monday):
    client.force_login(staff("rita", RECEPTION))
    response = client.get(DIARY, {"date": next_monday.isoformat()})
    assert response.status_code == 200
    assert "free-link" in response.content.decode()
    assert "Book an appointment" in response.content.decode()


def test_an_anonymous_visitor_is_sent_to_the_login_page(client, alice):
    response = client.get(DIARY)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_a_therapist_sees_their_own_column_read_only(client, fixture_day, alice, ben, lengths):
    Appointment.objects.create(
        patient=Patient.objects.create(name="Ben's Patient", phone="+447700900777"),
        therapist=ben,
        length=lengths[30],
        start=at(fixture_day["day"], "09:00"),
    )
    client.force_login(staff("alice", THERAPIST, therapist=alice))

    response = client.get(DIARY, {"date": fixture_day["day"].isoformat()})
    page = response.content.decode()

    assert response.status_code == 200
    assert [c.label for c in response.context["diary"].columns] == ["Alice Example"]
    assert "Pat Example" in page and "Ben's Patient" not in page
    assert "free-link" not in page and "Book an appointment" not in page


def test_a_staff_member_without_any_role_cannot_open_the_diary(client, alice):
    client.force_login(staff("nobody", None))
    assert client.get(DIARY).status_code == 403


def test_a_day_nobody_works_says_so(client, receptionist, alice, next_monday):
    sunday = next_monday + timedelta(days=6)  # alice works Monday to Saturday
    assert load_day(sunday).grid.columns == []
    client.force_login(receptionist)
    assert "Nobody is working on Sunday" in client.get(DIARY, {"date": sunday.isoformat()}).content.decode()


def test_the_days_set_up_is_cached_and_every_edit_shows_at_once(alice, ben, patient, lengths, next_monday):
    """The day's therapists, hours, absences and closure come from the shared cache after the
    first look (bookings/diary/setup.py); every edit of them gives the next look fresh values."""

    def look():
        diary = load_day(next_monday)
        return {c.label: (c.working, [a[2] for a in c.absences]) for c in diary.grid.columns}, diary.closure

    columns, closure = look()
    assert set(columns) == {alice.name, ben.name} and closure is None

    alice.name = "Alice Renamed"
    alice.save()
    Absence.objects.create(
        therapist=ben, starts_at=at(next_monday, "10:00"), ends_at=at(next_monday, "11:00"), reason="Training"
    )
    columns, _ = look()
    assert "Alice Renamed" in columns and columns[ben.name][1] == ["Training"]

    WorkingHours.objects.filter(therapist=ben, weekday=next_monday.weekday()).delete()
    columns, _ = look()
    assert ben.name not in columns  # no hours and no appointments that day: no column

    Closure.objects.create(start_date=next_monday, end_date=next_monday, reason="Bank holiday")
    _, closure = look()
    assert closure.reason == "Bank holiday"
