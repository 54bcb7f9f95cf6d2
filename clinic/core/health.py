"""Readiness: is every part this site needs working? `/readyz`, built on django-health-check 4.8.

`/healthz` (clinic/core/views.py) stays the load balancer's cheap liveness probe. `/readyz` is for
monitoring: it answers JSON, HTTP 200 when every check passes and 503 when one fails:

    {"status": "unhealthy",
     "checks": {"database": "OK", "cache": "OK", "secret_key": "OK", "broker": "OK",
                "workers": "Celery workers unavailable", "beat": "OK", "sms_backlog": "OK"}}

The checks run at once on the request's event loop; a check that touches the database does so
with the async ORM (a sync one would leak a connection in the executor's thread). Apps add their
own checks with `register` (clinic.sms adds "beat" and "sms_backlog"). The Celery checks (broker,
workers, beat) are left out when tasks run in-process (the demo): there is nothing to check.
"""

from __future__ import annotations

import asyncio
import dataclasses
import datetime
import logging
from collections.abc import Callable

import celery
from django.http import JsonResponse
from health_check import checks as stock
from health_check.base import HealthCheck
from health_check.contrib.celery import Ping
from health_check.contrib.redis import Redis
from health_check.exceptions import ServiceUnavailable
from health_check.views import HealthCheckView
from redis.asyncio import Redis as AsyncRedis

logger = logging.getLogger(__name__)


def _celery_app() -> celery.Celery:
    from clinic.celery import app

    return app


@dataclasses.dataclass
class Workers(Ping):
    """At least one Celery worker answers a ping within 2 s (returns on the first answer)."""

    app: celery.Celery = dataclasses.field(default_factory=_celery_app, repr=False)
    timeout: datetime.timedelta = dataclasses.field(default=datetime.timedelta(seconds=2), repr=False)
    limit: int | None = dataclasses.field(default=1, repr=False)

    def run(self):
        try:
            super().run()
        except ServiceUnavailable:
            raise
        except Exception as error:  # kombu's OperationalError when the broker is down
            raise ServiceUnavailable(f"could not ask the workers: {type(error).__name__}") from error


def broker() -> Redis:
    """The Celery broker (Redis), pinged with short timeouts."""
    url = _celery_app().conf.broker_url
    return Redis(client_factory=lambda: AsyncRedis.from_url(url, socket_connect_timeout=1, socket_timeout=1))


@dataclasses.dataclass(frozen=True)
class Registered:
    name: str
    make: Callable[[], HealthCheck]
    needs_workers: bool  # only meaningful when tasks go through a broker to workers


# Checks contributed by apps (`register`); clinic.core knows no app's models, so the SMS app adds
# its own (the relay's heartbeat, the backlog) from `SmsConfig.ready()`.
_registered: dict[str, Registered] = {}


def register(name: str, make: Callable[[], HealthCheck], *, needs_workers: bool = False) -> None:
    """Add a check to /readyz under `name`; `make` returns a new check instance per probe."""
    _registered[name] = Registered(name, make, needs_workers)


def readiness_checks() -> dict[str, HealthCheck]:
    """The checks /readyz runs, by the name it reports them under."""
    with_workers = not _celery_app().conf.task_always_eager
    from .hosts import SecretKeyAgreement

    found: dict[str, HealthCheck] = {
        "database": stock.Database(),
        "cache": stock.Cache(),
        "secret_key": SecretKeyAgreement(),
    }
    if with_workers:
        found |= {"broker": broker(), "workers": Workers()}
    for entry in _registered.values():
        if with_workers or not entry.needs_workers:
            found[entry.name] = entry.make()
    return found


class ReadinessView(HealthCheckView):
    """JSON always; 503 (not django-health-check's 500) when a check fails, as load balancers and
    uptime monitors expect of a service that is up but not ready."""

    async def get(self, request, *args, **kwargs):
        named = readiness_checks()
        with self.get_executor() as executor:
            results = await asyncio.gather(*(check.get_result(executor) for check in named.values()))
        report = {
            name: str(result.error) if result.error else "OK" for name, result in zip(named, results, strict=True)
        }
        healthy = all(result.error is None for result in results)
        response = JsonResponse(
            {"status": "ok" if healthy else "unhealthy", "checks": report}, status=200 if healthy else 503
        )
        if not healthy:
            failing = {name: message for name, message in report.items() if message != "OK"}
            logger.warning("Not ready: %s", failing, extra={"failing_checks": failing})
            # One warning per probe is enough: without this, Django logs every 503 at ERROR, and a
            # monitor polling an unhealthy site would mail ADMINS (and Sentry) every few seconds.
            response._has_been_logged = True
        return response
