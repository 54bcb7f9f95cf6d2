from django.contrib import admin

from .models import ClinicSettings, OpeningHours


@admin.register(ClinicSettings)
class ClinicSettingsAdmin(admin.ModelAdmin):
    fieldsets = [
        ("The clinic", {"fields": ["name", "phone", "email", "address"]}),
        ("Reception notices", {"fields": ["reception_mobile", "reception_email"]}),
        (
            "Online booking policy",
            {
                "fields": [
                    "min_notice_minutes",
                    "horizon_days",
                    "slot_step_minutes",
                    "cancellation_notice_hours",
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
