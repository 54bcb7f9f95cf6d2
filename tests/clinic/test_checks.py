"""Production refuses set-ups that would silently drop texts or email (issue 10, finding 5)."""

import pytest
from django.core.exceptions import ImproperlyConfigured

from clinic.core.checks import (
    check_email_backend,
    check_proxy_set_up,
    check_shared_services,
    check_sms_backend,
    refuse_unsafe_production,
)

from .test_settings_prod import PRODUCTION_LIKE, manage, python

CONSOLE_SMS = "clinic.sms.backends.console.ConsoleBackend"
LOCMEM_SMS = "clinic.sms.backends.locmem.LocmemBackend"
TWILIO_SMS = "clinic.sms.backends.twilio.TwilioBackend"
CONSOLE_EMAIL = "django.core.mail.backends.console.EmailBackend"


@pytest.fixture
def production(settings):
    """Production-like settings that pass every check; each test breaks one thing."""
    settings.PRODUCTION = True
    settings.ALLOW_CONSOLE_BACKENDS = False
    settings.SMS_BACKEND = TWILIO_SMS
    settings.TWILIO_ACCOUNT_SID, settings.TWILIO_AUTH_TOKEN = "AC" + "1" * 32, "token"
    settings.TWILIO_MESSAGING_SERVICE_SID, settings.TWILIO_FROM_NUMBER = "MG" + "1" * 32, ""
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.DEFAULT_FROM_EMAIL = "Riverside Clinic <bookings@riverside.example>"
    settings.REDIS_URL = "redis://redis.internal:6379/0"
    settings.CACHES = {
        "default": {
            "BACKEND": "clinic.core.redis_cache.RedisCache",
            "LOCATION": "redis://redis.internal:6379/1",
        }
    }
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.TRUSTED_PROXY_COUNT, settings.TRUSTED_PROXY_COUNT_IS_SET = 1, True
    return settings


def all_checks():
    return check_sms_backend() + check_email_backend() + check_shared_services() + check_proxy_set_up()


def ids(messages):
    return [m.id for m in messages]


def test_a_complete_production_set_up_passes(production):
    assert all_checks() == []
    refuse_unsafe_production()  # does not raise


@pytest.mark.parametrize("backend", [CONSOLE_SMS, LOCMEM_SMS])
def test_texts_that_would_be_printed_or_kept_in_memory_are_refused(production, backend):
    production.SMS_BACKEND = backend
    assert ids(check_sms_backend()) == ["clinic.E001"]
    with pytest.raises(ImproperlyConfigured, match="patients would get no texts"):
        refuse_unsafe_production()


@pytest.mark.parametrize("missing", ["TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN"])
def test_twilio_without_credentials_is_refused(production, missing):
    setattr(production, missing, "")
    [error] = check_sms_backend()
    assert error.id == "clinic.E002" and missing in error.msg


def test_twilio_without_a_sender_is_refused_but_either_sender_will_do(production):
    production.TWILIO_MESSAGING_SERVICE_SID = ""
    assert ids(check_sms_backend()) == ["clinic.E003"]
    production.TWILIO_FROM_NUMBER = "+447400000001"
    assert check_sms_backend() == []


@pytest.mark.parametrize("backend", [CONSOLE_EMAIL, "django.core.mail.backends.locmem.EmailBackend"])
def test_email_that_would_go_to_the_console_is_refused(production, backend):
    production.EMAIL_BACKEND = backend
    [error] = check_email_backend()
    assert error.id == "clinic.E004" and "patients' confirmation emails" in error.msg


def test_a_provider_api_without_its_key_is_refused(production):
    production.EMAIL_BACKEND, production.ANYMAIL = "anymail.backends.postmark.EmailBackend", {}
    assert ids(check_email_backend()) == ["clinic.E015"]
    production.ANYMAIL = {"POSTMARK_SERVER_TOKEN": "server-token"}
    assert check_email_backend() == []


