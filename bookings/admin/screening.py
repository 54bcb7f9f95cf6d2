"""Health screening in the admin: the questions (managers), their published versions, consent
records, and how an appointment's screening is shown.

Everyone with access to an appointment sees its screening badge (not yet screened, screened,
flagged, referral, answers changed), which names no condition. The answers and details, in the
wording of the version they answered, need `bookings.view_clinical_notes`; the appointment and
callback pages include them only in a fieldset shown to holders of that permission.
"""

from __future__ import annotations

from django.contrib import admin
from django.db.models import Q
from django.utils import timezone
from django.utils.html import format_html, format_html_join

from ..consents import ConsentRecord
from ..models import AnswerSet, QuestionnaireVersion, ScreeningQuestion, ScreeningStatus
from ..screening.services import save_question

REVIEW = "review"


def badges_html(appointment):
    """The appointment's screening badges as HTML (safe for every staff member)."""
    return format_html_join(
        " ",
        '<span class="screening-badge screening-{}">{}</span>',
        appointment.screening_badges,
    )


def answer_set_html(answer_set: AnswerSet):
    """One set of answers, in the wording of the version it answered, Yes answers first marked."""
    rows = format_html_join(
        "",
        '<tr class="{}"><td>{}</td><td>{}</td><td>{}</td></tr>',
        (
            (
                f"answer-yes outcome-{row['outcome']}" if row["yes"] else "answer-no",
                row["text"],
                f"Yes ({row['outcome']})" if row["yes"] else "No",
                row["detail"] or "",
            )
            for row in answer_set.rows()
        ),
    )
    when = timezone.localtime(answer_set.created_at)
    return format_html(
        '<div class="answer-set"><p><strong>{}</strong>, {} (health questions version {}): {}</p>'
        '<table class="screening-answers"><thead><tr><th>Question (as asked)</th><th>Answer</th><th>Details</th>'
        "</tr></thead><tbody>{}</tbody></table></div>",
        answer_set.get_role_display(),
        f"{when:%a %d %b %Y %H:%M}",
        answer_set.version.number,
        answer_set.get_outcome_display(),
        rows,
    )


def answer_sets_html(answer_sets) -> str:
    answer_sets = list(answer_sets)
    if not answer_sets:
        return "No answers yet."
    return format_html_join("", "{}", ((answer_set_html(a),) for a in answer_sets))


class ScreeningFilter(admin.SimpleListFilter):
    title = "screening"
    parameter_name = "screening"

    def lookups(self, request, model_admin):
        return [(REVIEW, "Needs review: referral or answers changed"), *ScreeningStatus.choices]

    def queryset(self, request, queryset):
        if self.value() == REVIEW:
            return queryset.filter(Q(screening_status=ScreeningStatus.REFERRAL) | Q(answers_changed=True))
        if self.value() in ScreeningStatus.values:
            return queryset.filter(screening_status=self.value())
        return queryset


class AppointmentScreeningMixin:
    """The appointment admin's screening columns and read-only fields."""

    @admin.display(description="screening", ordering="screening_status")
    def screening_badge(self, obj):
        return badges_html(obj)

    @admin.display(description="health answers")
    def screening_answers(self, obj):
        # By id: the history pages pass a historical record, which has no reverse relations.
        return answer_sets_html(AnswerSet.objects.filter(appointment_id=obj.id).select_related("version"))


@admin.register(ScreeningQuestion)
class ScreeningQuestionAdmin(admin.ModelAdmin):
    """The health questions. Saving publishes a new version of the questionnaire; answers already
    given keep the wording they answered. Questions are retired (untick Active), never deleted."""

    list_display = ["order", "text", "outcome", "active"]
    list_display_links = ["text"]
    list_filter = ["outcome", "active"]
    fields = ["text", "help_text", "explanation", "outcome", "order", "active", "key"]

    def get_readonly_fields(self, request, obj=None):
        # Answers are stored under the key: changing it would cut them off from the question.
        return ["key"] if obj is not None else []

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        version = save_question(question=obj, by_user=request.user)
        self.message_user(request, f"Patients are now asked version {version.number} of the health questions.")

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions


class RecordAdmin(admin.ModelAdmin):
    """Evidence, not working data: viewed, never added, changed or deleted in the admin."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(QuestionnaireVersion)
class QuestionnaireVersionAdmin(RecordAdmin):
    """Every published version, read-only: what patients were asked, and when."""

    list_display = ["number", "published_at", "published_by", "question_count"]
    fields = ["number", "published_at", "published_by", "questions_table"]
    readonly_fields = fields

    @admin.display(description="questions")
    def question_count(self, obj):
        return len(obj.questions)

    @admin.display(description="questions as asked")
    def questions_table(self, obj):
        return format_html(
            '<table class="screening-answers"><thead><tr><th>Question</th><th>If Yes</th></tr></thead>'
            "<tbody>{}</tbody></table>",
            format_html_join("", "<tr><td>{}</td><td>{}</td></tr>", ((q["text"], q["outcome"]) for q in obj.questions)),
        )


@admin.register(ConsentRecord)
class ConsentRecordAdmin(RecordAdmin):
    """What people agreed to, in which wording, when: read-only evidence."""

    list_display = ["given_at", "purpose", "wording_version", "patient", "about_type"]
    list_filter = ["purpose", "wording_version"]
    list_select_related = ["patient", "about_type"]
    fields = ["purpose", "wording_version", "wording", "given_at", "patient", "about_type", "about_id"]
    readonly_fields = fields
    date_hierarchy = "given_at"
