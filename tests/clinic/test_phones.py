"""The one phone field every form uses: national or international input, E.164 out."""

import pytest
from django import forms

from clinic.core.phones import PhoneField


def clean(value, **options):
    return PhoneField(**options).clean(value)


@pytest.mark.parametrize("typed", ["07400 123456", "+44 7400 123456", "0044 7400 123 456", "(07400) 123-456"])
def test_a_uk_mobile_in_any_usual_form_is_stored_in_international_form(typed):
    assert clean(typed, mobile_only=True).as_e164 == "+447400123456"


def test_the_fiction_range_used_by_the_demo_counts_as_a_mobile():
    assert clean("07700 900123", mobile_only=True).as_e164 == "+447700900123"


def test_a_landline_is_refused_where_a_mobile_is_needed_with_its_own_message():
    with pytest.raises(forms.ValidationError) as error:
        clean("0113 496 0000", mobile_only=True)
    assert error.value.code == "landline"


def test_a_landline_is_fine_for_a_callback():
    assert clean("0113 496 0000").as_e164 == "+441134960000"


def test_a_number_from_abroad_is_refused_unless_reception_allows_it():
    with pytest.raises(forms.ValidationError) as error:
        clean("+33 6 12 34 56 78")
    assert error.value.code == "not_uk"
    assert clean("+33 6 12 34 56 78", uk_only=False).as_e164 == "+33612345678"


@pytest.mark.parametrize("typed", ["0113 496 0000", "020 7946 0018", "01632 960000"])
def test_a_landline_is_called_a_landline_including_the_fiction_range(typed):
    with pytest.raises(forms.ValidationError) as error:
        clean(typed, mobile_only=True)
    assert error.value.code == "landline"


@pytest.mark.parametrize("typed", ["hello", "0740", "07400 123456 789", "12345", "0113 496", "1234567"])
def test_malformed_numbers_are_refused_as_not_a_number_never_as_a_landline(typed):
    with pytest.raises(forms.ValidationError) as error:
        clean(typed, mobile_only=True)
    assert error.value.code == "invalid"
    with pytest.raises(forms.ValidationError):
        clean(typed)
