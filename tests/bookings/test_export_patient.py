"""Subject access export: one ZIP with a JSON file and a readable HTML summary holding every kind
of record about the patient, and nothing about anyone else; the export itself is recorded."""

import io
import json
import zipfile

import pytest

from bookings.services import export_patient
from clinic.core.models import PrivacyRecord
from tests.privacy_support import CARA_DETAIL, CARA_OLD_EMAIL, OLLY_NEEDLES, seed

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded(alice, lengths, next_monday, manager):
    return seed(therapist=alice, lengths=lengths, day=next_monday, staff=manager)


def _unzip(export):
    with zipfile.ZipFile(io.BytesIO(export.content)) as archive:
        assert sorted(archive.namelist()) == ["personal-data.html", "personal-data.json"]
        return json.loads(archive.read("personal-data.json")), archive.read("personal-data.html").decode()


def test_the_export_holds_every_kind_of_record_about_the_patient(seeded, manager):
    data, html = _unzip(export_patient(patient=seeded.cara, by_user=manager))

    sections = {s["key"]: s["records"] for s in data["sections"]}
    (details,) = sections["bookings.patient"]
    assert (details["name"], details["phone"], details["email"]) == (
        "Cara Callback",
        "+447400111222",
        "cara@example.com",
    )
    assert CARA_OLD_EMAIL in {h["email"] for h in details["history"]}  # history rows
    appointments = {a["reference"]: a for a in sections["bookings.appointments"]}
    assert set(appointments) == {seeded.visit.reference, seeded.cancelled.reference}
    visit = appointments[seeded.visit.reference]
    assert visit["your note"] == "Sore left knee after a fall"
    assert visit["health screening"] == "Flagged: therapist reviews"
    (answered,) = sections["bookings.health_answers"]
    assert answered["appointment"] == seeded.visit.reference
    thinners = next(a for a in answered["answers"] if "blood-thinning" in a["question"])
    assert (thinners["answer"], thinners["details"]) == ("Yes", CARA_DETAIL)
    assert {c["agreed to"] for c in sections["bookings.consents"]} >= {
        "Use of health answers for care",
        "Read the privacy notice",
    }
    assert appointments[seeded.cancelled.reference]["status"] == "Cancelled"
    assert len(visit["history"]) >= 1
    texts = sections["sms.messages"]
    assert {t["kind"] for t in texts} >= {
        "Booking confirmation",
        "Reminder",
        "Cancellation",
        "Callback request received",
    }
    (callback,) = sections["callbacks.requests"]
    assert callback["message"] == "Is it OK with my knee?"
    assert [c["note"] for c in callback["calls"]] == ["Spoke to Cara Callback"]
    assert len(sections["core.admin_log"]) == 3
    assert [a["what"] for a in sections["core.clinical_access"]] == ["clinical note"]
    assert [c["for"] for c in sections["codes.phone_codes"]] == ["my_bookings"]
    (course,) = sections["bookings.courses"]
    assert course["sessions"] == [seeded.cancelled.reference]
    assert course["cancellation reason"] == "Cara Callback phoned: moving away"
    assert "Course cancelled" in {t["kind"] for t in texts}
    # The readable copy says the same.
    assert "Sore left knee after a fall" in html and "Spoke to Cara Callback" in html and "Text messages" in html


def test_the_export_holds_nothing_about_another_patient_on_the_same_day_and_therapist(seeded, manager):
    data, html = _unzip(export_patient(patient=seeded.cara, by_user=manager))

    text = json.dumps(data) + html
    assert [n for n in OLLY_NEEDLES if n in text] == []
    assert seeded.olly_visit.reference not in text and "stiff shoulder" not in text


def test_the_export_is_recorded_without_personal_data(seeded, manager):
    export = export_patient(patient=seeded.cara, by_user=manager)

    record = PrivacyRecord.objects.get(kind="export")
    assert (record.by, record.patient_id, record.counts["bookings.appointments"]) == (manager, seeded.cara.pk, 2)
    assert "Cara" not in json.dumps(record.counts)
    assert export.filename.startswith(f"patient-{seeded.cara.pk}-data-") and "Cara" not in export.filename
