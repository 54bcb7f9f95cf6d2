"""What a texted code can be for, registered by the apps that ask for codes.

The codes subsystem is infrastructure and knows no domain: an app registers a purpose (a name,
the words for what the code lets the person do, and who may be texted a code for it) from its
`AppConfig.ready()`. "My bookings" texts a code only to numbers the clinic has appointments for;
a wait list might text any mobile number.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from phonenumber_field.phonenumber import PhoneNumber


@dataclass(frozen=True)
class Purpose:
    name: str
    # Completes "123456 is your code to ...", e.g. "see your bookings".
    action: str
    # Whether a code for this purpose is texted to `phone`. Asked in the background, never while the
    # person waits, so the answer cannot be read from how long the page took.
    may_receive: Callable[[PhoneNumber], bool]


_purposes: dict[str, Purpose] = {}


def register(name: str, *, action: str, may_receive: Callable[[PhoneNumber], bool] = lambda phone: True) -> Purpose:
    """Register (or replace) the purpose `name`; returns it."""
    if len(name) > 32:
        raise ValueError("A purpose's name is at most 32 characters.")
    purpose = _purposes[name] = Purpose(name=name, action=action, may_receive=may_receive)
    return purpose


def get(name: str) -> Purpose | None:
    return _purposes.get(name)
