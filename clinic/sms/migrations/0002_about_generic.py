"""Texts refer to what they are about generically (content type + id) instead of foreign keys
into bookings and callbacks, so the SMS app depends on no domain app. Existing links are copied."""

import django.db.models.deletion
from django.db import migrations, models


def copy_links(apps, schema_editor):
    Message = apps.get_model("sms", "Message")
    ContentType = apps.get_model("contenttypes", "ContentType")
    appointment_type, _ = ContentType.objects.get_or_create(app_label="bookings", model="appointment")
    request_type, _ = ContentType.objects.get_or_create(app_label="callbacks", model="callbackrequest")
    Message.objects.filter(appointment__isnull=False).update(
        about_type=appointment_type, about_id=models.F("appointment_id")
    )
    Message.objects.filter(callback_request__isnull=False).update(
        about_type=request_type, about_id=models.F("callback_request_id")
    )


def copy_links_back(apps, schema_editor):
    Message = apps.get_model("sms", "Message")
    for message in Message.objects.filter(about_type__isnull=False).select_related("about_type"):
        if message.about_type.model == "appointment":
            message.appointment_id = message.about_id
        elif message.about_type.model == "callbackrequest":
            message.callback_request_id = message.about_id
        message.save(update_fields=["appointment", "callback_request"])


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("sms", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="message",
            name="about_id",
            field=models.PositiveBigIntegerField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="message",
            name="about_type",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="contenttypes.contenttype",
            ),
        ),
        migrations.RunPython(copy_links, copy_links_back),
        migrations.RemoveField(model_name="message", name="appointment"),
        migrations.RemoveField(model_name="message", name="callback_request"),
        migrations.AlterField(model_name="message", name="kind", field=models.CharField(max_length=32)),
        migrations.AddIndex(
            model_name="message",
            index=models.Index(fields=["about_type", "about_id"], name="sms_message_about"),
        ),
    ]
