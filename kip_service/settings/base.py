"""Settings shared by every run mode. Everything comes from the environment (12-factor).

Values may also come from ``<NAME>_FILE`` (a path), so secrets can be mounted, never committed.
"""

from __future__ import annotations

import ipaddress
import os
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

from apps.core.logs import logging_config

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(os.environ.get("KIP_VAR_DIR", BASE_DIR / "var"))

env = environ.Env()
env.smart_cast = False


def secret(name: str, default: str | None = None) -> str | None:
    """Read ``name`` from the environment, or from the file named by ``name_FILE``."""
    path = os.environ.get(f"{name}_FILE")
    if path:
        return Path(path).read_text().strip()
    return os.environ.get(name, default)


# Off unless asked for: a debug page shows settings, paths and every URL pattern to anyone.
# ``DEBUG`` is the older name, still read when ``KIP_DEBUG`` is not set.
DEBUG = env.bool("KIP_DEBUG", default=env.bool("DEBUG", default=False))
SECRET_KEY = secret("SECRET_KEY") or ""
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

# Keys for the CPR number: one for the lookup hash, one for encryption at rest.
KIP_CPR_HASH_KEY = secret("KIP_CPR_HASH_KEY") or ""
KIP_CPR_ENCRYPTION_KEY = secret("KIP_CPR_ENCRYPTION_KEY") or ""

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "axes",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "guardian",
    "django_htmx",
    "django_prometheus",
    "apps.core",
    "apps.access",
    "apps.organisations",
    "apps.citizens",
    "apps.plans",
    "apps.audit",
    "apps.coordination",
    "apps.notifications",
    "apps.web",
    "apps.administration",
]

MIDDLEWARE = [
    # First and last, as django-prometheus asks: they time and count everything between.
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "apps.core.middleware.RequestContextMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "apps.access.middleware.AccessDeniedMiddleware",
    # Last, as django-axes asks: turns a refused login into the lockout answer.
    "axes.middleware.AxesMiddleware",
    "django_prometheus.middleware.PrometheusAfterMiddleware",
]

ROOT_URLCONF = "kip_service.urls"
WSGI_APPLICATION = "kip_service.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "apps.web.context.shell",
            ],
        },
    },
]

# Database: SQLite file by default (embedded mode), PostgreSQL through DATABASE_URL.
VAR_DIR.mkdir(parents=True, exist_ok=True)
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'kip.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The web process and the worker share one file: WAL, a busy timeout and immediate
    # transactions keep "database is locked" away.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("DB_CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    # First: refuses a locked-out username and address before any password is checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]
GUARDIAN_RAISE_403 = False
GUARDIAN_RENDER_403 = False
ANONYMOUS_USER_NAME = None  # no anonymous user row: anonymous people see nothing

