"""Every host must share one SECRET_KEY: each says which key it has, and /readyz compares them.

Sessions, CSRF tokens, patients' confirmation and manage links and the idempotency tokens of the
booking form are all signed with SECRET_KEY. Two web hosts with different keys reject each
other's forms, sign staff out at random and answer 404 to each other's links; a worker with
another key writes texts whose links no web host accepts. Nothing in Django notices.

So each process records a fingerprint of its key (an HMAC of a constant under the key: it
reveals nothing about the key) in the shared database, as a heartbeat named after its host, and
the `SecretKeyAgreement` check of /readyz is unhealthy while any host seen recently has another
fingerprint. A host that is gone stops counting after HOST_SEEN_MINUTES, so a key rotated on
every host clears by itself.
"""

from __future__ import annotations

import dataclasses
import datetime

from asgiref.sync import sync_to_async
from django.conf import settings
from django.utils import timezone
from django.utils.crypto import salted_hmac
from health_check.base import HealthCheck
from health_check.exceptions import ServiceUnavailable

from .heartbeats import record_heartbeat
from .models import Heartbeat

HOST_PREFIX = "host:"


def key_fingerprint() -> str:
    """A short fingerprint of this process's SECRET_KEY; equal keys give equal fingerprints."""
    return salted_hmac("clinic.core.hosts", "secret-key-fingerprint", algorithm="sha256").hexdigest()[:16]


def record_this_host(role: str) -> None:
    """Record that this host (HOST_ID) is alive with this key; `role` is "web", "worker", ..."""
    record_heartbeat(f"{HOST_PREFIX}{settings.HOST_ID}:{role}", detail=key_fingerprint())


def hosts_with_another_key(*, now: datetime.datetime | None = None) -> list[Heartbeat]:
    """The hosts seen in the last HOST_SEEN_MINUTES whose key differs from this process's."""
    now = now or timezone.now()
    since = now - datetime.timedelta(minutes=settings.HOST_SEEN_MINUTES)
    mine = key_fingerprint()
    return list(
        Heartbeat.objects.filter(name__startswith=HOST_PREFIX, at__gte=since).exclude(detail=mine).order_by("name")
    )


@dataclasses.dataclass
class SecretKeyAgreement(HealthCheck):
    """Unhealthy while a recently seen host has another SECRET_KEY; records this web host first."""

    async def run(self):
        await sync_to_async(record_this_host)("web")
        others = await sync_to_async(hosts_with_another_key)()
        if others:
            names = ", ".join(row.name.removeprefix(HOST_PREFIX) for row in others)
            raise ServiceUnavailable(
                f"SECRET_KEY differs between hosts: {names} use(s) another key than this host; "
                "every host must share one (forms, sign-ins and patients' links break between them)"
            )
