"""Reception's callback queue: open requests first, longest waiting first, calls logged inline."""

from __future__ import annotations

from datetime import timedelta

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.views.decorators.http import require_POST

from bookings.admin.screening import answer_set_html
from bookings.models import Patient
from clinic.core.phones import PhoneSearchMixin
from clinic.core.roles import can_view_clinical_notes

from . import services
from .models import CallAttempt, CallbackRequest


def waiting_label(delta: timedelta) -> str:
    """'waiting 2 h 10 min', 'waiting 3 days 4 h'; reception reads it at a glance."""
    minutes = max(int(delta.total_seconds() // 60), 0)
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    if days:
        return f"waiting {days} day{'s' if days != 1 else ''} {hours} h"
    if hours:
        return f"waiting {hours} h {minutes} min"
    return f"waiting {minutes} min"


class CallAttemptInline(admin.TabularInline):
    """Calls logged on the request. A logged call is history: it is added, never edited or
    deleted, and goes through `services.log_call_attempt` (see `save_formset`)."""

    model = CallAttempt
    extra = 1
    fields = ["at", "by", "outcome", "note"]
    # Who called is whoever is logged in: set on save, never typed.
    readonly_fields = ["by"]
    verbose_name = "call attempt"
    can_delete = False

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request, obj=None):
        return request.user.has_perm("callbacks.change_callbackrequest")


class OpenFilter(admin.SimpleListFilter):
    title = "open or closed"
    parameter_name = "open"

    def lookups(self, request, model_admin):
        return [("yes", "Open"), ("no", "Closed")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.open()
        if self.value() == "no":
            return queryset.closed()
        return queryset


@admin.register(CallbackRequest)
class CallbackRequestAdmin(PhoneSearchMixin, admin.ModelAdmin):
    list_display = [
        "name",
        "review_mark",
        "phone_link",
        "status",
        "waiting",
        "preferred_time",
        "reason",
        "attempts_column",
        "asked_at",
    ]
    list_display_links = ["name"]
    list_filter = [OpenFilter, "clinical_review", "status", "reason", "when"]
    search_fields = ["name", "phone", "message"]
    phone_search_fields = ("phone",)
    list_per_page = 50
    inlines = [CallAttemptInline]
    actions = ["mark_in_progress", "mark_done", "close_without_contact"]
    readonly_fields = [
        "call_link",
        "waiting",
        "patient",
        "times_asked",
        "created_at",
        "updated_at",
        "acknowledged_at",
        "closed_at",
        "wanted",
        "appointment_link",
        "health_answers",
    ]
    fieldsets = [
        (None, {"fields": ["status", ("name", "phone"), "call_link", "waiting", "patient"]}),
        (
            "What they asked for",
            {"fields": ["when", ("preferred_day", "preferred_period"), "reason", "clinical_review", "message"]},
        ),
        ("Clinical review", {"fields": ["wanted", "appointment_link"]}),
        (
            "History",
            {
                "classes": ["collapse"],
                "fields": ["times_asked", "created_at", "updated_at", "acknowledged_at", "closed_at"],
            },
        ),
    ]

    class Media:
        css = {"all": ["css/callbacks.css"]}

    def get_queryset(self, request):
        # Not super(): it orders by get_ordering() before the open_rank annotation exists.
        return self.model._default_manager.get_queryset().queue().with_attempt_counts()

    def get_ordering(self, request):
        return ["open_rank", "created_at", "pk"]

    # --- columns ------------------------------------------------------------------------------

    @admin.display(description="phone", ordering="phone")
    def phone_link(self, obj):
        if not obj.phone:
            return "-"
        return format_html('<a href="tel:{}">{}</a>', obj.phone.as_e164, obj.phone.as_national)

    @admin.display(description="call")
    def call_link(self, obj):
        return self.phone_link(obj)

    @admin.display(description="clinical review", ordering="clinical_review")
    def review_mark(self, obj):
        # The mark names no condition: the answers are for staff with the clinical-notes permission.
        return format_html('<span class="review-mark">{}</span>', "Clinical review") if obj.clinical_review else ""

    @admin.display(description="wanted to book")
    def wanted(self, obj):
        return obj.wanted_display or "-"

    @admin.display(description="booked appointment")
    def appointment_link(self, obj):
        if not obj.appointment_id:
            return "-"
        url = reverse("admin:bookings_appointment_change", args=[obj.appointment_id])
        return format_html('<a href="{}">{}</a>', url, obj.appointment)

    @admin.display(description="health answers")
    def health_answers(self, obj):
        return answer_set_html(obj.screening) if obj.screening_id else "-"

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is not None and obj.screening_id and can_view_clinical_notes(request.user):
            fieldsets = [*fieldsets[:3], ("Health answers", {"fields": ["health_answers"]}), *fieldsets[3:]]
        return fieldsets

    @admin.display(description="asked at", ordering="created_at")
    def asked_at(self, obj):
        return f"{timezone.localtime(obj.created_at):%a %-d %b %H:%M}"

    @admin.display(description="waiting", ordering="created_at")
    def waiting(self, obj):
        if obj.created_at is None:
            return "-"
        if not obj.is_open:
            return f"closed {timezone.localtime(obj.closed_at):%a %-d %b %H:%M}" if obj.closed_at else "closed"
        return waiting_label(timezone.now() - obj.created_at)

    @admin.display(description="when to call", ordering="preferred_day")
    def preferred_time(self, obj):
        return obj.preferred_time_display

    @admin.display(description="calls")
    def attempts_column(self, obj):
        count = getattr(obj, "attempt_count", 0)
        if obj.suggests_closing(reached=obj.reached_count, unreached=obj.unreached_count):
            return format_html(
                '{} <span class="callback-hint">{} tries without reaching them: consider closing</span>',
                count,
                obj.unreached_count,
            )
        return count

    # --- saving (through the services, which hold the rules) ---------------------------------

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except services.CallbackError as error:
            # The service refused the edit (a number with another open request): nothing was
            # written; show the form again with the reason.
            self.message_user(request, error.message, messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())

    def save_model(self, request, obj, form, change):
        if not change:
            # Reception adding a request for someone who phoned: the same path as the public form
            # (one open request per number, acknowledgement text), without the bot defences.
            data = form.cleaned_data
            submission = services.request_callback(
                name=data["name"],
                phone=data["phone"],
                reason=data["reason"],
                when=data["when"],
                preferred_day=data.get("preferred_day"),
                preferred_period=data.get("preferred_period") or "",
                message=data.get("message", ""),
                clinical_review=data.get("clinical_review", False),
            )
            obj.pk = submission.request.pk
            obj._state.adding = False
            return
        changes = {name: form.cleaned_data[name] for name in form.changed_data if name in services.EDITABLE_FIELDS}
        if changes:
            services.update_request(callback_request=obj, changes=changes, by_user=request.user)

    def save_formset(self, request, form, formset, change):
        if formset.model is not CallAttempt:
            return super().save_formset(request, form, formset, change)
        created = []
        for attempt_form in formset.extra_forms:
            if attempt_form.has_changed() and attempt_form.is_valid():
                data = attempt_form.cleaned_data
                created.append(
                    services.log_call_attempt(
                        callback_request=form.instance,
                        outcome=data["outcome"],
                        note=data.get("note", ""),
                        at=data.get("at"),
                        by_user=request.user,
                    )
                )
        # What formset.save() would have recorded, for the admin's change message.
        formset.new_objects, formset.changed_objects, formset.deleted_objects = created, [], []
        return None

    def save_related(self, request, form, formsets, change):
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    # --- actions ------------------------------------------------------------------------------

    def _set_status(self, request, queryset, status, done_text):
        changed, refused = 0, []
        for obj in queryset:
            if obj.status == status:
                continue
            try:
                services.set_request_status(callback_request=obj, status=status, by_user=request.user)
                changed += 1
            except services.CallbackError as error:
                refused.append(error.message)
        self.message_user(request, f"{changed} request{'s' if changed != 1 else ''} {done_text}.", messages.SUCCESS)
        for text in refused:
            self.message_user(request, text, messages.WARNING)

    @admin.action(description="Mark as in progress", permissions=["change"])
    def mark_in_progress(self, request, queryset):
        self._set_status(request, queryset, CallbackRequest.Status.IN_PROGRESS, "marked as in progress")

    @admin.action(description="Mark as done", permissions=["change"])
    def mark_done(self, request, queryset):
        self._set_status(request, queryset, CallbackRequest.Status.DONE, "marked as done")

    @admin.action(description="Close without contact", permissions=["change"])
    def close_without_contact(self, request, queryset):
        self._set_status(request, queryset, CallbackRequest.Status.CLOSED, "closed without contact")

    # --- "book for this patient" --------------------------------------------------------------

    def get_urls(self):
        urls = [
            path(
                "<int:object_id>/book/",
                self.admin_site.admin_view(self.book_view),
                name="callbacks_callbackrequest_book",
            )
        ]
        return urls + super().get_urls()

    def book_view(self, request, object_id):
        return require_POST(self._book)(request, object_id)

    def _book(self, request, object_id):
        """Find or create the patient by phone, link them, and open the appointment add form."""
        obj = get_object_or_404(CallbackRequest, pk=object_id)
        if not self.has_change_permission(request, obj):
            raise PermissionDenied
        if not Patient.objects.filter(phone=obj.phone).exists() and not request.user.has_perm("bookings.add_patient"):
            raise PermissionDenied
        patient = services.patient_for_request(callback_request=obj)
        return HttpResponseRedirect(f"{reverse('admin:bookings_appointment_add')}?patient={patient.pk}")

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = extra_context or {}
        obj = self.get_queryset(request).filter(pk=object_id).first()
        if obj is not None:
            extra_context["suggest_closing"] = obj.suggests_closing(
                reached=obj.reached_count, unreached=obj.unreached_count
            )
            extra_context["unreached_count"] = obj.unreached_count
            extra_context["can_book"] = self.has_change_permission(request, obj) and (
                obj.patient_id is not None or request.user.has_perm("bookings.add_patient")
            )
        return super().change_view(request, object_id, form_url, extra_context)


@admin.register(CallAttempt)
class CallAttemptAdmin(PhoneSearchMixin, admin.ModelAdmin):
    """Every call reception made, across requests: who called whom, when, and how it went.
    Attempts are logged inline on the request; this list is for looking back."""

    list_display = ["at", "request", "by", "outcome", "note"]
    list_filter = ["outcome", "by"]
    search_fields = ["request__name", "request__phone", "note"]
    phone_search_fields = ("request__phone",)
    date_hierarchy = "at"
    list_select_related = ["request", "by"]
    # An attempt stays with the request it was made on. (As a choice field it would also list
    # requests in the queue's order, which needs the queue's annotation: a FieldError.)
    readonly_fields = ["request"]

    def has_add_permission(self, request):
        return False
