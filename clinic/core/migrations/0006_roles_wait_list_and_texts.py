"""Reception's permissions on the wait list and incoming texts (see clinic/core/roles.py)."""

from django.db import migrations


def update_roles(apps, schema_editor):
    from clinic.core.roles import ensure_roles

    ensure_roles(apps=apps, using=schema_editor.connection.alias)


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0005_roles_privacy"),
        ("bookings", "0008_wait_list"),
        ("sms", "0006_incoming_texts"),
    ]

    operations = [
        migrations.RunPython(update_roles, migrations.RunPython.noop),
    ]
