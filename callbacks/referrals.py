"""Referrals from the health questions become clinical-review callback requests.

`bookings` may not import `callbacks`, so `CallbacksConfig.ready()` registers
`request_clinical_review` with `bookings.screening.referrals`; the screening services call it in
their transaction when a patient gives a refer answer (in the booking flow, or from the link in a
reception booking's text).
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.urls import reverse

from bookings.screening.referrals import Receipt, Referral

from .models import CallbackRequest
from .services import request_callback


def request_clinical_review(referral: Referral) -> Receipt:
    """A callback request marked for clinical review, at the top of reception's queue, carrying
    the patient, the answers and what they wanted to book (or the booking whose link they
    answered). Side effects as `request_callback`: an acknowledgement to the patient and a notice
    to reception that names no condition. Runs in the caller's transaction. Returns the request and
    the thank-you page (its address says only when we will call)."""
    reason = CallbackRequest.Reason.EXISTING_APPOINTMENT if referral.appointment else CallbackRequest.Reason.BOOK
    submission = request_callback(
        name=referral.name,
        phone=referral.phone,
        reason=reason,
        referral=referral,
        consents=referral.consents,
    )
    req = submission.request
    thanks = f"{reverse('callbacks:thanks')}?{urlencode({'when': req.when, 'review': '1'})}"
    return Receipt(item=req, next_url=thanks)