# Argon2id for every new or changed password; the others only check older hashes, which Django
# rewrites with Argon2 at the next successful login.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.BCryptSHA256PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "da"
LANGUAGES = [("da", "Dansk"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Copenhagen"
USE_I18N = True
USE_TZ = True

# kip_backup writes here (make backup); files named with the UTC time.
KIP_BACKUP_DIR = Path(os.environ.get("KIP_BACKUP_DIR", VAR_DIR / "backups"))

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
LOGIN_URL = "/login/"
LOGIN_REDIRECT_URL = "/"
# After logging out: the login page (not Django admin's "logged out" page).
LOGOUT_REDIRECT_URL = "/login/"

# Sessions end after this much inactivity (every request renews the cookie), and with the browser.
KIP_SESSION_IDLE_MINUTES = env.int("KIP_SESSION_IDLE_MINUTES", default=30)
SESSION_COOKIE_AGE = KIP_SESSION_IDLE_MINUTES * 60
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

# A strict Content-Security-Policy (django-csp): no inline script or style anywhere, so every
# page's code is a static file of ours. The API docs use drf-spectacular's split view for this.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

DATA_UPLOAD_MAX_MEMORY_SIZE = env.int("KIP_MAX_REQUEST_BYTES", default=256 * 1024)

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "apps.access.tokens.ExpiringTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "apps.core.api.pagination.Cursor",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": [],
    "DEFAULT_SCHEMA_CLASS": "apps.core.api.schema.ApiSchema",
    "EXCEPTION_HANDLER": "apps.core.api.errors.exception_handler",
    # JSON in and out (apps/core/api/policy.py); the docs are at /api/docs/.
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["apps.core.api.parsers.JSONParser"],
    "DEFAULT_CONTENT_NEGOTIATION_CLASS": "apps.core.api.policy.ContentNegotiation",
    "DEFAULT_METADATA_CLASS": "apps.core.api.policy.Metadata",
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
    # A client-sent X-Forwarded-For must not give it a fresh throttle budget (our own
    # throttle uses the audit trail's client address; see apps.core.clients).
    "NUM_PROXIES": 0,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "KIP service API",
    "DESCRIPTION": "Coordinated action plans (koordinerende indsatsplaner) across sectors.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    # Served from our own static files: no third-party CDN on a health-data service.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # One name per choice set where field names repeat across models.
    "ENUM_NAME_OVERRIDES": {
        "PlanStatusEnum": "apps.plans.models.Plan.Status",
        "GoalStatusEnum": "apps.plans.models.Goal.Status",
        "EffortStatusEnum": "apps.plans.models.Effort.Status",
        "ClosedReasonEnum": "apps.plans.models.Plan.ClosedReason",
        "AccessOutcomeEnum": "apps.audit.models.AccessEvent.Outcome",
        "ReviewOutcomeEnum": "apps.coordination.models.Review.Outcome",
        "UnusualReasonEnum": ["denied", "break_glass", "outside_plan"],
        "OrganisationKindEnum": "apps.organisations.models.Organisation.Kind",
        "HospitalEventKindEnum": "apps.coordination.models.HospitalEvent.Kind",
        "TransitionKindEnum": "apps.coordination.models.Transition.Kind",
    },
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "apps.core.api.schema.blank_query_is_absent",
    ],
    # <id:pk> (apps/core/api/policy.py): ids that fit a signed 64-bit integer.
    "PATH_CONVERTER_OVERRIDES": {
        "id": {"type": "integer", "format": "int64", "minimum": 1, "maximum": 2**63 - 1}
    },
}

# Celery: Redis when REDIS_URL is set, else kombu's filesystem transport (no server at all).
REDIS_URL = env.str("REDIS_URL", default="")
BROKER_DIR = VAR_DIR / "broker"
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=REDIS_URL or "filesystem://")
if CELERY_BROKER_URL.startswith("filesystem"):
    for sub in ("queue", "processed", "control"):
        (BROKER_DIR / sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(BROKER_DIR / "queue"),
        "data_folder_out": str(BROKER_DIR / "queue"),
        "processed_folder": str(BROKER_DIR / "processed"),
        "control_folder": str(BROKER_DIR / "control"),
        "store_processed": False,
    }
else:
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE: dict[str, dict] = {}
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")

EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
EMAIL_FILE_PATH = str(VAR_DIR / "mail")
EMAIL_HOST = env.str("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = secret("EMAIL_HOST_PASSWORD", "") or ""
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="kip@localhost")

KIP_DEMO_PASSWORD = secret("KIP_DEMO_PASSWORD", "kip-demo-2026")
# The service's address as people reach it: links in invitation and password e-mails.
KIP_BASE_URL = env.str("KIP_BASE_URL", default="http://127.0.0.1:8000")
# Invitation and password links stop working after this many hours.
PASSWORD_RESET_TIMEOUT = env.int("KIP_PASSWORD_LINK_HOURS", default=72) * 3600
KIP_REVIEW_MAX_MONTHS = 6
# The effect report counts a meeting as one where the citizen felt heard from this rating (0-10).
KIP_EFFECT_HEARD_FROM = env.int("KIP_EFFECT_HEARD_FROM", default=7)

# One line per record, with the request id (apps/core/logs.py): KIP_LOG_FORMAT=json (one JSON
# object a line, for a log collector; production's default) or text (readable in a terminal:
# embedded mode and tests).
LOG_LEVEL = env.str("LOG_LEVEL", default="INFO")
KIP_LOG_FORMAT = env.str("KIP_LOG_FORMAT", default="text")
LOGGING = logging_config(log_format=KIP_LOG_FORMAT, level=LOG_LEVEL)

