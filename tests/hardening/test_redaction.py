"""kip_service/redaction.py: no CPR number in a log record, whoever makes it and however it
is formatted; what is not a CPR number stays. The whole run's logs: test_embedded_run.py."""

from __future__ import annotations

import json
import logging
import sys
from typing import Any

import pytest
from django.http import HttpRequest, HttpResponse
from django.test import Client, override_settings
from django.urls import path
from pythonjsonlogger.json import JsonFormatter
from rest_framework.test import APIClient

from kip_service.redaction import MASK, redact
from tests.conftest import World
from tests.hardening.logs import spellings

CPR = "0101801234"


@pytest.mark.parametrize("spelling", [*sorted(spellings(CPR)), "010180 - 1234"])
def test_every_spelling_is_masked(spelling: str) -> None:
    assert (
        redact(f"GET /api/v1/citizens/?cpr={spelling}&x=1")
        == f"GET /api/v1/citizens/?cpr={MASK}&x=1"
    )
    assert redact(f"Not Found: /citizens/{spelling}/") == f"Not Found: /citizens/{MASK}/"
    assert redact(f'{{"cpr": "{spelling}"}}') == f'{{"cpr": "{MASK}"}}'


@pytest.mark.parametrize(
    "kept",
    [
        "request=033af91617f441afb411e32d11580923",  # hex ids with digit runs
        "request=a0101801234b",
        "[04/Dec/2026:16:19:55 +0100] 200 1651",
        "01018012345",  # eleven digits: no CPR number
        "plan 123456 goal 7890",
    ],
)
def test_what_is_not_a_cpr_number_stays(kept: str) -> None:
    assert redact(kept) == kept


def log_output(formatter: logging.Formatter, emit: Any) -> str:
    """What a handler with ``formatter`` writes for the records ``emit`` makes."""
    lines: list[str] = []

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            lines.append(self.format(record))

    handler = Collect()
    handler.setFormatter(formatter)
    logger = logging.getLogger("tests.hardening.redaction")
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    try:
        emit(logger)
    finally:
        logger.removeHandler(handler)
    return "\n".join(lines)


def emit_everything(logger: logging.Logger) -> None:
    logger.warning("search for %s", "010180-1234")
    logger.info("as a dict %(cpr)s", {"cpr": CPR})
    logger.info({"event": "structured", "cpr": CPR})
    try:
        raise ValueError(f"no citizen {CPR}")
    except ValueError:
        logger.exception("lookup failed")
    logger.info("where", stack_info=True, extra={"note": "plain"})


@pytest.mark.parametrize(
    "formatter",
    [logging.Formatter("%(levelname)s %(message)s"), JsonFormatter("{message}", style="{")],
    ids=["text", "json"],
)
def test_messages_arguments_and_tracebacks_are_masked(formatter: logging.Formatter) -> None:
    output = log_output(formatter, emit_everything)
    assert "lookup failed" in output
    assert "ValueError: no citizen" in output.replace("\\n", "\n")
    assert MASK in output
    assert not [s for s in spellings(CPR) if s in output], output


def boom(request: HttpRequest) -> HttpResponse:
    raise RuntimeError(f"something failed for {request.GET.get('cpr')}")


urlpatterns = [path("boom/", boom)]


@pytest.mark.django_db
@override_settings(ROOT_URLCONF=sys.modules[__name__].__name__, DEBUG=False)
def test_a_server_error_logs_no_cpr_and_shows_none(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    response = Client(raise_request_exception=False).get(f"/boom/?cpr={CPR}")
    assert response.status_code == 500
    assert CPR not in response.content.decode()  # DEBUG off: the plain error page
    errors = [r for r in caplog.records if r.name == "django.request"]
    assert errors
    assert "RuntimeError: something failed for xxxxxx-xxxx" in (errors[0].exc_text or "")
    assert CPR not in caplog.text


@pytest.mark.django_db
def test_api_answers_may_echo_a_bad_cpr_but_the_logs_never_do(
    world: World, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    client = APIClient()
    client.force_authenticate(world.coordinator)
    bad = "3201801234"
    answers = [
        client.get(f"/api/v1/citizens/?cpr={bad}"),
        client.post("/api/v1/citizens/", {"cpr": bad, "name": "X Y"}, format="json"),
        client.get(f"/api/v1/citizens/{CPR}/"),
        client.get(f"/api/v1/citizens/?cpr={CPR}"),
    ]
    assert [a.status_code for a in answers] == [400, 400, 404, 200]
    assert "cpr" in json.dumps(answers[1].json())
    assert caplog.records, "4xx answers are logged (django.request)"
    assert not [s for n in (bad, CPR) for s in spellings(n) if s in caplog.text], caplog.text
