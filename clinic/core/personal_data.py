"""The registry of personal data: what each app holds about a patient, and how it is exported,
erased and kept (UK GDPR: access, erasure, storage limitation).

`clinic.core` sits at the bottom of the import order and knows no domain model, so each app that
stores something about a patient registers a `Category` from its `AppConfig.ready()`: callables
that find, export and de-identify its rows for a `Subject` (the patient, found by the Patient row
and its phone number), plus its retention rules. The subject access export, the erasure service,
the nightly retention job, `manage.py apply_retention` and the privacy notice all iterate this
registry, so a new model is covered everywhere once it registers (docs/privacy.md shows how).

Two categories follow the others instead of owning rows of their own: the SMS log (`clinic.sms`,
texts about any of the subject's objects or to their number) and the admin log (here: entries
about any of those objects). They read `Subject.objects`, which the registry fills from every
category's `objects` before it exports or erases anything.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime

from django.db import models

NEUTRAL_NAME = "Erased patient"


@dataclass(frozen=True)
class Subject:
    """The person a request is about: the patient row's id and what identifies them elsewhere."""

    patient_id: int | None
    name: str = ""
    phones: tuple[str, ...] = ()  # E.164, e.g. "+447700900123"
    emails: tuple[str, ...] = ()
    # Every row the categories hold about the subject, filled by `resolve()`; followers use it.
    objects: tuple[models.Model, ...] = ()


@dataclass(frozen=True)
class Applied:
    """What a retention rule did: how many of its candidates it changed or deleted, and every
    object that went with them (taken before deleting), for the admin log to follow."""

    count: int
    objects: Sequence[models.Model] = ()


@dataclass(frozen=True)
class Retention:
    """One retention rule: rows `candidates(now)` selects are changed by `apply(rows, now)`.

    A dry run counts `candidates(now)`, so it agrees with the real run as long as `apply` changes
    every candidate it is given (the tests check each rule does).
    """

    key: str  # "sms.bodies"
    action: str  # what happens, for the command's output: "SMS texts: body removed"
    notice: Callable[[], str]  # for the privacy notice, with the configured period
    candidates: Callable[[datetime], models.QuerySet]
    apply: Callable[[models.QuerySet, datetime], Applied]
    # True when `apply` deletes the rows (their admin log entries go too) rather than editing them.
    deletes: bool = False
    # Rules run in this order. One that erases whole subjects (and so touches other categories'
    # rows) runs after the narrow ones, so it never takes their candidates from under them and
    # the dry run's counts stay those of the real run.
    order: int = 50


@dataclass(frozen=True)
class Category:
    """Personal data one app holds, with what the privacy notice says about it."""

    key: str  # "bookings.appointments"
    title: str  # "Appointments"
    order: int
    holds: str  # notice: what is kept
    purpose: str  # notice: why
    lawful_basis: str  # notice: on what basis (UK GDPR art. 6, and art. 9 for health data)
    export: Callable[[Subject], list[dict]]
    erase: Callable[[Subject], object]  # de-identify everything about the subject
    preview: Callable[[Subject], str]  # one line for the erasure confirmation page ("" = nothing)
    objects: Callable[[Subject], Iterable[models.Model]] | None = None
    refuse_erasure: Callable[[Subject], str | None] | None = None
    retention: tuple[Retention, ...] = ()
    # Who receives it outside the clinic (the notice's processors), e.g. ("sms",).
    shared_with: tuple[str, ...] = ()


_categories: dict[str, Category] = {}


def register(category: Category) -> Category:
    """Add (or replace, so a reloaded app registers once) a category; call from `AppConfig.ready()`."""
    _categories[category.key] = category
    return category


def categories() -> list[Category]:
    return sorted(_categories.values(), key=lambda c: (c.order, c.key))


def retention_rules() -> list[Retention]:
    return sorted((rule for category in categories() for rule in category.retention), key=lambda rule: rule.order)


def resolve(subject: Subject) -> Subject:
    """The subject with `objects` filled from every category that owns rows."""
    found: list[models.Model] = []
    for category in categories():
        if category.objects is not None:
            found.extend(category.objects(subject))
    return replace(subject, objects=tuple(found))


def by_content_type(objects: Iterable[models.Model]) -> dict[type[models.Model], list]:
    """Primary keys grouped by concrete model class (for generic lookups such as the SMS log)."""
    grouped: dict[type[models.Model], list] = defaultdict(list)
    for obj in objects:
        grouped[obj._meta.concrete_model].append(obj.pk)
    return grouped


@dataclass
class Plan:
    """What erasing a subject would do: refusals (if any) and a line per category."""

    subject: Subject
    refusals: list[str] = field(default_factory=list)
    lines: list[tuple[str, str]] = field(default_factory=list)  # (category title, what changes)

    @property
    def allowed(self) -> bool:
        return not self.refusals


def plan_erasure(subject: Subject) -> Plan:
    """What erasure would change and whether anything forbids it now (read only)."""
    subject = resolve(subject)
    plan = Plan(subject=subject)
    for category in categories():
        if category.refuse_erasure and (refusal := category.refuse_erasure(subject)):
            plan.refusals.append(refusal)
        line = category.preview(subject)
        if line:
            plan.lines.append((category.title, line))
    return plan
