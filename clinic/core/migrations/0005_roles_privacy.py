"""Give the roles the privacy permissions that appeared with 0004 (export, erase, access records)."""

from django.db import migrations


def update_roles(apps, schema_editor):
    from clinic.core.roles import ensure_roles

    ensure_roles(apps=apps, using=schema_editor.connection.alias)


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0004_privacy"),
        ("bookings", "0003_patient_erasure"),
        ("sms", "0004_message_redacted_at"),
    ]

    operations = [
        migrations.RunPython(update_roles, migrations.RunPython.noop),
    ]
