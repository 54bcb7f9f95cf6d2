from django.contrib import admin
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html

from .models import ClinicalAccess, ClinicSettings, OpeningHours, PrivacyRecord


class ReadOnlyAdmin(admin.ModelAdmin):
    """A record of what the system did (a log, consents, offers): shown, never edited or deleted."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


def admin_link(content_type, object_id, label: str = ""):
    """A link to a generically referred object in its own admin (text only if it has none)."""
    if content_type is None:
        return "-"
    label = label or f"{content_type.name.capitalize()} {object_id}"
    try:
        url = reverse(f"admin:{content_type.app_label}_{content_type.model}_change", args=[object_id])
    except NoReverseMatch:
        return label
    return format_html('<a href="{}">{}</a>', url, label)


@admin.register(ClinicSettings)
class ClinicSettingsAdmin(admin.ModelAdmin):
    fieldsets = [
        ("The clinic", {"fields": ["name", "phone", "email", "address"]}),
        ("Reception notices", {"fields": ["reception_mobile", "reception_email"]}),
        (
            "Privacy notice",
            {
                "fields": ["privacy_contact", "ico_registration", "hosting_provider", "email_provider"],
                "description": "The public privacy notice is written from these and the retention settings.",
            },
        ),
        (
            "Online booking policy",
            {
                "fields": [
                    "min_notice_minutes",
                    "horizon_days",
                    "slot_step_minutes",
                    "cancellation_notice_hours",
                    "change_grace_minutes",
                    "reminder_hours_before",
                ]
            },
        ),
    ]

    def has_add_permission(self, request):
        return not ClinicSettings.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(OpeningHours)
class OpeningHoursAdmin(admin.ModelAdmin):
    list_display = ["weekday", "opens", "closes"]


class ReadOnlyRecordAdmin(admin.ModelAdmin):
    """An audit record: read by managers (view permission), never added, changed or deleted."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(PrivacyRecord)
class PrivacyRecordAdmin(ReadOnlyRecordAdmin):
    list_display = ["at", "kind", "by", "patient_link", "counts"]
    list_filter = ["kind"]
    date_hierarchy = "at"

    @admin.display(description="patient record")
    def patient_link(self, obj):
        return _patient_link(obj.patient_id)


@admin.register(ClinicalAccess)
class ClinicalAccessAdmin(ReadOnlyRecordAdmin):
    list_display = ["at", "by_username", "what", "patient_link", "where"]
    list_filter = ["what", "by_username"]
    search_fields = ["=patient_id", "by_username"]
    date_hierarchy = "at"

    @admin.display(description="patient record", ordering="patient_id")
    def patient_link(self, obj):
        return _patient_link(obj.patient_id)


def _patient_link(patient_id):
    # The patient's admin page by URL name only: clinic.core imports no domain app.
    if patient_id is None:
        return "-"
    try:
        url = reverse("admin:bookings_patient_change", args=[patient_id])
    except NoReverseMatch:
        return f"#{patient_id}"
    return format_html('<a href="{}">#{}</a>', url, patient_id)
