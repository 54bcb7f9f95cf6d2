"""Every look at a patient's note or screening answers in the appointment admin is recorded (who,
when, which patient): on the appointment's page, in its history and in an earlier version. The
diary records its own (`diary_views.record_notes_shown`). Managers read the records under
Clinic → Clinical record accesses."""

from __future__ import annotations

from clinic.core.clinical_access import record_clinical_view
from clinic.core.roles import can_view_clinical_notes

WHAT = "clinical note and screening answers"


class ClinicalAccessRecorded:
    """For the appointment admin: record the views that show clinical fields."""

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None and can_view_clinical_notes(request.user) and (obj.note or obj.answer_sets.exists()):
            record_clinical_view(
                user=request.user, patient_ids=[obj.patient_id], what=WHAT, where=f"appointment {obj.reference}"
            )
        return super().render_change_form(request, context, add, change, form_url, obj)

    def history_view(self, request, object_id, extra_context=None):
        response = super().history_view(request, object_id, extra_context)
        self._record_history_seen(request, object_id, "history")
        return response

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        response = super().history_form_view(request, object_id, version_id, extra_context)
        self._record_history_seen(request, object_id, "earlier version")
        return response

    def _record_history_seen(self, request, object_id, page: str) -> None:
        # The history shows earlier notes and screening answers to holders of the permission.
        if can_view_clinical_notes(request.user):
            appointment = self.get_object(request, object_id)
            record_clinical_view(
                user=request.user,
                patient_ids=[appointment.patient_id],
                what=WHAT,
                where=f"appointment {appointment.reference}, {page}",
            )
