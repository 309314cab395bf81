"""The permission matrix of the administrator roles (DESIGN §5, §9 administration).

Personas: the local administrator of addiction (A) and of toften (B), a caseworker and a
manager of addiction, a system administrator (no membership), and nobody logged in. Every
administration endpoint and a sample of the citizen-data endpoints, each persona: the status
the table names, no 2xx where it names none, refusals change nothing (people, memberships,
organisations, tokens, role history, citizen data), allowed writes change something, and no
administrator role reads citizen data by that role alone.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from apps.audit.models import AccessEvent
from apps.coordination.models import Handover
from apps.coordination.services import handover_propose
from apps.notifications.models import Notification
from tests.administration.snapshots import people_snapshot
from tests.conftest import make_user
from tests.helpers import API, NEW_CPR, RichWorld, assert_error, build_rich_world

pytestmark = pytest.mark.django_db

User = get_user_model()
PERSONAS = ("admin_a", "admin_b", "caseworker", "manager", "system", "anonymous")
ADMINS = {"admin_a", "admin_b", "system"}

OK, CREATED = 200, 201
BAD, UNAUTHENTICATED, FORBIDDEN, MISSING = 400, 401, 403, 404


@dataclass
class AdminWorld:
    """The rich plan world, plus a local administrator of addiction and of toften and a
    system administrator. ``staff_a`` is an addiction caseworker (not the coordinator) whom
    the administrators act on; ``staff_b`` is toften's caseworker."""

    w: RichWorld
    admin_a: Any
    admin_b: Any
    system: Any

    def __getattr__(self, name: str) -> Any:
        return getattr(self.w, name)

    @property
    def caseworker(self) -> Any:
        return self.w.coordinator

    @property
    def staff_a(self) -> Any:
        return self.w.colleague

    @property
    def staff_b(self) -> Any:
        return self.w.outsider

    def user(self, persona: str) -> Any:
        return None if persona == "anonymous" else getattr(self, persona)

    def api(self, persona: str) -> APIClient:
        client = APIClient()
        user = self.user(persona)
        if user is not None:
            client.force_authenticate(user)
        return client


def build_admin_world() -> AdminWorld:
    w = build_rich_world()
    system = User.objects.create_user(
        username="system", email="system@example.org", is_staff=True, password="pw-system"
    )
    return AdminWorld(
        w=w,
        admin_a=make_user("admin-a", w.orgs["addiction"], "admin"),
        admin_b=make_user("admin-b", w.orgs["toften"], "admin"),
        system=system,
    )


@dataclass(frozen=True)
class Row:
    name: str
    method: str
    path: Callable[[AdminWorld], str]
    expected: tuple[int, int, int, int, int, int]  # in the order of PERSONAS
    body: Callable[[AdminWorld], Any] | None = None
    # Whether an allowed call of this row writes (a dry run, for one, does not).
    writes: bool | None = None

    @property
    def changes(self) -> bool:
        return self.method != "get" if self.writes is None else self.writes


def _user(who: str, tail: str = "") -> Callable[[AdminWorld], str]:
    return lambda w: f"{API}/admin/users/{getattr(w, who).pk}/{tail}"


def _org(slug: str, tail: str = "") -> Callable[[AdminWorld], str]:
    return lambda w: f"{API}/admin/organisations/{w.orgs[slug].pk}/{tail}"


NEW_PERSON = {
    "username": "ny.medarbejder",
    "email": "ny@example.org",
    "first_name": "Ny",
    "last_name": "Medarbejder",
    "role": "caseworker",
}
CSV = "username,email,first_name,last_name,role\nimporteret,imp@example.org,Im,Port,caseworker\n"
A, B, CW, MGR, SYS, ANON = range(6)


def _only(index: int, allowed: int, others: int, *, anon: int = UNAUTHENTICATED) -> tuple:
    row = [others] * 6
    row[index] = allowed
    row[ANON] = anon
    return tuple(row)


# Local administrator endpoints: A may; B does not see A's people (404) and administers only
# its own; caseworkers, managers and the system administrator (no membership) get 403.
STAFF_A = (OK, MISSING, FORBIDDEN, FORBIDDEN, FORBIDDEN, UNAUTHENTICATED)
STAFF_OWN = (OK, OK, FORBIDDEN, FORBIDDEN, FORBIDDEN, UNAUTHENTICATED)
SYSTEM_ONLY = _only(SYS, OK, FORBIDDEN)

