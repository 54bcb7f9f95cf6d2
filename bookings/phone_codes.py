"""The two forms of a texted-code check (`clinic.codes`), shared by the pages that ask for one:
the wait list confirms a mobile with it, "My bookings" signs a patient in with it.

They validate and normalise only: asking for and checking codes are services
(`clinic.codes.services`, wrapped by `bookings.my_bookings` and `bookings.waitlist.entries`).
"""

from __future__ import annotations

import copy

from django import forms

from .forms import DetailsForm


class PhoneForm(forms.Form):
    """The mobile number, with the booking form's field and validation (UK mobiles only)."""

    phone = copy.deepcopy(DetailsForm.base_fields["phone"])
    phone.help_text = "The number you booked with. If we have appointments for it, we text it a code."


class CodeForm(forms.Form):
    code = forms.CharField(
        label="The 6-digit code we texted you",
        max_length=12,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "pattern": "[0-9 ]*"}),
        error_messages={"required": "Enter the code from the text."},
    )
