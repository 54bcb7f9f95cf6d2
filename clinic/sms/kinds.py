"""What kinds of text exist, registered by the apps that send them.

The SMS subsystem is infrastructure and knows no domain: a message's `kind` names its template
(`templates/sms/<kind>.txt`) and is a plain string here. Each app that sends texts registers its
kinds (a `TextChoices` class) from its `AppConfig.ready()`, so the SMS log can show "Booking
confirmation" rather than `booking_confirmation`, and filter by kind.
"""

from __future__ import annotations

_labels: dict[str, str] = {}


def register(choices) -> None:
    """Register a `TextChoices` class (or any iterable of (value, label) pairs) of SMS kinds."""
    pairs = choices.choices if hasattr(choices, "choices") else choices
    for value, label in pairs:
        _labels[str(value)] = str(label)


def label(kind: str) -> str:
    """The registered label of `kind`, or the kind in words if no app registered it."""
    return _labels.get(kind) or kind.replace("_", " ").capitalize()


def choices() -> list[tuple[str, str]]:
    return sorted(_labels.items(), key=lambda pair: pair[1])
