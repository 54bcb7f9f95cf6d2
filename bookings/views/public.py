"""The public pages: home, the treatment explained, privacy and cancellation policy."""

from urllib.parse import urlencode

from django.shortcuts import render
from django.urls import reverse

from clinic.core.models import OpeningHours
from clinic.core.privacy_notice import render_notice
from therapists.models import Therapist

from ..catalogue import load_catalogue
from ..models import TreatmentLength


def _lengths():
    return TreatmentLength.objects.bookable().select_related("treatment").order_by("minutes")


def home(request):
    """The home page. With more than one treatment on offer it lists each (name, description,
    lengths and prices) with its own "Book" link; with one, the lengths and prices as before."""
    catalogue = load_catalogue()
    treatments = [
        {
            "treatment": treatment,
            "lengths": catalogue.lengths_of(treatment),
            "book_url": f"{reverse('bookings:book')}?{urlencode({'treatment': treatment.slug})}",
        }
        for treatment in catalogue.treatments
    ]
    context = {
        "lengths": catalogue.lengths_of(treatments[0]["treatment"]) if len(treatments) == 1 else catalogue.lengths,
        "treatments": treatments if len(treatments) > 1 else [],
        "opening_hours": OpeningHours.objects.all(),
        "therapists": Therapist.objects.active(),
    }
    return render(request, "pages/home.html", context)


def treatment(request):
    return render(request, "pages/treatment.html", {"lengths": _lengths()})


def privacy(request):
    notice, version = render_notice()
    # The notice is template output (already escaped), kept whole so its hash is its version.
    return render(request, "pages/privacy.html", {"notice": notice, "version": version})


def cancellation_policy(request):
    return render(request, "pages/cancellation_policy.html")
