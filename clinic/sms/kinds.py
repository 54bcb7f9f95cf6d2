"""What kinds of text exist, registered by the apps that send them.

The SMS subsystem is infrastructure and knows no domain: a message's `kind` names its template
(`templates/sms/<kind>.txt`) and is a plain string here. Each app that sends texts registers its
kinds (a `TextChoices` class) from its `AppConfig.ready()`, so the SMS log can show "Booking
confirmation" rather than `booking_confirmation`, and filter by kind.

An app also says which of its kinds are *optional*: texts the patient did not ask for there and
then (reminders, wait-list offers). A number that replied STOP gets none of those, while what it
asks for (a booking's confirmation, an answer to its own text) still goes.
"""

from __future__ import annotations

_labels: dict[str, str] = {}
_optional: set[str] = set()


def register(choices, *, optional=()) -> None:
    """Register a `TextChoices` class (or any iterable of (value, label) pairs) of SMS kinds, and
    which of them a STOP reply stops (`optional`)."""
    pairs = choices.choices if hasattr(choices, "choices") else choices
    for value, label in pairs:
        _labels[str(value)] = str(label)
    _optional.update(str(kind) for kind in optional)


def label(kind: str) -> str:
    """The registered label of `kind`, or the kind in words if no app registered it."""
    return _labels.get(kind) or kind.replace("_", " ").capitalize()


def is_optional(kind: str) -> bool:
    """Whether a number that opted out of texts (STOP) must not get this kind."""
    return kind in _optional


def choices() -> list[tuple[str, str]]:
    return sorted(_labels.items(), key=lambda pair: pair[1])
