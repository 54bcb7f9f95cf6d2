"""Production refuses set-ups that would silently drop texts or email (design rule 10), or that
are unsafe with several processes and hosts: no shared Redis, a proxy whose clients all look alike.

These are Django system checks: `manage.py check`, `migrate` and the other management commands
run them, and so do the web and Celery processes at start-up (`refuse_unsafe_production`, called
from `clinic/wsgi.py` and `clinic/celery.py`), because gunicorn and Celery do not run checks
themselves. They only look at anything when `settings.PRODUCTION` is on (`clinic.settings.prod`).

A staging site that really wants the console backends says so with ALLOW_CONSOLE_BACKENDS=true;
the check then warns instead.
"""

from __future__ import annotations

from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured

TAG = "clinic_production"

CONSOLE_SMS_BACKENDS = {
    "clinic.sms.backends.console.ConsoleBackend": "prints every text instead of sending it",
    "clinic.sms.backends.locmem.LocmemBackend": "keeps every text in memory instead of sending it",
}
TWILIO_SMS_BACKEND = "clinic.sms.backends.twilio.TwilioBackend"
CONSOLE_EMAIL_BACKENDS = {
    "django.core.mail.backends.console.EmailBackend": "prints every email instead of sending it",
    "django.core.mail.backends.locmem.EmailBackend": "keeps every email in memory instead of sending it",
    "django.core.mail.backends.dummy.EmailBackend": "drops every email",
    "django.core.mail.backends.filebased.EmailBackend": "writes every email to a file instead of sending it",
}


def _production() -> bool:
    return getattr(settings, "PRODUCTION", False)


def _console_allowed() -> bool:
    return getattr(settings, "ALLOW_CONSOLE_BACKENDS", False)


def _not_sending(problem: str, *, hint: str, id: str) -> checks.CheckMessage:
    if _console_allowed():
        return checks.Warning(
            f"{problem} Allowed because ALLOW_CONSOLE_BACKENDS is on (a staging site only).", id=id.replace(".E", ".W")
        )
    return checks.Error(problem, hint=hint + " A staging site may set ALLOW_CONSOLE_BACKENDS=true.", id=id)


