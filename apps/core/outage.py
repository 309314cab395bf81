"""The database gone for a moment (restarted, failed over, out of connections): a clean 503.

Without this, a query that cannot reach PostgreSQL ends in Django's 500 page, or an HTML 500
on the API. A lost connection is not a fault of the service and passes: the answer is 503
with ``Retry-After`` (JSON on the API, a page of ours elsewhere), and nothing else changes.
Django opens a new connection for the next request (``CONN_HEALTH_CHECKS`` drops a broken one
before use), so the service recovers by itself once the database is back.
"""

from __future__ import annotations

from django.db import InterfaceError, OperationalError
from django.utils.translation import gettext as _

# Seconds a client is asked to wait: a restart of PostgreSQL takes a few.
RETRY_AFTER_SECONDS = 5
CODE = "service_unavailable"


def is_database_outage(exc: BaseException | None) -> bool:
    """True for the errors of a database that cannot be reached or lost the connection."""
    return isinstance(exc, OperationalError | InterfaceError)


def caused_by_outage(exc: BaseException | None) -> bool:
    """The error, or one it was raised while handling, is the database's. Django turns a
    session that could not be saved (``UpdateError``, from any database error) into
    ``SessionInterrupted``, a 400: with the database away, that is an outage too."""
    seen = 0
    while exc is not None and seen < 10:
        if is_database_outage(exc):
            return True
        exc = exc.__cause__ or exc.__context__
        seen += 1
    return False


def outage_detail() -> str:
    return _("The service is unavailable for a moment. Try again shortly.")
