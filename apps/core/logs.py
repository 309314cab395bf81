"""Log lines with the request's ids (and a Celery task's id), as JSON or as plain text.

``RequestContextMiddleware`` puts the service's own request id, and a client's valid
``X-Request-ID`` (as ``client_request_id``), into context variables; ``ContextFilter`` on
every handler copies them onto each record, with the task's id and name inside a Celery task.
``KIP_LOG_FORMAT`` chooses the formatter: ``json`` (one JSON object a line: ``timestamp``,
``level``, ``logger``, ``message``, ``request_id``, then ``client_request_id``, ``task_id``,
``task_name`` where there are any, and ``exc_info``) or ``text`` (one readable line).

What is logged is messages, never request bodies: nothing here reads a request. Log calls
must not put CPR numbers in their arguments (tests/hardening greps a whole run's logs).

This module is imported by ``logging.config`` while the settings are configured: it must not
import Django models (nor anything that does).
"""

from __future__ import annotations

import logging
from contextvars import ContextVar
from typing import Any

from pythonjsonlogger.json import JsonFormatter as _JsonFormatterBase

LOG_FORMATS = ("json", "text")

_request_id: ContextVar[str | None] = ContextVar("kip_request_id", default=None)
_client_request_id: ContextVar[str | None] = ContextVar("kip_client_request_id", default=None)


def request_context_set(*, request_id: str | None, client_request_id: str | None) -> None:
    """The ids of the request being served (``None``, ``None``: none, between requests)."""
    _request_id.set(request_id)
    _client_request_id.set(client_request_id or None)


def request_context_clear(**_: Any) -> None:
    """``request_finished`` receiver: Django logs a 4xx/5xx answer after the middleware has
    returned, so the ids stay set until the response is closed."""
    request_context_set(request_id=None, client_request_id=None)


def _current_task() -> Any:
    try:
        from celery._state import get_current_task
    except ImportError:  # pragma: no cover - Celery is a dependency
        return None
    return get_current_task()


class ContextFilter(logging.Filter):
    """Adds ``request_id`` (always; ``None`` outside a request), ``client_request_id``,
    ``task_id`` and ``task_name`` (when there are any) to each record."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "request_id", None) is None:
            record.request_id = _request_id.get()
        client = _client_request_id.get()
        if client and not hasattr(record, "client_request_id"):
            record.client_request_id = client
        task = _current_task()
        if (
            task is not None
            and getattr(task.request, "id", None)
            and not hasattr(record, "task_id")
        ):
            record.task_id = task.request.id
            record.task_name = task.name
        return True


class TextFormatter(logging.Formatter):
    """``2026-12-04 15:20:00,123 INFO apps.x [request=... client=... task=...] message``."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s%(context)s %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        parts = [
            f"{label}={value}"
            for label, value in (
                ("request", getattr(record, "request_id", None)),
                ("client", getattr(record, "client_request_id", None)),
                ("task", getattr(record, "task_id", None)),
            )
            if value
        ]
        record.context = f" [{' '.join(parts)}]" if parts else ""
        return super().format(record)


# What a JSON line may hold. Anything else a caller attaches to a record (Django's django.request
# lines carry the request object, whose text holds the query string; Celery's carry a task's
# arguments) is left out: a field that is not here cannot leak what it holds.
JSON_FIELDS = (
    "timestamp",
    "level",
    "logger",
    "message",
    "request_id",
    "client_request_id",
    "task_id",
    "task_name",
    "status_code",
    "exc_info",
    "stack_info",
)


class JsonFormatter(_JsonFormatterBase):
    """python-json-logger's formatter, keeping only ``JSON_FIELDS``."""

    def process_log_record(self, log_data: dict[str, Any]) -> dict[str, Any]:
        return {key: log_data[key] for key in JSON_FIELDS if key in log_data}


def logging_config(*, log_format: str, level: str) -> dict[str, Any]:
    """The ``LOGGING`` setting for ``log_format`` (``json`` or ``text``)."""
    if log_format not in LOG_FORMATS:
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured(
            f"KIP_LOG_FORMAT={log_format!r} is not valid: choose one of {', '.join(LOG_FORMATS)}"
        )
    formatters: dict[str, Any] = {
        "json": {
            "()": "apps.core.logs.JsonFormatter",
            "fmt": "{levelname}{name}{message}{request_id}",
            "style": "{",
            "rename_fields": {"levelname": "level", "name": "logger"},
            "timestamp": True,
            "json_ensure_ascii": False,
        },
        "text": {"()": "apps.core.logs.TextFormatter"},
    }
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"context": {"()": "apps.core.logs.ContextFilter"}},
        "formatters": {log_format: formatters[log_format]},
        "handlers": {
            "console": {
                "class": "logging.StreamHandler",
                "formatter": log_format,
                "filters": ["context"],
            }
        },
        "root": {"handlers": ["console"], "level": level},
        # django-axes logs every login attempt at INFO; the audit trail holds them already.
        "loggers": {"django.db.backends": {"level": "WARNING"}, "axes": {"level": "WARNING"}},
    }
