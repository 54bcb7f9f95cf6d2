"""Audit-trail admin shared by patients and appointments: history is read, never reverted."""

from __future__ import annotations

from datetime import datetime

from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils import timezone
from simple_history.admin import SimpleHistoryAdmin
from simple_history.template_utils import HistoricalRecordContextHelper


class ReadableHistory(HistoricalRecordContextHelper):
    """History changes as reception reads them: "Booked → Arrived", "Mon 07 Dec 10:00"."""

    def prepare_delta_change_value(self, change, value):
        field = self.model._meta.get_field(change.field)
        if field.choices and value is not None:
            return dict(field.flatchoices).get(value, value)
        if isinstance(value, datetime):
            return f"{timezone.localtime(value):%a %d %b %Y %H:%M}"
        return super().prepare_delta_change_value(change, value)


class KeptHistoryAdmin(SimpleHistoryAdmin):
    """History that is read, never reverted, and only for rows the user may see; no deleting."""

    history_hidden_fields: tuple[str, ...] = ()

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser

    def revert_disabled(self, request, obj=None):
        return True

    def history_view(self, request, object_id, extra_context=None):
        # simple-history falls back to the historical rows when the queryset does not hold the
        # object, which would show a therapist someone else's appointment.
        if self.get_object(request, unquote(object_id)) is None:
            raise Http404
        return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        # A POST here would "revert" the row with a plain save, around the booking services.
        if request.method != "GET":
            raise PermissionDenied
        if self.get_object(request, unquote(object_id)) is None:
            raise Http404
        return super().history_form_view(request, object_id, version_id, extra_context)

    def hidden_history_fields(self, request) -> list[str]:
        return list(self.history_hidden_fields)

    def get_historical_record_context_helper(self, request, historical_record):
        return ReadableHistory(self.model, historical_record)

    def set_history_delta_changes(self, request, historical_records, foreign_keys_are_objs=True):
        hidden = self.hidden_history_fields(request)
        previous = None
        for current in historical_records:
            if previous is not None:
                delta = previous.diff_against(
                    current, excluded_fields=hidden, foreign_keys_are_objs=foreign_keys_are_objs
                )
                helper = self.get_historical_record_context_helper(request, previous)
                previous.history_delta_changes = helper.context_for_delta_changes(delta)
            previous = current
