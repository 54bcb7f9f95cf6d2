"""What other apps want to hear about changes to therapists' hours (registered from their
`AppConfig.ready()`, as apps register with `clinic.sms.kinds` and `clinic.core.glance`).

`therapists` sits below `bookings`, so it cannot call the wait list itself; bookings listens here
for working hours that were added or widened, which may free time to offer.
"""

from __future__ import annotations

from collections.abc import Callable

_hours_added: list[Callable] = []


def on_hours_added(listener: Callable) -> None:
    """Call `listener(working_hours)` whenever a weekly range is added or changed (in its transaction)."""
    if listener not in _hours_added:
        _hours_added.append(listener)


def hours_added(working_hours) -> None:
    """Tell the listeners that `working_hours` (a saved `WorkingHours` row) is new or changed."""
    for listener in _hours_added:
        listener(working_hours)
