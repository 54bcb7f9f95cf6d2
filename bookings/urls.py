from django.urls import path

from . import views

app_name = "bookings"

urlpatterns = [
    path("", views.home, name="home"),
    path("soft-tissue-release/", views.treatment, name="treatment"),
    path("privacy/", views.privacy, name="privacy"),
    path("cancellation-policy/", views.cancellation_policy, name="cancellation_policy"),
    # The booking flow: each step is a GET address, so Back and refresh keep the patient's choices.
    path("book/", views.book, name="book"),
    path("book/day/", views.day, name="day"),
    path("book/time/", views.time, name="time"),
    path("book/details/", views.details, name="details"),
    path("book/confirmed/<str:token>/", views.confirmation, name="confirmation"),
    path("book/confirmed/<str:token>/appointment.ics", views.calendar_file, name="calendar"),
    # The wait list: join from the day page, confirm the mobile, see or leave one's place; offers.
    path("book/wait-list/", views.wait_list_join, name="wait_list"),
    path("book/wait-list/<str:token>/", views.wait_list_entry, name="wait_list_entry"),
    path("book/wait-list/<str:token>/confirm/", views.wait_list_confirm, name="wait_list_confirm"),
    path("offer/<str:token>/", views.offer, name="offer"),
    # The patient's own appointment, from the link in their texts (a signed, expiring token).
    path("manage/<str:token>/", views.manage, name="manage"),
    path("manage/<str:token>/move/", views.manage_move, name="manage_move"),
    path("manage/<str:token>/cancel/", views.manage_cancel, name="manage_cancel"),
    path("manage/<str:token>/appointment.ics", views.manage_calendar, name="manage_calendar"),
    # "My bookings": sign in with a texted code; every appointment booked with that number.
    path("my-bookings/", views.my_bookings, name="my_bookings"),
    path("my-bookings/code/", views.my_bookings_code, name="my_bookings_code"),
    path("my-bookings/sign-out/", views.my_bookings_sign_out, name="my_bookings_sign_out"),
    path("my-bookings/<str:reference>/move/", views.my_bookings_move, name="my_bookings_move"),
    path("my-bookings/<str:reference>/cancel/", views.my_bookings_cancel, name="my_bookings_cancel"),
    path("my-bookings/<str:reference>/appointment.ics", views.my_bookings_calendar, name="my_bookings_calendar"),
    # The health questions for a reception booking, from its texts (a short signed token).
    path("health/<str:token>/", views.screening, name="screening"),
]
