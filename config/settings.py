"""Vigie's settings: one file, every knob read from the environment (see the README's table)."""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG")
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = "insecure-development-key-only-for-debug"  # noqa: S105 -- only ever used with DEBUG on

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "core.apps.VigieAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "knox",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_countries",
    "axes",
    "csp",
    "core",
    "incidents",
    "beneficiaries",
    "activities",
    "alerts",
    "reports",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Marks the user verified once they passed their second factor in this session (django-otp).
    "django_otp.middleware.OTPMiddleware",
    # Sends a session that lacks the second factor its role needs to verification (or enrolment); the API is
    # refused by core.api.authentication instead.
    "core.middleware.SecondFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "core.middleware.NoStoreMiddleware",
    # Pages: NotInScope → 404, RoleRefused → 403, a conflict → 409, as core.api.errors for the API.
    "core.middleware.DomainErrorMiddleware",
    # A database connection lost during a view (server restarted, failover) → a 503 page or API answer, not a 500.
    "core.connection_errors.DatabaseUnavailableMiddleware",
    # Last, as django-axes asks: it turns a lockout raised by its backend into a 429 page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "core.context_processors.navigation_items",
            ],
        },
    },
]

# --- Database: PostgreSQL in production and CI, an SQLite file in the repository for `make run`.
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "60")),
        # A connection kept between requests may have died (database restarted, idle timeout, pg_terminate_backend):
        # Django checks it before a request's first query and opens a new one instead of failing the request.
        conn_health_checks=True,
    )
}
# An optional read replica (a streaming-replication standby of the primary): exports, tallies and the figures of open
# months read it (core.db.reading_alias), and may lag the primary by the replica's delay; writes, the review queue
# and closing stay on the primary. Unset: everything reads the primary.
if os.environ.get("DATABASE_REPLICA_URL"):
    DATABASES["replica"] = dj_database_url.parse(
        os.environ["DATABASE_REPLICA_URL"],
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
# The alias those reads use: "replica" when there is one.
VIGIE_READING_DATABASE = "replica" if "replica" in DATABASES else "default"
# Sends the reads made inside core.db.reading_replica() there; nothing else.
DATABASE_ROUTERS = ["core.db.ReadingRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# The review queue's indexes carry covering columns (INCLUDE) that PostgreSQL reads; SQLite (the demo, local tests)
# ignores them and Django warns of it on every command: the queue answers the same without them.
SILENCED_SYSTEM_CHECKS = ["models.W040"]

# --- Redis: the Celery broker and result store, and the cache. Unset: tasks run in-process.
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = REDIS_URL or "cache+memory://"
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
# A task is acknowledged when it ends, not when it starts: a worker that dies mid-task leaves its message to be
# delivered again (prefork: also when the child process is killed). Tasks are idempotent (core.jobs claims a job).
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Redis gives an unacknowledged message to another worker after this long: longer than the longest export, or a
# job still running would be delivered twice (the claim would stop the second run, but late).
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": int(os.environ.get("BROKER_VISIBILITY_TIMEOUT_SECONDS", str(6 * 60 * 60))),
    "socket_connect_timeout": float(os.environ.get("BROKER_TIMEOUT_SECONDS", "2")),
    "socket_timeout": float(os.environ.get("BROKER_TIMEOUT_SECONDS", "2")),
}
# A request that starts a job waits a few seconds at most for Redis, then answers 503 (core.jobs.QueueUnavailable):
# no retry inside the request.
CELERY_BROKER_CONNECTION_TIMEOUT = float(os.environ.get("BROKER_TIMEOUT_SECONDS", "2"))
CELERY_TASK_PUBLISH_RETRY = False
CELERY_REDIS_SOCKET_CONNECT_TIMEOUT = float(os.environ.get("BROKER_TIMEOUT_SECONDS", "2"))
CELERY_REDIS_SOCKET_TIMEOUT = float(os.environ.get("BROKER_TIMEOUT_SECONDS", "2"))
# The result store (Redis too) gives up after one retry instead of twenty: a request never waits on it for long.
# Job tasks keep no result there at all (their job row is their result).
CELERY_RESULT_BACKEND_TRANSPORT_OPTIONS = {
    "retry_policy": {"max_retries": 1, "interval_start": 0, "interval_step": 0.5, "interval_max": 0.5}
}
CELERY_TASK_DEFAULT_QUEUE = os.environ.get("CELERY_QUEUE", "vigie")
CELERY_TIMEZONE = os.environ.get("TIME_ZONE", "Africa/Bamako")
CELERY_BEAT_SCHEDULE = {
    "gbv-overdue-follow-ups": {"task": "incidents.notify_overdue_follow_ups", "schedule": 60 * 60 * 6},
    "gbv-closed-case-text": {"task": "incidents.clear_closed_case_text", "schedule": 60 * 60 * 24},
    "delete-old-exports": {"task": "reports.delete_old_exports", "schedule": 60 * 60},
    "delete-expired-tokens": {"task": "core.delete_expired_tokens", "schedule": 60 * 60},
    "requeue-stale-jobs": {"task": "core.requeue_stale_jobs", "schedule": 60},
}

# --- Embedded mode (`make run`: no Redis): background jobs (exports, closing a month) run on one thread of the
# server process, so the request that starts one answers at once and the job page shows its progress. Other tasks
# (e-mails) still run inside the request. SQLite then has two writers: WAL lets pages read while a job writes, and
# a writer waits for the other (busy timeout) instead of failing with "database is locked".
VIGIE_JOBS_ON_A_THREAD = not REDIS_URL
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
    }

