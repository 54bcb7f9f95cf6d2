"""The booking flow's forms. They validate and normalise only; booking is `services.create_booking`.

Every step re-validates the choices that travel with it (length, therapist, time) because they
come back from the browser and may have been edited or gone stale.
"""

from __future__ import annotations

from datetime import datetime

from django import forms
from django.utils import timezone

from clinic.core.phones import PhoneField

from . import tokens
from .availability import local_instant
from .catalogue import NO_PREFERENCE, load_catalogue
from .consents import Purpose, wording
from .lengths import length_label, sessions
from .models import Treatment, TreatmentLength
from .screening.forms import ScreeningFieldsMixin
from .services import BookingError, NeedsClinicalReview, SlotUnavailable, check_bookable

START_FORMAT = "%Y-%m-%dT%H:%M"

PHONE_EXAMPLE = "like 07700 900123 or +44 7700 900123"
CONSENT_FIELDS = ((Purpose.PRIVACY_NOTICE, "consent_privacy"), (Purpose.CANCELLATION_POLICY, "consent_cancellation"))


def format_start(start: datetime) -> str:
    return timezone.localtime(start).strftime(START_FORMAT)


def parse_start(value: str) -> datetime | None:
    """A local wall time from the address, as an aware instant; None if malformed or if it does
    not exist or happens twice on a clock-change day (such times are never offered)."""
    try:
        naive = datetime.strptime(value, START_FORMAT)
    except (TypeError, ValueError):
        return None
    return local_instant(naive.date(), naive.time(), timezone.get_current_timezone())


