from django.utils.functional import SimpleLazyObject

from .models import ClinicSettings


def clinic(request):
    """The clinic's name, phone and address for every template; queried only if a page uses it."""
    return {"clinic": SimpleLazyObject(ClinicSettings.load)}
