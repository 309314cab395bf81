"""The permission matrix: every persona against every endpoint and method (DESIGN §5).

Each row names a request and the status each persona must get. Rules:
objects one may not see answer 404 (outsider, withdrawn consent); actions one may not take on
what one sees answer 403 (managers read only; only the coordinator coordinates; each
organisation edits only its own efforts). A refused request leaves the database unchanged; an
allowed write changes it.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.db import transaction
from django.utils import timezone

from apps.citizens import cpr
from tests.helpers import API, NEW_CPR, RichWorld, assert_error, build_rich_world, snapshot

# Every test here needs the test database (pytest-django sets it up only for marked tests);
# the world itself is built once per module (``module_world``).
pytestmark = pytest.mark.django_db

PERSONAS = ("coordinator", "colleague", "participant", "outsider", "manager", "withdrawn")

# Shorthands for the table.
OK, CREATED, GONE = 200, 201, 204
BAD, FORBIDDEN, MISSING, CONFLICT, STALE, NO_IF_MATCH = 400, 403, 404, 409, 412, 428


@dataclass(frozen=True)
class Row:
    name: str
    method: str
    path: Callable[[RichWorld], str]
    expected: tuple[int, int, int, int, int, int]  # in the order of PERSONAS
    body: Callable[[RichWorld, Any], dict] | None = None
    if_match: str = "current"  # "current", "stale" or "none"

    @property
    def writes(self) -> bool:
        return self.method != "get"


def _plan(w: RichWorld) -> str:
    return f"{API}/plans/{w.plan.pk}/"


def _review(w: RichWorld, user: Any) -> dict:
    return {"next_review": (timezone.localdate() + datetime.timedelta(days=60)).isoformat()}


ROWS: list[Row] = [
    # --- plans -----------------------------------------------------------------------------
    Row("plan list", "get", lambda w: f"{API}/plans/", (OK, OK, OK, OK, OK, OK)),
    Row(
        "plan create (citizen without a plan)",
        "post",
        lambda w: f"{API}/plans/",
        (CREATED, CREATED, CREATED, MISSING, FORBIDDEN, MISSING),
        body=lambda w, u: {
            "citizen": w.free_citizen.pk,
            "coordinator": {"user": w.coordinator.pk, "organisation": w.orgs["addiction"].pk},
            "participants": [w.orgs["addiction"].pk, w.orgs["chp"].pk],
        },
    ),
    Row(
        "plan create (citizen with an open plan)",
        "post",
        lambda w: f"{API}/plans/",
        (CONFLICT, CONFLICT, CONFLICT, MISSING, FORBIDDEN, MISSING),
        body=lambda w, u: {
            "citizen": w.citizen.pk,
            "coordinator": {"user": w.coordinator.pk, "organisation": w.orgs["addiction"].pk},
            "participants": [w.orgs["addiction"].pk, w.orgs["chp"].pk],
        },
    ),
    Row("plan detail", "get", _plan, (OK, OK, OK, MISSING, OK, MISSING)),
    Row("plan detail (no such plan)", "get", lambda w: f"{API}/plans/987654/", (MISSING,) * 6),
    Row(
        "plan patch assessment",
        "patch",
        _plan,
        (OK, OK, OK, MISSING, FORBIDDEN, MISSING),
        body=lambda w, u: {"assessment": {"housing": f"by {u.username}"}},
    ),
    Row(
        "plan patch unknown life domain",
        "patch",
        _plan,
        (BAD, BAD, BAD, MISSING, FORBIDDEN, MISSING),
        body=lambda w, u: {"assessment": {"astrology": "x"}},
    ),
    Row(
        "plan patch stale version",
        "patch",
        _plan,
        (STALE, STALE, STALE, MISSING, FORBIDDEN, MISSING),
        body=lambda w, u: {"assessment": {"housing": "x"}},
        if_match="stale",
    ),
    Row(
        "plan patch without If-Match",
        "patch",
        _plan,
        # The access check comes first: a 428 must not tell an outsider that the plan exists.
        (NO_IF_MATCH, NO_IF_MATCH, NO_IF_MATCH, MISSING, FORBIDDEN, MISSING),
        body=lambda w, u: {"assessment": {"housing": "x"}},
        if_match="none",
    ),
    Row(
        "plan patch next_review (coordinator only)",
        "patch",
        _plan,
        (OK, FORBIDDEN, FORBIDDEN, MISSING, FORBIDDEN, MISSING),
        body=_review,
    ),
    Row(
        "plan patch status (coordinator only)",
        "patch",
        _plan,
        (OK, FORBIDDEN, FORBIDDEN, MISSING, FORBIDDEN, MISSING),
        body=lambda w, u: {"status": "active"},
    ),
    Row(
        "plan close (coordinator only)",
        "post",
        lambda w: f"{API}/plans/{w.plan.pk}/close/",
        (OK, FORBIDDEN, FORBIDDEN, MISSING, FORBIDDEN, MISSING),
        body=lambda w, u: {"reason": "goals_reached"},
    ),
    Row("plan delete (not offered)", "delete", _plan, (405, 405, 405, 405, 405, 405)),
    # --- participants ----------------------------------------------------------------------
    Row(
        "participants list",
        "get",
        lambda w: f"{API}/plans/{w.plan.pk}/participants/",
        (OK, OK, OK, MISSING, OK, MISSING),
    ),
    Row(
        "participant add (coordinator only)",
        "post",
        lambda w: f"{API}/plans/{w.plan.pk}/participants/",
        (CREATED, FORBIDDEN, FORBIDDEN, MISSING, FORBIDDEN, MISSING),
        body=lambda w, u: {"organisation": w.aftercare.pk},
    ),
    Row(
        "participant add outside consent",
        "post",
        lambda w: f"{API}/plans/{w.plan.pk}/participants/",
        (BAD, FORBIDDEN, FORBIDDEN, MISSING, FORBIDDEN, MISSING),
        body=lambda w, u: {"organisation": w.orgs["toften"].pk},
    ),
    Row(
        "participant remove (coordinator only)",
        "delete",
        lambda w: f"{API}/plans/{w.plan.pk}/participants/{w.orgs['chp'].pk}/",
        (GONE, FORBIDDEN, FORBIDDEN, MISSING, FORBIDDEN, MISSING),
    ),
    # --- goals -----------------------------------------------------------------------------
    Row(
        "goals list",
        "get",
        lambda w: f"{API}/plans/{w.plan.pk}/goals/",
        (OK, OK, OK, MISSING, OK, MISSING),
    ),
    Row(
        "goal create",
        "post",
        lambda w: f"{API}/plans/{w.plan.pk}/goals/",
        (CREATED, CREATED, CREATED, MISSING, FORBIDDEN, MISSING),
        body=lambda w, u: {"text": "Få en lejlighed"},
    ),
    Row(
        "goal patch",
        "patch",
        lambda w: f"{API}/plans/{w.plan.pk}/goals/{w.goal.pk}/",
        (OK, OK, OK, MISSING, FORBIDDEN, MISSING),
        body=lambda w, u: {"status": "reached"},
    ),
    Row(
        "goal delete",
        "delete",
        lambda w: f"{API}/plans/{w.plan.pk}/goals/{w.goal.pk}/",
        (GONE, GONE, GONE, MISSING, FORBIDDEN, MISSING),
    ),
    # --- agreements ------------------------------------------------------------------------
    Row(
        "agreements list",
        "get",
        lambda w: f"{API}/plans/{w.plan.pk}/agreements/",
        (OK, OK, OK, MISSING, OK, MISSING),
    ),
    Row(
        "agreement create",
        "post",
        lambda w: f"{API}/plans/{w.plan.pk}/agreements/",
        (CREATED, CREATED, CREATED, MISSING, FORBIDDEN, MISSING),
        body=lambda w, u: {"text": "Møde på fredag"},
    ),
    Row(
        "agreement patch",
        "patch",
        lambda w: f"{API}/plans/{w.plan.pk}/agreements/{w.agreement.pk}/",
        (OK, OK, OK, MISSING, FORBIDDEN, MISSING),
        body=lambda w, u: {"done": True},
    ),
    Row(
        "agreement delete",
        "delete",
        lambda w: f"{API}/plans/{w.plan.pk}/agreements/{w.agreement.pk}/",
        (GONE, GONE, GONE, MISSING, FORBIDDEN, MISSING),
    ),
    # --- efforts: each organisation edits only its own ------------------------------------
    Row(
        "efforts list",
        "get",
        lambda w: f"{API}/plans/{w.plan.pk}/efforts/",
        (OK, OK, OK, MISSING, OK, MISSING),
    ),
    Row(
        "effort create (for the acting organisation)",
        "post",
        lambda w: f"{API}/plans/{w.plan.pk}/efforts/",
        (CREATED, CREATED, CREATED, MISSING, FORBIDDEN, MISSING),
        body=lambda w, u: {"description": "Ny indsats", "responsible": u.pk},
    ),
    Row(
        "effort patch, addiction's",
        "patch",
        lambda w: f"{API}/plans/{w.plan.pk}/efforts/{w.effort_own.pk}/",
        (OK, OK, FORBIDDEN, MISSING, FORBIDDEN, MISSING),
        body=lambda w, u: {"status": "active"},
    ),
    Row(
        "effort patch, chp's",
        "patch",
        lambda w: f"{API}/plans/{w.plan.pk}/efforts/{w.effort_chp.pk}/",
        (FORBIDDEN, FORBIDDEN, OK, MISSING, FORBIDDEN, MISSING),
        body=lambda w, u: {"status": "active"},
    ),
    Row(
        "effort delete, addiction's",
        "delete",
        lambda w: f"{API}/plans/{w.plan.pk}/efforts/{w.effort_own.pk}/",
        (GONE, GONE, FORBIDDEN, MISSING, FORBIDDEN, MISSING),
    ),
    Row(
        "effort delete, chp's",
        "delete",
        lambda w: f"{API}/plans/{w.plan.pk}/efforts/{w.effort_chp.pk}/",
        (FORBIDDEN, FORBIDDEN, GONE, MISSING, FORBIDDEN, MISSING),
    ),
    # --- citizens --------------------------------------------------------------------------
    Row("citizen list", "get", lambda w: f"{API}/citizens/", (OK,) * 6),
    Row(
        "citizen search by CPR",
        "get",
        lambda w: f"{API}/citizens/?cpr={w.citizen.cpr_digits}",
        (OK,) * 6,
    ),
    Row(
        "citizen detail",
        "get",
        lambda w: f"{API}/citizens/{w.citizen.pk}/",
        (OK, OK, OK, MISSING, OK, MISSING),
    ),
    Row(
        "citizen register",
        "post",
        lambda w: f"{API}/citizens/",
        (CREATED, CREATED, CREATED, CREATED, FORBIDDEN, CREATED),
        body=lambda w, u: {"cpr": NEW_CPR, "name": "Ny Borger"},
    ),
    Row(
        "citizen register, CPR taken",
        "post",
        lambda w: f"{API}/citizens/",
        (CONFLICT, CONFLICT, CONFLICT, CONFLICT, FORBIDDEN, CONFLICT),
        body=lambda w, u: {"cpr": w.citizen.cpr_digits, "name": "Dublet"},
    ),
    # --- consent ---------------------------------------------------------------------------
    Row(
        "consents list",
        "get",
        lambda w: f"{API}/citizens/{w.citizen.pk}/consents/",
        (OK, OK, OK, MISSING, OK, MISSING),
    ),
    Row(
        "consent give",
        "post",
        lambda w: f"{API}/citizens/{w.citizen.pk}/consents/",
        (CREATED, CREATED, CREATED, MISSING, FORBIDDEN, MISSING),
        body=lambda w, u: {"organisations": [w.orgs["toften"].pk], "form": "oral"},
    ),
    Row(
        "consent withdraw",
        "post",
        lambda w: f"{API}/citizens/{w.citizen.pk}/consents/{w.shared_consent.pk}/withdraw/",
        (OK, OK, OK, MISSING, FORBIDDEN, MISSING),
    ),
    Row(
        "consent withdraw, already withdrawn",
        "post",
        lambda w: f"{API}/citizens/{w.citizen.pk}/consents/{w.withdrawn_consent.pk}/withdraw/",
        (CONFLICT, CONFLICT, CONFLICT, MISSING, FORBIDDEN, MISSING),
    ),
]

CELLS = [
    pytest.param(row, i, persona, id=f"{row.name} | {persona}")
    for row in ROWS
    for i, persona in enumerate(PERSONAS)
]


def _request(w: RichWorld, row: Row, persona: str) -> Any:
    user = getattr(w, persona)
    client = w.client(user)
    headers: dict[str, str] = {}
    w.plan.refresh_from_db()
    if row.writes and row.if_match == "current":
        headers["HTTP_IF_MATCH"] = w.plan.etag
    elif row.if_match == "stale":
        headers["HTTP_IF_MATCH"] = f'"{w.plan.version - 1}"'
    body = row.body(w, user) if row.body else None
    call = getattr(client, row.method)
    if body is None:
        return call(row.path(w), **headers)
    return call(row.path(w), body, format="json", **headers)


def _check_cell(w: RichWorld, row: Row, index: int, persona: str) -> tuple[int, int]:
    """Run one cell; return (expected, got). Refusals must leave the database unchanged."""
    before = snapshot()
    response = _request(w, row, persona)
    after = snapshot()
    expected = row.expected[index]
    if response.status_code >= 400:
        assert after == before, f"{row.name} | {persona}: refused but the database changed"
        assert_error(response, response.status_code)
    elif row.writes:
        assert after != before, f"{row.name} | {persona}: {response.status_code} but nothing saved"
    else:
        assert after == before
    return expected, response.status_code


@pytest.fixture(scope="module")
def module_world(django_db_setup: None, django_db_blocker: Any) -> Iterator[RichWorld]:
    """One world for the whole table, built once, rolled back at the end of the module."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield build_rich_world()
        transaction.set_rollback(True)


