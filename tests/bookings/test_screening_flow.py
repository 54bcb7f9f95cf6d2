"""The health questions on the booking details step: refer answers divert, flag answers book and
flag, "No to all" books clean, and a patient who changes a refer answer leaves a trace."""

from datetime import timedelta

import pytest
from django.urls import reverse

from bookings.consents import Purpose
from bookings.models import AnswerSet, Appointment, ConsentRecord, ScreeningQuestion
from bookings.screening.questions import DEFAULT_QUESTIONS, REFER
from bookings.screening.services import refer_for_clinical_review, save_question
from bookings.services import NeedsClinicalReview, PatientDetails, create_booking
from tests.bookings.conftest import details
from tests.bookings.screening_support import answers, question_data, seeded_questionnaire
from tests.conftest import at

pytestmark = pytest.mark.django_db

STATUS = Appointment.ScreeningStatus
REFER_KEYS = [q["key"] for q in DEFAULT_QUESTIONS if q["outcome"] == REFER]
FLAG_KEYS = [q["key"] for q in DEFAULT_QUESTIONS if q["outcome"] != REFER]


@pytest.fixture
def version(db):
    return seeded_questionnaire()


@pytest.fixture
def form(lengths, alice, next_monday, version):
    """The details form as a patient fills it in, answering each question (all No to start with)."""

    def fill(*, yes=(), details_typed=None, **overrides):
        data = details(lengths[30], alice, at(next_monday, "10:00"))
        return data | question_data(version, yes=yes, details=details_typed) | overrides

    return fill


def post(client, data):
    return client.post(reverse("bookings:details"), data)


def test_the_seeded_questions_cover_the_clinics_refer_and_flag_list(version):
    assert REFER_KEYS == ["recent-injury", "blood-clot", "infection-or-fever"]
    assert FLAG_KEYS == [
        "pregnancy",
        "blood-thinners",
        "varicose-veins",
        "diabetes-reduced-feeling",
        "osteoporosis",
        "cancer-treatment",
        "pacemaker-or-metalwork",
    ]
    assert [q["key"] for q in version.questions] == REFER_KEYS + FLAG_KEYS
    injury = version.question("recent-injury")
    assert "last 6 weeks" in injury["text"] and "area you want treated" in injury["text"]
    assert "never used on the site of a recent injury" in injury["explanation"]


@pytest.mark.parametrize("key", REFER_KEYS)
def test_each_seeded_refer_question_diverts_to_a_callback_and_books_nothing(client, form, version, key):
    response = post(client, form(yes=[key]))
    page = response.content.decode()

    assert response.status_code == 200
    assert "We can&#x27;t book this online" in page
    assert version.question(key)["explanation"].replace("'", "&#x27;") in page
    assert 'name="action" value="refer"' in page
    assert not Appointment.objects.exists() and not AnswerSet.objects.exists()


@pytest.mark.parametrize("key", FLAG_KEYS)
def test_each_seeded_flag_question_books_and_flags_for_the_therapist(client, form, key):
    response = post(client, form(yes=[key], details_typed={key: "Since last spring"}))

    assert response.status_code == 302
    appointment = Appointment.objects.get()
    assert appointment.screening_status == STATUS.FLAGGED and not appointment.answers_changed
    answer_set = appointment.answer_sets.get()
    assert answer_set.outcome == "flag" and answer_set.role == AnswerSet.Role.BOOKING
    assert answer_set.answers[key] == {"answer": "yes", "detail": "Since last spring"}
    assert [row["key"] for row in answer_set.yes_questions()] == [key]


def test_no_to_all_books_unflagged_with_every_answer_no_and_the_consents_stored(
    client, lengths, alice, next_monday, version
):
    data = details(lengths[30], alice, at(next_monday, "10:00"))  # "No to all", one tap, no radios

    assert post(client, data).status_code == 302
    appointment = Appointment.objects.get()
    assert appointment.screening_status == STATUS.CLEAR and not appointment.answers_changed
    answer_set = appointment.answer_sets.get()
    assert answer_set.version == version and answer_set.outcome == "clear"
    assert {a["answer"] for a in answer_set.answers.values()} == {"no"}
    assert set(answer_set.answers) == {q["key"] for q in version.questions}
    health = ConsentRecord.objects.about(answer_set).get()
    assert (health.purpose, health.patient) == (Purpose.HEALTH_ANSWERS, appointment.patient)
    assert "health questions" in health.wording and health.wording_version == "health-1"
    assert set(ConsentRecord.objects.about(appointment).values_list("purpose", flat=True)) == {
        Purpose.PRIVACY_NOTICE,
        Purpose.CANCELLATION_POLICY,
    }


