"""Reception's workplace in the admin: appointments and the diary, patients, treatments, the wait list.

Every write here goes through `bookings.services` (see `appointments`), so the lock / re-check /
constraint guard and the audit trail apply to every change made in the admin.
"""

from . import appointments, patients, screening, treatments, waitlist  # noqa: F401  (registers the ModelAdmins)
