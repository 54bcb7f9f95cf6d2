"""Settings shared by every environment.

Infrastructure comes from environment variables (django-environ); the defaults run the demo on
SQLite with console SMS and Celery tasks executed in-process, so a newcomer needs no services.
Things a clinic manager changes (name, phone, address, booking policy) live in the database and
are edited in admin (`clinic.core.models.ClinicSettings`, under Clinic → Clinic settings).
"""

import socket
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import environ
from celery.schedules import crontab

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
# A local .env file is convenient in development; real deployments set the environment.
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

SECRET_KEY = env("SECRET_KEY", default="dev-only-insecure-key-change-me")
# Production settings turn this on: the checks in clinic/core/checks.py then refuse unsafe set-ups.
PRODUCTION = False
# This host's name in /readyz's comparison of SECRET_KEYs between hosts (clinic/core/hosts.py).
HOST_ID = env("HOST_ID", default=socket.gethostname())
HOST_SEEN_MINUTES = env.int("HOST_SEEN_MINUTES", default=10)
DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    # django.contrib.admin, with two-factor sign-in for staff (clinic/core/two_factor.py)
    "clinic.core.admin_apps.ClinicAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "crispy_forms",
    "crispy_bootstrap5",
    "phonenumber_field",
    "django_htmx",
    "simple_history",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "csp",
    "bootstrap",
    "clinic.core",
    "clinic.sms",
    "clinic.codes",
    "clinic.mail",
    "therapists",
    "bookings",
    "callbacks",
    "reports",
]

MIDDLEWARE = [
    # First, so every later log line of the request carries its id.
    "clinic.core.logs.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "clinic.core.staff_sessions.StaffSessionTimeoutMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # A request that gave up waiting for a row lock gets a polite 503, not a 500.
    "clinic.core.middleware.DatabaseBusyMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # django-axes must come last (its documentation).
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "clinic.urls"
WSGI_APPLICATION = "clinic.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "clinic.core.context_processors.clinic",
            ],
        },
    },
]

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # SQLite has no exclusion constraints; an IMMEDIATE transaction takes the write lock at
    # BEGIN, so the booking service's check-then-insert is serialised (the demo's guard).
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"].update({"transaction_mode": "IMMEDIATE", "timeout": 20})
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # Time-boxed locks, so one stalled transaction cannot hold a therapist's diary for everyone:
    # - a statement waits at most DB_LOCK_TIMEOUT_MS for a row lock, then the booking answers
    #   "we are busy, please try again" (bookings.services.Busy), well inside gunicorn's timeout;
    # - a session idle inside a transaction for DB_IDLE_IN_TRANSACTION_TIMEOUT_MS (a host that
    #   froze mid-request) is ended by the server, which releases its locks;
    # - TCP keepalives on both ends notice a host cut off from the network within about a minute
    #   (30 s idle, then 3 probes 10 s apart), instead of the operating system's two hours.
    _server = {
        "lock_timeout": env.int("DB_LOCK_TIMEOUT_MS", default=5000),
        "idle_in_transaction_session_timeout": env.int("DB_IDLE_IN_TRANSACTION_TIMEOUT_MS", default=60000),
        "tcp_keepalives_idle": 30,
        "tcp_keepalives_interval": 10,
        "tcp_keepalives_count": 3,
    }
    _options = DATABASES["default"].setdefault("OPTIONS", {})
    _options["options"] = " ".join(
        [_options.get("options", ""), *(f"-c {name}={value}" for name, value in _server.items())]
    ).strip()
    _options.update(
        {"connect_timeout": 5, "keepalives": 1, "keepalives_idle": 30, "keepalives_interval": 10, "keepalives_count": 3}
    )

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    # django-axes must come first (its documentation).
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

LANGUAGE_CODE = "en-gb"
TIME_ZONE = env("TIME_ZONE", default="Europe/London")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

LOGIN_URL = "admin:login"

# --- Redis, cache, Celery ----------------------------------------------------------------------
# One Redis serves two purposes on separate database numbers, because Django's cache.clear()
# is FLUSHDB and must never wipe the broker's queues: broker /0, cache /1.
REDIS_URL = env("REDIS_URL", default="")


def _next_redis_db(url: str) -> str:
    """The same Redis server, one database number up (broker /n, cache /n+1)."""
    parts = urlsplit(url)
    db = int(parts.path.strip("/") or 0)
    return urlunsplit(parts._replace(path=f"/{db + 1}"))


