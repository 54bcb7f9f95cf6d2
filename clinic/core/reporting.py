"""Error reports without patient data: Sentry when SENTRY_DSN is set, otherwise email to ADMINS.

Patients' names, phone numbers, health answers and the links that open their appointments must
not leave the site in an error report (design rule 9). Turning options off is not enough: with
`send_default_pii` off, a phone number still reaches Sentry in an exception message, the request
body and the frames' local variables (tried against a fake Sentry ingest). So:

- nothing is collected that could hold them: no request bodies, cookies, user details or local
  variables (`data_collection`), and the email report's POST, cookies, META and frame variables
  are replaced by stars (`clinic.core.error_emails.PatientDataFilter`);
- what is sent anyway (messages, breadcrumbs, URLs, database error details) goes through `scrub`,
  which removes phone numbers, email addresses, the values in PostgreSQL's "Key (...)=(...)"
  details and the signed tokens in patient links.

This module imports nothing from Django: settings import it to start Sentry. Names cannot be
recognised in free text; they are kept out by never collecting bodies or
variables, and by log messages that name rows by id (the style guide's rule).
"""

from __future__ import annotations

import re
from typing import Any

REDACTED = "[redacted]"

# UK and international numbers as people write them, but not dates, times, ids or amounts.
PHONE_RE = re.compile(
    r"""
    (?<![\w+.-])
    (?: (?:\+|00)[1-9]\d{0,2}[\s.-]?(?:\(0\)[\s.-]?)?\d[\d\s.-]{5,14}\d    # +44 7700 900123, 0044…, +1 415…
      | 0\d{2,4}[\s-]?\d{3,4}[\s-]?\d{3,4} )                               # 07700 900123, 020 7946 0018
    (?![\w-])""",
    re.X,
)
EMAIL_RE = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# PostgreSQL's "DETAIL: Key (phone)=(+447700900123) already exists." names the row's values.
DB_KEY_RE = re.compile(r"(Key \([^)]*\)=\()[^)]*(\))")
# Signed tokens in patient links (manage, confirmation) and the SMS status callback open a record.
LINK_TOKEN_RE = re.compile(r"(/(?:manage|book/confirmed|sms/status)/)[^/?#\s\"']+")


def scrub(value: Any) -> Any:
    """`value` with phone numbers, emails, database key values and link tokens redacted, recursively."""
    if isinstance(value, str):
        value = LINK_TOKEN_RE.sub(r"\1[token]", value)
        value = DB_KEY_RE.sub(rf"\1{REDACTED}\2", value)
        value = EMAIL_RE.sub("[email]", value)
        return PHONE_RE.sub("[phone]", value)
    if isinstance(value, dict):
        return {key: scrub(item) for key, item in value.items()}
    if isinstance(value, list):
        return [scrub(item) for item in value]
    if isinstance(value, tuple):
        return tuple(scrub(item) for item in value)
    return value


def before_send(event: dict, hint: dict) -> dict:
    """Sentry's last look at an event: drop what may hold patient data, scrub the rest."""
    request = event.get("request") or {}
    for key in ("data", "cookies", "query_string", "env"):
        request.pop(key, None)
    headers = request.get("headers") or {}
    for key in list(headers):
        if key.lower() in ("cookie", "authorization", "x-forwarded-for", "referer"):
            del headers[key]
    user = event.get("user") or {}
    event["user"] = {"id": user["id"]} if "id" in user else {}
    for exception in (event.get("exception") or {}).get("values") or []:
        for frame in (exception.get("stacktrace") or {}).get("frames") or []:
            frame.pop("vars", None)
    return scrub(event)


def before_breadcrumb(crumb: dict, hint: dict) -> dict:
    return scrub(crumb)


def init_sentry(*, dsn: str, environment: str = "production", release: str | None = None) -> None:
    """Start reporting errors to Sentry (Django, Celery and logging integrations), nothing personal."""
    import sentry_sdk
    from sentry_sdk.integrations.django import DjangoIntegration

    sentry_sdk.init(
        dsn=dsn,
        environment=environment,
        release=release,
        integrations=[DjangoIntegration()],
        # What the SDK may collect at all; supersedes the deprecated send_default_pii.
        data_collection={
            "user_info": False,
            "cookies": {"mode": "off"},
            "http_headers": {"request": {"mode": "allowlist", "terms": ["user-agent", "content-type", "accept"]}},
            "http_bodies": [],
            "url_query_params": {"mode": "off"},
            "stack_frame_variables": False,
            "database_query_data": False,
        },
        include_local_variables=False,
        max_request_body_size="never",
        before_send=before_send,
        before_breadcrumb=before_breadcrumb,
        traces_sample_rate=0,
    )