def test_no_to_all_with_a_yes_is_questioned_not_guessed(client, form):
    page = post(client, form(yes=["pregnancy"], none_apply="on")).content.decode()
    assert "You ticked “No to all of these” but answered Yes to a question." in page
    assert not Appointment.objects.exists()


def test_the_health_consent_is_required(client, form):
    data = form()
    del data["consent_health"]
    page = post(client, data).content.decode()
    assert "Please agree to us keeping your answers to the health questions." in page
    assert not Appointment.objects.exists() and not AnswerSet.objects.exists()


def test_a_detail_typed_before_switching_back_to_no_is_not_kept(client, form):
    post(client, form(details_typed={"pregnancy": "12 weeks"}))
    assert Appointment.objects.get().answer_sets.get().answers["pregnancy"] == {"answer": "no", "detail": ""}


def test_yes_then_no_in_one_session_books_flags_and_keeps_both_answer_sets(client, form):
    refused = post(client, form(yes=["recent-injury"], details_typed={"recent-injury": "Sprained ankle"}))
    assert refused.status_code == 200 and not Appointment.objects.exists()

    booked = post(client, form())

    assert booked.status_code == 302
    appointment = Appointment.objects.get()
    assert appointment.answers_changed and appointment.screening_status == STATUS.FLAGGED
    earlier, final = appointment.answer_sets.order_by("pk")
    assert (earlier.role, earlier.outcome) == (AnswerSet.Role.EARLIER, "refer")
    assert earlier.answers["recent-injury"] == {"answer": "yes", "detail": "Sprained ankle"}
    assert (final.role, final.outcome) == (AnswerSet.Role.BOOKING, "clear")
    assert final.answers["recent-injury"]["answer"] == "no"
    # Booking forgets the earlier answers: the next booking in this session is not flagged.
    assert "bookings.screening.earlier" not in client.session


def test_a_refer_yes_the_page_saw_before_it_was_changed_to_no_is_traced(client, form):
    # With JavaScript the refusal shows without a round trip; site.js remembers the Yes it saw.
    post(client, form(earlier_yes="blood-clot pregnancy"))

    appointment = Appointment.objects.get()
    assert appointment.answers_changed and appointment.screening_status == STATUS.FLAGGED
    earlier = appointment.answer_sets.get(role=AnswerSet.Role.EARLIER)
    assert earlier.answers["blood-clot"]["answer"] == "yes"
    assert earlier.answers["pregnancy"]["answer"] == "no"  # only refer questions make a trace


def test_a_patient_who_asked_for_a_review_then_books_from_another_browser_is_flagged(
    client, form, version, lengths, alice, next_monday
):
    refer_for_clinical_review(
        name="Robin Patient",
        phone="+447700900456",
        answers=answers(version, yes=["blood-clot"]),
        length=lengths[30],
        start=at(next_monday, "10:00"),
    )

    assert post(client, form()).status_code == 302  # a fresh session: nothing remembered here
    appointment = Appointment.objects.get()
    assert appointment.answers_changed and appointment.screening_status == STATUS.FLAGGED
    referral = appointment.answer_sets.get(role=AnswerSet.Role.REFERRAL)
    assert referral.answers["blood-clot"]["answer"] == "yes"


def test_a_review_asked_for_more_than_six_weeks_ago_no_longer_flags_a_booking(
    client, form, version, time_machine, next_monday
):
    time_machine.move_to(at(next_monday, "09:00") - timedelta(weeks=8))
    refer_for_clinical_review(name="Robin", phone="+447700900456", answers=answers(version, yes=["blood-clot"]))
    time_machine.move_to(at(next_monday, "09:00") - timedelta(days=7))

    post(client, form())
    assert not Appointment.objects.get().answers_changed


def test_questions_changed_while_the_patient_was_answering_are_asked_again(client, form, manager):
    question = ScreeningQuestion.objects.get(key="pregnancy")
    question.text = "Are you pregnant, or could you be?"
    save_question(question=question, by_user=manager)

    page = post(client, form()).content.decode()  # answers to the version shown before the edit

    assert "Our health questions were updated while you were answering. Please answer them again." in page
    assert "Are you pregnant, or could you be?" in page
    assert not Appointment.objects.exists()


def test_the_booking_service_itself_refuses_refer_answers(version, lengths, alice, next_monday):
    with pytest.raises(NeedsClinicalReview):
        create_booking(
            length=lengths[30],
            therapist=alice,
            start=at(next_monday, "10:00"),
            patient=PatientDetails(name="Robin", phone="+447700900456"),
            screening=answers(version, yes=["infection-or-fever"]),
        )
    assert not Appointment.objects.exists() and not AnswerSet.objects.exists()
