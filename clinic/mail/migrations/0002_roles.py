"""Reception may view the email log; managers hold every permission of the app (clinic/core/roles.py)."""

from django.db import migrations


def update_roles(apps, schema_editor):
    from clinic.core.roles import ensure_roles

    ensure_roles(apps=apps, using=schema_editor.connection.alias)


class Migration(migrations.Migration):
    dependencies = [
        ("mail", "0001_initial"),
        ("core", "0006_roles_wait_list_and_texts"),
    ]

    operations = [
        migrations.RunPython(update_roles, migrations.RunPython.noop),
    ]
