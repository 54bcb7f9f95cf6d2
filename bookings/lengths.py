"""How a treatment length is named to people: the one place every page, text and report asks.

With one treatment a length reads "30 minutes"; once the clinic offers more than one, every label
names the treatment too ("Sports massage, 30 minutes"), so a sports massage and a soft tissue
release of the same length and price never read the same anywhere (booking steps, confirmation,
manage page, admin, diary, wait list, courses, reports).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from clinic.core.versions import SETUP, cached

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


def names_treatments() -> bool:
    """Whether labels name the treatment: more than one treatment is on offer (a bookable
    length that an active therapist gives), the same rule that adds the booking flow's
    treatment step.

    The same rule as `Catalogue.names_treatments`, read through its own small cache entry (one
    query when cold) so pages that need no catalogue do not load one. Treatments and lengths
    bump the `setup` version on every write, so it is never stale.
    """
    return cached("names-treatments", depends_on=[SETUP], compute=_names_treatments_fresh)


def _names_treatments_fresh() -> bool:
    from .models import TreatmentLength

    offered = TreatmentLength.objects.bookable().filter(therapists__active=True)
    return offered.values("treatment").distinct().count() > 1
