"""Heartbeats: "this job ran", "this host is up", in the shared database so every host sees them.

A periodic job records one each time it runs; /readyz and the admin read them back to notice a job
that stopped (beat died, every worker died). One row per name, overwritten with one statement.
"""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone

from .models import Heartbeat


def record_heartbeat(name: str, *, detail: str = "", at: datetime | None = None) -> None:
    """Record that `name` is alive now (or at `at`). One INSERT ... ON CONFLICT UPDATE, so hosts
    writing the same name at once never collide."""
    Heartbeat.objects.bulk_create(
        [Heartbeat(name=name, at=at or timezone.now(), detail=detail)],
        update_conflicts=True,
        unique_fields=["name"],
        update_fields=["at", "detail"],
    )


def last_heartbeat(name: str) -> datetime | None:
    """When `name` last recorded a heartbeat, or None if it never has."""
    return Heartbeat.objects.filter(name=name).values_list("at", flat=True).first()


async def alast_heartbeat(name: str) -> datetime | None:
    """`last_heartbeat` for async code (the health checks run on the request's event loop)."""
    return await Heartbeat.objects.filter(name=name).values_list("at", flat=True).afirst()