ROWS: list[Row] = [
    # --- staff (local administrators) ------------------------------------------------------
    Row("staff list", "get", lambda w: f"{API}/admin/users/", STAFF_OWN),
    Row(
        "staff create",
        "post",
        lambda w: f"{API}/admin/users/",
        (CREATED, CREATED, FORBIDDEN, FORBIDDEN, FORBIDDEN, UNAUTHENTICATED),
        body=lambda w: NEW_PERSON,
    ),
    Row(
        "staff create, username taken",
        "post",
        lambda w: f"{API}/admin/users/",
        (BAD, BAD, FORBIDDEN, FORBIDDEN, FORBIDDEN, UNAUTHENTICATED),
        body=lambda w: {**NEW_PERSON, "username": w.staff_a.username},
    ),
    Row("staff detail, A's person", "get", _user("staff_a"), STAFF_A),
    Row(
        "staff detail, B's person",
        "get",
        _user("staff_b"),
        (MISSING, OK, FORBIDDEN, FORBIDDEN, FORBIDDEN, UNAUTHENTICATED),
    ),
    Row(
        "staff detail, no such person",
        "get",
        lambda w: f"{API}/admin/users/987654/",
        (MISSING, MISSING, FORBIDDEN, FORBIDDEN, FORBIDDEN, UNAUTHENTICATED),
    ),
    Row("set role", "patch", _user("staff_a"), STAFF_A, body=lambda w: {"role": "manager"}),
    Row(
        "set role, unknown role",
        "patch",
        _user("staff_a"),
        (BAD, MISSING, FORBIDDEN, FORBIDDEN, FORBIDDEN, UNAUTHENTICATED),
        body=lambda w: {"role": "king"},
    ),
    Row(
        "set role, B's person",
        "patch",
        _user("staff_b"),
        (MISSING, OK, FORBIDDEN, FORBIDDEN, FORBIDDEN, UNAUTHENTICATED),
        body=lambda w: {"role": "manager"},
    ),
    Row(
        "deactivate",
        "post",
        _user("staff_a", "deactivate/"),
        STAFF_A,
        body=lambda w: {"reason": "Fratrådt"},
    ),
    Row(
        "deactivate without a reason",
        "post",
        _user("staff_a", "deactivate/"),
        (BAD, MISSING, FORBIDDEN, FORBIDDEN, FORBIDDEN, UNAUTHENTICATED),
        body=lambda w: {},
    ),
    Row(
        "deactivate the system administrator",
        "post",
        _user("system", "deactivate/"),
        # Not a person of any organisation: nobody's to deactivate from here.
        (MISSING, MISSING, FORBIDDEN, FORBIDDEN, FORBIDDEN, UNAUTHENTICATED),
        body=lambda w: {"reason": "x"},
    ),
    Row(
        "end membership",
        "post",
        _user("staff_a", "end-membership/"),
        STAFF_A,
        body=lambda w: {"reason": "Fratrådt"},
    ),
    Row(
        "end membership, B's person",
        "post",
        _user("staff_b", "end-membership/"),
        (MISSING, OK, FORBIDDEN, FORBIDDEN, FORBIDDEN, UNAUTHENTICATED),
        body=lambda w: {"reason": "Fratrådt"},
    ),
    Row("invite again", "post", _user("staff_a", "invite/"), STAFF_A, writes=False),
    Row(
        "import, dry run",
        "post",
        lambda w: f"{API}/admin/users/import/",
        STAFF_OWN,
        body=lambda w: {"csv": CSV, "dry_run": True},
        writes=False,
    ),
    Row(
        "import",
        "post",
        lambda w: f"{API}/admin/users/import/",
        STAFF_OWN,
        body=lambda w: {"csv": CSV, "dry_run": False},
    ),
    Row(
        "import, a bad row",
        "post",
        lambda w: f"{API}/admin/users/import/",
        (BAD, BAD, FORBIDDEN, FORBIDDEN, FORBIDDEN, UNAUTHENTICATED),
        body=lambda w: {"csv": CSV + "x y,not-mail,,,boss\n", "dry_run": False},
    ),
    Row(
        "roles on a date",
        "get",
        lambda w: f"{API}/admin/roles/?on={timezone.localdate().isoformat()}",
        # Managers too: who had access when is theirs to show.
        (OK, OK, FORBIDDEN, OK, FORBIDDEN, UNAUTHENTICATED),
    ),
    # --- organisations (system administrators) ---------------------------------------------
    Row("organisation list", "get", lambda w: f"{API}/admin/organisations/", SYSTEM_ONLY),
    Row(
        "organisation create",
        "post",
        lambda w: f"{API}/admin/organisations/",
        _only(SYS, CREATED, FORBIDDEN),
        body=lambda w: {"name": "Jobcenter Nord", "kind": "shelter", "sector": "municipality"},
    ),
    Row(
        "organisation create, bad kind",
        "post",
        lambda w: f"{API}/admin/organisations/",
        _only(SYS, BAD, FORBIDDEN),
        body=lambda w: {"name": "Slottet", "kind": "castle", "sector": "municipality"},
    ),
    Row("organisation detail", "get", _org("toften"), SYSTEM_ONLY),
    Row(
        "organisation detail, no such organisation",
        "get",
        lambda w: f"{API}/admin/organisations/987654/",
        _only(SYS, MISSING, FORBIDDEN),
    ),
    Row(
        "organisation rename",
        "patch",
        _org("toften"),
        SYSTEM_ONLY,
        body=lambda w: {"name": "Toften Forsorgshjem"},
    ),
    Row(
        "organisation deactivate",
        "post",
        _org("toften", "deactivate/"),
        SYSTEM_ONLY,
        body=lambda w: {"reason": "Lukket"},
    ),
    Row("organisation administrators", "get", _org("chp", "administrators/"), SYSTEM_ONLY),
    Row(
        "organisation administrator invite",
        "post",
        _org("chp", "administrators/"),
        _only(SYS, CREATED, FORBIDDEN),
        body=lambda w: {"username": "chp.admin", "email": "chp.admin@example.org"},
    ),
    # --- a sample of citizen data: administrators read none of it --------------------------
    Row("plan list", "get", lambda w: f"{API}/plans/", (OK, OK, OK, OK, FORBIDDEN, 401)),
    Row(
        "plan detail",
        "get",
        lambda w: f"{API}/plans/{w.plan.pk}/",
        (MISSING, MISSING, OK, OK, FORBIDDEN, UNAUTHENTICATED),
    ),
    Row(
        "plan goals",
        "get",
        lambda w: f"{API}/plans/{w.plan.pk}/goals/",
        (MISSING, MISSING, OK, OK, FORBIDDEN, UNAUTHENTICATED),
    ),
    Row(
        "plan create",
        "post",
        lambda w: f"{API}/plans/",
        (MISSING, MISSING, CREATED, FORBIDDEN, FORBIDDEN, UNAUTHENTICATED),
        body=lambda w: {
            "citizen": w.free_citizen.pk,
            "coordinator": {"user": w.coordinator.pk, "organisation": w.orgs["addiction"].pk},
            "participants": [w.orgs["addiction"].pk],
        },
    ),
    Row("citizen list", "get", lambda w: f"{API}/citizens/", (OK, OK, OK, OK, FORBIDDEN, 401)),
    Row(
        "citizen search by CPR",
        "get",
        lambda w: f"{API}/citizens/?cpr={w.citizen.cpr_digits}",
        (OK, OK, OK, OK, FORBIDDEN, UNAUTHENTICATED),
    ),
    Row(
        "citizen detail",
        "get",
        lambda w: f"{API}/citizens/{w.citizen.pk}/",
        (MISSING, MISSING, OK, OK, FORBIDDEN, UNAUTHENTICATED),
    ),
    Row(
        "citizen register",
        "post",
        lambda w: f"{API}/citizens/",
        (FORBIDDEN, FORBIDDEN, CREATED, FORBIDDEN, FORBIDDEN, UNAUTHENTICATED),
        body=lambda w: {"cpr": NEW_CPR, "name": "Ny Borger"},
    ),
    Row(
        "consents",
        "get",
        lambda w: f"{API}/citizens/{w.citizen.pk}/consents/",
        (MISSING, MISSING, OK, OK, FORBIDDEN, UNAUTHENTICATED),
    ),
    Row(
        "access report",
        "get",
        lambda w: f"{API}/citizens/{w.citizen.pk}/access-report/",
        # Printed by a caseworker for the citizen; a manager reads the trail instead.
        (MISSING, MISSING, OK, FORBIDDEN, FORBIDDEN, UNAUTHENTICATED),
    ),
    Row(
        "handovers",
        "get",
        lambda w: f"{API}/handovers/",
        (OK, OK, OK, OK, FORBIDDEN, UNAUTHENTICATED),
    ),
    Row(
        "audit trail",
        "get",
        lambda w: f"{API}/audit/events/",
        (FORBIDDEN, FORBIDDEN, FORBIDDEN, OK, FORBIDDEN, UNAUTHENTICATED),
    ),
    Row(
        "break the glass",
        "post",
        lambda w: f"{API}/break-glass/",
        # Only caseworkers; the caseworker's own plan needs no glass (a conflict).
        (FORBIDDEN, FORBIDDEN, 409, FORBIDDEN, FORBIDDEN, UNAUTHENTICATED),
        body=lambda w: {"cpr": w.citizen.cpr_digits, "reason": "Akut indlæggelse, natten"},
    ),
]

