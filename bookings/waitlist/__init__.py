"""The wait list: patients who would take a time that suits them if one comes free.

- `models`: entries, freed time, offers (registered as the bookings app's models).
- `entries`: joining (online, with a texted code), reception adding a patient, leaving, expiry.
- `offers`: time freed by the booking services, offered in rounds; claiming an offer.

Nothing is imported here, so `bookings.models` can import the models without a cycle.
"""
