"""Django's error emails to ADMINS (the fallback when Sentry is not set up), without patient data.

See clinic/core/reporting.py for why and what `scrub` removes.
"""

from __future__ import annotations

from django.utils.log import AdminEmailHandler
from django.views.debug import SafeExceptionReporterFilter

from .reporting import scrub


class PatientDataFilter(SafeExceptionReporterFilter):
    """For Django's error emails to ADMINS: no request data and no local variables at all, since
    any of them may hold a patient's details (DEFAULT_EXCEPTION_REPORTER_FILTER)."""

    def is_active(self, request):
        return True

    def get_post_parameters(self, request):
        if request is None:
            return {}
        return dict.fromkeys(request.POST, self.cleansed_substitute)

    def get_safe_cookies(self, request):
        return dict.fromkeys(getattr(request, "COOKIES", {}), self.cleansed_substitute)

    def get_safe_request_meta(self, request):
        meta = getattr(request, "META", {})
        keep = ("REQUEST_METHOD", "SERVER_NAME", "SERVER_PORT", "HTTP_USER_AGENT", "CONTENT_TYPE")
        return {key: meta[key] for key in keep if key in meta}

    def get_traceback_frame_variables(self, request, tb_frame):
        return [("(variables)", self.cleansed_substitute)]


class ScrubbedAdminEmailHandler(AdminEmailHandler):
    """Django's error email to ADMINS, with the subject and body through `scrub` (the exception's
    message and the URL can still hold a phone number or a link token)."""

    def send_mail(self, subject, message, *args, **kwargs):
        kwargs.pop("html_message", None)  # the HTML report shows local variables
        super().send_mail(scrub(subject), scrub(message), *args, **kwargs)
