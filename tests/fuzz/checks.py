"""The fuzzer's own checks and hooks: act as the role, reach real objects, see nothing more.

- ``act_for``: every request acts for the role's organisation, except a negative case whose
  one wrong part is the ``X-Organisation`` header itself.
- ``aim_at_known_ids``: a small drawn id (path, query or body) becomes the id of a real
  object, so most cases reach past "not found" while large ids still test it.
- ``for_role``: answers show only what the role may see (``world.Visibility``); a refusal of
  schema-valid data names the field to fix.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

from requests.structures import CaseInsensitiveDict
from schemathesis import Case, CheckContext, Response
from schemathesis.core.failures import Failure

from tests.fuzz import world

SMALL = 64  # drawn ids below this become known ids; larger ones keep testing "missing"


def act_for(case: Case, role: world.Role) -> None:
    if case.headers is None:
        case.headers = CaseInsensitiveDict()
    negated = case.meta is not None and case.meta.generation.mode.is_negative
    if not (negated and "X-Organisation" in case.headers and not _positive_int(case.headers)):
        case.headers["X-Organisation"] = str(role.organisation.pk)


def _positive_int(headers: Any) -> bool:
    value = str(headers.get("X-Organisation", ""))
    return value.isascii() and value.isdigit() and int(value) > 0


# --- reaching real objects -----------------------------------------------------------------


def _known(ids: list[int], value: Any) -> Any:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value < SMALL or not ids:
        return value
    return ids[value % len(ids)]


def _table_for_path(path: str, name: str) -> Any:
    words = [w for w in path.strip("/").split("/") if w]
    for index, word in enumerate(words):
        if word == "{" + name + "}" and index > 0:
            return world.ID_TABLES.get(words[index - 1])
    return None


def _map_fields(value: Any, ids: dict[Any, list[int]]) -> Any:
    if isinstance(value, dict):
        result = {}
        for key, item in value.items():
            table = world.FIELD_TABLES.get(key)
            if table is not None and isinstance(item, list):
                result[key] = [_known(ids[table], i) for i in item]
            elif table is not None:
                result[key] = _known(ids[table], item)
            else:
                result[key] = _map_fields(item, ids)
        return result
    if isinstance(value, list):
        return [_map_fields(item, ids) for item in value]
    return value


def aim_at_known_ids(schema: Any, ids: dict[Any, list[int]]) -> None:
    @schema.hook
    def map_path_parameters(context: Any, path_parameters: Any) -> Any:
        if not isinstance(path_parameters, dict):
            return path_parameters
        path = context.operation.path
        result = {}
        for name, value in path_parameters.items():
            table = _table_for_path(path, name)
            result[name] = _known(ids[table], value) if table is not None else value
        return result

    @schema.hook
    def map_query(context: Any, query: Any) -> Any:
        return _map_fields(query, ids)

    @schema.hook
    def map_body(context: Any, body: Any) -> Any:
        return _map_fields(body, ids)


# --- what the role may see -----------------------------------------------------------------


class NotTheirs(Failure):
    """An answer showed an object the role may not see."""

    code = "KIP901"
    kind_title = "Object the role may not see"

    @property
    def _unique_key(self) -> str:
        return self.message


class UnnamedRejection(Failure):
    """Schema-valid data was refused with a 400 that names no field."""

    code = "KIP902"
    kind_title = "Valid data refused without naming a field"


# Which set an "id" of the answer belongs to, by the last collection word of the path.
RESOURCE = {
    "plans": "plans",
    "close": "plans",
    "citizens": "citizens",
    "consents": "consents",
    "withdraw": "consents",
    "handovers": "handovers",
    "accept": "handovers",
    "decline": "handovers",
    "cancel": "handovers",
    "reviews": "reviews",
    "notifications": "notifications",
    "read": "notifications",
    "network": "network_members",
    "transitions": "transitions",
    "discharge-tasks": "discharge_tasks",
}
# Ids that name an object, wherever they appear in an answer outside the audit trail.
KEYS = {"plan": "plan_refs", "citizen": "citizens", "handover": "handovers"}
# Path parameters naming an object the role must see for a 2xx.
PATH_SETS = {
    "plans": "plans",
    "citizens": "citizens",
    "handovers": "handovers",
    "notifications": "notifications",
    "break-glass": "grants",
}


def _collection(path: str) -> str:
    words = [w for w in path.strip("/").split("/") if w and not w.startswith("{")]
    return words[-1] if words else ""


def _objects(body: Any) -> Iterator[dict[str, Any]]:
    """The top-level objects of an answer: the object, or the items of ``results``."""
    if isinstance(body, dict) and isinstance(body.get("results"), list):
        yield from (item for item in body["results"] if isinstance(item, dict))
    elif isinstance(body, dict):
        yield body


def _walk(value: Any) -> Iterator[tuple[str, Any]]:
    if isinstance(value, dict):
        for key, item in value.items():
            # In a rating ({goal, citizen, professional}, DESIGN §9: at a review, and in a
            # goal's progress) "citizen" is the citizen's own score 0-10, not a citizen's id.
            if not (key == "citizen" and "professional" in value):
                yield key, item
            yield from _walk(item)
    elif isinstance(value, list):
        for item in value:
            yield from _walk(item)


def shown(case: Case, body: Any) -> Iterator[tuple[str, int]]:
    """(set name, id) for each object the answer shows or the path names."""
    path = case.operation.path
    words = [w for w in path.strip("/").split("/") if w]
    for index, word in enumerate(words):
        match = re.fullmatch(r"\{(\w+)\}", word)
        if match and index > 0 and words[index - 1] in PATH_SETS:
            value = (case.path_parameters or {}).get(match.group(1))
            if isinstance(value, int) or (isinstance(value, str) and value.isdigit()):
                yield PATH_SETS[words[index - 1]], int(value)
    audit = path.startswith("/api/v1/audit/")
    if audit:
        kind = "grants" if "break-glass" in path else "events"
        for item in _objects(body):
            if isinstance(item.get("id"), int):
                yield kind, item["id"]
        return
    resource = RESOURCE.get(_collection(path))
    if resource == "handovers" and path.startswith("/api/v1/plans/"):
        resource = "plan_handovers"  # the plan's handovers, which its readers see
    if resource:
        for item in _objects(body):
            if isinstance(item.get("id"), int):
                yield resource, item["id"]
    for key, value in _walk(body):
        # A break-the-glass answer names the citizen the grant is for, by design.
        if (
            key in KEYS
            and isinstance(value, int)
            and not (key == "citizen" and path == "/api/v1/break-glass/")
        ):
            # On a plan's path a transition names the plan's accepted handover it rode on.
            if key == "handover" and path.startswith("/api/v1/plans/"):
                yield "plan_handovers", value
            else:
                yield KEYS[key], value


def for_role(role: world.Role, before: world.Visibility | None = None) -> list[Callable[..., Any]]:
    """Our checks for one answer to ``role``; ``before``: what it saw before the request
    (by default the world as built, which every rolled-back request starts from)."""
    seen_before = before or role.sees

    def only_what_the_role_may_see(ctx: CheckContext, response: Response, case: Case) -> None:
        # Probes with other methods (OPTIONS, ...) describe the endpoint, not its objects.
        if case.method.upper() != case.operation.method.upper():
            return
        if not 200 <= response.status_code < 300:
            return
        if case.operation.path.startswith("/api/v1/audit/") and role.role != "manager":
            raise NotTheirs(
                operation=case.operation.label,
                message=f"{role.username} read the audit trail ({response.status_code})",
            )
        try:
            body = response.json()
        except ValueError:
            return
        # Seen before the request, or after it (what a write made).
        after = seen_before if case.method.upper() == "GET" else world.visibility(role)
        for kind, pk in shown(case, body):
            if pk not in getattr(seen_before, kind) and pk not in getattr(after, kind):
                raise NotTheirs(
                    operation=case.operation.label,
                    message=f"{role.username} was shown {kind[:-1]} {pk}",
                )

    def positive_rejection_names_a_field(ctx: CheckContext, response: Response, case: Case) -> None:
        if response.status_code != 400 or case.meta is None:
            return
        if not case.meta.generation.mode.is_positive:
            return
        try:
            fields = response.json().get("fields")
        except (ValueError, AttributeError):
            fields = None
        if not fields:
            raise UnnamedRejection(
                operation=case.operation.label,
                message=f"400 without `fields` for schema-valid data: {response.text[:200]}",
            )

    return [only_what_the_role_may_see, positive_rejection_names_a_field]
