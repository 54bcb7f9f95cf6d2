"""The public pages: home, the treatment explained, privacy and cancellation policy."""

from django.shortcuts import render

from clinic.core.models import OpeningHours
from clinic.core.privacy_notice import render_notice
from therapists.models import Therapist

from ..models import TreatmentLength


def _lengths():
    return TreatmentLength.objects.bookable().select_related("treatment").order_by("minutes")


def home(request):
    return render(
        request,
        "pages/home.html",
        {"lengths": _lengths(), "opening_hours": OpeningHours.objects.all(), "therapists": Therapist.objects.active()},
    )


def treatment(request):
    return render(request, "pages/treatment.html", {"lengths": _lengths()})


def privacy(request):
    notice, version = render_notice()
    # The notice is template output (already escaped), kept whole so its hash is its version.
    return render(request, "pages/privacy.html", {"notice": notice, "version": version})


def cancellation_policy(request):
    return render(request, "pages/cancellation_policy.html")
