from django.contrib import admin

from clinic.core.admin import ReadOnlyAdmin, admin_link

from .models import Email


class NeedsAttentionFilter(admin.SimpleListFilter):
    title = "needs attention"
    parameter_name = "attention"

    def lookups(self, request, model_admin):
        return [("yes", "Needs attention (failed, unknown)")]

    def queryset(self, request, queryset):
        return queryset.needs_attention() if self.value() == "yes" else queryset


@admin.register(Email)
class EmailAdmin(ReadOnlyAdmin):
    """The email log: read-only, because an email that went out cannot be changed."""

    list_display = ["created_at", "kind_label", "to", "subject", "status", "attempts", "sent_at", "about"]
    list_filter = [NeedsAttentionFilter, "status", "kind"]
    search_fields = ["to"]
    date_hierarchy = "created_at"
    list_select_related = ["about_type"]
    fields = [
        "kind_label",
        "to",
        "subject",
        "text_body",
        "attachment_names",
        "status",
        "attempts",
        "attempted_at",
        "sent_at",
        "error_message",
        "message_id",
        "redacted_at",
        "about",
        "created_at",
        "updated_at",
    ]
    readonly_fields = fields

    @admin.display(description="kind", ordering="kind")
    def kind_label(self, obj):
        return obj.kind_label

    @admin.display(description="attachments")
    def attachment_names(self, obj):
        return ", ".join(attachment["name"] for attachment in obj.attachments) or "-"

    @admin.display(description="about")
    def about(self, obj):
        return admin_link(obj.about_type, obj.about_id)