if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "clinic.core.redis_cache.RedisCache",
            "LOCATION": env("CACHE_URL", default=_next_redis_db(REDIS_URL)),
            # A cache that does not answer costs a request at most this long (seconds), never a
            # hang: rate limits then fail open and cached pages are computed (design rule 10).
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
else:
    # Django's default of 300 entries is less than one look at a 40-therapist clinic's fortnight
    # (a cached day per therapist, each panel and the versions): culling would make every page cold.
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "OPTIONS": {"MAX_ENTRIES": 20000}}
    }

CELERY_BROKER_URL = REDIS_URL or "memory://localhost/"
CELERY_RESULT_BACKEND = None
# Without a broker (the demo) tasks run in-process so the site still works end to end.
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=not REDIS_URL)
CELERY_TASK_EAGER_PROPAGATES = False
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_IGNORE_RESULT = True
# Celery's default for --loglevel/--logfile; clinic/celery.py gives its lines the JSON format.
CELERY_WORKER_HIJACK_ROOT_LOGGER = True
# A task is acknowledged only when it has finished, and put back on the queue if its worker dies,
# so a lost worker loses no SMS; the send task's atomic claim makes a second run harmless.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=30)
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=60)
# Publishing happens in web requests after commit: fail fast when Redis is down (the row stays
# pending and the relay sends it later) instead of holding the patient's page for seconds.
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "socket_connect_timeout": 1,
    # How often publishing re-tries to connect before giving up (kombu otherwise keeps trying
    # for the whole connection timeout).
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.2,
    # An unacknowledged task goes back on the queue after this long; longer than any task runs.
    "visibility_timeout": 3600,
}
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.2}
# How often beat runs the SMS relay and the reconciliation of unknown texts (seconds).
SMS_RELAY_INTERVAL_SECONDS = env.int("SMS_RELAY_INTERVAL_SECONDS", default=30)
SMS_RECONCILE_INTERVAL_SECONDS = env.int("SMS_RECONCILE_INTERVAL_SECONDS", default=60)
# Exactly one `celery beat` runs these (see the Procfile); a second one repeats work but every job
# claims its rows atomically, so nothing is sent twice.
CELERY_BEAT_SCHEDULE = {
    # A relay run that waited in the queue past the next one is dropped: the next does the same work.
    "sms-relay": {
        "task": "clinic.sms.tasks.relay_due_messages",
        "schedule": float(SMS_RELAY_INTERVAL_SECONDS),
        "options": {"expires": SMS_RELAY_INTERVAL_SECONDS * 0.8},
    },
    # Texts of unknown fate, settled against Twilio's message log (clinic/sms/reconcile.py).
    "sms-reconcile": {
        "task": "clinic.sms.tasks.reconcile_unknown_messages",
        "schedule": float(SMS_RECONCILE_INTERVAL_SECONDS),
        "options": {"expires": SMS_RECONCILE_INTERVAL_SECONDS * 0.8},
    },
    # Every retention rule the apps register (clinic.core.personal_data), nightly while it is quiet.
    "retention": {"task": "clinic.core.tasks.apply_retention", "schedule": crontab(hour=3, minute=30)},
    # Time freed in the diary (missed on commit, after quiet hours, or a round of offers ended).
    "bookings-wait-list-offers": {
        "task": "bookings.tasks.offer_due_freed_time",
        "schedule": 60.0,
        "options": {"expires": 55},
    },
    "callbacks-reception-emails": {
        "task": "callbacks.tasks.email_due_reception_notices",
        "schedule": 60.0,
        "options": {"expires": 55},
    },
}

