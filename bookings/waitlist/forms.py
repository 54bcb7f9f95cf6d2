"""The wait list's public forms. They validate and normalise only; the writes are services. The
code form is the one "My bookings" uses too (`bookings.phone_codes`)."""

from __future__ import annotations

import copy
from datetime import timedelta

from django import forms
from django.utils import timezone

from clinic.core.models import Weekday
from therapists.models import WorkingHours

from ..forms import ChoiceForm, DetailsForm
from ..screening.forms import ScreeningFieldsMixin
from ..services import NeedsClinicalReview
from .entries import Wish
from .models import LONGEST_WAIT_DAYS, PART_LABELS

WEEKS = [(str(n), f"The next {n} week{'s' if n > 1 else ''}") for n in range(1, LONGEST_WAIT_DAYS // 7 + 1)]


def working_weekdays() -> list[int]:
    """The days of the week someone works (all seven if no hours are set up yet)."""
    days = set(WorkingHours.objects.filter(therapist__active=True).values_list("weekday", flat=True))
    return sorted(days) or list(range(7))


class WaitListForm(ChoiceForm):
    """'Tell me if something comes up': what would suit, and the mobile to text."""

    days = forms.TypedMultipleChoiceField(
        label="Which days suit you?",
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose at least one day."},
    )
    parts = forms.MultipleChoiceField(
        label="What times of day?",
        choices=list(PART_LABELS.items()),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose at least one time of day."},
    )
    weeks = forms.ChoiceField(
        label="For how long?",
        choices=WEEKS,
        initial="2",
        error_messages={"required": "Choose how long to stay on the list."},
    )
    name = DetailsForm.base_fields["name"]
    phone = copy.deepcopy(DetailsForm.base_fields["phone"])
    phone.help_text = "We text you a code now to check the number, and an offer if a time comes free."
    consent_privacy = DetailsForm.base_fields["consent_privacy"]
    website = forms.CharField(required=False, label="Leave this empty")  # a honeypot

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["days"].choices = [(d, Weekday(d).label) for d in working_weekdays()]
        self.fields["length"].label = "How long would you like?"
        self.fields["therapist"].label = "Who would you like to see?"

    def clean_name(self):
        return DetailsForm.clean_name(self)

    def clean_website(self):
        if self.cleaned_data["website"]:
            raise forms.ValidationError("Please leave this field empty.")
        return ""

    def wish(self) -> Wish:
        data = self.cleaned_data
        return Wish(
            length=data["length"],
            therapist=data["therapist_obj"],
            days=data["days"],
            parts=data["parts"],
            last_day=timezone.localdate() + timedelta(days=7 * int(data["weeks"])),
        )


class ClaimForm(ScreeningFieldsMixin, forms.Form):
    """Booking an offered time: the same health questions and consents as the booking flow.

    With `referral=True` (the "Ask us to call you back" button after a refer answer) only what the
    clinical-review callback needs is checked."""

    consent_privacy = copy.deepcopy(DetailsForm.base_fields["consent_privacy"])
    consent_cancellation = copy.deepcopy(DetailsForm.base_fields["consent_cancellation"])

    def __init__(self, *args, referral: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.referral = referral
        self.add_screening_fields()
        if referral:
            self.fields["consent_cancellation"].required = False

    def clean(self):
        data = super().clean()
        self.clean_screening(data, partial=self.referral)
        if self.needs_referral and not self.referral:
            self.add_error(None, forms.ValidationError(NeedsClinicalReview.default_message, "refer"))
        return data

    @property
    def refused_for_referral(self) -> bool:
        return self.has_error("__all__", "refer")

    def consents(self) -> tuple[str, ...]:
        return DetailsForm.consents(self)
