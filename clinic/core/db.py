"""What a database error means, the same on both PostgreSQL drivers (diag.sqlstate)."""

from __future__ import annotations

from django.db import OperationalError

# PostgreSQL's lock_not_available: a statement waited lock_timeout for a row lock and gave up.
LOCK_NOT_AVAILABLE = "55P03"


def is_lock_timeout(error: BaseException) -> bool:
    """Whether `error` is PostgreSQL giving up on a row lock after `lock_timeout` (nothing was
    written: the transaction is rolled back, and trying again in a moment is safe)."""
    if not isinstance(error, OperationalError):
        return False
    diag = getattr(error.__cause__, "diag", None)
    return getattr(diag, "sqlstate", None) == LOCK_NOT_AVAILABLE
