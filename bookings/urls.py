from django.urls import path
from django.views.generic import TemplateView

app_name = "bookings"

# The public pages and the booking flow; the flow's views arrive with the booking issue.
urlpatterns = [
    path("", TemplateView.as_view(template_name="pages/home.html"), name="home"),
    path("soft-tissue-release/", TemplateView.as_view(template_name="pages/treatment.html"), name="treatment"),
    path("privacy/", TemplateView.as_view(template_name="pages/privacy.html"), name="privacy"),
    path(
        "cancellation-policy/",
        TemplateView.as_view(template_name="pages/cancellation_policy.html"),
        name="cancellation_policy",
    ),
    path("book/", TemplateView.as_view(template_name="pages/home.html"), name="book"),
]
