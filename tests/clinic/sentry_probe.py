"""A Django process with SENTRY_DSN set whose view fails with a patient's details all around it.

Run by tests/clinic/test_reporting.py as `python -m tests.clinic.sentry_probe` (in its own process,
because Sentry's Django integration patches Django for good once started).
"""

import logging
import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clinic.settings.test")

import django

django.setup()

from django.http import HttpResponse  # noqa: E402
from django.test import Client, override_settings  # noqa: E402
from django.urls import path  # noqa: E402
from django.views.decorators.csrf import csrf_exempt  # noqa: E402

logger = logging.getLogger("clinic.probe")


@csrf_exempt
def fail(request, token):
    patient_name = request.POST["name"]
    phone = request.POST["phone"]
    logger.warning("sending SMS to %s", phone)  # becomes a breadcrumb
    health = request.POST["screening"]
    raise ValueError(f"SMS to {phone} failed (answers {len(health)} chars, {patient_name[:0]})")


def server_error(request):
    return HttpResponse("error", status=500)


urlpatterns = [path("manage/<str:token>/", fail)]
handler500 = server_error

if __name__ == "__main__":
    import sentry_sdk

    with override_settings(ROOT_URLCONF=__name__):
        client = Client(raise_request_exception=False)
        client.cookies["sessionid"] = "secret-session-cookie"
        response = client.post(
            "/manage/Zm9vLmJhcg:1tXyZ:signedtokenvalue123/?phone=07700900123",
            {"name": "Pat Example", "phone": "07700 900123", "screening": "Recent knee surgery"},
            HTTP_X_FORWARDED_FOR="203.0.113.7",
        )
        assert response.status_code == 500, response.status_code
    sentry_sdk.flush(timeout=10)
    print("probe done")
