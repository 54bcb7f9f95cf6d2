"""Signed tokens for the public booking pages: links and hidden fields that carry no personal data.

- The idempotency token is rendered into the details form; a repeated submit of the same form
  (double click, refresh, back-and-resubmit) carries the same key, so `create_booking` returns the
  appointment the first submit made instead of booking twice.
- The confirmation token names one appointment for a short while, so the page after booking is
  reached by a redirect (POST-redirect-GET) without a guessable id in the address.
- The manage token is what a patient's SMS links to: one appointment, signed, expiring.
- The screening token is the link to the health questions in a reception booking's texts. It is
  short, so the confirmation still fits in two SMS segments: the appointment's id and a truncated
  HMAC of its id and reference (132 bits). It needs no timestamp because it expires with the
  appointment: the page refuses it once the appointment has started or is no longer booked.
- The wait-list tokens name one entry (its confirm and leave page) or one offer (its claim link);
  the offer's own expiry is in the database, the signature's age is only an outer bound.

All are Django signatures (HMAC with SECRET_KEY), each with its own salt so one kind cannot be
passed off as another.
"""

from __future__ import annotations

import secrets
from datetime import timedelta

from django.core import signing
from django.urls import reverse
from django.utils.crypto import constant_time_compare

IDEMPOTENCY_SALT = "bookings.idempotency"
CONFIRMATION_SALT = "bookings.confirmation"
MANAGE_SALT = "bookings.manage"
SCREENING_SALT = "bookings.screening"
SCREENING_SIGNATURE_LENGTH = 22
WAIT_LIST_SALT = "bookings.wait_list"
OFFER_SALT = "bookings.wait_list.offer"

# A details form left open longer than this is refreshed rather than trusted.
IDEMPOTENCY_MAX_AGE = timedelta(hours=12)
CONFIRMATION_MAX_AGE = timedelta(days=7)
MANAGE_MAX_AGE = timedelta(days=120)
WAIT_LIST_MAX_AGE = timedelta(days=35)  # an entry lasts at most four weeks
OFFER_MAX_AGE = timedelta(days=2)


class BadToken(Exception):
    """The token was altered, is of another kind, or has expired."""


def new_idempotency_token() -> str:
    return signing.dumps(secrets.token_urlsafe(24), salt=IDEMPOTENCY_SALT, compress=False)


def read_idempotency_token(token: str) -> str:
    """The one-time key inside a details form's token (at most 64 characters, as stored)."""
    try:
        key = signing.loads(token, salt=IDEMPOTENCY_SALT, max_age=IDEMPOTENCY_MAX_AGE)
    except signing.BadSignature as error:
        raise BadToken from error
    if not isinstance(key, str) or not 16 <= len(key) <= 64:
        raise BadToken
    return key


def confirmation_token(appointment) -> str:
    return signing.dumps(appointment.pk, salt=CONFIRMATION_SALT)


def read_confirmation_token(token: str) -> int:
    try:
        pk = signing.loads(token, salt=CONFIRMATION_SALT, max_age=CONFIRMATION_MAX_AGE)
    except signing.BadSignature as error:
        raise BadToken from error
    if not isinstance(pk, int):
        raise BadToken
    return pk


def manage_token(appointment) -> str:
    """A link token for one appointment. The reference is signed in too, so a token can never be
    read as another appointment's, even if primary keys were ever reused after a restore."""
    return signing.dumps([appointment.pk, appointment.reference], salt=MANAGE_SALT)


def read_manage_token(token: str) -> tuple[int, str]:
    try:
        value = signing.loads(token, salt=MANAGE_SALT, max_age=MANAGE_MAX_AGE)
    except signing.BadSignature as error:
        raise BadToken from error
    if not (isinstance(value, list) and len(value) == 2 and isinstance(value[0], int)):
        raise BadToken
    return value[0], value[1]


def manage_path(appointment) -> str:
    """The site-relative address of the patient's manage page (prefix PUBLIC_BASE_URL for an SMS)."""
    return reverse("bookings:manage", args=[manage_token(appointment)])


def _screening_signature(pk: int, reference: str) -> str:
    return signing.Signer(salt=SCREENING_SALT).signature(f"{pk}.{reference}")[:SCREENING_SIGNATURE_LENGTH]


def _base36(number: int) -> str:
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    text = ""
    while True:
        number, remainder = divmod(number, 36)
        text = digits[remainder] + text
        if not number:
            return text


def screening_token(appointment) -> str:
    """The short token in the link to an appointment's health questions, e.g. "3f-Xy…" (no personal data)."""
    return f"{_base36(appointment.pk)}-{_screening_signature(appointment.pk, appointment.reference)}"


def screening_token_pk(token: str) -> int:
    """The appointment id a screening token claims; check it with `screening_token_matches`."""
    pk_part, _, signature = token.partition("-")
    try:
        pk = int(pk_part, 36)
    except ValueError as error:
        raise BadToken from error
    if len(signature) != SCREENING_SIGNATURE_LENGTH or pk <= 0:
        raise BadToken
    return pk


def screening_token_matches(token: str, appointment) -> bool:
    return constant_time_compare(token, screening_token(appointment))


def screening_path(appointment) -> str:
    """The site-relative address of the appointment's health questions (prefix PUBLIC_BASE_URL)."""
    return reverse("bookings:screening", args=[screening_token(appointment)])


def _pair_token(obj, moment, salt: str) -> str:
    # The row's id and an instant of its own, so a token cannot name a row that reused the id.
    return signing.dumps([obj.pk, int(moment.timestamp())], salt=salt)


def _read_pair(token: str, salt: str, max_age: timedelta) -> tuple[int, int]:
    try:
        value = signing.loads(token, salt=salt, max_age=max_age)
    except signing.BadSignature as error:
        raise BadToken from error
    if not (isinstance(value, list) and len(value) == 2 and all(isinstance(v, int) for v in value)):
        raise BadToken
    return value[0], value[1]


def wait_list_token(entry) -> str:
    return _pair_token(entry, entry.created_at, WAIT_LIST_SALT)


def read_wait_list_token(token: str) -> tuple[int, int]:
    """(entry id, its created_at as a Unix time)."""
    return _read_pair(token, WAIT_LIST_SALT, WAIT_LIST_MAX_AGE)


def offer_token(offer) -> str:
    return _pair_token(offer, offer.offered_at, OFFER_SALT)


def read_offer_token(token: str) -> tuple[int, int]:
    """(offer id, its offered_at as a Unix time)."""
    return _read_pair(token, OFFER_SALT, OFFER_MAX_AGE)
