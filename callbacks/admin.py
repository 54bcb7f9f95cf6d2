from django.contrib import admin

from .models import CallAttempt, CallbackRequest


class CallAttemptInline(admin.TabularInline):
    model = CallAttempt
    extra = 1


@admin.register(CallbackRequest)
class CallbackRequestAdmin(admin.ModelAdmin):
    list_display = ["name", "phone", "when", "reason", "status", "created_at"]
    list_filter = ["status", "reason"]
    search_fields = ["name", "phone"]
    inlines = [CallAttemptInline]
