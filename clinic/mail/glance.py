"""The admin index's count of emails that need attention (registered in `MailConfig.ready`)."""

from django.urls import reverse

from clinic.core.glance import Item, plural

from .models import Email


def emails_needing_attention(request):
    """Failed emails and those whose outcome is unknown, for staff who may view the email log."""
    if not request.user.has_perm("mail.view_email"):
        return []
    count = Email.objects.needs_attention().count()
    return [
        Item(
            order=31,
            count=count,
            text=f"{plural(count, 'email')} needing attention",
            url=f"{reverse('admin:mail_email_changelist')}?attention=yes",
            attention=bool(count),
        )
    ]