@checks.register(TAG)
def check_sms_backend(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """The SMS backend really sends texts, and Twilio has what it needs to."""
    if not _production():
        return []
    backend = settings.SMS_BACKEND
    if backend in CONSOLE_SMS_BACKENDS:
        return [
            _not_sending(
                f"SMS_BACKEND is {backend}: it {CONSOLE_SMS_BACKENDS[backend]}, so patients would get no texts.",
                hint=f"Set SMS_BACKEND={TWILIO_SMS_BACKEND} and the TWILIO_* variables (README, Twilio).",
                id="clinic.E001",
            )
        ]
    errors = []
    if backend == TWILIO_SMS_BACKEND:
        missing = [name for name in ("TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN") if not getattr(settings, name)]
        if missing:
            errors.append(
                checks.Error(
                    f"The Twilio SMS backend has no credentials: set {' and '.join(missing)}.",
                    hint="Both are on the Twilio console's account page.",
                    id="clinic.E002",
                )
            )
        if not (settings.TWILIO_MESSAGING_SERVICE_SID or settings.TWILIO_FROM_NUMBER):
            errors.append(
                checks.Error(
                    "The Twilio SMS backend has no sender: set TWILIO_MESSAGING_SERVICE_SID or TWILIO_FROM_NUMBER.",
                    id="clinic.E003",
                )
            )
    return errors


@checks.register(TAG)
def check_email_backend(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """Email (patients' confirmations and calendar invitations, reception's callback notices,
    error reports to ADMINS) really goes out, from an address other servers will take."""
    if not _production():
        return []
    backend = settings.EMAIL_BACKEND
    if backend in CONSOLE_EMAIL_BACKENDS:
        return [
            _not_sending(
                f"EMAIL_BACKEND is {backend}: it {CONSOLE_EMAIL_BACKENDS[backend]}, so patients' confirmation "
                "emails, reception's callback notices and error reports would reach no one.",
                hint="Set EMAIL_URL, e.g. smtp+tls://user:password@smtp.example.com:587.",
                id="clinic.E004",
            )
        ]
    if backend.startswith("anymail.") and not getattr(settings, "ANYMAIL", None):
        return [
            checks.Error(
                f"EMAIL_BACKEND is {backend} but ANYMAIL is empty: the provider's API needs its key.",
                hint="Set ANYMAIL, e.g. ANYMAIL=POSTMARK_SERVER_TOKEN=... (docs/email.md).",
                id="clinic.E015",
            )
        ]
    if settings.DEFAULT_FROM_EMAIL.rstrip("> ").endswith("@localhost"):
        # A warning, not a refusal: some relays rewrite the sender, and the email still goes.
        return [
            checks.Warning(
                f"DEFAULT_FROM_EMAIL is {settings.DEFAULT_FROM_EMAIL}: patients' mail servers are likely to "
                "reject or junk email from a localhost address.",
                hint="Set DEFAULT_FROM_EMAIL to an address at the clinic's domain, e.g. "
                "'Riverside Clinic <bookings@riverside.example>'.",
                id="clinic.W014",
            )
        ]
    return []


def refuse_unsafe_production() -> None:
    """Raise ImproperlyConfigured, listing every problem, if a production check fails.

    Called where a process starts serving (WSGI, Celery worker and beat): those do not run system
    checks, and a production site that starts anyway would drop texts without a word.
    """
    if not _production():
        return
    errors = [m for m in checks.run_checks(tags=[TAG]) if m.is_serious() and not m.is_silenced()]
    if errors:
        lines = "\n".join(f"  {m.id}: {m.msg}" + (f"\n    {m.hint}" if m.hint else "") for m in errors)
        raise ImproperlyConfigured(f"Refusing to start with an unsafe production set-up:\n{lines}")


SHARED_CACHE_BACKENDS = (
    "clinic.core.redis_cache.RedisCache",
    "django.core.cache.backends.redis.RedisCache",
    "django.core.cache.backends.memcached.",
)


@checks.register(TAG)
def check_shared_services(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """Several processes (and hosts) must share Redis: for the broker, and for a cache in which a
    rate limit means the same thing on every process."""
    if not _production():
        return []
    errors = []
    if not settings.REDIS_URL:
        errors.append(
            checks.Error(
                "REDIS_URL is not set: Celery would run tasks inside the web request and the cache would be "
                "each process's own (rate limits multiplied by the number of processes).",
                hint="Set REDIS_URL, e.g. redis://redis.internal:6379/0 (the broker; the cache takes the next number).",
                id="clinic.E010",
            )
        )
    backend = settings.CACHES["default"]["BACKEND"]
    if not backend.startswith(SHARED_CACHE_BACKENDS):
        errors.append(
            checks.Error(
                f"The cache ({backend}) is not shared between processes: every process would count rate "
                "limits on its own and cached pages would disagree between hosts.",
                hint="Use Redis (set REDIS_URL, or CACHE_URL) in production.",
                id="clinic.E011",
            )
        )
    if getattr(settings, "CELERY_TASK_ALWAYS_EAGER", False):
        errors.append(
            checks.Error(
                "CELERY_TASK_ALWAYS_EAGER is on: texts would be sent inside the patient's web request.",
                hint="Leave CELERY_TASK_ALWAYS_EAGER unset in production and run Celery workers.",
                id="clinic.E012",
            )
        )
    return errors


@checks.register(TAG)
def check_proxy_set_up(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """Behind a TLS proxy, the number of proxies that append to X-Forwarded-For must be said
    explicitly: left at 0, every patient has the balancer's address and shares one rate limit."""
    if not _production():
        return []
    behind_proxy = getattr(settings, "SECURE_PROXY_SSL_HEADER", None) is not None
    if behind_proxy and not getattr(settings, "TRUSTED_PROXY_COUNT_IS_SET", False):
        return [
            checks.Error(
                "BEHIND_TLS_PROXY is on but TRUSTED_PROXY_COUNT is not set: every patient would have the "
                "balancer's address, so the whole clinic would share one rate limit and one lockout.",
                hint="Set TRUSTED_PROXY_COUNT to the number of proxies that append to X-Forwarded-For "
                "(1 for a single load balancer; 0 if none does), and TRUSTED_PROXY_IPS if their addresses "
                "are not private.",
                id="clinic.E013",
            )
        ]
    return []
