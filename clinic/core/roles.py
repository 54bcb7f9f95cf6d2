"""Staff roles as Django groups: Reception, Therapist and Manager.

The groups are created by the data migration `core.0002_roles`, which calls `ensure_roles()`.
It is idempotent, so it can run again after the permissions of a new model appear (and after a
transactional test has flushed the database). Run it by hand with:

    python manage.py shell -c "from clinic.core.roles import ensure_roles; ensure_roles()"

The patient's note and screening answers need `bookings.view_clinical_notes`: the Therapist and
Manager roles hold it, Reception does not. Deleting appointments or patients is kept for
superusers (history is kept, design rule 3), so no role holds those delete permissions.
"""

from __future__ import annotations

from django.apps import apps as global_apps
from django.contrib.auth.management import create_permissions

RECEPTION = "Reception"
THERAPIST = "Therapist"
MANAGER = "Manager"

CLINICAL_NOTES_PERMISSION = "bookings.view_clinical_notes"

VIEW_ADD_CHANGE = ("view", "add", "change")

# role -> {"app_label.model": actions}; a custom permission is named by its codename instead.
ROLE_PERMISSIONS: dict[str, dict[str, tuple[str, ...]]] = {
    RECEPTION: {
        "bookings.appointment": VIEW_ADD_CHANGE,
        "bookings.patient": VIEW_ADD_CHANGE,
        "callbacks.callbackrequest": VIEW_ADD_CHANGE,
        "callbacks.callattempt": VIEW_ADD_CHANGE,
        # The SMS log: reception sees what failed and can act on it, but never writes a text by hand.
        "sms.message": ("view", "change"),
        # Texts patients sent and who opted out: a record of what the system did.
        "sms.incomingtext": ("view",),
        "sms.textconsent": ("view",),
        # The email log: what went to patients and whether it was sent.
        "mail.email": ("view",),
        # The wait list: add a patient who phoned, take someone off; what was offered to whom.
        "bookings.waitlistentry": VIEW_ADD_CHANGE,
        "bookings.waitlistoffer": ("view",),
        "bookings.freedtime": ("view",),
    },
    THERAPIST: {
        "bookings.appointment": ("view", "view_clinical_notes"),
        "bookings.patient": ("view",),
    },
}

# The manager holds every permission of these apps (staff accounts included), except deleting
# appointments and patients.
MANAGER_APPS = ("auth", "core", "therapists", "bookings", "callbacks", "sms", "mail", "reports")
NEVER_GRANTED = {("bookings", "delete_appointment"), ("bookings", "delete_patient")}


def ensure_roles(*, apps=global_apps, using: str = "default") -> dict[str, object]:
    """Create or update the three role groups with exactly their permissions; return them by name.

    Creates any missing permissions first (they normally appear only after `migrate` finishes).
    Permissions of apps that are not installed or not migrated yet are skipped quietly.
    """
    for app_config in apps.get_app_configs():
        # Migration state apps have no models module, which makes create_permissions skip them.
        had_module = getattr(app_config, "models_module", None)
        app_config.models_module = had_module or True
        try:
            create_permissions(app_config, apps=apps, verbosity=0, using=using)
        finally:
            app_config.models_module = had_module

    group_model = apps.get_model("auth", "Group")
    permission_model = apps.get_model("auth", "Permission")
    groups = {}
    for role, grants in ROLE_PERMISSIONS.items():
        wanted = []
        for label, actions in grants.items():
            app_label, model = label.split(".")
            codenames = [a if a == "view_clinical_notes" else f"{a}_{model}" for a in actions]
            wanted += list(
                permission_model.objects.using(using).filter(
                    content_type__app_label=app_label, content_type__model=model, codename__in=codenames
                )
            )
        group, _ = group_model.objects.using(using).get_or_create(name=role)
        group.permissions.set(wanted)
        groups[role] = group

    manager_permissions = [
        p
        for p in permission_model.objects.using(using)
        .filter(content_type__app_label__in=MANAGER_APPS)
        .select_related("content_type")
        if (p.content_type.app_label, p.codename) not in NEVER_GRANTED
    ]
    group, _ = group_model.objects.using(using).get_or_create(name=MANAGER)
    group.permissions.set(manager_permissions)
    groups[MANAGER] = group
    return groups


def can_view_clinical_notes(user) -> bool:
    return user.has_perm(CLINICAL_NOTES_PERMISSION)


def sees_only_own_appointments(user) -> bool:
    """Staff who cannot change appointments (the Therapist role) see only their own.

    "Their own" means appointments with the therapist linked to their login (`Therapist.user`);
    a read-only login linked to no therapist therefore sees none. Reception, managers and
    superusers see everyone's.
    """
    return not (user.is_superuser or user.has_perm("bookings.change_appointment"))
