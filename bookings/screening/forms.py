"""The health questions as form fields, shared by the booking details step and the link in a
reception booking's text. They validate and normalise only; the services store the answers.

Per question: a Yes/No radio (`q-<key>`) and an optional detail box (`q-<key>-detail`), shown
when the answer is Yes. "No to all" (`none_apply`) answers every question No in one tap, with or
without JavaScript. The version shown travels in a hidden field, so answers are stored against the
wording the patient actually read; if a manager publishes a new version meanwhile, the patient is
asked to answer again.
"""

from __future__ import annotations

from django import forms

from ..consents import Purpose, wording
from .questions import NO, REFER, YES, Answers, assess
from .services import current_questionnaire

YES_NO = [(YES, "Yes"), (NO, "No")]
UNANSWERED = "Please answer every health question, or tick “No to all of these”."


class ScreeningFieldsMixin:
    """Adds the current questionnaire's fields to a `forms.Form`; call `add_screening_fields()`
    from `__init__` and `clean_screening(cleaned)` from `clean()`. After cleaning:
    `screening_answers` (an `Answers`), and `needs_referral` when a refer question was answered Yes."""

    screening_answers: Answers | None = None
    needs_referral = False

    def add_screening_fields(self) -> None:
        self.questionnaire = current_questionnaire()
        self.fields["questionnaire"] = forms.IntegerField(widget=forms.HiddenInput, required=False)
        self.initial.setdefault("questionnaire", self.questionnaire.number)
        self.fields["none_apply"] = forms.BooleanField(label="No to all of these", required=False)
        for question in self.questionnaire.questions:
            name = f"q-{question['key']}"
            self.fields[name] = forms.ChoiceField(
                label=question["text"], help_text=question["help_text"], choices=YES_NO, required=False
            )
            self.fields[f"{name}-detail"] = forms.CharField(
                label="Tell us more (optional)",
                required=False,
                max_length=300,
                widget=forms.Textarea(attrs={"rows": 2}),
                error_messages={"max_length": "Please keep this to 300 characters or fewer."},
            )
        # A clinic that retired every question asks none, and then needs no consent to keep answers.
        self.has_questions = bool(self.questionnaire.questions)
        self.fields["consent_health"] = forms.BooleanField(
            label=wording(Purpose.HEALTH_ANSWERS),
            required=self.has_questions,
            error_messages={"required": "Please agree to us keeping your answers to the health questions."},
        )
        # Refer questions this page saw answered Yes before they were changed (set by site.js):
        # the trace of a patient who read "we can't book this online" and switched to No.
        self.fields["earlier_yes"] = forms.CharField(required=False, widget=forms.HiddenInput, max_length=1000)

    def screening_rows(self) -> list[dict]:
        """What the template shows per question: the wording, its radio and detail fields."""
        return [
            {
                "question": question,
                "field": self[f"q-{question['key']}"],
                "detail": self[f"q-{question['key']}-detail"],
                "refer": question["outcome"] == REFER,
            }
            for question in self.questionnaire.questions
        ]

    def clean_screening(self, cleaned: dict, *, earlier: Answers | None = None, partial: bool = False) -> None:
        """Check the answers and build `screening_answers`; `earlier` is a refer set this session
        gave before (`bookings.screening.session`). `partial` (asking for a call after a refer
        answer) lets questions stay unanswered: the therapist will ask them on the phone."""
        if cleaned.get("questionnaire") not in (None, self.questionnaire.number):
            self.add_error(
                "none_apply",
                forms.ValidationError(
                    "Our health questions were updated while you were answering. Please answer them again.",
                    "new_version",
                ),
            )
            return
        none_apply = cleaned.get("none_apply")
        answers, unanswered = {}, []
        for question in self.questionnaire.questions:
            name = f"q-{question['key']}"
            answer = cleaned.get(name) or (NO if none_apply else "")
            if not answer:
                unanswered.append(name)
                continue
            answers[question["key"]] = {"answer": answer, "detail": (cleaned.get(f"{name}-detail") or "").strip()}
        if none_apply and any(a["answer"] == YES for a in answers.values()):
            self.add_error(
                "none_apply",
                "You ticked “No to all of these” but answered Yes to a question. Please check your answers.",
            )
            return
        if unanswered and not partial:
            self.add_error(unanswered[0], forms.ValidationError(UNANSWERED, "unanswered"))
            return
        for values in answers.values():
            if values["answer"] == NO:
                values["detail"] = ""  # a detail typed before switching to No is not an answer
        earlier = earlier or self._earlier_from_page(answers)
        self.screening_answers = Answers(self.questionnaire.number, answers, earlier=earlier)
        self.needs_referral = assess(self.questionnaire.questions, answers).outcome == REFER

    def _earlier_from_page(self, answers: dict) -> Answers | None:
        keys = set((self.cleaned_data.get("earlier_yes") or "").split())
        refer_keys = {q["key"] for q in self.questionnaire.questions if q["outcome"] == REFER}
        changed = {key for key in keys & refer_keys if answers.get(key, {}).get("answer") == NO}
        if not changed:
            return None
        earlier = {key: dict(value) for key, value in answers.items()}
        for key in changed:
            earlier[key] = {"answer": YES, "detail": ""}
        return Answers(self.questionnaire.number, earlier)


class LinkScreeningForm(ScreeningFieldsMixin, forms.Form):
    """The health questions on their own, from the link in a reception booking's text."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.add_screening_fields()

    def clean(self):
        cleaned = super().clean()
        self.clean_screening(cleaned)
        return cleaned
