"""What this browser answered earlier: the changed-answers trace.

When the booking form is sent with a refer answer, the answers are kept in the session (stored
server-side in the database, never in a cookie or the address). If the same session then books
with different answers, the booking carries them as `Answers.earlier` and is flagged. Booking or
asking for the callback forgets them.
"""

from __future__ import annotations

from .questions import Answers

EARLIER_KEY = "bookings.screening.earlier"


def remember_refer_answers(request, answers: Answers) -> None:
    request.session[EARLIER_KEY] = {"version": answers.version_number, "answers": answers.answers}


def earlier_answers(request) -> Answers | None:
    kept = request.session.get(EARLIER_KEY)
    if not isinstance(kept, dict) or not isinstance(kept.get("answers"), dict):
        return None
    try:
        return Answers(int(kept["version"]), kept["answers"])
    except (KeyError, TypeError, ValueError):
        return None


def forget(request) -> None:
    request.session.pop(EARLIER_KEY, None)
