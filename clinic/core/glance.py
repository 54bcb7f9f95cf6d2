"""The admin index's "at a glance" panel, assembled from what each app contributes.

`clinic.core` sits at the bottom of the import order and knows no domain model, so it cannot ask
bookings for today's count or callbacks for the queue length itself. Instead each app registers a
provider from its `AppConfig.ready()`: a function of the request returning the items (counts with
a link) and banners (something is wrong, act now) that this user may see.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.http import HttpRequest


@dataclass(frozen=True)
class Item:
    """A count on the panel, e.g. 3 "callback requests to phone back", linking to where to act."""

    order: int
    count: int
    text: str  # what the count counts, already in the right number ("appointment" / "appointments")
    url: str = ""
    link_text: str = ""  # a prominent link above the count ("Open today's diary")
    link_url: str = ""
    breakdown: tuple[tuple[str, int], ...] = ()  # ("Alice Example", 2), ...
    attention: bool = False


@dataclass(frozen=True)
class Banner:
    """A red line across the top of the admin index: something needs action now."""

    text: str
    url: str = ""
    link_text: str = ""
    details: tuple[str, ...] = field(default=())


Provider = Callable[[HttpRequest], Iterable[Item | Banner]]
_providers: list[Provider] = []


def register(provider: Provider) -> Provider:
    """Add a provider (usable as a decorator); registering the same one twice is harmless."""
    if provider not in _providers:
        _providers.append(provider)
    return provider


def collect(request: HttpRequest) -> tuple[list[Item], list[Banner]]:
    """Everything the providers offer this request's user: items in order, then banners."""
    items: list[Item] = []
    banners: list[Banner] = []
    for provider in _providers:
        for entry in provider(request):
            (banners if isinstance(entry, Banner) else items).append(entry)
    items.sort(key=lambda item: item.order)
    return items, banners


def plural(count: int, singular: str, plural_form: str | None = None) -> str:
    return singular if count == 1 else (plural_form or f"{singular}s")
