from django.db import connection
from django.http import JsonResponse


def healthz(request):
    """For the load balancer: the app is up and can reach its database."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
