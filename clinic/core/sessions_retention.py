"""Expired sessions as personal data: a session row can hold what a patient typed on the way
through the booking form (the health answers that sent them to a callback, for example) and a
staff member's sign-in. Django leaves expired rows in the table until `clearsessions` runs; the
nightly retention job deletes them. They name no one, so there is nothing to export or erase."""

from __future__ import annotations

from datetime import datetime

from django.contrib.sessions.models import Session
from django.db import models

from .personal_data import Applied, Category, Retention


def _expired(now: datetime) -> models.QuerySet:
    return Session.objects.filter(expire_date__lt=now)


def _delete(rows: models.QuerySet, now: datetime) -> Applied:
    deleted, _ = rows.delete()
    return Applied(deleted)


CATEGORY = Category(
    key="core.sessions",
    title="Your browser's session",
    order=95,
    holds="While you book or ask for a callback, what you have entered so far, kept on our server against a "
    "cookie in your browser.",
    purpose="To carry your booking from one step to the next.",
    lawful_basis="Steps before a contract, at your request; health answers as for the health questions.",
    export=lambda subject: [],
    erase=lambda subject: 0,
    preview=lambda subject: "",
    retention=(
        Retention(
            key="core.sessions",
            action="expired sessions deleted",
            notice=lambda: "what a browser's session holds is deleted when the session expires (two weeks at most)",
            candidates=_expired,
            apply=_delete,
            deletes=True,
        ),
    ),
)
