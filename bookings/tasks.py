"""Celery tasks for the wait list: thin, taking primary keys; the work is in `waitlist.offers`."""

from celery import shared_task

from .waitlist import entries, offers


@shared_task(name="bookings.tasks.offer_freed_time", ignore_result=True)
def offer_freed_time(freed_id: int) -> int:
    """Queued after a commit that freed time: offer it to the wait list now."""
    return len(offers.offer_freed_time(freed_id=freed_id))


@shared_task(name="bookings.tasks.offer_due_freed_time", ignore_result=True)
def offer_due_freed_time() -> int:
    """Run by beat every minute: freed time that is due (missed, after quiet hours, or whose
    round of offers has run out), and entries past their last day."""
    entries.expire_wait_list()
    return offers.offer_due_freed_time()