CELLS = [
    pytest.param(row, i, persona, id=f"{row.name} | {persona}")
    for row in ROWS
    for i, persona in enumerate(PERSONAS)
]


def _request(w: AdminWorld, row: Row, persona: str) -> Any:
    call = getattr(w.api(persona), row.method)
    body = row.body(w) if row.body else None
    if body is None:
        return call(row.path(w))
    return call(row.path(w), body, format="json")


def _check_cell(w: AdminWorld, row: Row, index: int, persona: str) -> tuple[int, int]:
    """Run one cell; return (expected, got). Refusals change nothing; allowed writes change
    something; administrators see no citizen data in what they are given."""
    before = people_snapshot()
    response = _request(w, row, persona)
    after = people_snapshot()
    got = response.status_code
    label = f"{row.name} | {persona}"
    if got >= 400:
        assert after == before, f"{label}: refused ({got}) but the database changed"
        assert_error(response, got)
    elif row.changes:
        assert after != before, f"{label}: {got} but nothing changed"
    else:
        assert after == before, f"{label}: a read changed the database"
    if persona in ADMINS and 200 <= got < 300:
        _assert_no_citizen_data(w, response, label)
    return row.expected[index], got


def _assert_no_citizen_data(w: AdminWorld, response: Any, label: str) -> None:
    text = response.content.decode()
    for citizen in (w.citizen, w.free_citizen):
        assert citizen.name not in text, f"{label}: shows {citizen.name}"
        assert citizen.cpr_digits[:6] not in text, f"{label}: shows a CPR number"
    assert w.goal.text not in text, f"{label}: shows a goal"
    body = response.json()
    if (
        isinstance(body, dict)
        and "results" in body
        and "/admin/" not in response.request["PATH_INFO"]
    ):
        assert body["results"] == [], f"{label}: lists citizen data"