# --- SMS ---------------------------------------------------------------------------------------
SMS_BACKEND = env("SMS_BACKEND", default="clinic.sms.backends.console.ConsoleBackend")
# Production refuses console/in-memory SMS and email backends unless a staging site says so here.
ALLOW_CONSOLE_BACKENDS = env.bool("ALLOW_CONSOLE_BACKENDS", default=False)
TWILIO_ACCOUNT_SID = env("TWILIO_ACCOUNT_SID", default="")
TWILIO_AUTH_TOKEN = env("TWILIO_AUTH_TOKEN", default="")
TWILIO_FROM_NUMBER = env("TWILIO_FROM_NUMBER", default="")
TWILIO_MESSAGING_SERVICE_SID = env("TWILIO_MESSAGING_SERVICE_SID", default="")
# Only to point the real twilio client at a fake server in tests, e.g. http://127.0.0.1:PORT
TWILIO_API_BASE = env("TWILIO_API_BASE", default="")
PUBLIC_BASE_URL = env("PUBLIC_BASE_URL", default="http://127.0.0.1:8000")
# Twilio's connect and read timeouts (seconds). A read timeout means the request was sent, so the
# message is marked "unknown" and never resent automatically.
TWILIO_CONNECT_TIMEOUT = env.float("TWILIO_CONNECT_TIMEOUT", default=5)
TWILIO_READ_TIMEOUT = env.float("TWILIO_READ_TIMEOUT", default=15)
# Nothing is sent between these clinic-local times; due times inside move to the end.
SMS_QUIET_HOURS_START = env("SMS_QUIET_HOURS_START", default="21:00")
SMS_QUIET_HOURS_END = env("SMS_QUIET_HOURS_END", default="08:00")
# Transient failures (HTTP 429, 5xx, connection refused) are retried with exponential backoff and
# jitter: base * 2^(attempt-1), capped, at most SMS_MAX_ATTEMPTS sends in all.
SMS_MAX_ATTEMPTS = env.int("SMS_MAX_ATTEMPTS", default=5)
SMS_RETRY_BACKOFF_SECONDS = env.float("SMS_RETRY_BACKOFF_SECONDS", default=30)
SMS_RETRY_BACKOFF_MAX_SECONDS = env.float("SMS_RETRY_BACKOFF_MAX_SECONDS", default=15 * 60)
# On when the Twilio Messaging Service has Advanced Opt-Out enabled (with CANCEL and YES taken off
# its keyword lists): Twilio then says which texts it answered itself (OptOutType), and CANCEL and
# YES reach the clinic as answers to a reminder. Off: Twilio's default keyword list applies.
TWILIO_ADVANCED_OPT_OUT = env.bool("TWILIO_ADVANCED_OPT_OUT", default=False)
# How long the relay leaves a queued row to its send task before queueing it again.
SMS_RELAY_LEASE_SECONDS = env.int("SMS_RELAY_LEASE_SECONDS", default=120)
SMS_RELAY_BATCH_SIZE = 100
# A row claimed for sending and not finished after this many seconds belongs to a worker that
# died mid-send (0: the task's hard time limit plus a minute); the relay then marks it unknown.
SMS_SENDING_STALE_SECONDS = env.int("SMS_SENDING_STALE_SECONDS", default=0)
# An unknown text is looked up in Twilio's message log once its attempt is this old: found, it is
# recorded as sent; not found, it is sent again, once.
SMS_RECONCILE_AFTER_SECONDS = env.int("SMS_RECONCILE_AFTER_SECONDS", default=300)
# /readyz and the admin's banner: texts are "not going out" once a due text has waited this long,
# and beat is "not running" once the relay (every 30 s) has not run for this long.
SMS_BACKLOG_ALERT_MINUTES = env.int("SMS_BACKLOG_ALERT_MINUTES", default=10)
SMS_RELAY_HEARTBEAT_MAX_SECONDS = env.int("SMS_RELAY_HEARTBEAT_MAX_SECONDS", default=120)

# --- Texted one-time codes ("My bookings") -------------------------------------------------------
# Codes asked for per phone number, counted in the database over each window (every rate must hold).
PHONE_CODE_RATE_PER_NUMBER = env.list("PHONE_CODE_RATE_PER_NUMBER", default=["3/h", "10/d"])
# Code requests per client address (the cache), for the pages that text codes.
PHONE_CODE_RATE_PER_IP = env("PHONE_CODE_RATE_PER_IP", default="10/h")
PHONE_CODE_RETENTION_HOURS = env.int("PHONE_CODE_RETENTION_HOURS", default=24)
CELERY_BEAT_SCHEDULE["codes-retention"] = {"task": "clinic.codes.tasks.purge_old_codes", "schedule": 60 * 60.0}

