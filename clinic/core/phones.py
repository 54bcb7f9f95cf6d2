"""Phone numbers as patients and reception type them, stored as E.164. One place for every form.

libphonenumber parses and checks numbers. UK mobiles are matched by pattern instead of by its
validity check, which rejects Ofcom's 07700 900xxx drama range that the demo and tests use; a
number in that range that reaches Twilio fails there as "invalid number" and shows in the SMS log.
"""

from __future__ import annotations

import re

import phonenumbers
from django import forms
from django.db.models import Q
from phonenumber_field.phonenumber import PhoneNumber

# 07 and 9 more digits, except 070 (personal numbers) and 076 (pagers; 07624 is the Isle of Man's mobiles).
UK_MOBILE = re.compile(r"^7(?:[1-57-9]\d{8}|624\d{6})$")


def is_uk_mobile(number: phonenumbers.PhoneNumber) -> bool:
    """True for a UK mobile number (the only kind worth texting)."""
    return number.country_code == 44 and bool(UK_MOBILE.match(phonenumbers.national_significant_number(number)))


def _looks_geographic(number: phonenumbers.PhoneNumber) -> bool:
    """01, 02 or 03 and the full length: a landline libphonenumber may not know (Ofcom's fiction
    ranges, such as the demo's 01632 960xxx). "12345" is too short to be one: just not a number."""
    nsn = phonenumbers.national_significant_number(number)
    return nsn[:1] in ("1", "2", "3") and len(nsn) in (9, 10)


def _e164(number: phonenumbers.PhoneNumber) -> PhoneNumber:
    return PhoneNumber.from_string(phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164))


class PhoneField(forms.CharField):
    """A phone number in national or international form, cleaned to a `PhoneNumber` in E.164.

    `uk_only` refuses numbers outside the UK; `mobile_only` refuses anything but a UK mobile (with
    a landline getting its own message). Error codes: invalid, not_uk, landline.
    """

    default_error_messages = {
        "invalid": "Enter a phone number like 07400 123456 or +44 7400 123456.",
        "not_uk": "Enter a UK phone number.",
        "landline": "That looks like a landline. Please give a mobile number so we can text you.",
    }

    def __init__(self, *, uk_only: bool = True, mobile_only: bool = False, **kwargs):
        self.uk_only, self.mobile_only = uk_only, mobile_only
        kwargs.setdefault("max_length", 32)
        super().__init__(**kwargs)

    def to_python(self, value):
        value = super().to_python(value)
        if not value:
            return None
        try:
            number = phonenumbers.parse(value, "GB")
        except phonenumbers.NumberParseException:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        if self.uk_only and number.country_code != 44:
            raise forms.ValidationError(self.error_messages["not_uk"], code="not_uk")
        if is_uk_mobile(number):
            return _e164(number)
        valid = phonenumbers.is_valid_number(number)
        if self.mobile_only:
            code = "landline" if valid or _looks_geographic(number) else "invalid"
            raise forms.ValidationError(self.error_messages[code], code=code)
        if not valid:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return _e164(number)

    def prepare_value(self, value):
        if isinstance(value, PhoneNumber) and value.is_valid():
            return value.as_national
        return super().prepare_value(value)


def phone_search_q(fields, search_term: str) -> Q | None:
    """Match stored E.164 numbers against a number typed the way people say it.

    "07700 900123", "+44 7700 900123", "0044 7700…" and a partial "900123" all come down to
    digits without leading zeros, which the stored "+447700900123" contains.
    """
    digits = "".join(ch for ch in search_term if ch.isdigit()).lstrip("0")
    if len(digits) < 6 or not fields:
        return None
    q = Q()
    for field in fields:
        q |= Q(**{f"{field}__contains": digits})
    return q


class PhoneSearchMixin:
    """For a ModelAdmin: `phone_search_fields` are also searched by the digits of the term."""

    phone_search_fields: tuple[str, ...] = ()

    def get_search_results(self, request, queryset, search_term):
        results, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        q = phone_search_q(self.phone_search_fields, search_term)
        if q is not None:
            results = results | queryset.filter(q)
        return results, may_have_duplicates
