"""The staff roles made by the data migration, and `ensure_roles()` making them again."""

import pytest
from django.contrib.auth.models import Group, Permission

from clinic.core.roles import MANAGER, RECEPTION, THERAPIST, ensure_roles

pytestmark = pytest.mark.django_db


def codenames(role):
    return {
        f"{p.content_type.app_label}.{p.codename}"
        for p in Group.objects.get(name=role).permissions.select_related("content_type")
    }


def test_the_migration_created_the_three_roles():
    assert set(Group.objects.values_list("name", flat=True)) >= {RECEPTION, THERAPIST, MANAGER}


def test_reception_runs_appointments_patients_callbacks_and_the_sms_log_but_not_the_clinics_setup():
    reception = codenames(RECEPTION)
    assert {
        "bookings.view_appointment",
        "bookings.add_appointment",
        "bookings.change_appointment",
        "bookings.view_patient",
        "bookings.add_patient",
        "bookings.change_patient",
        "callbacks.view_callbackrequest",
        "callbacks.change_callbackrequest",
        "sms.view_message",
    } <= reception
    assert "bookings.view_clinical_notes" not in reception
    assert not {p for p in reception if p.startswith(("therapists.", "core.", "auth."))}
    assert not {p for p in reception if p.endswith(("_treatment", "_treatmentlength"))}
    assert not {p for p in reception if ".delete_" in p}


def test_a_therapist_only_reads_appointments_and_patients_with_their_notes():
    assert codenames(THERAPIST) == {
        "bookings.view_appointment",
        "bookings.view_clinical_notes",
        "bookings.view_patient",
    }


def test_the_manager_holds_everything_except_deleting_appointments_and_patients():
    manager = codenames(MANAGER)
    assert {
        "therapists.change_workinghours",
        "bookings.change_treatmentlength",
        "core.change_clinicsettings",
        "auth.add_user",
        "bookings.view_clinical_notes",
        "sms.view_message",
        "callbacks.delete_callbackrequest",
    } <= manager
    assert "bookings.delete_appointment" not in manager
    assert "bookings.delete_patient" not in manager


def test_ensure_roles_repairs_a_role_and_is_idempotent():
    reception = Group.objects.get(name=RECEPTION)
    reception.permissions.add(Permission.objects.get(codename="view_clinical_notes"))
    Group.objects.filter(name=THERAPIST).delete()

    ensure_roles()
    ensure_roles()

    assert "bookings.view_clinical_notes" not in codenames(RECEPTION)
    assert Group.objects.filter(name=THERAPIST).count() == 1
    assert Group.objects.filter(name__in=[RECEPTION, THERAPIST, MANAGER]).count() == 3


@pytest.mark.django_db(transaction=True)
def test_ensure_roles_recreates_the_roles_after_a_flush():
    Group.objects.all().delete()
    Permission.objects.all().delete()
    ensure_roles()
    assert "bookings.view_clinical_notes" in codenames(THERAPIST)
    assert "bookings.change_appointment" in codenames(RECEPTION)