# --- Email (patients' confirmations with calendar invitations, reception's callback notices) ------
# e.g. EMAIL_URL=smtp+tls://user:password@smtp.example.com:587 (docs/email.md). The console in the
# demo; production refuses it (clinic/core/checks.py).
vars().update(env.email_url("EMAIL_URL", default="consolemail://"))
# Or a provider's HTTP API through django-anymail, e.g. EMAIL_BACKEND=anymail.backends.postmark.EmailBackend
# and ANYMAIL=POSTMARK_SERVER_TOKEN=... (its settings, comma-separated NAME=value pairs).
if env("EMAIL_BACKEND", default=""):
    EMAIL_BACKEND = env("EMAIL_BACKEND")
ANYMAIL = env.dict("ANYMAIL", default={})
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="bookings@localhost")
# Seconds an SMTP conversation may stall before it is given up (then: outcome unknown).
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=20)
# The email outbox (clinic/mail): retries of transient SMTP failures, like texts' (SMS_* above).
EMAIL_MAX_ATTEMPTS = env.int("EMAIL_MAX_ATTEMPTS", default=5)
EMAIL_RETRY_BACKOFF_SECONDS = env.float("EMAIL_RETRY_BACKOFF_SECONDS", default=30)
EMAIL_RETRY_BACKOFF_MAX_SECONDS = env.float("EMAIL_RETRY_BACKOFF_MAX_SECONDS", default=15 * 60)
EMAIL_RELAY_INTERVAL_SECONDS = env.int("EMAIL_RELAY_INTERVAL_SECONDS", default=30)
EMAIL_RELAY_LEASE_SECONDS = env.int("EMAIL_RELAY_LEASE_SECONDS", default=120)
EMAIL_SENDING_STALE_SECONDS = env.int("EMAIL_SENDING_STALE_SECONDS", default=0)
EMAIL_BODY_RETENTION_DAYS = env.int("EMAIL_BODY_RETENTION_DAYS", default=30)
CELERY_BEAT_SCHEDULE["mail-relay"] = {
    "task": "clinic.mail.tasks.relay_due_emails",
    "schedule": float(EMAIL_RELAY_INTERVAL_SECONDS),
    "options": {"expires": EMAIL_RELAY_INTERVAL_SECONDS * 0.8},
}

# --- Reverse proxy -----------------------------------------------------------------------------
# How many proxies in front of the app append to X-Forwarded-For. 0 means the client's address
# is REMOTE_ADDR and the header is ignored (it is trivially forged). The header is believed only
# from TRUSTED_PROXY_IPS (addresses or networks; default: loopback and private networks), see
# clinic/core/ip.py. Production refuses BEHIND_TLS_PROXY without an explicit count.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
TRUSTED_PROXY_COUNT_IS_SET = "TRUSTED_PROXY_COUNT" in env
TRUSTED_PROXY_IPS = env.list("TRUSTED_PROXY_IPS", default=[])
if env.bool("BEHIND_TLS_PROXY", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    USE_X_FORWARDED_HOST = True

# --- Forms, phone numbers ----------------------------------------------------------------------
CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"
PHONENUMBER_DEFAULT_REGION = "GB"
PHONENUMBER_DB_FORMAT = "E164"
PHONENUMBER_DEFAULT_FORMAT = "NATIONAL"

# --- Security headers --------------------------------------------------------------------------
# No inline scripts or styles anywhere, so a strict policy holds.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
    }
}
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

# --- Staff login throttling (django-axes) ------------------------------------------------------
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_MINUTES", default=15) / 60  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
AXES_LOCKOUT_TEMPLATE = "admin/lockout.html"
# The one client-IP rule (clinic/core/ip.py), not ipware's: its defaults read only REMOTE_ADDR,
# and its proxy count cannot tell a proxy from a client that forges X-Forwarded-For.
AXES_CLIENT_IP_CALLABLE = "clinic.core.ip.client_ip"

# --- Staff sign-in: two factors by role, sessions that end (docs/privacy.md) ------------------------
STAFF_SESSION_IDLE_MINUTES = env.int("STAFF_SESSION_IDLE_MINUTES", default=30)
STAFF_SESSION_MAX_HOURS = env.int("STAFF_SESSION_MAX_HOURS", default=10)


def _totp_issuer(device) -> str:
    """The name the authenticator app shows for the account: the clinic's own."""
    from clinic.core.models import ClinicSettings

    return ClinicSettings.load().name


OTP_TOTP_ISSUER = _totp_issuer
# Only the dev settings may print the demo logins' current codes (manage.py demo_code).
DEMO_TWO_FACTOR_CODES = False

