"""The public "request a callback" form. Validates and normalises only; the view decides what to do."""

from __future__ import annotations

import time
from datetime import date

from django import forms
from django.conf import settings
from django.core import signing
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html

from bookings.consents import Purpose, wording
from clinic.core.phones import PhoneField

from .call_times import day_label, open_days
from .models import CallbackRequest

STARTED_SALT = "callbacks.form.started"
HONEYPOT_FIELD = "website"
PHONE_HELP = "A UK mobile or landline, e.g. 07123 456789 or 0113 496 0000."


def started_token(at: float | None = None, *, confirmed: bool = False) -> str:
    """A signed 'form shown at' timestamp; a bot cannot fake an earlier one. `confirmed` marks
    the form shown again after a too-fast submission: its next submission is taken as it is."""
    at = time.time() if at is None else at
    return signing.dumps({"at": at, "confirmed": True} if confirmed else at, salt=STARTED_SALT)


def read_started(token: str) -> tuple[float | None, bool]:
    """(seconds since `started_token` was issued, confirmed); (None, False) if missing or forged."""
    try:
        value = signing.loads(token, salt=STARTED_SALT)
        if isinstance(value, dict):
            return time.time() - float(value["at"]), bool(value.get("confirmed"))
        return time.time() - float(value), False
    except (signing.BadSignature, TypeError, ValueError, KeyError):
        return None, False


class CallbackRequestForm(forms.Form):
    name = forms.CharField(
        label="Your name",
        max_length=120,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
        error_messages={"required": "Enter your name."},
    )
    phone = PhoneField(
        label="Phone number",
        help_text=PHONE_HELP,
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel", "type": "tel"}),
        error_messages={
            "required": "Enter the phone number we should call.",
            "invalid": "Enter a UK phone number, like 07123 456789 or 0113 496 0000.",
            "not_uk": "Enter a UK phone number, like 07123 456789 or 0113 496 0000.",
        },
    )
    when = forms.ChoiceField(
        label="When should we call?",
        choices=CallbackRequest.When.choices,
        initial=CallbackRequest.When.ASAP,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose when we should call."},
    )
    preferred_day = forms.TypedChoiceField(
        label="Day",
        required=False,
        coerce=date.fromisoformat,
        empty_value=None,
        error_messages={"invalid_choice": "Choose a day in the next week."},
    )
    preferred_period = forms.ChoiceField(
        label="Time of day",
        required=False,
        choices=CallbackRequest.Period.choices,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": "Choose morning, afternoon or evening."},
    )
    reason = forms.ChoiceField(
        label="What is it about?",
        choices=CallbackRequest.Reason.public_choices(),
        widget=forms.RadioSelect,
        error_messages={"required": "Choose what the call is about."},
    )
    message = forms.CharField(
        label="Anything we should know? (optional)",
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Up to 500 characters. Please do not include detailed medical information.",
    )
    consent = forms.BooleanField(
        label=wording(Purpose.CALLBACK_CONTACT),
        error_messages={"required": "Tick the box to agree, so we may keep your details to call you."},
    )
    # Bot defences, checked by the view before anything else.
    started = forms.CharField(required=False, widget=forms.HiddenInput)
    website = forms.CharField(
        label="Leave this empty",
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    def __init__(self, *args, today: date | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today or timezone.localdate()
        self.fields["preferred_day"].choices = [("", "Choose a day")] + [
            (d.isoformat(), self._day_choice_label(d)) for d in open_days(start=self.today)
        ]
        self.fields["consent"].help_text = format_html(
            'We use them only to call you back. See our <a href="{}">privacy notice</a>.',
            reverse("bookings:privacy"),
        )
        if not self.is_bound:
            self.initial.setdefault("started", started_token())

    def _day_choice_label(self, day: date) -> str:
        label = day_label(day, today=self.today)
        full = f"{day:%a} {day.day} {day:%b}"
        return full if label == full else f"{label.capitalize()} ({full})"

    def clean_name(self):
        return " ".join(self.cleaned_data["name"].split())

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("when") == CallbackRequest.When.DAY:
            if not cleaned.get("preferred_day") and "preferred_day" not in self.errors:
                self.add_error("preferred_day", "Choose a day in the next week.")
            if not cleaned.get("preferred_period") and "preferred_period" not in self.errors:
                self.add_error("preferred_period", "Choose morning, afternoon or evening.")
        return cleaned

    # --- bot signals ---------------------------------------------------------------------------

    def filled_honeypot(self) -> bool:
        """The hidden field only a bot fills in: dropped without a word (bots learn nothing)."""
        return bool(self.data.get(HONEYPOT_FIELD, "").strip())

    def needs_confirming(self) -> bool:
        """Sent faster than a person usually types (autofill, a quick typist, or a bot), or without
        a valid 'started' token, and not yet confirmed: the person is asked to press again."""
        elapsed, confirmed = read_started(self.data.get("started", ""))
        return not confirmed and (elapsed is None or elapsed < settings.CALLBACK_MIN_FILL_SECONDS)

    def asking_to_confirm(self) -> CallbackRequestForm:
        """The same answers, with a 'started' token that says the person has been asked once."""
        data = self.data.copy()
        data["started"] = started_token(confirmed=True)
        return type(self)(data, today=self.today)

    def error_summary(self) -> list[tuple[str, str]]:
        """(message, anchor) pairs for the summary at the top, in the form's order."""
        items = []
        for name, field in self.fields.items():
            for error in self.errors.get(name, []):
                widget = field.widget
                anchor = f"id_{name}_0" if isinstance(widget, forms.RadioSelect) else f"id_{name}"
                items.append((error, anchor))
        items.extend((error, "") for error in self.non_field_errors())
        return items
