"""The patient's "move my appointment" choices: another length of the same treatment and another
therapist (or "No preference"), checked against the cached catalogue like the booking flow's.

It validates and normalises only; the move is `services.reschedule_booking`, which checks again
under the lock.
"""

from __future__ import annotations

from django import forms

from .catalogue import load_catalogue
from .forms import NO_PREFERENCE
from .lengths import sessions
from .models import Appointment


class MoveChoiceForm(forms.Form):
    """?length=&therapist= on the move pages; unbound (or empty) means "as it is now"."""

    length = forms.ChoiceField(label="How long", required=False)
    therapist = forms.ChoiceField(label="With whom", required=False)

    def __init__(self, data=None, *, appointment: Appointment):
        self.appointment = appointment
        current = appointment.length
        data = {
            "length": (data or {}).get("length") or str(current.pk),
            "therapist": (data or {}).get("therapist") or str(appointment.therapist_id),
        }
        super().__init__(data)
        self.catalogue = load_catalogue()
        lengths = [x for x in self.catalogue.lengths if x.treatment_id == current.treatment_id]
        if current.pk not in {x.pk for x in lengths}:
            lengths.insert(0, current)  # withdrawn since: it may still be moved as it is
        self.lengths = {str(x.pk): x for x in lengths}
        ids = {t for x in lengths for t in self.catalogue.offering(x)} | {appointment.therapist_id}
        self.therapists = {str(t.pk): t for t in self.catalogue.therapists if t.pk in ids}
        self.therapists.setdefault(str(appointment.therapist_id), appointment.therapist)
        self.fields["length"].choices = [
            (k, f"{x.minutes} minutes, {x.price_display}") for k, x in self.lengths.items()
        ]
        self.fields["therapist"].choices = [(NO_PREFERENCE, "No preference")] + [
            (k, t.name) for k, t in self.therapists.items()
        ]

    def clean(self):
        data = super().clean()
        length, therapist_value = self.lengths.get(data.get("length", "")), data.get("therapist")
        if length is None or therapist_value is None:
            return data
        data["length_obj"], data["therapist_obj"] = length, None
        if therapist_value == NO_PREFERENCE:
            if not self.catalogue.offering(length):
                self.add_error("length", f"No one can take {length.minutes}-minute appointments online at the moment.")
            return data
        therapist = self.therapists[therapist_value]
        unchanged = therapist.pk == self.appointment.therapist_id and length.pk == self.appointment.length_id
        if not unchanged and not self.catalogue.offers(therapist, length):
            self.add_error(
                "therapist",
                f"{therapist.name} does not offer {sessions(length, named=self.catalogue.names_treatments)}. "
                "Please choose another length or another therapist.",
            )
        data["therapist_obj"] = therapist
        return data

    @property
    def anyone(self) -> bool:
        return self.cleaned_data.get("therapist") == NO_PREFERENCE

    def query(self) -> dict[str, str]:
        """The choices as address parameters (only what differs from the appointment as it is)."""
        data = self.cleaned_data
        query = {}
        if data.get("length") and data["length"] != str(self.appointment.length_id):
            query["length"] = data["length"]
        if data.get("therapist") and data["therapist"] != str(self.appointment.therapist_id):
            query["therapist"] = data["therapist"]
        return query