class ChoiceForm(forms.Form):
    """Step 1: how long, and with whom. Also re-checks those choices on every later step.

    Choices are checked against the cached catalogue (`bookings.catalogue`): no query per step.
    """

    length = forms.ChoiceField(
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose how long you would like your massage to be.",
            "invalid_choice": "That length is not available. Please choose one of the lengths shown.",
        },
    )
    therapist = forms.ChoiceField(
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose a therapist, or “No preference”.",
            "invalid_choice": "That therapist cannot be booked online. Please choose one of those shown.",
        },
    )

    def __init__(self, *args, treatment: Treatment | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.catalogue = load_catalogue()
        self.limit_to(treatment)

    def limit_to(self, treatment: Treatment | None) -> None:
        """Offer only `treatment`'s lengths and the therapists who give it (None: everything).

        Step 1 shows one treatment's choices once the patient has chosen it; the later steps
        check against the whole catalogue, since the length says which treatment it is.
        """
        self.treatment = treatment
        self.therapists = self.catalogue.therapists_for(treatment)
        named = self.catalogue.names_treatments
        self.fields["length"].choices = [
            (str(length.pk), length_label(length, named=named, price=True))
            for length in self.catalogue.lengths_of(treatment)
        ]
        self.fields["therapist"].choices = [(NO_PREFERENCE, "No preference")] + [
            (str(t.pk), t.name) for t in self.therapists
        ]

    def sessions(self, length: TreatmentLength) -> str:
        """'60-minute sessions', naming the treatment when the clinic offers several."""
        return sessions(length, named=self.catalogue.names_treatments)

    def clean_length(self) -> TreatmentLength:
        return self.catalogue.length(self.cleaned_data["length"])

    def clean(self):
        data = super().clean()
        length, therapist_value = data.get("length"), data.get("therapist")
        if length is None or therapist_value is None:
            return data
        if therapist_value == NO_PREFERENCE:
            data["therapist_obj"] = None
            if not self.catalogue.offering(length):
                self.add_error("length", f"No one can take {self.sessions(length)} online at the moment.")
            return data
        therapist = self.catalogue.therapist(therapist_value)
        if not self.catalogue.offers(therapist, length):
            self.add_error(
                "therapist",
                f"{therapist.name} does not offer {self.sessions(length)}. "
                "Please choose another length or another therapist.",
            )
        data["therapist_obj"] = therapist
        return data

    def query(self) -> dict[str, str]:
        """The choices as address parameters for the next steps."""
        return {"length": str(self.cleaned_data["length"].pk), "therapist": self.cleaned_data["therapist"]}


class SlotForm(ChoiceForm):
    """Steps 4–5: the chosen time travels with the choices; all three are checked again.

    Showing the details page checks the time is still bookable, so a stale choice gets its
    message before the patient types anything. The POST that books does not: `create_booking`
    checks under the lock anyway, and checking twice would cost a second availability load and
    tell a patient whose double tap already booked the time that it was "just taken".
    """

    check_availability = True

    start = forms.CharField(
        widget=forms.HiddenInput, error_messages={"required": "Please choose a time for your appointment."}
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.alternatives = []

    def clean_start(self):
        start = parse_start(self.cleaned_data["start"])
        if start is None:
            raise forms.ValidationError("That time is not one we can book. Please choose a time again.", "invalid")
        return start

    def clean(self):
        data = super().clean()
        start = data.get("start")
        if any(name in self.errors for name in ("length", "therapist", "start")) or not isinstance(start, datetime):
            return data
        if not self.check_availability:
            return data
        try:
            check_bookable(length=data["length"], therapist=data["therapist_obj"], start=start)
        except SlotUnavailable as error:
            self.alternatives = error.alternatives
            self.add_error("start", forms.ValidationError(error.message, "taken"))
        except BookingError as error:
            self.add_error("start", forms.ValidationError(error.message, "not_bookable"))
        return data

    def query(self) -> dict[str, str]:
        return super().query() | {"start": format_start(self.cleaned_data["start"])}


class DetailsForm(ScreeningFieldsMixin, SlotForm):
    """Step 4: who is coming, the health questions and consent, with the one-time token.

    With `referral=True` (the "Ask us to call you back" button after a refer answer) it checks only
    what the callback needs: the cancellation policy and email are not asked for.
    `earlier` is a refer set this session gave before (the changed-answers trace).
    """

    check_availability = False

    token = forms.CharField(widget=forms.HiddenInput)
    name = forms.CharField(
        label="Your full name",
        max_length=120,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
        error_messages={"required": "Enter your name."},
    )
    phone = PhoneField(
        mobile_only=True,
        label="Mobile phone number",
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel", "inputmode": "tel"}),
        help_text="We text your confirmation and a reminder to this number. For example 07700 900123.",
        error_messages={
            "required": "Enter your mobile phone number.",
            "invalid": f"Enter a UK mobile number, {PHONE_EXAMPLE}.",
            "not_uk": f"Please give a UK mobile number, {PHONE_EXAMPLE}.",
            "landline": f"That looks like a landline. Please give a mobile number so we can text you, {PHONE_EXAMPLE}.",
        },
    )
    email = forms.EmailField(
        label="Email address (optional)",
        required=False,
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        error_messages={"invalid": "Enter an email address like name@example.com, or leave it empty."},
    )
    note = forms.CharField(
        label="What would you like help with? (optional)",
        required=False,
        max_length=500,
        help_text="A sentence or two is plenty, for example “tight calves after running”.",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"max_length": "Please keep this note to 500 characters or fewer."},
    )
    consent_privacy = forms.BooleanField(
        label=wording(Purpose.PRIVACY_NOTICE),
        error_messages={"required": "Please confirm you have read the privacy notice."},
    )
    consent_cancellation = forms.BooleanField(
        label=wording(Purpose.CANCELLATION_POLICY),
        error_messages={"required": "Please agree to the cancellation policy."},
    )
    # A honeypot: hidden from people (and from screen readers), filled in by form-filling bots.
    website = forms.CharField(required=False, label="Leave this empty")

    def __init__(self, *args, earlier=None, referral: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.earlier, self.referral = earlier, referral
        self.add_screening_fields()
        if referral:
            self.fields["consent_cancellation"].required = False

    def clean(self):
        data = super().clean()
        self.clean_screening(data, earlier=self.earlier, partial=self.referral)
        if self.needs_referral and not self.referral:
            self.add_error(None, forms.ValidationError(NeedsClinicalReview.default_message, "refer"))
        return data

    @property
    def refused_for_referral(self) -> bool:
        return self.has_error("__all__", "refer")

    def consents(self) -> tuple[str, ...]:
        """The booking's consent ticks (the health answers' consent is stored with the answers)."""
        return tuple(purpose for purpose, name in CONSENT_FIELDS if self.cleaned_data.get(name))

    def clean_token(self):
        try:
            return tokens.read_idempotency_token(self.cleaned_data["token"])
        except tokens.BadToken:
            raise forms.ValidationError(
                "This form had expired or was changed. Please check your details and press “Book” again.",
                "bad_token",
            )

    def clean_name(self):
        name = " ".join(self.cleaned_data["name"].split())
        if not name:
            raise forms.ValidationError("Enter your name.")
        return name

    def clean_website(self):
        if self.cleaned_data["website"]:
            raise forms.ValidationError("Please leave this field empty.")
        return ""


class PatientCancelForm(forms.Form):
    """The patient's second, deliberate step to cancel online. The reason is a choice, not free
    text, so nobody is prompted to type health details into a field reception reads."""

    REASONS = {
        "cannot_make_it": "I can't make that time",
        "no_longer_needed": "I no longer need it",
        "booked_by_mistake": "I booked it by mistake",
        "other": "Another reason",
    }

    reason = forms.ChoiceField(
        label="Would you like to tell us why? (optional)",
        choices=list(REASONS.items()),
        required=False,
        widget=forms.RadioSelect,
    )

    def cancellation_reason(self) -> str:
        """What the appointment's history records (a reason not offered is ignored)."""
        chosen = self.REASONS.get(self.cleaned_data.get("reason", "")) if self.is_valid() else None
        return f"Cancelled online by the patient: {chosen}" if chosen else "Cancelled online by the patient"
