"""Production: PostgreSQL and Redis, secrets required, secure cookies, HTTPS only (HSTS)."""

from django.core.exceptions import ImproperlyConfigured

from apps.core.logs import logging_config

from .base import *  # noqa: F403
from .base import (
    DATABASES,
    KIP_CPR_ENCRYPTION_KEY,
    KIP_CPR_HASH_KEY,
    LOG_LEVEL,
    SECRET_KEY,
    env,
)

for _name, _value in [
    ("SECRET_KEY", SECRET_KEY),
    ("KIP_CPR_HASH_KEY", KIP_CPR_HASH_KEY),
    ("KIP_CPR_ENCRYPTION_KEY", KIP_CPR_ENCRYPTION_KEY),
]:
    if not _value:
        raise ImproperlyConfigured(f"{_name} (or {_name}_FILE) must be set in production")
# Invitation and password links carry it; a wrong default would send people elsewhere.
if not env.str("KIP_BASE_URL", default="").startswith(("https://", "http://")):
    raise ImproperlyConfigured(
        "KIP_BASE_URL must be set in production to the service's address, e.g. "
        "https://kip.example.dk (the links in invitation and password e-mails use it)"
    )
if DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
    raise ImproperlyConfigured("DATABASE_URL must point at PostgreSQL in production")

DEBUG = False
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=True)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=True)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
# HTTPS only. Browsers remember HSTS for SECURE_HSTS_SECONDS (a year; 0 turns it off), for
# every subdomain too. Preload is off by default: hstspreload.org takes only a registrable
# domain, and putting it on the list is a decision for that domain's owner, hard to undo.
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=365 * 24 * 3600)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=False)
# Plain HTTP is redirected to HTTPS (the proxy says which it was: SECURE_PROXY_SSL_HEADER),
# except the probes, which call the container directly over HTTP (compose's health check),
# and Prometheus's scrape of /metrics from beside the service (apps/core/metrics.py).
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$", r"^metrics$"]
# check --deploy warns about preload being off (security.W021); that is the choice above, so
# that one warning is silenced while preload is off, and only it (tests/hardening).
SILENCED_SYSTEM_CHECKS = [] if SECURE_HSTS_PRELOAD else ["security.W021"]
EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.smtp.EmailBackend")
# JSON log lines for the log collector (KIP_LOG_FORMAT=text to read them by eye).
KIP_LOG_FORMAT = env.str("KIP_LOG_FORMAT", default="json")
LOGGING = logging_config(log_format=KIP_LOG_FORMAT, level=LOG_LEVEL)
