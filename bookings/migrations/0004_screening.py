"""Health screening as data: questions, published versions, answer sets, consent records.

The first release stored one answer per appointment in `Appointment.screening` (JSON, always
{"recent_injury": {"question": ..., "answer": "yes" | "no"}}). Those answers are kept: they become
answer sets of version 1, a version holding that single question in its wording then, and set the
appointment's badge. The default questions are then published as the next version. No consent
record is invented for the old answers (the first release asked for none).
"""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

LEGACY_QUESTION = {
    "key": "recent_injury",
    "text": "Do you have a recent injury in the area to be treated?",
    "help_text": "For example a sprain, strain, fall or knock in the last few weeks.",
    "explanation": "",
    "outcome": "refer",
}


def seed_questions_and_keep_old_answers(apps, schema_editor):
    from bookings.screening.services import ensure_default_questions

    appointment_model = apps.get_model("bookings", "Appointment")
    version_model = apps.get_model("bookings", "QuestionnaireVersion")
    answer_set_model = apps.get_model("bookings", "AnswerSet")
    legacy = []
    for appointment in appointment_model.objects.only("id", "patient_id", "screening", "created_at").iterator():
        given = appointment.screening.get("recent_injury") if isinstance(appointment.screening, dict) else None
        answer = given.get("answer") if isinstance(given, dict) else None
        if answer in ("yes", "no"):
            legacy.append((appointment, answer))
    if legacy:
        version = version_model.objects.create(number=1, questions=[LEGACY_QUESTION])
        for appointment, answer in legacy:
            answer_set = answer_set_model.objects.create(
                version=version,
                answers={"recent_injury": {"answer": answer, "detail": ""}},
                outcome="refer" if answer == "yes" else "clear",
                role="booking",
                appointment_id=appointment.id,
                patient_id=appointment.patient_id,
            )
            answer_set_model.objects.filter(pk=answer_set.pk).update(created_at=appointment.created_at)
            appointment_model.objects.filter(pk=appointment.id).update(
                screening_status="referral" if answer == "yes" else "clear"
            )
    ensure_default_questions(apps=apps)