@pytest.fixture
def rich(module_world: RichWorld, django_db_blocker: Any) -> Iterator[RichWorld]:
    """The module's world, with whatever a test does to it rolled back afterwards."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield module_world
        transaction.set_rollback(True)


@pytest.mark.parametrize(("row", "index", "persona"), CELLS)
def test_cell(rich: RichWorld, row: Row, index: int, persona: str) -> None:
    expected, got = _check_cell(rich, row, index, persona)
    assert got == expected, f"{row.name} | {persona}: expected {expected}, got {got}"


def test_no_unexpected_success_anywhere(rich: RichWorld) -> None:
    """The whole table in one world, each cell rolled back: no 2xx where the table has none."""
    w = rich
    unexpected_success, mismatches = [], []
    for row in ROWS:
        for index, persona in enumerate(PERSONAS):
            with transaction.atomic():
                expected, got = _check_cell(w, row, index, persona)
                transaction.set_rollback(True)
            if got != expected:
                mismatches.append((row.name, persona, expected, got))
            if 200 <= got < 300 and not 200 <= expected < 300:
                unexpected_success.append((row.name, persona, got))
    assert unexpected_success == []
    assert mismatches == []
    assert len(ROWS) * len(PERSONAS) >= 200


# --- what the allowed reads show ------------------------------------------------------------

VISIBLE_PLANS = {
    "coordinator": True,
    "colleague": True,
    "participant": True,
    "outsider": False,
    "manager": True,
    "withdrawn": False,
}


@pytest.mark.parametrize("persona", PERSONAS)
def test_plan_list_shows_only_plans_in_reach(rich: RichWorld, persona: str) -> None:
    results = rich.client(getattr(rich, persona)).get(f"{API}/plans/").json()["results"]
    assert [p["id"] for p in results] == ([rich.plan.pk] if VISIBLE_PLANS[persona] else [])


@pytest.mark.parametrize("persona", PERSONAS)
def test_citizen_list_and_search_show_only_citizens_in_reach(rich: RichWorld, persona: str) -> None:
    client = rich.client(getattr(rich, persona))
    listed = {c["id"] for c in client.get(f"{API}/citizens/").json()["results"]}
    found = client.get(f"{API}/citizens/?cpr={rich.citizen.cpr_digits}").json()["results"]
    if VISIBLE_PLANS[persona]:
        assert listed == {rich.citizen.pk, rich.free_citizen.pk}
        assert [c["id"] for c in found] == [rich.citizen.pk]
        assert found[0]["cpr"] == cpr.mask(rich.citizen.cpr_digits)
    else:
        assert listed == set()
        assert found == []


def test_forbidden_and_missing_look_the_same(rich: RichWorld) -> None:
    """404 for a plan one may not see is byte for byte the 404 of a plan that does not exist."""
    client = rich.client(rich.outsider)
    hidden = client.get(f"{API}/plans/{rich.plan.pk}/")
    missing = client.get(f"{API}/plans/987654/")
    assert hidden.status_code == missing.status_code == 404
    assert hidden.json() == missing.json()
    hidden = client.get(f"{API}/citizens/{rich.citizen.pk}/")
    missing = client.get(f"{API}/citizens/987654/")
    assert hidden.status_code == missing.status_code == 404
    assert hidden.json() == missing.json()


def test_a_plan_list_page_reveals_no_plan_for_an_outsider_by_filter(rich: RichWorld) -> None:
    client = rich.client(rich.outsider)
    response = client.get(f"{API}/plans/?citizen={rich.citizen.pk}")
    assert response.status_code == 200
    assert response.json()["results"] == []


def _run_table(w: RichWorld, rows: list[Row]) -> list[tuple[str, str, int, int]]:
    unexpected = []
    for row in rows:
        for index, persona in enumerate(PERSONAS):
            with transaction.atomic():
                expected, got = _check_cell(w, row, index, persona)
                transaction.set_rollback(True)
            if 200 <= got < 300 and not 200 <= expected < 300:
                unexpected.append((row.name, persona, expected, got))
    return unexpected


def test_the_table_catches_a_broken_rule(rich: RichWorld, monkeypatch: pytest.MonkeyPatch) -> None:
    """If managers could edit and anyone could edit any effort, the table would say so."""
    from apps.access import checks

    w = rich
    monkeypatch.setattr(checks, "_write_refusal", lambda actor, plan, action: None)
    monkeypatch.setattr(checks, "may_edit_effort", lambda actor, effort: True)
    probes = {
        "plan close (coordinator only)",
        "plan patch assessment",
        "effort patch, chp's",
        "participant add (coordinator only)",
        "plan detail",
    }
    rows = [row for row in ROWS if row.name in probes]
    assert len(rows) == len(probes)
    unexpected = {(name, persona) for name, persona, _e, _g in _run_table(w, rows)}
    # Visibility is untouched by the patch: outsiders still get 404, never a 2xx.
    assert not {persona for _name, persona in unexpected} & {"outsider", "withdrawn"}
    assert ("plan close (coordinator only)", "colleague") in unexpected
    assert ("plan patch assessment", "manager") in unexpected
    assert ("effort patch, chp's", "coordinator") in unexpected
    assert ("participant add (coordinator only)", "participant") in unexpected