# /metrics (apps/core/metrics.py) answers only these client addresses (CIDRs; default: loopback
# and the private ranges, where Prometheus runs beside the service) and, if KIP_METRICS_TOKEN
# is set, only with "Authorization: Bearer <token>"; anyone else gets 404.
KIP_METRICS_ALLOWED_NETWORKS = [
    item.strip()
    for item in os.environ.get("KIP_METRICS_ALLOWED_NETWORKS", "").split(",")
    if item.strip()
] or [  # unset or empty: loopback and the private ranges
    "127.0.0.0/8",
    "::1/128",
    "10.0.0.0/8",
    "172.16.0.0/12",
    "192.168.0.0/16",
    "fc00::/7",
]
KIP_METRICS_TOKEN = secret("KIP_METRICS_TOKEN", "") or ""
for _network in KIP_METRICS_ALLOWED_NETWORKS:
    try:
        ipaddress.ip_network(_network, strict=False)
    except ValueError as _error:
        raise ImproperlyConfigured(f"KIP_METRICS_ALLOWED_NETWORKS: {_error}") from _error

# --- coordination: reminders and handovers ---
# Offsets count Danish working days (weekends and public holidays skipped).
KIP_REVIEW_UPCOMING_WORKING_DAYS = env.int("KIP_REVIEW_UPCOMING_WORKING_DAYS", default=5)
KIP_REVIEW_OVERDUE_WORKING_DAYS = env.int("KIP_REVIEW_OVERDUE_WORKING_DAYS", default=1)
KIP_REVIEW_ESCALATION_WORKING_DAYS = env.int("KIP_REVIEW_ESCALATION_WORKING_DAYS", default=5)
KIP_HANDOVER_REMINDER_WORKING_DAYS = env.int("KIP_HANDOVER_REMINDER_WORKING_DAYS", default=2)
KIP_HANDOVER_ESCALATION_WORKING_DAYS = env.int("KIP_HANDOVER_ESCALATION_WORKING_DAYS", default=5)
KIP_HANDOVER_EXPIRY_WORKING_DAYS = env.int("KIP_HANDOVER_EXPIRY_WORKING_DAYS", default=10)
# Review reminders look back this many days (bounded index ranges; older ones were sent then).
KIP_REMINDER_LOOKBACK_DAYS = env.int("KIP_REMINDER_LOOKBACK_DAYS", default=60)
# A claimed but unfinished delivery (worker killed) may be claimed again after this lease.
KIP_NOTIFICATION_CLAIM_LEASE_SECONDS = env.int("KIP_NOTIFICATION_CLAIM_LEASE_SECONDS", default=120)
# Undelivered notifications older than this are re-enqueued by the sweep (the outbox).
KIP_NOTIFICATION_REQUEUE_AFTER_SECONDS = env.int(
    "KIP_NOTIFICATION_REQUEUE_AFTER_SECONDS", default=60
)
KIP_NOTIFICATION_BATCH_SIZE = env.int("KIP_NOTIFICATION_BATCH_SIZE", default=50)
KIP_SWEEP_SECONDS = env.int("KIP_SWEEP_SECONDS", default=60)
# Fast start: the first effort starts within this many working days of the citizen being
# motivated; the coordinator is reminded this many working days before the deadline, and
# their manager told when it has passed.
KIP_FAST_START_WORKING_DAYS = env.int("KIP_FAST_START_WORKING_DAYS", default=5)
KIP_FAST_START_REMINDER_WORKING_DAYS = env.int("KIP_FAST_START_REMINDER_WORKING_DAYS", default=1)
# A consent running out tells the coordinator this many days before (each a reminder of its own).
KIP_CONSENT_EXPIRING_DAYS = env.list("KIP_CONSENT_EXPIRING_DAYS", cast=int, default=[30, 7])
# A discharge task not done this many working days after its due date goes to the
# responsible person's manager.
KIP_DISCHARGE_TASK_ESCALATION_WORKING_DAYS = env.int(
    "KIP_DISCHARGE_TASK_ESCALATION_WORKING_DAYS", default=2
)
# An admission this many days or fewer after a discharge is a readmission.
KIP_READMISSION_DAYS = env.int("KIP_READMISSION_DAYS", default=30)
# An active plan with no change for this many days tells the coordinator's manager.
KIP_PLAN_INACTIVE_DAYS = env.int("KIP_PLAN_INACTIVE_DAYS", default=90)
CELERY_BEAT_SCHEDULE["reminders-sweep"] = {
    "task": "workers.tasks.sweep",
    "schedule": float(KIP_SWEEP_SECONDS),
    # A sweep left in the queue past its period is dropped: the next one does the same work.
    "options": {"expires": KIP_SWEEP_SECONDS * 0.8},
}
# --- end coordination ---