# --- Accounts and security
AUTH_USER_MODEL = "core.User"
AUTHENTICATION_BACKENDS = [
    # First, so that a locked-out username or address is refused before its password is even checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

AXES_FAILURE_LIMIT = int(os.environ.get("LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = float(os.environ.get("LOGIN_COOLOFF_HOURS", "0.25"))  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
# Not on the password alone: core.auth.forget_failed_logins clears the count once the second factor (if any) passed.
AXES_RESET_ON_SUCCESS = False
AXES_LOCKOUT_CALLABLE = "core.auth.lockout_response"
AXES_VERBOSE = False
# A wrong second-factor code counts as a failed login (core.second_factor_views): the codes typed are not kept.
AXES_SENSITIVE_PARAMETERS = ["username", "ip_address", "code", "otp"]
AXES_IPWARE_PROXY_COUNT = int(os.environ.get("PROXY_COUNT", "0")) or None

# A second factor (TOTP, django-otp) for these roles: unset means admins and GBV focal points, set empty nobody,
# otherwise a comma-separated list of roles (API.md). `make run` sets it empty for the demo.
# The role codes of core.models.Role (settings cannot import models; a test checks the two agree).
ROLE_CODES = frozenset({"monitor", "supervisor", "gbv_focal_point", "admin", "viewer"})


def otp_required_roles(value: str | None) -> frozenset[str]:
    """OTP_REQUIRED_ROLES read: None (unset) means admins and GBV focal points, "" nobody, else a list of roles.

    An unknown role stops the start: a typo ("admins") would otherwise switch the second factor off silently."""
    if value is None:
        return frozenset({"admin", "gbv_focal_point"})
    roles = frozenset(item.strip() for item in value.split(",") if item.strip())
    unknown = roles - ROLE_CODES
    if unknown:
        raise ImproperlyConfigured(
            f"OTP_REQUIRED_ROLES names unknown roles: {', '.join(sorted(unknown))} "
            f"(roles: {', '.join(sorted(ROLE_CODES))})."
        )
    return roles


VIGIE_OTP_REQUIRED_ROLES = otp_required_roles(os.environ.get("OTP_REQUIRED_ROLES"))
OTP_TOTP_ISSUER = os.environ.get("OTP_ISSUER", "Vigie")
# A password-reset link (e-mailed, or shown to an admin to hand over) works once, for this many hours.
PASSWORD_RESET_TIMEOUT = int(float(os.environ.get("PASSWORD_RESET_HOURS", "4")) * 60 * 60)

# Sessions end after a period of inactivity: every request pushes the expiry back.
SESSION_COOKIE_AGE = int(os.environ.get("SESSION_IDLE_MINUTES", "30")) * 60
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

if not DEBUG:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", str(60 * 60 * 24 * 365)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    if env_bool("BEHIND_TLS_PROXY"):
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# No inline script or style anywhere: every page is written for this policy.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

# --- Internationalisation: English and French (Mali works in French).
LANGUAGE_CODE = os.environ.get("LANGUAGE_CODE", "en")
LANGUAGES = [("en", _("English")), ("fr", _("French"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = os.environ.get("TIME_ZONE", "Africa/Bamako")
USE_I18N = True
USE_TZ = True

# --- Static files, served by the app itself (no CDN: field offices have poor connections).
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
# `make run` serves the app's static files without collecting them first (tests too: config/settings_test.py).
WHITENOISE_USE_FINDERS = DEBUG
WHITENOISE_AUTOREFRESH = DEBUG
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))

# --- E-mail: printed on the console unless an SMTP server is configured.
EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "587"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "vigie@localhost")
EMAIL_BACKEND = (
    "django.core.mail.backends.smtp.EmailBackend" if EMAIL_HOST else "django.core.mail.backends.console.EmailBackend"
)

# --- REST API
REST_FRAMEWORK = {
    # Token first: a request without credentials then gets 401 (with a WWW-Authenticate header), not 403.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "core.api.authentication.ExpiringTokenAuthentication",
        "core.api.authentication.VerifiedSessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "core.api.pagination.StandardPagination",
    "DEFAULT_SCHEMA_CLASS": "core.api.schema.ErrorsDeclaringSchema",  # declares every 4xx a view answers
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    # A JSON body must be an object, and never a 500 (API.md); `?format=` wins over Accept.
    "DEFAULT_PARSER_CLASSES": [
        "core.api.parsers.JSONObjectParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_CONTENT_NEGOTIATION_CLASS": "core.api.negotiation.FormatWinsNegotiation",
    "EXCEPTION_HANDLER": "core.api.errors.exception_handler",
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Vigie API",
    "DESCRIPTION": "Protection monitoring and case management.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# API tokens (django-rest-knox: stored hashed, expiring). `POST /api/v1/auth/token/` gives one for API_TOKEN_HOURS;
# a named token made on the Tokens page lives as many days as its owner chooses, up to API_TOKEN_MAX_DAYS.
KNOX_TOKEN_MODEL = "core.ApiToken"  # noqa: S105 -- a model name, not a secret
# knox's own migrations create its AuthToken table even when the model is swapped for core.ApiToken; that unused
# table's foreign key to core_user made PostgreSQL refuse every transactional test's TRUNCATE (browser tests, the
# schema fuzzing). Unmigrated, knox creates nothing: its only model is swapped out.
MIGRATION_MODULES = {"knox": None}
VIGIE_API_TOKEN_HOURS = int(os.environ.get("API_TOKEN_HOURS", "10"))
VIGIE_API_TOKEN_MAX_DAYS = int(os.environ.get("API_TOKEN_MAX_DAYS", "90"))
REST_KNOX = {
    "TOKEN_MODEL": KNOX_TOKEN_MODEL,
    "TOKEN_TTL": timedelta(hours=VIGIE_API_TOKEN_HOURS),
    "AUTH_HEADER_PREFIX": "Token",
    "AUTO_REFRESH": False,
}

# --- Vigie itself
VIGIE_LEAD_ORGANISATION_CODE = os.environ.get("LEAD_ORGANISATION_CODE", "UNHCR")
VIGIE_LEAD_ORGANISATION_NAME = os.environ.get("LEAD_ORGANISATION_NAME", "UNHCR Mali")
# A survivor is a code, never a name (API.md): 3 to 32 letters, digits and - _ / . with at least one digit. An
# operation may set a stricter pattern (a code must match both); the example is shown on the form and in errors.
VIGIE_SURVIVOR_CODE_PATTERN = os.environ.get("SURVIVOR_CODE_PATTERN", r"(?=.*[0-9])[A-Za-z0-9/._-]{3,32}")
VIGIE_SURVIVOR_CODE_EXAMPLE = os.environ.get("SURVIVOR_CODE_EXAMPLE", "GAO-22-0001")
# A closed GBV case keeps its free text this many days after closing, then a daily beat task clears it.
VIGIE_GBV_RETENTION_DAYS = int(os.environ.get("GBV_RETENTION_DAYS", "365"))
VIGIE_HEALTH_TIMEOUT_SECONDS = float(os.environ.get("HEALTH_TIMEOUT_SECONDS", "3"))
# An assistance event that gives a registered household the same kind again within this many days is flagged.
VIGIE_REPEAT_ASSISTANCE_DAYS = int(os.environ.get("REPEAT_ASSISTANCE_DAYS", "30"))
# Export files are deleted this many days after their job finished (a beat task, hourly); the job stays, "expired".
VIGIE_EXPORT_RETENTION_DAYS = int(os.environ.get("EXPORT_RETENTION_DAYS", "7"))
# Background jobs (core.jobs): a running job writes a heartbeat every JOB_HEARTBEAT_SECONDS; a job whose heartbeat
# is older than JOB_STALE_SECONDS lost its worker, and the sweeper (beat, every minute) runs it again, at most
# JOB_MAX_ATTEMPTS runs in all, then marks it failed with the reason.
VIGIE_JOB_STALE_SECONDS = float(os.environ.get("JOB_STALE_SECONDS", "300"))
VIGIE_JOB_HEARTBEAT_SECONDS = float(
    os.environ.get("JOB_HEARTBEAT_SECONDS", str(min(30.0, VIGIE_JOB_STALE_SECONDS / 5)))
)
VIGIE_JOB_MAX_ATTEMPTS = int(os.environ.get("JOB_MAX_ATTEMPTS", "3"))
# Seconds a job pauses after each step it reports (an export's chunk of rows, a closing's scope): 0 in production.
# Drills and the worker-kill tests set it so that "halfway through an export" does not depend on the machine's speed.
VIGIE_JOB_STEP_PAUSE_SECONDS = float(os.environ.get("JOB_STEP_PAUSE_SECONDS", "0"))
# An export reads and writes this many rows between two progress reports (each one a heartbeat).
VIGIE_EXPORT_CHUNK_ROWS = int(os.environ.get("EXPORT_CHUNK_ROWS", "2000"))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    # django-axes logs every login at INFO; failures and lockouts stay visible at WARNING.
    "loggers": {"axes": {"level": "WARNING"}, "weasyprint": {"level": "WARNING"}, "fontTools": {"level": "WARNING"}},
}
