from django.urls import path

from . import views

app_name = "sms"

urlpatterns = [
    path("status/<str:token>/", views.status_callback, name="status"),
    path("incoming/", views.incoming, name="incoming"),
]
