from django.db import connection
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render


def healthz(request):
    """For the load balancer: the app is up and can reach its database."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


def rate_limited(request, exception=None):
    """django-ratelimit's blocked requests: a polite page, not a bare 403."""
    response: HttpResponse = render(request, "rate_limited.html", status=429)
    response["Retry-After"] = "3600"
    return response
