"""The report's period: two dates, checked for order and length with messages a manager can act on."""

from __future__ import annotations

from django import forms

from .period import LONGEST, Period


class PeriodForm(forms.Form):
    first = forms.DateField(
        label="From",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": "Enter a date."},
    )
    last = forms.DateField(
        label="To",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": "Enter a date."},
    )

    def clean(self):
        cleaned = super().clean()
        first, last = cleaned.get("first"), cleaned.get("last")
        if first and last:
            if last < first:
                raise forms.ValidationError("The end date is before the start date.")
            if last - first > LONGEST:
                raise forms.ValidationError("Choose a period of three years or less.")
        return cleaned

    def period(self) -> Period:
        return Period(self.cleaned_data["first"], self.cleaned_data["last"])
