from django.contrib import admin

from . import hooks
from .models import Absence, Closure, Therapist, WorkingHours


class WorkingHoursInline(admin.TabularInline):
    model = WorkingHours
    extra = 0


class AbsenceInline(admin.TabularInline):
    model = Absence
    extra = 0


@admin.register(Therapist)
class TherapistAdmin(admin.ModelAdmin):
    list_display = ["name", "active", "display_order", "offers"]
    list_editable = ["display_order"]
    list_filter = ["active"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}
    filter_horizontal = ["lengths"]
    inlines = [WorkingHoursInline, AbsenceInline]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("lengths__treatment")

    def save_formset(self, request, form, formset, change):
        super().save_formset(request, form, formset, change)
        if formset.model is WorkingHours:
            # New or widened hours may free time the wait list is waiting for.
            for hours in [*formset.new_objects, *(obj for obj, _ in formset.changed_objects)]:
                hooks.hours_added(hours)

    @admin.display(description="Lengths offered")
    def offers(self, obj):
        # Named by treatment ("Sports massage, 30 min"): a therapist may give more than one.
        return ", ".join(str(length) for length in obj.lengths.all())


@admin.register(WorkingHours)
class WorkingHoursAdmin(admin.ModelAdmin):
    """Usually edited inline under the therapist; this list shows the whole clinic's week."""

    list_display = ["therapist", "weekday", "start", "end"]
    list_filter = ["weekday", "therapist"]
    list_select_related = ["therapist"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        hooks.hours_added(obj)


@admin.register(Absence)
class AbsenceAdmin(admin.ModelAdmin):
    list_display = ["therapist", "starts_at", "ends_at", "reason"]
    list_filter = ["therapist"]
    date_hierarchy = "starts_at"


@admin.register(Closure)
class ClosureAdmin(admin.ModelAdmin):
    list_display = ["start_date", "end_date", "reason"]
    date_hierarchy = "start_date"
