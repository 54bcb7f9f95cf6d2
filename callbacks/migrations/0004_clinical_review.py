"""Clinical review replaces "recent injury": a request from a refer answer in the health questions.

The old flag meant exactly that (the booking form's injury question), so it is renamed, keeping
its values. A referral also links the answers, the patient's appointment and what they wanted.
"""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("bookings", "0004_screening"),
        ("callbacks", "0003_reception_email_due"),
        ("therapists", "0001_initial"),
    ]

    operations = [
        migrations.RenameField(
            model_name="callbackrequest",
            old_name="recent_injury",
            new_name="clinical_review",
        ),
        migrations.AddField(
            model_name="callbackrequest",
            name="appointment",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="callback_requests",
                to="bookings.appointment",
            ),
        ),
        migrations.AlterField(
            model_name="callbackrequest",
            name="clinical_review",
            field=models.BooleanField(
                db_index=True,
                default=False,
                help_text="A health answer means a therapist should call before this patient is booked or treated.",
                verbose_name="clinical review",
            ),
        ),
        migrations.AddField(
            model_name="callbackrequest",
            name="screening",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="callback_requests",
                to="bookings.answerset",
                verbose_name="health answers",
            ),
        ),
        migrations.AddField(
            model_name="callbackrequest",
            name="wanted_length",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to="bookings.treatmentlength",
            ),
        ),
        migrations.AddField(
            model_name="callbackrequest",
            name="wanted_start",
            field=models.DateTimeField(blank=True, null=True, verbose_name="wanted time"),
        ),
        migrations.AddField(
            model_name="callbackrequest",
            name="wanted_therapist",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to="therapists.therapist",
            ),
        ),
    ]
