"""Every admin list action and every page action, as each staff role, on a realistic set of rows:
whatever reception or a manager clicks, the answer is a page or a message, never a server error.

The walk is generic (it reads the admin site's registry, each ModelAdmin's actions and its extra
URLs), so a new model, action or button is walked without being listed here. It found the 500s of
"Mark as in progress" on two closed requests for one phone, and of a call attempt's page.
"""

import re
from datetime import timedelta

import pytest
from django.contrib import admin
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from bookings.models import Appointment, Patient
from bookings.services import cancel_booking, set_status
from callbacks.models import CallAttempt, CallbackRequest
from clinic.core.models import ClinicSettings, OpeningHours
from clinic.core.roles import MANAGER, RECEPTION, THERAPIST
from clinic.sms.models import Message
from tests.bookings.diary_support import book, staff
from tests.conftest import at
from therapists.models import Absence, Closure

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

Status = Appointment.Status
SAME_PHONE = "+447700900555"
# Values for the extra URL parameters of page actions; a new parameter must be added here.
URL_PARAMETERS = {"status": list(Status.values)}
# What the confirmation steps of actions ask for (a list action's "apply", a cancel's reason, a
# no-show's "confirm"); bulk delete's "post" is sent last, separately.
CONFIRM = {"apply": "1", "reason": "Walk test", "notify_patient": "on", "confirm": "yes"}


@pytest.fixture
def rows(patient, alice, ben, lengths, next_monday):
    """A working clinic: today's diary in every status, last week, next week, a cancelled and a
    restored booking, the callback queue (two closed requests for one phone) and texts in every state."""
    ClinicSettings.load()
    OpeningHours.objects.create(weekday=0, opens="09:00", closes="17:00")
    today, now = timezone.localdate(), timezone.now()
    robin = Patient.objects.create(name="Robin Sample", phone="+447700900456")
    made = {
        status: book(patient, alice, lengths[30], at(today, hh_mm))
        for status, hh_mm in ((Status.ARRIVED, "09:00"), (Status.COMPLETED, "10:00"), (Status.NO_SHOW, "11:00"))
    }
    for status, appointment in made.items():
        set_status(appointment=appointment, status=status)
    book(robin, ben, lengths[60], at(today, "16:00"))
    last_week = book(robin, alice, lengths[45], at(today - timedelta(days=7), "10:00"))
    set_status(appointment=last_week, status=Status.COMPLETED)
    book(patient, alice, lengths[45], at(next_monday, "10:00"))
    book(robin, ben, lengths[30], at(next_monday, "10:00"), note="Stiff neck")
    cancelled = book(robin, alice, lengths[30], at(next_monday, "14:00"))
    cancel_booking(appointment=cancelled, cancelled_by=Appointment.CancelledBy.CLINIC, reason="Unwell")
    Absence.objects.create(therapist=ben, starts_at=at(next_monday, "12:00"), ends_at=at(next_monday, "13:00"))
    Closure.objects.create(start_date=next_monday + timedelta(days=30), end_date=next_monday + timedelta(days=31))

    open_request = CallbackRequest.objects.create(name="Nina New", phone="+447400100002")
    CallbackRequest.objects.create(name="Ida Inprogress", phone="+447400100003", status="in_progress")
    done = CallbackRequest.objects.create(name="Dana Done", phone="+447400100004", status="done", closed_at=now)
    for name in ("Cal Closed", "Cal Closed again"):
        CallbackRequest.objects.create(name=name, phone=SAME_PHONE, status="closed", closed_at=now)
    CallAttempt.objects.create(request=open_request, outcome=CallAttempt.Outcome.NO_ANSWER)
    CallAttempt.objects.create(request=done, outcome=CallAttempt.Outcome.REACHED, note="Booked for Monday")

    for status in Message.Status.values:
        Message.objects.create(kind="reminder", to=patient.phone, body=f"A text that is {status}", status=status)


def role_user(role, alice):
    return staff(f"walk-{role.lower()}", role, therapist=alice if role == THERAPIST else None)


def representatives(rows) -> list[str]:
    """One row per status (every row has been through the all-rows runs already), or the first
    two rows of a model without one: each kind of row is walked on its own, at a bearable cost."""
    if not any(f.name == "status" for f in rows.model._meta.concrete_fields):
        return [str(pk) for pk in rows.values_list("pk", flat=True)[:2]]
    first = {}
    for pk, status in rows.values_list("pk", "status"):
        first.setdefault(status, str(pk))
    return list(first.values())


def url_or_none(name: str, *args) -> str | None:
    """The admin URL, or None for a page this admin does not have (a report page has no "add")."""
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return None


