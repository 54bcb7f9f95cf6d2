"""The Manager role gets `reports.view_report` (clinic/core/roles.py lists the reports app)."""

from django.db import migrations


def grant(apps, schema_editor):
    from clinic.core.roles import ensure_roles

    ensure_roles(apps=apps, using=schema_editor.connection.alias)


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0001_initial"),
        ("core", "0002_roles"),
    ]

    operations = [
        migrations.RunPython(grant, migrations.RunPython.noop),
    ]