@pytest.fixture(scope="module")
def module_world(django_db_setup: None, django_db_blocker: Any) -> Iterator[AdminWorld]:
    with django_db_blocker.unblock(), transaction.atomic():
        yield build_admin_world()
        transaction.set_rollback(True)


@pytest.fixture
def aw(module_world: AdminWorld, django_db_blocker: Any) -> Iterator[AdminWorld]:
    with django_db_blocker.unblock(), transaction.atomic():
        yield module_world
        transaction.set_rollback(True)


@pytest.mark.parametrize(("row", "index", "persona"), CELLS)
def test_cell(aw: AdminWorld, row: Row, index: int, persona: str) -> None:
    expected, got = _check_cell(aw, row, index, persona)
    assert got == expected, f"{row.name} | {persona}: expected {expected}, got {got}"


def test_no_unexpected_success_anywhere(aw: AdminWorld) -> None:
    """The whole table in one world, each cell rolled back: no 2xx where the table has none."""
    unexpected, mismatches = [], []
    for row in ROWS:
        for index, persona in enumerate(PERSONAS):
            with transaction.atomic():
                expected, got = _check_cell(aw, row, index, persona)
                transaction.set_rollback(True)
            if got != expected:
                mismatches.append((row.name, persona, expected, got))
            if 200 <= got < 300 and not 200 <= expected < 300:
                unexpected.append((row.name, persona, got))
    assert unexpected == []
    assert mismatches == []
    assert len(ROWS) * len(PERSONAS) >= 200


def test_every_administration_endpoint_is_in_the_table(aw: AdminWorld) -> None:
    """A new administration endpoint must join the table (or this test names it)."""
    from kip_service import api_urls

    patterns = [str(getattr(p, "pattern", "")) for p in api_urls.urlpatterns]
    routes = {re.sub(r"<(?:int|id):\w+>", "<id>", p) for p in patterns if p.startswith("admin/")}
    assert len(routes) >= 9
    table = {
        re.sub(r"/\d+/", "/<id>/", row.path(aw).split("?")[0].removeprefix(f"{API}/"))
        for row in ROWS
    }
    assert routes - table == set()


