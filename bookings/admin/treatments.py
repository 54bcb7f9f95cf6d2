"""Treatments and their lengths, prices and clearing-up buffers (managers edit them)."""

from django.contrib import admin

from ..models import Treatment, TreatmentLength


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
