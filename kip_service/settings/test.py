"""Test mode: SQLite in memory unless DATABASE_URL is set; Celery eager unless a test starts one."""

from .base import *  # noqa: F403
from .base import env

DEBUG = False
SECRET_KEY = "test-only"  # noqa: S105
KIP_CPR_HASH_KEY = "test-cpr-hash-key"
KIP_CPR_ENCRYPTION_KEY = "test-cpr-encryption-key"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=True)
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
LANGUAGE_CODE = "en"
WHITENOISE_AUTOREFRESH = True  # serve from the apps' static folders; no collectstatic in tests
# Throttle counts per test process, emptied before each test (tests/conftest.py).
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
