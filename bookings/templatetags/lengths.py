"""`{{ length|length_label }}` and `{{ length|length_label:"price" }}` (see `bookings.lengths`)."""

from django import template

from bookings.lengths import length_label as _length_label

register = template.Library()


@register.filter
def length_label(length, options: str = "") -> str:
    """The length's label; options: "price" adds the price, "short" writes "min"."""
    if not length:
        return ""
    words = options.split()
    return _length_label(length, price="price" in words, short="short" in words)
