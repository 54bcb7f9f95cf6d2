"""Reception's forms in admin: book a patient who phones, move an appointment, cancel.

They validate and normalise only; the admin calls the booking services, whose lock and re-check
are the real guard. The clash check here is the same read the service makes, done early so the
usual case gets a field-level answer before anything is written.
"""

from __future__ import annotations

from django import forms

from clinic.core.phones import PhoneField

from ..courses import EVERY_WEEKS, MAX_SESSIONS, parse_option
from ..models import Appointment, Patient
from ..services import clash_message, clashes, free_nearby_text

MOVE_FIELDS = ("therapist", "length", "start")


class StaffPhoneField(PhoneField):
    """A phone number as reception hears it ("07700 900123", "+33 6 12 34 56 78"), stored as E.164.
    Landlines and numbers from abroad are fine: people phone reception from them."""

    default_error_messages = {"invalid": "Enter a phone number like 07700 900123 or +44 7700 900123."}

    def __init__(self, **kwargs):
        super().__init__(uk_only=False, **kwargs)


class StaffAppointmentForm(forms.ModelForm):
    """The admin form for adding (booking) and changing (moving) an appointment.

    ModelAdmin.get_form narrows the fields per request (no note without the clinical-notes
    permission; patient fields only when adding).
    """

    new_patient_name = forms.CharField(label="New patient's name", max_length=120, required=False)
    new_patient_phone = StaffPhoneField(
        label="New patient's phone",
        required=False,
        help_text="A UK or international number. If it belongs to a patient already, that patient is booked.",
    )
    notify_patient = forms.BooleanField(label="Text the patient a confirmation", required=False, initial=True)
    # When the appointment was last changed as this page was drawn: a move saved over a change made
    # meanwhile at another desk is refused by the booking service instead of overwriting it.
    version = forms.CharField(required=False, widget=forms.HiddenInput)

    # Set by the admin when the booking service refused a form that passed these checks (a time
    # taken in between): the form is shown again carrying the service's own message.
    booking_error: str | None = None

    class Meta:
        model = Appointment
        fields = ["patient", "therapist", "length", "start", "note"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and "version" in self.fields:
            self.initial["version"] = self.instance.updated_at.isoformat()
        if "patient" in self.fields:
            self.fields["patient"].required = False
            self.fields["patient"].help_text = "Type a name or phone number to find the patient."
        if "length" in self.fields:
            self.fields["length"].queryset = self.fields["length"].queryset.select_related("treatment")
        if "start" in self.fields and hasattr(self.fields["start"].widget, "widgets"):
            self.fields["start"].widget.widgets[1].format = "%H:%M"  # 14:30, not 14:30:00

    def clean(self):
        cleaned = super().clean()
        adding = self.instance.pk is None
        if adding and "patient" in self.fields:
            self._clean_patient(cleaned)
        therapist, length, start = cleaned.get("therapist"), cleaned.get("length"), cleaned.get("start")
        moving = adding or any(name in self.changed_data for name in MOVE_FIELDS)
        if moving and therapist and length and start:
            if not length.therapists.filter(pk=therapist.pk).exists():
                self.add_error("length", f"{therapist} does not offer {length}.")
            elif clashes(moved := None if adding else self.instance, therapist, length, start):
                clash = clash_message(moved, therapist, length, start)
                nearby = free_nearby_text(therapist=therapist, length=length, start=start, appointment=moved)
                raise forms.ValidationError(f"{clash} {nearby}".strip(), code="clash")
        if self.booking_error and not self.errors:
            raise forms.ValidationError(self.booking_error, code="refused")
        return cleaned

    def _clean_patient(self, cleaned):
        if cleaned.get("patient"):
            return
        name = (cleaned.get("new_patient_name") or "").strip()
        phone = cleaned.get("new_patient_phone")
        if "new_patient_phone" in self.errors:
            return
        if not name and not phone:
            self.add_error("patient", "Find the patient, or enter a new patient's name and phone below.")
            return
        existing = Patient.objects.filter(phone=phone).first() if phone else None
        if existing:
            # The phone identifies a patient: book them rather than creating a duplicate.
            cleaned["patient"] = existing
            return
        if not name:
            self.add_error("new_patient_name", "Enter the new patient's name.")
        if not phone:
            self.add_error("new_patient_phone", "Enter the new patient's phone number.")
        cleaned["new_patient_name"] = name


class CancelForm(forms.Form):
    reason = forms.CharField(
        label="Reason for cancelling",
        max_length=200,
        help_text="Kept in the appointment's history, e.g. 'Patient unwell, will call to rebook'.",
        error_messages={"required": "Enter the reason for cancelling."},
    )
    notify_patient = forms.BooleanField(label="Text the patient that it is cancelled", required=False, initial=True)


class PatientAdminForm(forms.ModelForm):
    phone = StaffPhoneField(help_text="Stored in international form, e.g. +447700900123.")

    class Meta:
        model = Patient
        fields = ["name", "phone", "email"]

    def clean_phone(self):
        phone = self.cleaned_data["phone"]
        other = Patient.objects.filter(phone=phone).exclude(pk=self.instance.pk).first()
        if other:
            raise forms.ValidationError(f"{other.name} already has this phone number.")
        return phone

    def _get_validation_exclusions(self):
        # The phone is checked above (format and uniqueness); the model field's own validator
        # would reject the fictional 07700 900xxx numbers StaffPhoneField accepts.
        exclusions = super()._get_validation_exclusions()
        exclusions.add("phone")
        return exclusions


class CoursePlanForm(forms.Form):
    """How many more sessions, and how often: the preview is drawn from these."""

    sessions = forms.TypedChoiceField(
        label="More sessions",
        coerce=int,
        choices=[(n, str(n)) for n in range(1, MAX_SESSIONS + 1)],
        initial=5,
    )
    every_weeks = forms.TypedChoiceField(
        label="Every",
        coerce=int,
        choices=[(n, "week" if n == 1 else f"{n} weeks") for n in EVERY_WEEKS],
        initial=1,
    )


class CourseChoiceForm(forms.Form):
    """One choice per planned date: one of its options, or skip it. Built from a fresh preview, so
    a time taken since the page was drawn is no longer a valid choice."""

    SKIP = "skip"

    def __init__(self, planned, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.planned = planned
        for session in planned:
            choices = [(option.value, option.value) for option in session.options] + [(self.SKIP, "Skip")]
            suggested = session.suggested
            self.fields[f"session-{session.number}"] = forms.ChoiceField(
                choices=choices,
                initial=suggested.value if suggested else self.SKIP,
                widget=forms.RadioSelect,
                error_messages={"invalid_choice": "That time has just been taken; choose again."},
            )

    def rows(self):
        """(planned session, its bound field) for the preview table."""
        return [(session, self[f"session-{session.number}"]) for session in self.planned]

    def chosen(self) -> list[tuple]:
        """The chosen options as (start, therapist id), skipping the skipped dates."""
        picked = [self.cleaned_data[f"session-{session.number}"] for session in self.planned]
        return [parse_option(value) for value in picked if value != self.SKIP]
