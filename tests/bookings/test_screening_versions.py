"""Questions are data a manager edits; every edit publishes a new version, and answers keep the
wording they answered."""

import pytest
from django.urls import reverse

from bookings.models import ScreeningQuestion
from bookings.screening.services import current_questionnaire, publish_questionnaire
from tests.bookings.conftest import slot
from tests.bookings.diary_support import book, staff
from tests.bookings.screening_support import give_answers, seeded_questionnaire
from tests.conftest import at

pytestmark = pytest.mark.django_db

OLD_WORDING = "Do you take blood-thinning medicine?"
NEW_WORDING = "Do you take any medicine that thins your blood, or makes you bruise easily?"


@pytest.fixture
def manager_client(client, db):
    client.force_login(staff("boss", "Manager"))
    return client


def edit(client, question, **changes):
    data = {
        "text": question.text,
        "help_text": question.help_text,
        "explanation": question.explanation,
        "outcome": question.outcome,
        "order": question.order,
        "active": "on" if question.active else "",
        "_save": "Save",
    } | changes
    response = client.post(reverse("admin:bookings_screeningquestion_change", args=[question.pk]), data)
    client.get(response.get("Location", "/admin/"))  # shows (and clears) the "changed" message
    return response


def test_editing_a_question_in_admin_publishes_a_new_version(manager_client):
    before = seeded_questionnaire()
    question = ScreeningQuestion.objects.get(key="blood-thinners")

    response = edit(manager_client, question, text=NEW_WORDING)

    assert response.status_code == 302
    after = current_questionnaire()
    assert after.number == before.number + 1
    assert after.question("blood-thinners")["text"] == NEW_WORDING
    assert before.question("blood-thinners")["text"] == OLD_WORDING  # the old version is untouched
    assert after.published_by.username == "boss"


def test_old_appointments_still_show_the_wording_they_answered(
    manager_client, patient, alice, ben, lengths, next_monday
):
    before = seeded_questionnaire()
    answered_before = give_answers(
        book(patient, alice, lengths[30], at(next_monday, "10:00")), before, yes=["blood-thinners"]
    )
    edit(manager_client, ScreeningQuestion.objects.get(key="blood-thinners"), text=NEW_WORDING)
    answered_after = give_answers(
        book(patient, ben, lengths[30], at(next_monday, "12:00")), current_questionnaire(), yes=["blood-thinners"]
    )

    old_page = manager_client.get(reverse("admin:bookings_appointment_change", args=[answered_before.pk]))
    new_page = manager_client.get(reverse("admin:bookings_appointment_change", args=[answered_after.pk]))

    assert OLD_WORDING in old_page.content.decode() and NEW_WORDING not in old_page.content.decode()
    assert NEW_WORDING in new_page.content.decode() and OLD_WORDING not in new_page.content.decode()
    assert f"health questions version {before.number}" in old_page.content.decode()


def test_saving_a_question_unchanged_publishes_nothing_new(manager_client):
    before = seeded_questionnaire()
    edit(manager_client, ScreeningQuestion.objects.get(key="osteoporosis"))
    assert current_questionnaire() == before
    assert publish_questionnaire() == before


def test_a_question_is_retired_not_deleted_and_is_no_longer_asked(manager_client):
    before = seeded_questionnaire()
    question = ScreeningQuestion.objects.get(key="varicose-veins")

    edit(manager_client, question, active="")
    delete = manager_client.post(
        reverse("admin:bookings_screeningquestion_delete", args=[question.pk]), {"post": "yes"}
    )

    assert delete.status_code == 403
    assert ScreeningQuestion.objects.filter(key="varicose-veins").exists()
    assert current_questionnaire().question("varicose-veins") is None
    assert before.question("varicose-veins") is not None  # answers to it keep their wording


def test_a_new_question_is_asked_from_the_next_version(manager_client, client, lengths, alice, next_monday):
    seeded_questionnaire()
    add = reverse("admin:bookings_screeningquestion_add")
    manager_client.post(
        add,
        {
            "key": "epilepsy",
            "text": "Do you have epilepsy?",
            "help_text": "",
            "explanation": "Your therapist will talk it through with you.",
            "outcome": "flag",
            "order": "200",
            "active": "on",
            "_save": "Save",
        },
    )
    page = client.get(reverse("bookings:details"), slot(lengths[30], alice, at(next_monday, "10:00")))
    assert "Do you have epilepsy?" in page.content.decode()
    assert current_questionnaire().questions[-1]["key"] == "epilepsy"


def test_reception_cannot_edit_the_questions(client, receptionist):
    seeded_questionnaire()
    client.force_login(receptionist)
    assert client.get(reverse("admin:bookings_screeningquestion_changelist")).status_code == 403
    assert client.get(reverse("admin:bookings_questionnaireversion_changelist")).status_code == 403
