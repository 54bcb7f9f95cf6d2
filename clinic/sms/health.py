"""Is the SMS pipeline moving? For /readyz and the admin's warning banner.

Two signals, because they fail differently: the relay's heartbeat stops when beat (or every
worker) stops, and the backlog grows when texts are due but nothing sends them (no worker, a
broker outage, Twilio refusing every request).
"""

from __future__ import annotations

import dataclasses
import datetime
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count, Min
from django.utils import timezone
from health_check.base import HealthCheck
from health_check.exceptions import ServiceUnavailable

from clinic.core.heartbeats import alast_heartbeat

from .models import Message

# The heartbeat the relay task records each time it runs (every 30 s under beat).
RELAY_HEARTBEAT = "sms-relay"
UNSENT = (Message.Status.PENDING, Message.Status.SENDING)


@dataclass(frozen=True)
class Backlog:
    """Texts that are due and not sent yet: how many, and since when the oldest has been due."""

    waiting: int
    oldest_due: datetime.datetime | None

    def overdue_for(self, now: datetime.datetime | None = None) -> datetime.timedelta:
        if self.oldest_due is None:
            return datetime.timedelta(0)
        return (now or timezone.now()) - self.oldest_due

    def is_stuck(self, now: datetime.datetime | None = None) -> bool:
        """True when the oldest due text has waited longer than SMS_BACKLOG_ALERT_MINUTES."""
        return self.overdue_for(now) > datetime.timedelta(minutes=settings.SMS_BACKLOG_ALERT_MINUTES)


def _unsent_due(now: datetime.datetime):
    return Message.objects.filter(status__in=UNSENT, due_at__lte=now)


BACKLOG = {"waiting": Count("pk"), "oldest_due": Min("due_at")}


def sms_backlog(now: datetime.datetime | None = None) -> Backlog:
    """The due-but-unsent texts now (one aggregate query on the pending index)."""
    return Backlog(**_unsent_due(now or timezone.now()).aggregate(**BACKLOG))


async def asms_backlog(now: datetime.datetime | None = None) -> Backlog:
    """`sms_backlog` for async code. A sync check would run in a thread whose DB connection
    nobody closes, which holds up the test database's teardown."""
    return Backlog(**await _unsent_due(now or timezone.now()).aaggregate(**BACKLOG))


def _minutes(delta: datetime.timedelta) -> int:
    return int(delta.total_seconds() // 60)


@dataclasses.dataclass
class SmsBacklog(HealthCheck):
    """Unhealthy when a due text has waited more than SMS_BACKLOG_ALERT_MINUTES (10) unsent."""

    async def run(self):
        now = timezone.now()
        backlog = await asms_backlog(now)
        if backlog.is_stuck(now):
            raise ServiceUnavailable(
                f"{backlog.waiting} text(s) waiting; the oldest has been due for "
                f"{_minutes(backlog.overdue_for(now))} min"
            )


@dataclasses.dataclass
class RelayHeartbeat(HealthCheck):
    """Unhealthy when the relay (scheduled by beat, run by a worker) has not run for
    SMS_RELAY_HEARTBEAT_MAX_SECONDS (2 minutes; it runs every 30 s)."""

    async def run(self):
        last = await alast_heartbeat(RELAY_HEARTBEAT)
        if last is None:
            raise ServiceUnavailable("the SMS relay has never run: is celery beat running?")
        age = timezone.now() - last
        if age > datetime.timedelta(seconds=settings.SMS_RELAY_HEARTBEAT_MAX_SECONDS):
            raise ServiceUnavailable(
                f"the SMS relay last ran {int(age.total_seconds())} s ago: is celery beat running, with a worker?"
            )
