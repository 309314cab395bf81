"""Embedded mode: SQLite, filesystem broker, console email, demo keys. Never for production."""

from .base import *  # noqa: F403

# DEBUG comes from base: off unless KIP_DEBUG=1, because `make run` may well be reachable by
# others, and a debug page shows them settings, paths and every URL pattern.
SECRET_KEY = SECRET_KEY or "embedded-mode-only-not-secret"  # noqa: F405
KIP_CPR_HASH_KEY = KIP_CPR_HASH_KEY or "embedded-mode-cpr-hash-key"  # noqa: F405
KIP_CPR_ENCRYPTION_KEY = KIP_CPR_ENCRYPTION_KEY or "embedded-mode-cpr-encryption-key"  # noqa: F405
