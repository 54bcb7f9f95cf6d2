"""Patients: found by name or by phone as reception hears it; their history is kept.

A manager answers a patient's data requests from the patient's page: "Export this patient's
data" (a ZIP with JSON and a readable summary) and "Erase this patient" (a confirmation page
listing what will change). Each has its own permission, so no superuser is needed.
"""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, HttpResponseNotAllowed, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse

from clinic.core.phones import PhoneSearchMixin
from clinic.core.roles import sees_only_own_appointments

from ..models import Patient
from ..services import BookingError, erase_patient, erasure_plan, export_patient
from ..services.patients import save_patient_details
from .forms import PatientAdminForm
from .history import KeptHistoryAdmin

EXPORT_PERMISSION = "bookings.export_patient_data"
ERASE_PERMISSION = "bookings.erase_patient"


@admin.register(Patient)
class PatientAdmin(PhoneSearchMixin, KeptHistoryAdmin):
    form = PatientAdminForm
    list_display = ["name", "phone_number", "email", "created_at"]
    search_fields = ["name", "phone", "email"]
    phone_search_fields = ("phone",)
    readonly_fields = ["created_at", "erased_at"]
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

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None and obj.pk:
            context["can_export"] = request.user.has_perm(EXPORT_PERMISSION)
            context["can_erase"] = request.user.has_perm(ERASE_PERMISSION) and not obj.erased_at
        return super().render_change_form(request, context, add, change, form_url, obj)

    def has_change_permission(self, request, obj=None):
        # An erased patient is a placeholder for the clinic's figures: nothing left to correct.
        if obj is not None and obj.erased_at:
            return False
        return super().has_change_permission(request, obj)

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

    # --- the patient's data rights ------------------------------------------------------------

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("<path:object_id>/export/", view(self.export_view), name="bookings_patient_export"),
            path("<path:object_id>/erase/", view(self.erase_view), name="bookings_patient_erase"),
            *super().get_urls(),
        ]

    def _patient(self, request, object_id, permission) -> Patient:
        if not request.user.has_perm(permission):
            raise PermissionDenied
        patient = self.get_object(request, object_id)
        if patient is None:
            raise Http404("No such patient.")
        return patient

    def export_view(self, request, object_id):
        """POST: download the ZIP (a POST, because making an export is recorded)."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        patient = self._patient(request, object_id, EXPORT_PERMISSION)
        export = export_patient(patient=patient, by_user=request.user)
        response = HttpResponse(export.content, content_type="application/zip")
        response["Content-Disposition"] = f'attachment; filename="{export.filename}"'
        response["Cache-Control"] = "no-store"
        return response

    def erase_view(self, request, object_id):
        """GET: what erasure would change (or why it cannot happen now); POST: erase."""
        patient = self._patient(request, object_id, ERASE_PERMISSION)
        change_url = reverse("admin:bookings_patient_change", args=[patient.pk])
        if request.method == "POST":
            try:
                erase_patient(patient=patient, by_user=request.user)
            except BookingError as error:
                self.message_user(request, error.message, messages.ERROR)
                return HttpResponseRedirect(request.path)
            self.message_user(
                request,
                f"Patient record {patient.pk} is erased; its appointments are kept, de-identified.",
                messages.SUCCESS,
            )
            return HttpResponseRedirect(change_url)
        context = {
            **self.admin_site.each_context(request),
            "title": "Erase this patient",
            "opts": self.opts,
            "patient": patient,
            "plan": erasure_plan(patient=patient),
            "change_url": change_url,
        }
        return TemplateResponse(request, "admin/bookings/patient/erase.html", context)