# --- audit: trail, chain, retention, break-the-glass ---
# Access logs are kept for a set period, shorter than case records (Datatilsynet); 5 years.
KIP_AUDIT_RETENTION_DAYS = env.int("KIP_AUDIT_RETENTION_DAYS", default=1826)
# The sealer chains only events older than this, so slow transactions rarely arrive late.
KIP_AUDIT_SEAL_GRACE_SECONDS = env.int("KIP_AUDIT_SEAL_GRACE_SECONDS", default=5)
KIP_BREAK_GLASS_HOURS = env.int("KIP_BREAK_GLASS_HOURS", default=24)
# The citizen's access report names staff only where needed for the citizen's rights.
KIP_ACCESS_REPORT_STAFF_NAMES = env.bool("KIP_ACCESS_REPORT_STAFF_NAMES", default=False)
# Auditing cannot be switched off here: only bench/audit_settings.py can (see apps.access.audit).
CELERY_BEAT_SCHEDULE["audit-seal"] = {
    "task": "workers.tasks.audit_seal",
    "schedule": 10.0,
    "options": {"expires": 9},
}
CELERY_BEAT_SCHEDULE["audit-prune"] = {
    "task": "workers.tasks.audit_prune",
    "schedule": 24 * 3600.0,
    "options": {"expires": 3600},
}
# --- end audit ---

# --- logins: lockout, token lifetime, throttling, error pages ---
# django-axes counts failed logins per username *and* address: locking by username alone
# would let anyone lock a caseworker out from anywhere; by address alone, one typo-prone
# office behind a shared NAT would lock itself out. The token endpoint's throttle (per
# address) bounds guessing across many usernames.
# Trusted reverse proxies in front of the web (each appends to X-Forwarded-For). 0: none, the
# socket's address is the client's. Behind one TLS proxy, 1; otherwise every client would
# share the proxy's address in the audit trail, the lockout and the throttle.
KIP_PROXY_COUNT = env.int("KIP_PROXY_COUNT", default=0)
AXES_CLIENT_IP_CALLABLE = "apps.core.clients.client_address"
KIP_LOGIN_FAILURE_LIMIT = env.int("KIP_LOGIN_FAILURE_LIMIT", default=5)
KIP_LOGIN_COOLOFF_MINUTES = env.int("KIP_LOGIN_COOLOFF_MINUTES", default=15)
AXES_FAILURE_LIMIT = "apps.access.logins.failure_limit"  # reads KIP_LOGIN_FAILURE_LIMIT
AXES_COOLOFF_TIME = "apps.access.logins.cool_off"  # reads KIP_LOGIN_COOLOFF_MINUTES when asked
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
# A refused attempt during a lockout does not restart it: Retry-After stays true.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_RESET_ON_SUCCESS = True
AXES_HANDLER = "apps.access.logins.AuditedAxesHandler"
AXES_LOCKOUT_CALLABLE = "apps.web.errors.lockout_response"
AXES_DISABLE_ACCESS_LOG = True  # successful logins are in the audit trail already
AXES_VERBOSE = False
# Tokens live a working day; after that the client logs in again.
KIP_TOKEN_TTL_HOURS = env.int("KIP_TOKEN_TTL_HOURS", default=10)
# Token requests per client address (DRF rate: "<n>/<second|minute|hour|day>").
KIP_TOKEN_RATE = env.str("KIP_TOKEN_RATE", default="20/min")
# The throttle's counts live in the cache, which must be shared by every web process
# (gunicorn runs several): Redis when configured, else files under KIP_VAR_DIR.
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "kip",
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
        }
    }
CSRF_FAILURE_VIEW = "apps.web.errors.csrf_failure"
# --- end logins ---