def test_a_localhost_sender_is_warned_about_but_does_not_stop_the_start(production):
    production.DEFAULT_FROM_EMAIL = "bookings@localhost"
    [warning] = check_email_backend()
    assert warning.id == "clinic.W014" and not warning.is_serious()
    refuse_unsafe_production()  # does not raise


def test_a_staging_site_may_allow_console_backends_and_is_warned(production):
    production.SMS_BACKEND, production.EMAIL_BACKEND = CONSOLE_SMS, CONSOLE_EMAIL
    production.ALLOW_CONSOLE_BACKENDS = True
    messages = check_sms_backend() + check_email_backend()
    assert ids(messages) == ["clinic.W001", "clinic.W004"]
    assert not any(m.is_serious() for m in messages)
    refuse_unsafe_production()


def test_outside_production_nothing_is_checked(settings):
    settings.PRODUCTION = False
    settings.SMS_BACKEND = CONSOLE_SMS
    assert check_sms_backend() == []


# --- the real processes --------------------------------------------------------------------------


def test_production_settings_default_to_twilio_and_refuse_to_start_without_its_settings():
    env = {k: v for k, v in PRODUCTION_LIKE.items() if not k.startswith("TWILIO_") and k != "SMS_BACKEND"}
    result = manage("check", env=env)
    assert result.returncode != 0
    assert "clinic.E002" in result.stderr and "clinic.E003" in result.stderr


def test_the_web_process_refuses_to_start_with_console_texts():
    result = python("-c", "import clinic.wsgi", env={**PRODUCTION_LIKE, "SMS_BACKEND": CONSOLE_SMS})
    assert result.returncode != 0
    assert "Refusing to start with an unsafe production set-up" in result.stderr
    assert "clinic.E001" in result.stderr


def test_a_celery_worker_refuses_to_start_with_console_email():
    env = {**PRODUCTION_LIKE, "EMAIL_URL": "consolemail://"}
    result = python("-m", "celery", "-A", "clinic", "worker", "--pool=solo", env=env, timeout=60)
    assert result.returncode == 1
    assert "clinic.E004" in result.stderr


# --- several hosts (issue 17) ----------------------------------------------------------------------


def test_production_without_redis_is_refused(production):
    """Finding 2: without REDIS_URL the cache is per process and Celery runs inside the request."""
    production.REDIS_URL = ""
    production.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    production.CELERY_TASK_ALWAYS_EAGER = True
    assert ids(check_shared_services()) == ["clinic.E010", "clinic.E011", "clinic.E012"]


@pytest.mark.parametrize(
    "backend",
    [
        "django.core.cache.backends.locmem.LocMemCache",
        "django.core.cache.backends.dummy.DummyCache",
        "django.core.cache.backends.filebased.FileBasedCache",
    ],
)
def test_a_cache_that_is_not_shared_is_refused(production, backend):
    production.CACHES = {"default": {"BACKEND": backend, "LOCATION": "/tmp/x"}}
    assert ids(check_shared_services()) == ["clinic.E011"]


def test_behind_a_tls_proxy_the_proxy_count_must_be_explicit(production):
    """Finding 1: with the count left at its default, every patient has the balancer's address."""
    production.TRUSTED_PROXY_COUNT, production.TRUSTED_PROXY_COUNT_IS_SET = 0, False
    [error] = check_proxy_set_up()
    assert error.id == "clinic.E013" and "TRUSTED_PROXY_COUNT" in error.msg
    production.TRUSTED_PROXY_COUNT_IS_SET = True  # an explicit 0 (a proxy that does not append) is a decision
    assert check_proxy_set_up() == []
    production.SECURE_PROXY_SSL_HEADER, production.TRUSTED_PROXY_COUNT_IS_SET = None, False
    assert check_proxy_set_up() == []


def test_production_settings_without_redis_or_a_proxy_count_refuse_to_start():
    env = {k: v for k, v in PRODUCTION_LIKE.items() if k not in ("REDIS_URL", "TRUSTED_PROXY_COUNT")}
    result = manage("check", "--deploy", env=env)
    assert result.returncode != 0
    for error in ("clinic.E010", "clinic.E011", "clinic.E012", "clinic.E013"):
        assert error in result.stderr
