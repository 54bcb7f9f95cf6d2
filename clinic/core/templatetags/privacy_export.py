"""Filters for the readable HTML copy of a subject access export (templates/privacy/)."""

from collections.abc import Mapping
from datetime import date, datetime

from django import template
from django.utils import timezone

register = template.Library()


@register.filter
def is_mapping(value) -> bool:
    return isinstance(value, Mapping)


@register.filter
def is_sequence(value) -> bool:
    return isinstance(value, list | tuple)


@register.filter
def readable(value) -> str:
    """Dates in the clinic's zone, yes/no for booleans, a dash for nothing."""
    if value is None or value == "":
        return "–"
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, datetime):
        return f"{timezone.localtime(value):%a %d %b %Y, %H:%M}"
    if isinstance(value, date):
        return f"{value:%a %d %b %Y}"
    return str(value)
