from django.contrib import admin

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
        return super().get_queryset(request).prefetch_related("lengths")

    @admin.display(description="Lengths offered")
    def offers(self, obj):
        return ", ".join(f"{length.minutes} min" for length in obj.lengths.all())


@admin.register(WorkingHours)
class WorkingHoursAdmin(admin.ModelAdmin):
    """Usually edited inline under the therapist; this list shows the whole clinic's week."""

    list_display = ["therapist", "weekday", "start", "end"]
    list_filter = ["weekday", "therapist"]
    list_select_related = ["therapist"]


@admin.register(Absence)
class AbsenceAdmin(admin.ModelAdmin):
    list_display = ["therapist", "starts_at", "ends_at", "reason"]
    list_filter = ["therapist"]
    date_hierarchy = "starts_at"


@admin.register(Closure)
class ClosureAdmin(admin.ModelAdmin):
    list_display = ["start_date", "end_date", "reason"]
    date_hierarchy = "start_date"