class Migration(migrations.Migration):
    dependencies = [
        ("bookings", "0003_patient_erasure"),
        ("contenttypes", "0002_remove_content_type_name"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="ScreeningQuestion",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "key",
                    models.SlugField(
                        help_text="A short fixed name for the question (letters, numbers, hyphens). Answers are stored under it.",
                        max_length=40,
                        unique=True,
                    ),
                ),
                ("text", models.CharField(max_length=300, verbose_name="question")),
                (
                    "help_text",
                    models.CharField(
                        blank=True,
                        help_text="Examples shown under the question, in plain words.",
                        max_length=300,
                        verbose_name="help text",
                    ),
                ),
                (
                    "explanation",
                    models.CharField(
                        blank=True,
                        help_text="For a refer question, why we need to talk first; for a flag question, what the therapist will do.",
                        max_length=400,
                        verbose_name="what a patient who answers Yes is told",
                    ),
                ),
                (
                    "outcome",
                    models.CharField(
                        choices=[
                            ("refer", "Refer: not bookable online, a therapist calls first"),
                            ("flag", "Flag: bookable, the therapist reviews before treating"),
                        ],
                        max_length=5,
                        verbose_name="if the answer is Yes",
                    ),
                ),
                ("order", models.PositiveSmallIntegerField(default=0)),
                ("active", models.BooleanField(default=True, help_text="Inactive questions are no longer asked.")),
                ("updated_at", models.DateTimeField(auto_now=True)),
            ],
            options={
                "ordering": ["order", "pk"],
            },
        ),
        migrations.AddField(
            model_name="appointment",
            name="answers_changed",
            field=models.BooleanField(
                default=False,
                help_text="The patient gave a refer answer earlier and then booked with different answers.",
                verbose_name="answers changed during booking",
            ),
        ),
        migrations.AddField(
            model_name="appointment",
            name="screening_status",
            field=models.CharField(
                choices=[
                    ("not_screened", "Not yet screened"),
                    ("clear", "Screened"),
                    ("flagged", "Flagged: therapist reviews"),
                    ("referral", "Referral: call before treating"),
                ],
                default="not_screened",
                max_length=12,
                verbose_name="screening",
            ),
        ),
        migrations.AddField(
            model_name="historicalappointment",
            name="answers_changed",
            field=models.BooleanField(
                default=False,
                help_text="The patient gave a refer answer earlier and then booked with different answers.",
                verbose_name="answers changed during booking",
            ),
        ),
        migrations.AddField(
            model_name="historicalappointment",
            name="screening_status",
            field=models.CharField(
                choices=[
                    ("not_screened", "Not yet screened"),
                    ("clear", "Screened"),
                    ("flagged", "Flagged: therapist reviews"),
                    ("referral", "Referral: call before treating"),
                ],
                default="not_screened",
                max_length=12,
                verbose_name="screening",
            ),
        ),
        migrations.CreateModel(
            name="QuestionnaireVersion",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("number", models.PositiveIntegerField(unique=True)),
                ("questions", models.JSONField(default=list, help_text="The active questions, in order, as asked.")),
                ("published_at", models.DateTimeField(auto_now_add=True)),
                (
                    "published_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "ordering": ["-number"],
            },
        ),
        migrations.CreateModel(
            name="ConsentRecord",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "purpose",
                    models.CharField(
                        choices=[
                            ("health_answers", "Use of health answers for care"),
                            ("privacy_notice", "Read the privacy notice"),
                            ("cancellation_policy", "Agreed to the cancellation policy"),
                            ("callback_contact", "Keep details to call back"),
                        ],
                        max_length=24,
                    ),
                ),
                (
                    "wording_version",
                    models.CharField(
                        help_text="Version of the wording shown (see bookings/consents.py).", max_length=40
                    ),
                ),
                ("wording", models.TextField(help_text="The exact words the person agreed to.")),
                ("given_at", models.DateTimeField(default=django.utils.timezone.now)),
                ("about_id", models.PositiveBigIntegerField(blank=True, null=True)),
                (
                    "about_type",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="contenttypes.contenttype",
                    ),
                ),
                (
                    "patient",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="consents",
                        to="bookings.patient",
                    ),
                ),
            ],
            options={
                "ordering": ["given_at", "pk"],
                "indexes": [models.Index(fields=["about_type", "about_id"], name="bookings_co_about_t_aabd97_idx")],
            },
        ),
        migrations.CreateModel(
            name="AnswerSet",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("answers", models.JSONField(default=dict)),
                (
                    "outcome",
                    models.CharField(
                        choices=[
                            ("clear", "No concerns"),
                            ("flag", "Flag: bookable, the therapist reviews before treating"),
                            ("refer", "Refer: not bookable online, a therapist calls first"),
                        ],
                        max_length=5,
                    ),
                ),
                (
                    "role",
                    models.CharField(
                        choices=[
                            ("booking", "Answered when booking online"),
                            ("earlier", "Answered earlier in the same booking, then changed"),
                            ("link", "Answered from the link in a text"),
                            ("referral", "Answered before asking for a clinical review callback"),
                        ],
                        max_length=10,
                    ),
                ),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                (
                    "appointment",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="answer_sets",
                        to="bookings.appointment",
                    ),
                ),
                (
                    "patient",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="answer_sets",
                        to="bookings.patient",
                    ),
                ),
                (
                    "version",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="answer_sets",
                        to="bookings.questionnaireversion",
                    ),
                ),
            ],
            options={
                "ordering": ["created_at", "pk"],
                "indexes": [
                    models.Index(fields=["patient", "role", "created_at"], name="bookings_an_patient_b1d7e4_idx")
                ],
            },
        ),
        migrations.RunPython(seed_questions_and_keep_old_answers, migrations.RunPython.noop),
        migrations.RemoveField(
            model_name="appointment",
            name="screening",
        ),
        migrations.RemoveField(
            model_name="historicalappointment",
            name="screening",
        ),
    ]
