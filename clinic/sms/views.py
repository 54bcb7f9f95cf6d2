from django.conf import settings
from django.http import HttpResponse, HttpResponseForbidden
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from . import services
from .backends.twilio import is_valid_signature


@csrf_exempt  # Twilio cannot send a CSRF token; its signature authenticates the request instead
@require_POST
def status_callback(request, token):
    """Twilio's delivery report for one message, identified by the unguessable token in the URL.

    The signature covers the full URL as Twilio called it; behind a TLS-terminating proxy
    `build_absolute_uri()` gives the https address because settings trust X-Forwarded-Proto.
    """
    signature = request.headers.get("X-Twilio-Signature", "")
    params = request.POST.dict()
    if not settings.TWILIO_AUTH_TOKEN or not is_valid_signature(request.build_absolute_uri(), params, signature):
        return HttpResponseForbidden("Invalid signature")
    services.record_status_report(
        token=token,
        status=params.get("MessageStatus", ""),
        error_code=params.get("ErrorCode", ""),
        provider_id=params.get("MessageSid", ""),
    )
    # 200 even for an unknown token, so Twilio does not keep retrying a message we no longer have.
    return HttpResponse(status=200)
