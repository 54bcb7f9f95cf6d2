"""Appointments in the admin: reception books, moves, cancels and marks them here.

Appointments are booked, moved, cancelled and re-statused only through `bookings.services`, so
the lock / re-check / constraint guard and the audit trail (django-simple-history, with the acting
user) apply to every change made here, list actions included. Nothing is deleted except by a
superuser. The patient's note and health answers are shown only to holders of
`bookings.view_clinical_notes`, here, in the history views and in the diary; everyone sees the
screening badge (`admin/screening.py`).
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.html import format_html

from clinic.core.phones import PhoneSearchMixin
from clinic.core.roles import can_view_clinical_notes, sees_only_own_appointments

from ..models import Appointment
from ..services import (
    BookingError,
    ChangedMeanwhile,
    PatientDetails,
    cancel_booking,
    create_booking,
    patient_overlaps,
    reschedule_booking,
    resend_confirmation,
    set_status,
    update_note,
)
from . import course_views, diary_views, move_views, sheet_views
from .clinical import ClinicalAccessRecorded
from .forms import MOVE_FIELDS, CancelForm, StaffAppointmentForm
from .history import KeptHistoryAdmin
from .screening import AppointmentScreeningMixin, ScreeningFilter

CLINICAL_FIELDS = ("note",)


class StatusFilter(admin.SimpleListFilter):
    """Active appointments by default view; cancelled and no-shows are one click away."""

    title = "status"
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return [("active", "Booked, arrived or completed"), *Appointment.Status.choices]

    def queryset(self, request, queryset):
        if self.value() == "active":
            return queryset.holding_time()
        if self.value() in Appointment.Status.values:
            return queryset.filter(status=self.value())
        return queryset


@admin.register(Appointment)
class AppointmentAdmin(ClinicalAccessRecorded, AppointmentScreeningMixin, PhoneSearchMixin, KeptHistoryAdmin):
    form = StaffAppointmentForm
    list_display = ["when", "patient", "therapist", "minutes", "status_label", "screening_badge", "source", "reference"]
    list_display_links = ["when", "patient"]
    list_filter = [StatusFilter, ScreeningFilter, "therapist", "source", "length__treatment"]
    search_fields = ["reference", "patient__name", "patient__phone"]
    phone_search_fields = ("patient__phone",)
    date_hierarchy = "start"
    list_select_related = ["patient", "therapist", "length__treatment"]
    autocomplete_fields = ["patient"]
    history_hidden_fields = CLINICAL_FIELDS
    history_list_display = ["history_status"]
    object_history_list_template = "admin/bookings/object_history_list.html"
    actions = [
        "mark_arrived",
        "mark_completed",
        "mark_no_show",
        "book_again",
        "cancel_selected",
        "resend_confirmations",
    ]

    # --- what is shown -----------------------------------------------------------------------

    @admin.display(description="when", ordering="start")
    def when(self, obj):
        return f"{obj.local_start:%a %d %b %Y, %H:%M}"

    @admin.display(description="length", ordering="length__minutes")
    def minutes(self, obj):
        return obj.length.label(short=True)

    @admin.display(description="status", ordering="status")
    def status_label(self, obj):
        return format_html('<span class="status-tag status-{}">{}</span>', obj.status, obj.get_status_display())

    @admin.display(description="status")
    def history_status(self, record):
        return record.get_status_display()

    @admin.display(description="ends")
    def ends(self, obj):
        return f"{obj.local_end:%H:%M}" if obj.end else "-"

    def hidden_history_fields(self, request):
        return [] if can_view_clinical_notes(request.user) else list(CLINICAL_FIELDS)

    def get_queryset(self, request):
        queryset = super().get_queryset(request).select_related("patient", "therapist", "length__treatment")
        if sees_only_own_appointments(request.user):
            queryset = queryset.filter(therapist__user=request.user)
        return queryset

    def get_fieldsets(self, request, obj=None):
        notes = can_view_clinical_notes(request.user)
        if obj is None:
            appointment = ["therapist", "length", "start"] + (["note"] if notes else []) + ["notify_patient"]
            return [
                (
                    "Patient",
                    {
                        "fields": ["patient", ("new_patient_name", "new_patient_phone")],
                        "description": "Find the patient by name or phone; for someone new, enter their name "
                        "and phone instead.",
                    },
                ),
                (
                    "Appointment",
                    {
                        "fields": appointment,
                        "description": "It shows as “not yet screened” until the patient answers the health "
                        "questions from the link in their confirmation text.",
                    },
                ),
            ]
        fieldsets = [
            (
                None,
                {
                    "fields": [
                        "reference",
                        "patient",
                        "status",
                        "therapist",
                        "length",
                        "start",
                        "ends",
                        "source",
                        "screening_badge",
                        "version",
                    ]
                },
            ),
        ]
        if notes:
            fieldsets.append(("Patient's note and health answers", {"fields": ["note", "screening_answers"]}))
        if obj.status == Appointment.Status.CANCELLED:
            fieldsets.append(
                (
                    "Cancellation",
                    {"fields": ["cancellation_reason", "cancelled_at", "cancelled_by", "cancelled_by_user"]},
                )
            )
        fieldsets.append(("Record", {"fields": ["price", "created_at", "updated_at"], "classes": ["collapse"]}))
        return fieldsets

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        readonly = [
            "reference",
            "patient",
            "status",
            "ends",
            "source",
            "screening_badge",
            "screening_answers",
            "cancellation_reason",
            "cancelled_at",
            "cancelled_by",
            "cancelled_by_user",
            "price",
            "created_at",
            "updated_at",
        ]
        if not obj.holds_time:
            readonly += list(MOVE_FIELDS)
        return readonly

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        error = getattr(request, "_booking_error", None)
        if error:
            form = type(form.__name__, (form,), {"booking_error": error})
        return form

    def get_changeform_initial_data(self, request):
        """The diary's free cells link here with ?therapist=<id>&start=YYYY-MM-DDTHH:MM(&patient=<id>)."""
        initial = super().get_changeform_initial_data(request)
        start = parse_datetime(request.GET.get("start", "")) if request.GET.get("start") else None
        if start is None:
            initial.pop("start", None)
        else:
            initial["start"] = start if timezone.is_aware(start) else timezone.make_aware(start)
        return initial

    # --- booking and moving through the services --------------------------------------------

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except BookingError as error:
            # The service refused a form that passed the early check (a time taken in between):
            # the transaction is rolled back; show the same form again with the service's message.
            request._booking_error = error.message
            if isinstance(error, ChangedMeanwhile):
                # Saving again, having read what changed, is then the receptionist's own choice.
                request.POST = request.POST.copy()
                request.POST["version"] = Appointment.objects.get(pk=object_id).updated_at.isoformat()
            return super().changeform_view(request, object_id, form_url, extra_context)

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        if not change:
            patient = data.get("patient") or PatientDetails(
                name=data["new_patient_name"], phone=data["new_patient_phone"]
            )
            booked = create_booking(
                length=obj.length,
                start=obj.start,
                patient=patient,
                therapist=obj.therapist,
                note=data.get("note", ""),
                source=Appointment.Source.RECEPTION,
                online_rules=False,
                notify_patient=data.get("notify_patient", False),
                by_user=request.user,
            )
            for field in Appointment._meta.concrete_fields:
                setattr(obj, field.attname, getattr(booked, field.attname))
            obj.patient = booked.patient
            obj._state.adding = False
            obj._state.db = booked._state.db
            return
        if any(name in form.changed_data for name in MOVE_FIELDS):
            reschedule_booking(
                appointment=Appointment.objects.get(pk=obj.pk),
                start=obj.start,
                therapist=obj.therapist,
                length=obj.length,
                by_user=request.user,
                if_unchanged_since=parse_datetime(data.get("version") or ""),
            )
        if "note" in form.changed_data and can_view_clinical_notes(request.user):
            update_note(appointment=obj, note=data["note"], by_user=request.user)

    def save_related(self, request, form, formsets, change):
        # Nothing related is edited here; the appointment itself was written by the service.
        pass

    def response_add(self, request, obj, post_url_continue=None):
        if "_continue" in request.POST or "_addanother" in request.POST or "_popup" in request.POST:
            return super().response_add(request, obj, post_url_continue)
        self.message_user(
            request,
            f"Booked {obj.patient.name} with {obj.therapist}, {obj.local_start:%a %d %b %H:%M} "
            f"({obj.length.minutes} min), reference {obj.reference}.",
            messages.SUCCESS,
        )
        for other in patient_overlaps(patient=obj.patient, start=obj.start, end=obj.end, exclude_id=obj.pk):
            # Reception may book overlapping appointments on purpose (two treatments back to
            # back with different therapists), but it should never happen by accident.
            self.message_user(
                request,
                f"{obj.patient.name} also has {other.reference} with {other.therapist} "
                f"{other.local_start:%H:%M}–{other.local_end:%H:%M}, which overlaps this booking.",
                messages.WARNING,
            )
        return HttpResponseRedirect(diary_views.diary_url(obj.local_start.date()))

    def response_change(self, request, obj):
        if "_continue" in request.POST or "_popup" in request.POST:
            return super().response_change(request, obj)
        self.message_user(request, f"Saved {obj.reference}: {obj.local_start:%a %d %b %H:%M}.", messages.SUCCESS)
        return HttpResponseRedirect(diary_views.diary_url(obj.local_start.date()))

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if change and obj is not None and context["adminform"].form.errors:
            # The form wrote the refused time onto the instance; the title and "ends" must show
            # what is saved (the fields keep what was typed, to correct).
            obj.refresh_from_db()
            context["subtitle"] = str(obj)
        if obj is not None:
            context["status_actions"] = diary_views.status_actions(self, request, obj)
            context["course_summary"] = course_views.course_summary(self, request, obj)
            context["diary_url"] = diary_views.diary_url(obj.local_start.date())
        return super().render_change_form(request, context, add, change, form_url, obj)

    # --- extra pages -------------------------------------------------------------------------

    def get_urls(self):
        view = self.admin_site.admin_view
        extra = [
            path("diary/", view(diary_views.DiaryDayView.as_view(model_admin=self)), name="bookings_diary"),
            path("diary/week/", view(diary_views.DiaryWeekView.as_view(model_admin=self)), name="bookings_diary_week"),
            path(
                "<path:object_id>/status/<str:status>/",
                view(diary_views.StatusChangeView.as_view(model_admin=self)),
                name="bookings_appointment_set_status",
            ),
            path(
                "<path:object_id>/cancel/",
                view(diary_views.CancelView.as_view(model_admin=self)),
                name="bookings_appointment_cancel",
            ),
            path(
                "<path:object_id>/resend/",
                view(diary_views.ResendConfirmationView.as_view(model_admin=self)),
                name="bookings_appointment_resend",
            ),
        ]
        mine = course_views.urls(self) + sheet_views.urls(self) + move_views.urls(self)
        return mine + extra + super().get_urls()

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "diary_url": diary_views.diary_url(timezone.localdate())}
        return super().changelist_view(request, extra_context)

    # --- list actions (each row through a service, so history records who did it) -----------

    def _apply_to_each(self, request, queryset, change, done_text, refused_text="Not changed"):
        """Run `change(appointment)` (a service call) on each selected row; report done and refused."""
        done, refused = 0, []
        for appointment in queryset:
            try:
                change(appointment)
                done += 1
            except BookingError as error:
                refused.append(f"{appointment.reference} ({appointment.patient.name}): {error.message}")
        if done:
            self.message_user(request, f"{done} appointment{'s' if done != 1 else ''} {done_text}.", messages.SUCCESS)
        for text in refused:
            self.message_user(request, f"{refused_text}: {text}", messages.ERROR)

    def _set_statuses(self, request, queryset, status, done_text):
        self._apply_to_each(
            request,
            queryset,
            lambda appointment: set_status(appointment=appointment, status=status, by_user=request.user),
            done_text,
        )

    @admin.action(description="Mark selected appointments arrived", permissions=["change"])
    def mark_arrived(self, request, queryset):
        self._set_statuses(request, queryset, Appointment.Status.ARRIVED, "marked arrived")

    @admin.action(description="Mark selected appointments completed", permissions=["change"])
    def mark_completed(self, request, queryset):
        self._set_statuses(request, queryset, Appointment.Status.COMPLETED, "marked completed")

    @admin.action(description="Mark selected appointments no-show…", permissions=["change"])
    def mark_no_show(self, request, queryset):
        if "apply" not in request.POST:
            title = f"Mark {len(queryset)} appointment{'s' if len(queryset) != 1 else ''} as a no-show?"
            return self._selected_page(request, queryset, title, "no_show_selected.html")
        before = {a.pk: a.status for a in queryset}
        self._set_statuses(request, queryset, Appointment.Status.NO_SHOW, "marked no-show")
        for row in queryset.filter(status=Appointment.Status.NO_SHOW):
            if before[row.pk] != Appointment.Status.NO_SHOW:
                undo = diary_views.undo_button(request, row, before[row.pk], request.get_full_path())
                self.message_user(request, format_html("{} ({}): {}", row.reference, row.patient.name, undo))

    def _selected_page(self, request, queryset, title, template, **extra):
        """An intermediate page for a list action that asks before it acts."""
        context = {
            **self.admin_site.each_context(request),
            "title": title,
            "opts": self.opts,
            "appointments": queryset,
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
            **extra,
        }
        return TemplateResponse(request, f"admin/bookings/appointment/{template}", context)

    @admin.action(description="Book selected appointments again (undo cancel or no-show)", permissions=["change"])
    def book_again(self, request, queryset):
        self._set_statuses(request, queryset, Appointment.Status.BOOKED, "booked again")

    @admin.action(description="Cancel selected appointments…", permissions=["change"])
    def cancel_selected(self, request, queryset):
        form = CancelForm(request.POST if "apply" in request.POST else None)
        if form.is_valid():
            self._apply_to_each(
                request,
                queryset,
                lambda appointment: cancel_booking(
                    appointment=appointment,
                    cancelled_by=Appointment.CancelledBy.CLINIC,
                    reason=form.cleaned_data["reason"],
                    notify_patient=form.cleaned_data["notify_patient"],
                    by_user=request.user,
                ),
                "cancelled",
                refused_text="Not cancelled",
            )
            return None
        return self._selected_page(request, queryset, "Cancel appointments", "cancel_selected.html", form=form)

    @admin.action(description="Resend the confirmation text", permissions=["change"])
    def resend_confirmations(self, request, queryset):
        self._apply_to_each(
            request,
            queryset,
            lambda appointment: resend_confirmation(appointment=appointment, by_user=request.user),
            "have their confirmation queued again",
            refused_text="Not resent",
        )