# --- what the refusals and allowed actions leave in the trail -------------------------------


def test_refusals_are_recorded_for_whom_and_by_whom(aw: AdminWorld) -> None:
    """Each refused administrative attempt is a denied ``admin`` event of its actor."""
    attempts = [
        ("caseworker", "get", f"{API}/admin/users/"),
        ("manager", "post", f"{API}/admin/users/{aw.staff_a.pk}/deactivate/"),
        ("admin_b", "get", f"{API}/admin/users/{aw.staff_a.pk}/"),
        ("admin_a", "get", f"{API}/admin/organisations/"),
        ("caseworker", "post", f"{API}/admin/organisations/"),
    ]
    for persona, method, url in attempts:
        before = AccessEvent.objects.count()
        response = getattr(aw.api(persona), method)(url, {"reason": "x"}, format="json")
        assert response.status_code in (403, 404), (persona, url, response.status_code)
        events = AccessEvent.objects.order_by("id")[before:]
        assert [(e.action, e.outcome, e.actor_id) for e in events] == [
            ("admin", "denied", aw.user(persona).pk)
        ], (persona, url)


def test_an_administrator_who_was_a_caseworker_reads_nothing_of_their_old_cases(
    aw: AdminWorld,
) -> None:
    """A caseworker with a pending handover and notices about the plan becomes the local
    administrator: the handover is cancelled and the inbox shows nothing about the plan."""
    w = aw
    handover = handover_propose(
        actor=w.actor(w.coordinator, "addiction"), plan_id=w.plan.pk, to_user_id=w.staff_a.pk
    )
    assert Notification.objects.filter(recipient=w.staff_a, plan=w.plan).exists()
    response = w.api("admin_a").patch(
        f"{API}/admin/users/{w.staff_a.pk}/", {"role": "admin"}, format="json"
    )
    assert response.status_code == 200, response.json()
    handover.refresh_from_db()
    assert handover.state == Handover.State.CANCELLED
    promoted = APIClient()
    promoted.force_authenticate(w.staff_a)
    assert promoted.get(f"{API}/handovers/").json()["results"] == []
    inbox = promoted.get(f"{API}/notifications/").json()["results"]
    assert [n for n in inbox if n.get("plan")] == []
    assert promoted.get(f"{API}/handovers/{handover.pk}/").status_code == 404
    assert promoted.get(f"{API}/plans/{w.plan.pk}/").status_code == 404


def test_no_administrator_has_an_allowed_read_of_a_citizen_in_the_trail(aw: AdminWorld) -> None:
    """After every administrator has tried every row, the trail holds no allowed event with a
    citizen for them: what they did touched no citizen's data."""
    for row in ROWS:
        for persona in ADMINS:
            with transaction.atomic():
                _request(aw, row, persona)
                read = AccessEvent.objects.filter(
                    actor=aw.user(persona), outcome="allowed", citizen_id__isnull=False
                )
                assert not read.exists(), (row.name, persona, list(read.values()))
                transaction.set_rollback(True)


def test_the_table_catches_an_administrator_who_reads_plans(
    aw: AdminWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    """If the role were let through to citizen data, the table would say so."""
    from apps.access.context import Actor

    monkeypatch.setattr(Actor, "reads_citizen_data", property(lambda self: True))
    rows = [row for row in ROWS if row.name in ("plan detail", "citizen detail")]
    caught = []
    for row in rows:
        with transaction.atomic():
            try:
                _check_cell(aw, row, A, "admin_a")
            except AssertionError as error:
                caught.append(str(error))
            else:
                expected, got = row.expected[A], _request(aw, row, "admin_a").status_code
                if got != expected:
                    caught.append(f"{row.name}: {got}")
            transaction.set_rollback(True)
    assert len(caught) == len(rows), caught


def test_deactivated_user_is_refused_everywhere_at_once(aw: AdminWorld) -> None:
    """A token of the person deactivated is refused on the next call, on every endpoint."""
    token = Token.objects.create(user=aw.staff_a)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    assert client.get(f"{API}/plans/").status_code == 200
    aw.api("admin_a").post(
        f"{API}/admin/users/{aw.staff_a.pk}/deactivate/", {"reason": "Fratrådt"}, format="json"
    )
    for url in (f"{API}/plans/", f"{API}/citizens/", f"{API}/me/", f"{API}/notifications/"):
        assert client.get(url).status_code == 401, url