# --- Rate limits (django-ratelimit through clinic/core/ratelimits.py) -------------------------
# A counter that cannot be read (the cache lost it) lets the request through rather than refusing it.
RATELIMIT_FAIL_OPEN = True
# Booking submissions (the details form's POST) per client address.
BOOKING_RATE_PER_IP = env("BOOKING_RATE_PER_IP", default="20/h")

# --- Callbacks ---------------------------------------------------------------------------------
# django-ratelimit's key="ip" then honours TRUSTED_PROXY_COUNT everywhere (a forged
# X-Forwarded-For cannot give a client a fresh counter).
RATELIMIT_IP_META_KEY = "clinic.core.ip.client_ip"
CALLBACK_RATE_PER_IP = env("CALLBACK_RATE_PER_IP", default="5/h")
CALLBACK_RATE_PER_PHONE = env("CALLBACK_RATE_PER_PHONE", default="3/d")
# A person needs longer than this to fill in the form; faster submissions are bots (silently dropped).
CALLBACK_MIN_FILL_SECONDS = env.float("CALLBACK_MIN_FILL_SECONDS", default=3.0)
# A repeat request for an open callback sends no second acknowledgement SMS within this time.
CALLBACK_ACK_COOLDOWN_HOURS = env.int("CALLBACK_ACK_COOLDOWN_HOURS", default=24)
# Closed callback requests (and their call attempts) are deleted this long after closing.
CALLBACK_RETENTION_DAYS = env.int("CALLBACK_RETENTION_DAYS", default=180)

# --- Personal data (docs/privacy.md): retention periods, stated as configured in the privacy notice
# The wording of each SMS is removed this long after it was sent (the row stays for the figures).
SMS_BODY_RETENTION_DAYS = env.int("SMS_BODY_RETENTION_DAYS", default=30)
# Patients with no appointment for this long are erased (health records of adults: 8 years).
PATIENT_RETENTION_YEARS = env.int("PATIENT_RETENTION_YEARS", default=8)

# --- Logs and error reports (clinic/core/logs.py, clinic/core/reporting.py) ----------------------
# One line per event: "plain" for people (dev, tests), "json" for a log pipeline (prod's default),
# each with the request id and the client's address. Django's own "django" logger would print
# everything a second time through its default console handler, so it only propagates here.
LOG_FORMAT = env("LOG_FORMAT", default="plain")
SENTRY_DSN = env("SENTRY_DSN", default="")
# Error emails go to ADMINS ("Name <address>, ..." or bare addresses) only when Sentry is not set up.
ADMINS = [(address.split("<")[0].strip() or address, address) for address in env.list("ADMINS", default=[])]
SERVER_EMAIL = env("SERVER_EMAIL", default=DEFAULT_FROM_EMAIL)
DEFAULT_EXCEPTION_REPORTER_FILTER = "clinic.core.error_emails.PatientDataFilter"
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "request_context": {"()": "clinic.core.logs.RequestContextFilter"},
        # Masks phone numbers and email addresses in every record (docs/privacy.md): on every handler.
        "personal_data": {"()": "clinic.core.logmask.PersonalDataFilter"},
        "require_debug_false": {"()": "django.utils.log.RequireDebugFalse"},
    },
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
        "json": {"()": "clinic.core.logs.json_formatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": LOG_FORMAT,
            "filters": ["request_context", "personal_data"],
        },
        "mail_admins": {
            "class": "clinic.core.error_emails.ScrubbedAdminEmailHandler",
            "level": "ERROR",
            "filters": ["require_debug_false", "personal_data"],
        },
    },
    "root": {
        "handlers": ["console"] + (["mail_admins"] if ADMINS and not SENTRY_DSN else []),
        "level": env("LOG_LEVEL", default="INFO"),
    },
    "loggers": {
        "django": {"handlers": [], "propagate": True},
        "django.db.backends": {"level": "WARNING"},
        # twilio's client logs each request's URL and headers at INFO: noise at best.
        "twilio": {"level": "WARNING"},
        # /readyz logs one summary line per unhealthy probe; the library's per-check lines repeat it.
        "health_check": {"level": "ERROR"},
    },
}
if SENTRY_DSN:
    from clinic.core.reporting import init_sentry

    init_sentry(dsn=SENTRY_DSN, environment=env("SENTRY_ENVIRONMENT", default="production"))
