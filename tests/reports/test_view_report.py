"""The reports page: for managers only, a chart beside each table, CSV downloads, clear messages
for a bad period, and the same number of queries for a week as for a year."""

import csv
import io
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from clinic.core.roles import MANAGER, RECEPTION
from tests.bookings.diary_support import ensure_roles_exist, staff
from tests.reports.test_figures import WEEK, week  # noqa: F401  (the hand-worked week)

pytestmark = pytest.mark.django_db

REPORTS = reverse("admin:reports_report_changelist")
SECTIONS = ["utilisation", "statuses", "rates", "revenue", "sources", "callbacks", "sms"]


@pytest.fixture
def manager_client(client, db):
    ensure_roles_exist()
    client.force_login(staff("mia", MANAGER))
    return client


def the_week():
    return {"first": WEEK.first.isoformat(), "last": WEEK.last.isoformat()}


def test_a_manager_sees_a_chart_beside_a_table_for_every_section(manager_client, week):  # noqa: F811
    page = manager_client.get(REPORTS, the_week())

    assert page.status_code == 200
    html = page.content.decode()
    for key in SECTIONS:
        section = html.split(f'id="{key}"')[1].split("</section>")[0]
        assert '<svg class="chart"' in section and 'role="img"' in section
        assert "<table>" in section
        assert f"format=csv&amp;section={key}" in section
    assert "<dt>Utilisation</dt><dd>10.7%</dd>" in html
    assert "<dt>No-show rate</dt><dd>25.0%</dd>" in html
    assert '<th scope="row">Alice Example</th><td>32.0 h</td><td>3.8 h</td><td>11.7%</td>' in html
    assert "<script" not in html.split('id="content-main"')[1].split("</main>")[0]


def test_last_month_is_shown_by_default(client, time_machine):
    time_machine.move_to(date(2030, 3, 15))
    ensure_roles_exist()
    client.force_login(staff("mia", MANAGER))  # after moving the clock, so the session is fresh
    html = client.get(REPORTS).content.decode()
    assert "Reports: 1 Feb 2030 – 28 Feb 2030" in html
    assert 'aria-current="page">Last month</a>' in html


def test_a_section_downloads_as_csv_with_plain_numbers(manager_client, week):  # noqa: F811
    response = manager_client.get(REPORTS, the_week() | {"format": "csv", "section": "rates"})

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="clinic-rates-20300107-20300113.csv"'
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][:4] == ["Therapist", "Not cancelled", "No-shows", "No-show rate"]
    assert rows[1] == ["Alice Example", "5", "1", "20.0", "7", "1", "14.3"]
    assert rows[-1] == ["Whole clinic", "8", "2", "25.0", "11", "2", "18.2"]
    assert manager_client.get(REPORTS, the_week() | {"format": "csv", "section": "nope"}).status_code == 404


def test_a_period_the_wrong_way_round_is_explained(manager_client):
    page = manager_client.get(REPORTS, {"first": "2030-02-10", "last": "2030-02-01"})
    assert page.status_code == 200
    assert "The end date is before the start date." in page.content.decode()
    nonsense = manager_client.get(REPORTS, {"first": "yesterday", "last": "2030-02-01"})
    assert "From: Enter a date." in nonsense.content.decode()


def test_reception_cannot_see_the_reports(client, db):
    ensure_roles_exist()
    client.force_login(staff("rita", RECEPTION))
    assert client.get(REPORTS).status_code == 403
    assert REPORTS not in client.get(reverse("admin:index")).content.decode()


def test_the_admin_index_links_managers_to_the_reports(manager_client):
    assert REPORTS in manager_client.get(reverse("admin:index")).content.decode()


def test_the_page_costs_the_same_queries_for_a_week_and_for_a_year(manager_client, week):  # noqa: F811
    manager_client.get(REPORTS, the_week())
    with CaptureQueriesContext(connection) as for_a_week:
        manager_client.get(REPORTS, the_week())
    with CaptureQueriesContext(connection) as for_a_year:
        manager_client.get(REPORTS, {"first": "2029-07-01", "last": "2030-06-30"})
    assert len(for_a_week) == len(for_a_year)
