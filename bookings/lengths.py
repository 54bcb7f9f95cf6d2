"""How a treatment length is named to people: the one place every page, text and report asks.

With one treatment a length reads "30 minutes"; once the clinic offers more than one, every label
names the treatment too ("Sports massage, 30 minutes"), so a sports massage and a soft tissue
release of the same length and price never read the same anywhere (booking steps, confirmation,
manage page, admin, diary, wait list, courses, reports).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .models import TreatmentLength


def label(
    minutes: int,
    treatment: str,
    *,
    named: bool,
    price: str = "",
    short: bool = False,
) -> str:
    """'30 minutes', 'Sports massage, 30 minutes', with ', £40' when `price` is given;
    `short` writes 'min' (admin lists, the diary). For callers holding plain values, not a row."""
    text = f"{minutes} min" if short else f"{minutes} minutes"
    if named and treatment:
        text = f"{treatment}, {text}"
    return f"{text}, {price}" if price else text


def length_label(
    length: TreatmentLength,
    *,
    named: bool | None = None,
    price: bool = False,
    short: bool = False,
) -> str:
    """The label of `length` (its treatment is read, so join it). `named=None` asks
    `names_treatments()`; a caller that already knows (the booking flow's catalogue) passes it."""
    if named is None:
        named = names_treatments()
    return label(
        length.minutes,
        length.treatment.name if named else "",
        named=named,
        price=length.price_display if price else "",
        short=short,
    )


def sessions(length: TreatmentLength, *, named: bool | None = None) -> str:
    """'60-minute sessions', or '60-minute Sports massage sessions' once there are several
    treatments: for refusals such as "Cara does not offer 60-minute Sports massage sessions"."""
    if named is None:
        named = names_treatments()
    return f"{length.minutes}-minute {length.treatment.name} sessions" if named else f"{length.minutes}-minute sessions"


def names_treatments() -> bool:
    """Whether labels name the treatment: more than one treatment is on offer (a bookable
    length that an active therapist gives), the rule that also adds the booking flow's
    treatment step.

    Read from the booking catalogue, which is cached under the `setup` version that every write
    of treatments, lengths and therapists bumps: no query when warm, and none more in a request
    that already read the catalogue (the booking flow, whose texts are rendered in the request).
    """
    from .catalogue import load_catalogue

    return load_catalogue().names_treatments
