"""Production: PostgreSQL and Redis, secrets required, secure cookies."""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import DATABASES, KIP_CPR_ENCRYPTION_KEY, KIP_CPR_HASH_KEY, SECRET_KEY, env

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
EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.smtp.EmailBackend")
