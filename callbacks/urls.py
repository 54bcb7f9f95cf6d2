from django.urls import path
from django.views.generic import TemplateView

app_name = "callbacks"

urlpatterns = [
    path("", TemplateView.as_view(template_name="pages/home.html"), name="request"),
]
