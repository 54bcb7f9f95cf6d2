"""Screening questions as data, published as immutable versions, and the answers given to them.

A manager edits `ScreeningQuestion` rows in admin; every saved edit publishes a new
`QuestionnaireVersion` whose `questions` field is a snapshot (key, wording, help, outcome,
explanation) of the active questions at that moment. An `AnswerSet` names the version it answered,
so an answer given to last year's wording is still shown with last year's wording.

Answers are special-category health data: shown only with `bookings.view_clinical_notes`, never in
a URL, a log line, a text, an email or a task argument.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from clinic.core.versioned import VersionedModel, VersionedQuerySet


class Outcome(models.TextChoices):
    """What a "Yes" to a question means, and (for an answer set) what its answers add up to."""

    CLEAR = "clear", "No concerns"
    FLAG = "flag", "Flag: bookable, the therapist reviews before treating"
    REFER = "refer", "Refer: not bookable online, a therapist calls first"


class ScreeningQuestion(models.Model):
    """One health question asked before booking. Edited in admin; saving publishes a new version."""

    QUESTION_OUTCOMES = [(Outcome.REFER, Outcome.REFER.label), (Outcome.FLAG, Outcome.FLAG.label)]

    key = models.SlugField(
        max_length=40,
        unique=True,
        help_text="A short fixed name for the question (letters, numbers, hyphens). Answers are stored under it.",
    )
    text = models.CharField("question", max_length=300)
    help_text = models.CharField(
        "help text", max_length=300, blank=True, help_text="Examples shown under the question, in plain words."
    )
    explanation = models.CharField(
        "what a patient who answers Yes is told",
        max_length=400,
        blank=True,
        help_text="For a refer question, why we need to talk first; for a flag question, what the therapist will do.",
    )
    outcome = models.CharField("if the answer is Yes", max_length=5, choices=QUESTION_OUTCOMES)
    order = models.PositiveSmallIntegerField(default=0)
    active = models.BooleanField(default=True, help_text="Inactive questions are no longer asked.")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["order", "pk"]

    def __str__(self):
        return self.text

    def snapshot(self) -> dict:
        """The question as a published version records it."""
        return {
            "key": self.key,
            "text": self.text,
            "help_text": self.help_text,
            "explanation": self.explanation,
            "outcome": self.outcome,
        }


class QuestionnaireVersionQuerySet(VersionedQuerySet):
    def latest_published(self):
        return self.order_by("-number").first()


# The cache version every questionnaire change bumps (`clinic.core.versions`).
QUESTIONNAIRE = "questionnaire"


class QuestionnaireVersion(VersionedModel):
    """The questions exactly as they were asked from `published_at` until the next version."""

    # Which version is current is read on every booking step (`current_questionnaire`, cached),
    # and the details form's empty fields are rendered once for it (`views.flow`).
    bumps_versions = (QUESTIONNAIRE,)

    number = models.PositiveIntegerField(unique=True)
    questions = models.JSONField(default=list, help_text="The active questions, in order, as asked.")
    published_at = models.DateTimeField(auto_now_add=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = QuestionnaireVersionQuerySet.as_manager()

    class Meta:
        ordering = ["-number"]

    def __str__(self):
        return f"Health questions, version {self.number}"

    def question(self, key: str) -> dict | None:
        return next((q for q in self.questions if q["key"] == key), None)


class AnswerSet(models.Model):
    """One patient's answers to one questionnaire version, and where they were given."""

    class Role(models.TextChoices):
        BOOKING = "booking", "Answered when booking online"
        EARLIER = "earlier", "Answered earlier in the same booking, then changed"
        LINK = "link", "Answered from the link in a text"
        REFERRAL = "referral", "Answered before asking for a clinical review callback"

    version = models.ForeignKey(QuestionnaireVersion, on_delete=models.PROTECT, related_name="answer_sets")
    # {question key: {"answer": "yes" | "no", "detail": "what the patient typed"}}
    answers = models.JSONField(default=dict)
    outcome = models.CharField(max_length=5, choices=Outcome.choices)
    role = models.CharField(max_length=10, choices=Role.choices)
    appointment = models.ForeignKey(
        "bookings.Appointment", null=True, blank=True, on_delete=models.CASCADE, related_name="answer_sets"
    )
    patient = models.ForeignKey(
        "bookings.Patient", null=True, blank=True, on_delete=models.CASCADE, related_name="answer_sets"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["patient", "role", "created_at"])]

    def __str__(self):
        return f"{self.get_role_display()} ({self.get_outcome_display()})"

    def rows(self) -> list[dict]:
        """Each question of the version answered, in its wording then: text, answer, detail, outcome."""
        rows = []
        for question in self.version.questions:
            given = self.answers.get(question["key"])
            if given is None:
                continue
            rows.append(
                {
                    "key": question["key"],
                    "text": question["text"],
                    "answer": given.get("answer", ""),
                    "detail": given.get("detail", ""),
                    "outcome": question["outcome"],
                    "yes": given.get("answer") == "yes",
                }
            )
        return rows

    def yes_questions(self, outcome: str | None = None) -> list[dict]:
        return [row for row in self.rows() if row["yes"] and (outcome is None or row["outcome"] == outcome)]
