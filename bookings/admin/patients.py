"""Patients: found by name or by phone as reception hears it; their history is kept."""

from django.contrib import admin, messages
from django.http import HttpResponseRedirect

from clinic.core.phones import PhoneSearchMixin
from clinic.core.roles import sees_only_own_appointments

from ..models import Patient
from ..services import BookingError
from ..services.patients import save_patient_details
from .forms import PatientAdminForm
from .history import KeptHistoryAdmin


@admin.register(Patient)
class PatientAdmin(PhoneSearchMixin, KeptHistoryAdmin):
    form = PatientAdminForm
    list_display = ["name", "phone_number", "email", "created_at"]
    search_fields = ["name", "phone", "email"]
    phone_search_fields = ("phone",)
    readonly_fields = ["created_at"]
    object_history_list_template = "admin/bookings/object_history_list.html"

    @admin.display(description="phone", ordering="phone")
    def phone_number(self, obj):
        return obj.phone.as_national if obj.phone else ""

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except BookingError as error:
            self.message_user(request, error.message, messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        saved = save_patient_details(
            patient=obj if change else None,
            name=data["name"],
            phone=data["phone"],
            email=data.get("email", ""),
            by_user=request.user,
        )
        obj.pk, obj._state.adding, obj._state.db = saved.pk, False, saved._state.db

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if sees_only_own_appointments(request.user):
            queryset = queryset.filter(appointments__therapist__user=request.user).distinct()
        return queryset
