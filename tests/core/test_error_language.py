"""Every error the parsers and the API policy give reaches the user in Danish (and English).

The same bad request is sent with ``Accept-Language: da`` and ``en``: the detail and every
field message must differ, so none is left untranslated (DRF's own messages that its Danish
catalogue lacks are carried by ours: apps/core/api/messages.py).
"""

from __future__ import annotations

import base64
from typing import Any

from rest_framework.test import APIClient

from tests.core.test_parsers import ARABIC, in_script
from tests.helpers import API, RichWorld


def _messages(body: dict[str, Any]) -> list[str]:
    found = [body["detail"]]

    def walk(value: Any) -> None:
        if isinstance(value, str):
            found.append(value)
        elif isinstance(value, dict):
            for inner in value.values():
                walk(inner)
        elif isinstance(value, list):
            for inner in value:
                walk(inner)

    walk(body["fields"])
    return found


def _cases(w: RichWorld) -> list[tuple[str, str, str, dict[str, Any]]]:
    plan = f"{API}/plans/{w.plan.pk}/"
    agreements = f"{API}/plans/{w.plan.pk}/agreements/"
    create = {
        "citizen": w.free_citizen.pk,
        "coordinator": {"user": w.coordinator.pk, "organisation": w.orgs["addiction"].pk},
    }
    json_body = {"content_type": "application/json"}
    return [
        ("accept", "get", f"{API}/plans/", {"HTTP_ACCEPT": "text/html"}),
        ("format", "get", f"{API}/plans/?format=api", {}),
        ("no endpoint", "get", f"{API}/nothing/", {}),
        ("page size", "get", f"{API}/plans/?page_size=0", {}),
        ("page size text", "get", f"{API}/plans/?page_size=abc", {}),
        ("page size digits", "get", f"{API}/plans/?page_size=" + in_script(ARABIC, "5"), {}),
        ("cursor", "get", f"{API}/plans/?cursor=" + base64.b64encode(b"p=x").decode(), {}),
        ("query id", "get", f"{API}/plans/?citizen={2**64}", {}),
        ("query choice", "get", f"{API}/handovers/?state=lost", {}),
        ("deep body", "post", f"{API}/plans/", {"data": "[" * 50, **json_body}),
        ("not utf-8", "post", f"{API}/plans/", {"data": b"\xff", **json_body}),
        ("not json", "post", f"{API}/plans/", {"data": "{", **json_body}),
        ("too large", "post", f"{API}/plans/", {"data": "[" + "1," * 200_000 + "1]", **json_body}),
        ("content type", "post", f"{API}/plans/", {"data": "x", "content_type": "text/plain"}),
        (
            "cpr digits",
            "post",
            f"{API}/citizens/",
            {"data": {"cpr": in_script(ARABIC, "0101801234"), "name": "X"}, "format": "json"},
        ),
        (
            "id",
            "post",
            f"{API}/plans/",
            {"data": {**create, "participants": [2**64]}, "format": "json"},
        ),
        (
            "list length",
            "post",
            f"{API}/plans/",
            {"data": {**create, "participants": list(range(1, 30))}, "format": "json"},
        ),
        (
            "list empty",
            "post",
            f"{API}/plans/",
            {"data": {**create, "participants": []}, "format": "json"},
        ),
        (
            "date",
            "post",
            agreements,
            {"data": {"text": "x", "due": "0001-01-01"}, "format": "json", "HTTP_IF_MATCH": "*"},
        ),
        (
            "date format",
            "post",
            agreements,
            {"data": {"text": "x", "due": "1/1/2026"}, "format": "json", "HTTP_IF_MATCH": "*"},
        ),
        (
            "boolean",
            "post",
            agreements,
            {"data": {"text": "x", "done": "maybe"}, "format": "json", "HTTP_IF_MATCH": "*"},
        ),
        (
            "string",
            "post",
            agreements,
            {"data": {"text": {"a": 1}}, "format": "json", "HTTP_IF_MATCH": "*"},
        ),
        (
            "moment",
            "post",
            f"{API}/citizens/{w.citizen.pk}/consents/",
            {
                "data": {"organisations": [1], "form": "oral", "given_at": "0001-01-01T00:00:00Z"},
                "format": "json",
            },
        ),
        (
            "no local time",
            "post",
            f"{API}/citizens/{w.citizen.pk}/consents/",
            {
                "data": {"organisations": [1], "form": "oral", "given_at": "2026-03-29T02:30:00"},
                "format": "json",
            },
        ),
        (
            "stale tag",
            "patch",
            plan,
            {"data": {"assessment": {}}, "format": "json", "HTTP_IF_MATCH": '"abc"'},
        ),
        (
            "malformed tag",
            "patch",
            plan,
            {"data": {"assessment": {}}, "format": "json", "HTTP_IF_MATCH": "abc"},
        ),
        ("no tag", "patch", plan, {"data": {"assessment": {}}, "format": "json"}),
        ("not found", "post", f"{API}/notifications/987654/read/", {}),
        ("method", "delete", f"{API}/plans/", {}),
    ]


def test_every_error_is_translated(rich: RichWorld) -> None:
    client = APIClient()
    client.force_authenticate(rich.coordinator)
    untranslated = []
    for name, method, url, kwargs in _cases(rich):
        answers = {}
        for language in ("da", "en"):
            response = getattr(client, method)(url, HTTP_ACCEPT_LANGUAGE=language, **kwargs)
            assert 400 <= response.status_code < 500, (name, response.status_code)
            assert response["Content-Type"] == "application/json", name
            answers[language] = _messages(response.json())
        for danish, english in zip(answers["da"], answers["en"], strict=True):
            if danish == english:
                untranslated.append(f"{name}: {english}")
    assert not untranslated, "\n".join(untranslated)


def test_anonymous_errors_are_translated(db: None) -> None:
    client = APIClient()
    for url, kwargs in (
        (f"{API}/plans/", {}),
        (f"{API}/auth/token/", {"data": "[" * 50, "content_type": "application/json"}),
    ):
        method = "post" if kwargs else "get"
        da = getattr(client, method)(url, HTTP_ACCEPT_LANGUAGE="da", **kwargs).json()
        en = getattr(client, method)(url, HTTP_ACCEPT_LANGUAGE="en", **kwargs).json()
        assert da["detail"] != en["detail"], (url, da)
