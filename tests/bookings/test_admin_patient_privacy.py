"""A manager answers a subject access request and an erasure request from the patient's page in
the admin; each needs its own permission (the Manager role has both, reception neither)."""

import io
import zipfile
from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse

from bookings.models import Patient
from clinic.core.models import PrivacyRecord
from clinic.core.roles import MANAGER, RECEPTION
from tests.bookings.diary_support import staff
from tests.conftest import at
from tests.privacy_support import seed

pytestmark = pytest.mark.django_db


@pytest.fixture
def boss(db):
    """A manager by role, not a superuser."""
    return staff("boss", MANAGER)


@pytest.fixture
def seeded(alice, lengths, next_monday, boss):
    return seed(therapist=alice, lengths=lengths, day=next_monday, staff=boss)


def _urls(patient):
    return {
        "change": reverse("admin:bookings_patient_change", args=[patient.pk]),
        "export": reverse("admin:bookings_patient_export", args=[patient.pk]),
        "erase": reverse("admin:bookings_patient_erase", args=[patient.pk]),
    }


def test_a_manager_sees_both_actions_on_the_patients_page(client, boss, seeded):
    client.force_login(boss)
    page = client.get(_urls(seeded.cara)["change"]).content.decode()
    assert "Export this patient's data" in page and "Erase this patient" in page


def test_a_manager_downloads_the_export_as_a_zip(client, boss, seeded):
    client.force_login(boss)
    response = client.post(_urls(seeded.cara)["export"])

    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    assert f"patient-{seeded.cara.pk}-data-" in response["Content-Disposition"]
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        assert "Sore left knee" in archive.read("personal-data.html").decode()
    assert PrivacyRecord.objects.get(kind="export").by == boss


def test_the_erasure_page_lists_what_will_change_and_refuses_while_booked(client, boss, seeded):
    client.force_login(boss)
    page = client.get(_urls(seeded.cara)["erase"]).content.decode()
    assert "cannot be erased now" in page and "Cancel it first" in page
    assert 'type="submit"' not in page.split("content-main")[1]


def test_a_manager_erases_a_patient_after_confirming(client, boss, seeded):
    with time_machine.travel(at(seeded.day + timedelta(days=1), "09:00"), tick=False):
        client.force_login(boss)
        page = client.get(_urls(seeded.cara)["erase"]).content.decode()
        assert "What will change" in page
        assert "2 appointments kept for the clinic" in page and "callback request" in page and "text message" in page

        response = client.post(_urls(seeded.cara)["erase"])
        assert response.status_code == 302 and response["Location"] == _urls(seeded.cara)["change"]
        page = client.get(_urls(seeded.cara)["change"]).content.decode()

    assert Patient.objects.get(pk=seeded.cara.pk).name == "Erased patient"
    assert "Erase this patient" not in page and "Erased patient" in page


def test_reception_can_do_neither(client, seeded):
    client.force_login(staff("desk", RECEPTION))
    urls = _urls(seeded.cara)
    page = client.get(urls["change"]).content.decode()
    assert "Export this patient" not in page and "Erase this patient" not in page
    assert client.post(urls["export"]).status_code == 403
    assert client.get(urls["erase"]).status_code == 403
    assert client.post(urls["erase"]).status_code == 403
    assert not PrivacyRecord.objects.exists()


def test_an_export_needs_a_post(client, boss, seeded):
    client.force_login(boss)
    assert client.get(_urls(seeded.cara)["export"]).status_code == 405
