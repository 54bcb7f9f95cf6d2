"""The texts and emails sent about an appointment, for its admin page (staff who may see the logs)."""

from django import template
from django.utils import timezone

from clinic.mail.models import Email
from clinic.sms.models import Message

register = template.Library()


@register.inclusion_tag("admin/bookings/appointment/_messages.html")
def patient_messages(appointment, user) -> dict:
    """Rows of (when, what, to, status, admin URL name, pk), newest first: texts if `user` may view
    the SMS log, emails if they may view the email log."""
    rows = []
    if user.has_perm("sms.view_message"):
        for text in Message.objects.about(appointment).order_by("-created_at")[:20]:
            rows.append(("Text", text, text.kind_label, str(text.to or ""), "admin:sms_message_change"))
    if user.has_perm("mail.view_email"):
        for email in Email.objects.about(appointment).order_by("-created_at")[:20]:
            rows.append(("Email", email, email.kind_label, email.to, "admin:mail_email_change"))
    rows.sort(key=lambda row: row[1].created_at, reverse=True)
    return {
        "rows": [
            {
                "channel": channel,
                "when": timezone.localtime(row.sent_at or row.created_at),
                "kind": kind,
                "to": to,
                "status": row.get_status_display(),
                "status_code": row.status,
                "url_name": url_name,
                "pk": row.pk,
            }
            for channel, row, kind, to, url_name in rows
        ]
    }
