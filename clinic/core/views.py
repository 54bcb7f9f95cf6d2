from django.conf import settings
from django.db import connection
from django.http import FileResponse, JsonResponse
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET


def healthz(request):
    """For the load balancer: the app is up and can reach its database."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


@require_GET
@cache_control(max_age=7 * 24 * 3600, public=True)
def favicon(request):
    """/favicon.ico, which browsers ask for on every site whatever the page links to."""
    return FileResponse(open(settings.BASE_DIR / "static" / "favicon.ico", "rb"), content_type="image/x-icon")
