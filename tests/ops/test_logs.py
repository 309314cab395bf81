"""Log lines: one JSON object each, carrying the service's request id (and a client's valid id
apart), or a Celery task's id; a client's invalid id never reaches the log."""

from __future__ import annotations

import io
import json
import logging
import logging.config
import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from apps.core.logs import logging_config
from kip_service.celery import app
from tests.conftest import World
from tests.helpers import API


@app.task(name="tests.ops.log_a_line")
def log_a_line() -> None:
    logging.getLogger("tests.ops").warning("inside the task")


def _capture(log_format: str) -> Iterator[io.StringIO]:
    stream = io.StringIO()
    config = logging_config(log_format=log_format, level="INFO")
    config["handlers"]["console"]["stream"] = stream
    logging.config.dictConfig(config)
    try:
        yield stream
    finally:
        logging.config.dictConfig(settings.LOGGING)


@pytest.fixture
def json_log() -> Iterator[io.StringIO]:
    yield from _capture("json")


@pytest.fixture
def text_log() -> Iterator[io.StringIO]:
    yield from _capture("text")


def _lines(stream: io.StringIO) -> list[dict[str, Any]]:
    text = stream.getvalue()
    assert text, "nothing was logged"
    return [json.loads(line) for line in text.splitlines()]


def test_a_requests_log_lines_carry_its_id(world: World, json_log: io.StringIO) -> None:
    """A plan that does not exist: django.request logs "Not Found" after the middleware has
    answered, and the line still carries the id the client was given."""
    response = world.client(world.coordinator).get(
        f"{API}/plans/987654/", HTTP_X_REQUEST_ID="trace-42"
    )
    assert response.status_code == 404
    lines = _lines(json_log)
    (line,) = [line for line in lines if line["logger"] == "django.request"]
    assert line["request_id"] == response["X-Request-ID"]
    assert line["client_request_id"] == "trace-42"
    assert line["level"] == "WARNING"
    assert line["message"] == "Not Found: /api/v1/plans/987654/"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+\+00:00", line["timestamp"])


@pytest.mark.parametrize("bad", ["x y", "a" * 65, "<script>", "abc\r\nX-Evil: 1"])
def test_a_clients_bad_id_is_not_logged(world: World, json_log: io.StringIO, bad: str) -> None:
    response = world.client(world.coordinator).get(f"{API}/plans/987654/", HTTP_X_REQUEST_ID=bad)
    assert response.status_code == 404
    (line,) = [line for line in _lines(json_log) if line["logger"] == "django.request"]
    assert line["request_id"] == response["X-Request-ID"]
    assert "client_request_id" not in line
    assert bad not in json_log.getvalue()
    assert json.dumps(bad)[1:-1] not in json_log.getvalue()


def test_between_requests_there_is_no_request_id(world: World, json_log: io.StringIO) -> None:
    world.client(world.coordinator).get(f"{API}/plans/987654/")
    logging.getLogger("tests.ops").warning("after the request")
    last = _lines(json_log)[-1]
    assert (last["message"], last["request_id"]) == ("after the request", None)


def test_a_tasks_log_lines_carry_the_task_id(db: None, json_log: io.StringIO) -> None:
    result = log_a_line.apply()
    (line,) = [line for line in _lines(json_log) if line["logger"] == "tests.ops"]
    assert line["message"] == "inside the task"
    assert line["task_id"] == result.id
    assert line["task_name"] == "tests.ops.log_a_line"


def test_text_lines_carry_the_ids_too(world: World, text_log: io.StringIO) -> None:
    response = world.client(world.coordinator).get(
        f"{API}/plans/987654/", HTTP_X_REQUEST_ID="trace-43"
    )
    (line,) = [line for line in text_log.getvalue().splitlines() if "django.request" in line]
    assert f"[request={response['X-Request-ID']} client=trace-43]" in line
    assert line.endswith("Not Found: /api/v1/plans/987654/")


def test_the_log_format_is_checked() -> None:
    with pytest.raises(ImproperlyConfigured, match="KIP_LOG_FORMAT='xml'"):
        logging_config(log_format="xml", level="INFO")


def test_json_lines_hold_only_the_known_fields(world: World, json_log: io.StringIO) -> None:
    """django.request attaches the request itself (its text holds the query string): left out."""
    world.client(world.coordinator).get(f"{API}/plans/987654/?note=private-words")
    (line,) = [line for line in _lines(json_log) if line["logger"] == "django.request"]
    assert set(line) == {"timestamp", "level", "logger", "message", "request_id", "status_code"}
    assert "private-words" not in json_log.getvalue()


def test_a_traceback_is_one_field_of_one_line(db: None, json_log: io.StringIO) -> None:
    try:
        raise ValueError("boom")
    except ValueError:
        logging.getLogger("tests.ops").exception("it failed")
    (line,) = _lines(json_log)
    assert line["message"] == "it failed"
    assert line["exc_info"].startswith("Traceback")
    assert "ValueError: boom" in line["exc_info"]
