# First: no CPR number in any log line of any process that imports the project (redaction.py).
from .redaction import install as _install_log_redaction

_install_log_redaction()

from .celery import app as celery_app  # noqa: E402

__all__ = ("celery_app",)
