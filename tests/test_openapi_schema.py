"""The OpenAPI schema (``/api/schema/``) is complete, valid and says what the API answers."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from django.core.management import call_command
from drf_spectacular.checks import schema_check
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

from tests.helpers import API

AUDIT_OPERATIONS = [
    ("get", "/api/v1/audit/events/"),
    ("get", "/api/v1/audit/unusual/"),
    ("post", "/api/v1/break-glass/"),
    ("get", "/api/v1/audit/break-glass/"),
    ("post", "/api/v1/audit/break-glass/{id}/review/"),
    ("get", "/api/v1/citizens/{id}/access-report/"),
]
METHODS = ("get", "post", "put", "patch", "delete")


@pytest.fixture(scope="module")
def openapi() -> dict[str, Any]:
    return SchemaGenerator().get_schema(request=None, public=True)


def operations(openapi: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (method, path, item[method])
        for path, item in openapi["paths"].items()
        for method in METHODS
        if method in item
    ]


def resolve(openapi: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = openapi["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    return schema


def test_schema_generates_valid_without_a_warning_or_error(tmp_path: Path) -> None:
    out = tmp_path / "schema.yaml"
    # --fail-on-warn fails on errors too (a view it cannot read is an error).
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(out))
    assert yaml.safe_load(out.read_text())["paths"]


def test_django_check_reports_nothing_about_the_schema() -> None:
    assert schema_check(None) == []


@pytest.mark.parametrize(("method", "path"), AUDIT_OPERATIONS)
def test_audit_endpoints_are_documented_with_their_answer(openapi, method, path):
    operation = openapi["paths"][path][method]
    success = next(code for code in operation["responses"] if code.startswith("2"))
    content = operation["responses"][success]["content"]["application/json"]
    assert resolve(openapi, content["schema"])["properties"]


def test_operation_ids_are_unique(openapi):
    ids = [operation["operationId"] for _, _, operation in operations(openapi)]
    assert len(ids) == len(set(ids))


def test_lists_are_documented_in_the_list_shape(openapi):
    lists = [(m, p, o) for m, p, o in operations(openapi) if o["operationId"].endswith("_list")]
    assert len(lists) >= 15
    for _, path, operation in lists:
        body = resolve(
            openapi, operation["responses"]["200"]["content"]["application/json"]["schema"]
        )
        assert body["type"] == "object", path
        assert resolve(openapi, body["properties"]["results"])["type"] == "array", path
        assert body["properties"]["next"].get("nullable"), path


@pytest.mark.parametrize(
    ("path", "filters"),
    [
        ("/api/v1/plans/", {"status", "citizen"}),
        ("/api/v1/citizens/", {"cpr"}),
        ("/api/v1/handovers/", {"state"}),
        ("/api/v1/notifications/", {"unread"}),
        ("/api/v1/audit/events/", {"actor", "organisation", "citizen", "action", "outcome"}),
        ("/api/v1/audit/unusual/", {"actor", "organisation", "citizen", "from", "to"}),
        ("/api/v1/audit/break-glass/", {"reviewed"}),
    ],
)
def test_paged_lists_document_paging_and_their_filters(openapi, path, filters):
    names = {p["name"] for p in openapi["paths"][path]["get"]["parameters"] if p["in"] == "query"}
    assert {"cursor", "page_size", *filters} <= names


def test_every_operation_documents_its_error_answers(openapi):
    for method, path, operation in operations(openapi):
        responses = operation["responses"]
        expected = {"400", "406"}
        if path != "/api/v1/auth/token/":  # a login: no credentials read, anyone may ask
            expected |= {"401", "403"}
        if "{" in path:
            expected.add("404")
        if "requestBody" in operation:
            expected |= {"413", "415"}
        headers = {p["name"]: p for p in operation.get("parameters", []) if p["in"] == "header"}
        if "If-Match" in headers:
            assert headers["If-Match"]["required"], (method, path)
            expected |= {"409", "412", "428"}
        assert expected <= set(responses), (method, path, expected - set(responses))
        for code in expected:
            schema = responses[code]["content"]["application/json"]["schema"]
            assert schema == {"$ref": "#/components/schemas/Error"}, (method, path, code)


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("patch", "/api/v1/plans/{id}/"),
        ("post", "/api/v1/plans/{id}/close/"),
        ("post", "/api/v1/plans/{plan_pk}/goals/"),
        ("patch", "/api/v1/plans/{plan_pk}/efforts/{id}/"),
        ("delete", "/api/v1/plans/{plan_pk}/agreements/{id}/"),
        ("post", "/api/v1/plans/{plan_pk}/participants/"),
        ("delete", "/api/v1/plans/{plan_pk}/participants/{id}/"),
        ("post", "/api/v1/plans/{plan_pk}/reviews/"),
    ],
)
def test_plan_writes_need_if_match_and_answer_the_etag(openapi, method, path):
    operation = openapi["paths"][path][method]
    headers = {p["name"] for p in operation["parameters"] if p["in"] == "header"}
    assert {"If-Match", "X-Organisation"} <= headers
    success = next(code for code in operation["responses"] if code.startswith("2"))
    assert operation["responses"][success]["headers"]["ETag"]["required"]


def test_views_acting_for_an_organisation_document_the_header(openapi):
    for method, path, operation in operations(openapi):
        headers = {p["name"] for p in operation.get("parameters", []) if p["in"] == "header"}
        # One's own, or the system administrator's, who acts for no organisation.
        personal = path.startswith(
            (
                "/api/v1/me/",
                "/api/v1/auth/",
                "/api/v1/organisations/",
                "/api/v1/admin/organisations/",
            )
        )
        assert ("X-Organisation" in headers) == (not personal), (method, path)


@pytest.fixture
def error_schema(openapi: dict[str, Any]) -> dict[str, Any]:
    return openapi["components"]["schemas"]["Error"]


@pytest.mark.parametrize(
    ("who", "method", "path", "data", "status"),
    [
        (None, "get", "/plans/", None, 401),
        ("participant", "get", "/plans/", {"status": "asleep"}, 400),
        ("participant", "get", "/audit/events/", None, 403),
        ("participant", "get", "/plans/999999/", None, 404),
        ("participant", "put", "/plans/", {}, 405),
        ("coordinator", "patch", "/plans/{plan}/", {"next_review": None}, 428),
        ("participant", "get", "/handovers/", {"state": "asleep"}, 400),
        ("participant", "get", "/notifications/", {"unread": "maybe"}, 400),
    ],
)
def test_errors_have_the_documented_shape(world, error_schema, who, method, path, data, status):
    client = world.client(getattr(world, who)) if who else APIClient()
    url = API + path.format(plan=world.plan.pk)
    kwargs = {"data": data} if method == "get" else {"data": data, "format": "json"}
    response = getattr(client, method)(url, **kwargs)
    assert response.status_code == status
    jsonschema.validate(response.json(), error_schema)
    if status == 400:
        assert set(response.json()["fields"]) & set(data or {})
