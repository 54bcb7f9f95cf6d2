"""The site's "not found" page: in its own layout, with the clinic's phone, for every 404.

A view that knows why something was not found (a patient's link that expired) raises
`NotFoundExplained`; its `public_message` is shown. Other 404s (a mistyped address, a lookup
that failed) get the general wording: an exception's own text may be internal.
"""

from django.http import Http404
from django.shortcuts import render


class NotFoundExplained(Http404):
    """A 404 whose message is written for the person who followed the link."""

    def __init__(self, public_message: str):
        super().__init__(public_message)
        self.public_message = public_message


def page_not_found(request, exception=None):
    """handler404: the 404 page with context processors (the clinic's name and phone)."""
    message = getattr(exception, "public_message", "")
    return render(request, "404.html", {"message": message}, status=404)
