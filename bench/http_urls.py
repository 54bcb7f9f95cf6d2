"""The site's own URLs plus a trivial view, served through the same middleware stack, for
`bench/http_load.py` to compare the booking pages against (only `bench.http_settings` mounts it)."""

from django.http import HttpResponse
from django.urls import path

from clinic.urls import urlpatterns as site


def trivial(request):
    """As little as a Django view can do: the floor every page's figure is compared with."""
    return HttpResponse(b"ok", content_type="text/plain")


urlpatterns = [path("bench/trivial/", trivial), *site]
