"""No CPR number in any log line: every log record is scrubbed as it is made.

Anything shaped like a CPR number (six digits and four, with at most a separator between them,
as typed, in a URL or URL-encoded) becomes ``xxxxxx-xxxx`` in the message, its arguments and a
traceback, whoever logs it: Django ("Not Found: /api/v1/citizens/0101801234/"), gunicorn's
access log (a query string, a Referer), Celery, a library. Invalid numbers too: a mistyped CPR
number is still nearly someone's. Digits inside a longer run of letters and digits (a request
id in hex) are left alone.

``install()`` wraps the logging module's record factory, once per process; ``kip_service``
calls it on import, so web (gunicorn's workers), worker, beat and every ``manage.py`` command
have it before they log. A traceback is formatted (and scrubbed) right away and the exception
itself dropped from the record, so no formatter can print its unscrubbed text later.
"""

from __future__ import annotations

import logging
import re
from typing import Any

CPR_SHAPED = re.compile(
    r"(?<![0-9A-Za-z])[0-9]{6}(?:\s*-\s*|\s|\+|%20|%2[dD])?[0-9]{4}(?![0-9A-Za-z])"
)
MASK = "xxxxxx-xxxx"
_formatter = logging.Formatter()


def redact(text: str) -> str:
    return CPR_SHAPED.sub(MASK, text)


def scrub(record: logging.LogRecord) -> logging.LogRecord:
    if isinstance(record.msg, dict) and not record.args:  # structured: keep it a dict
        record.msg = {k: redact(v) if isinstance(v, str) else v for k, v in record.msg.items()}
        return _scrub_traceback(record)
    try:
        message = record.getMessage()
    except Exception:  # a broken log call: leave it to logging's own error report
        return record
    record.msg, record.args = redact(message), None
    return _scrub_traceback(record)


def _scrub_traceback(record: logging.LogRecord) -> logging.LogRecord:
    if record.exc_info:
        record.exc_text = redact(_formatter.formatException(record.exc_info))
        record.exc_info = None
    elif record.exc_text:
        record.exc_text = redact(record.exc_text)
    if record.stack_info:
        record.stack_info = redact(record.stack_info)
    return record


class RedactFilter(logging.Filter):
    """The same scrub as a filter, for a handler or logger configured on its own."""

    def filter(self, record: logging.LogRecord) -> bool:
        scrub(record)
        return True


def install() -> None:
    factory = logging.getLogRecordFactory()
    if getattr(factory, "kip_redacts", False):
        return

    def redacting_factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        return scrub(factory(*args, **kwargs))

    redacting_factory.kip_redacts = True  # type: ignore[attr-defined]
    logging.setLogRecordFactory(redacting_factory)
