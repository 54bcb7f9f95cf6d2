from django.contrib import admin
from django.urls import include, path

from clinic.core import views as core_views
from clinic.core.health import ReadinessView

urlpatterns = [
    path("healthz", core_views.healthz, name="healthz"),
    path("readyz", ReadinessView.as_view(), name="readyz"),
    path("favicon.ico", core_views.favicon, name="favicon"),
    path("admin/", admin.site.urls),
    path("sms/", include("clinic.sms.urls")),
    path("callback/", include("callbacks.urls")),
    path("", include("bookings.urls")),
]

# Every 404 in the site's layout with the clinic's phone (a patient's expired link says so).
handler404 = "clinic.core.errors.page_not_found"