def parameter_sets(pattern: str):
    """Each way to fill the named URL parameters of an extra admin URL besides object_id."""
    names = [n for n in re.findall(r"<(?:\w+:)?(\w+)>", pattern) if n != "object_id"]
    unknown = [n for n in names if n not in URL_PARAMETERS]
    assert not unknown, f"add values for {unknown} to URL_PARAMETERS so the walk covers {pattern}"
    combos = [{}]
    for name in names:
        combos = [c | {name: value} for c in combos for value in URL_PARAMETERS[name]]
    return combos


class Walk:
    def __init__(self, client):
        client.raise_request_exception = False  # a 500 is recorded, and the walk goes on
        self.client = client
        self.visited = 0
        self.errors: list[str] = []

    def go(self, method: str, url: str, data=None) -> int:
        response = getattr(self.client, method)(url, data or {})
        self.visited += 1
        if response.status_code >= 500:
            self.errors.append(f"{method.upper()} {url} {data or ''}: {response.status_code}")
            self.errors = list(dict.fromkeys(self.errors))
        return response.status_code

    def model(self, model, model_admin):
        info = f"admin:{model._meta.app_label}_{model._meta.model_name}"
        changelist = reverse(f"{info}_changelist")
        response = self.client.get(changelist)
        self.visited += 1
        if response.status_code != 200:
            assert response.status_code in (302, 403), f"{changelist}: {response.status_code}"
            return []
        request = response.wsgi_request
        changelist_rows = response.context.get("cl") if response.context else None  # None: a page of its own
        rows = changelist_rows.queryset if changelist_rows else model.objects.none()
        pks = [str(pk) for pk in rows.values_list("pk", flat=True)]
        one_each = representatives(rows)
        self.go("get", changelist, {"q": "0770"})
        if add := url_or_none(f"{info}_add"):
            self.go("get", add)
        actions = [name for name in model_admin.get_actions(request) if name != "delete_selected"]
        for name in actions:
            self.go("post", changelist, {"action": name, "_selected_action": pks})
            self.go("post", changelist, {"action": name, "_selected_action": pks, **CONFIRM})
            for pk in one_each:
                self.go("post", changelist, {"action": name, "_selected_action": [pk], **CONFIRM})
        extra = [p for p in model_admin.get_urls() if p.name and "object_id" in str(p.pattern)]
        extra = [p for p in extra if not p.name.endswith(("_change", "_delete", "_history"))]
        for n, pk in enumerate(one_each):
            self.go("get", reverse(f"{info}_change", args=[pk]))
            if n == 0:  # the same pages for every row; once is enough
                for page in filter(None, (url_or_none(f"{info}_{name}", pk) for name in ("history", "delete"))):
                    self.go("get", page)
            for pattern in extra:
                for params in parameter_sets(str(pattern.pattern)):
                    url = reverse(f"admin:{pattern.name}", kwargs={"object_id": pk, **params})
                    if n == 0:
                        self.go("get", url)
                    self.go("post", url, CONFIRM)
        for pattern in model_admin.get_urls():
            if pattern.name and "<" not in str(pattern.pattern) and pattern.name.endswith(("diary", "diary_week")):
                self.go("get", reverse(f"admin:{pattern.name}"))
        return pks if "delete_selected" in model_admin.get_actions(request) else []


@pytest.mark.parametrize("role", [RECEPTION, MANAGER, THERAPIST])
def test_every_admin_action_and_page_answers_without_a_server_error(client, rows, alice, role):
    client.force_login(role_user(role, alice))
    walk = Walk(client)
    deletable = {}
    for model, model_admin in admin.site._registry.items():
        if pks := walk.model(model, model_admin):
            deletable[model] = pks
    # Deleting goes last, so everything above ran on the full set of rows.
    for model, pks in deletable.items():
        changelist = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        walk.go("post", changelist, {"action": "delete_selected", "_selected_action": pks, "post": "yes"})
    assert walk.errors == []
    assert walk.visited > 50


def test_reopening_two_closed_requests_for_one_phone_explains_instead_of_failing(client, rows, alice):
    client.force_login(role_user(RECEPTION, alice))
    closed = CallbackRequest.objects.filter(phone=SAME_PHONE)
    response = client.post(
        reverse("admin:callbacks_callbackrequest_changelist"),
        {"action": "mark_in_progress", "_selected_action": [r.pk for r in closed]},
        follow=True,
    )
    assert response.status_code == 200
    assert sorted(closed.values_list("status", flat=True)) == ["closed", "in_progress"]
    assert any("already" in str(m) for m in response.context["messages"])
