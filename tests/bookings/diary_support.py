"""Helpers for the diary and admin tests: staff in each role, and appointments written directly."""

from django.contrib.auth.models import Group, User

from bookings.models import Appointment
from clinic.core.roles import MANAGER, RECEPTION, THERAPIST, ensure_roles


def ensure_roles_exist() -> None:
    """The migration's groups, again if a transactional test flushed them (or a reused test DB)."""
    if Group.objects.filter(name__in=[RECEPTION, THERAPIST, MANAGER]).count() < 3:
        ensure_roles()


def staff(username: str, role: str | None, *, therapist=None) -> User:
    """A staff login holding one role (a group from the data migration); linked to `therapist` if given."""
    user = User.objects.create_user(username, password=f"{username}-pass-123", is_staff=True)
    if role:
        ensure_roles_exist()
        user.groups.add(Group.objects.get(name=role))
    if therapist is not None:
        therapist.user = user
        therapist.save(update_fields=["user"])
    return user


def book(patient, therapist, length, start, **extra) -> Appointment:
    """An appointment written straight to the table (the fixtures' diary), not through the service."""
    return Appointment.objects.create(patient=patient, therapist=therapist, length=length, start=start, **extra)
