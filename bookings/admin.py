from django import forms
from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import Appointment, Patient, Treatment, TreatmentLength


class TreatmentLengthInline(admin.TabularInline):
    model = TreatmentLength
    extra = 0


@admin.register(Treatment)
class TreatmentAdmin(admin.ModelAdmin):
    list_display = ["name", "active", "display_order"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [TreatmentLengthInline]


@admin.register(TreatmentLength)
class TreatmentLengthAdmin(admin.ModelAdmin):
    list_display = ["treatment", "minutes", "price", "buffer_minutes", "active"]
    list_filter = ["treatment", "active"]


@admin.register(Patient)
class PatientAdmin(SimpleHistoryAdmin):
    list_display = ["name", "phone", "email", "created_at"]
    search_fields = ["name", "phone", "email"]


class AppointmentAdminForm(forms.ModelForm):
    class Meta:
        model = Appointment
        fields = ["patient", "therapist", "length", "start", "status", "source", "note", "cancellation_reason"]

    def clean(self):
        cleaned = super().clean()
        therapist, length, start = cleaned.get("therapist"), cleaned.get("length"), cleaned.get("start")
        status = cleaned.get("status") or Appointment.Status.BOOKED
        if therapist and length and start and status in Appointment.Status.holding_time():
            from .services import _clash_message, _clashes

            if _clashes(self.instance if self.instance.pk else None, therapist, length, start):
                raise forms.ValidationError(_clash_message(self.instance, therapist, length, start))
        return cleaned


@admin.register(Appointment)
class AppointmentAdmin(SimpleHistoryAdmin):
    form = AppointmentAdminForm
    list_display = ["reference", "start", "patient", "therapist", "length", "status", "source"]
    list_filter = ["status", "therapist", "source", "length"]
    search_fields = ["reference", "patient__name", "patient__phone"]
    date_hierarchy = "start"
    list_select_related = ["patient", "therapist", "length__treatment"]
    autocomplete_fields = ["patient"]
    readonly_fields = ["reference", "end", "price", "created_at", "updated_at", "cancelled_at", "cancelled_by"]
