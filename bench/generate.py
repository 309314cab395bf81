"""Fill the benchmark database fast: organisations, users, citizens, consent, plans, grants.

Run on its own: ``.venv/bin/python -m bench.generate --plans 100000 [--fresh]``. It extends
what is there (one plan per citizen), so a run can measure at 10,000 and then grow to 100,000.

The shape of the data (seeded, so every run builds the same world):

* 50 organisations: the four demo organisations (``addiction``, ``chp``, ``toften`` in
  municipality 0, ``psychiatry`` for region 0), 15 more municipalities with an addiction
  centre, a disability and psychiatry centre and a shelter each, and a second region.
  Municipalities 0-7 belong to region 0, 8-15 to region 1.
* Each citizen lives in one of the 16 municipalities (uniform), so each municipality holds
  about 1/16 of the plans. A plan's participants come from the citizen's municipality and
  region: the addiction centre in 85 %, the disability and psychiatry centre in 60 %, the
  shelter in 20 %, regional psychiatry in 70 % of the plans (at least two participants).
  So ``addiction`` reads about 5 % of all plans, ``toften`` about 1.6 % (the two-participant
  minimum adds to the rare shelter), ``psychiatry`` about 35 %; bench/plans.py prints the share.
* One written consent per citizen, covering exactly the plan's participants. 3 % of the
  citizens have withdrawn it: as ``consent_withdraw`` leaves it, the plan keeps only the
  coordinator's organisation (participation and grants), which can no longer read it, and
  the plan is closed. Of the rest, 80 % of plans are active, 12 % drafts, 8 % closed.
* Guardian rows: ``view_plan`` and ``change_plan`` per participating organisation and plan
  (``PlanGroupObjectPermission``, the direct foreign-key table), as ``grants`` writes them.
* Two goals and one effort (the coordinator's organisation's) per plan; an agreement in half
  of the plans.

CPR numbers are unique and valid (date of birth 1940-1999, century digit 0-3); each one is
hashed and Fernet-encrypted with the service's own functions, row by row (no shortcuts).
Rows go in with PostgreSQL ``COPY`` in batches of 5,000 citizens, with explicit ids; the
sequences are moved past them afterwards.
"""

from __future__ import annotations

import argparse
import datetime
import os
import random
import sys
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit, urlunsplit

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/kip_bench"
MUNICIPALITIES = 16
REGIONS = 2
KINDS = ("addiction_centre", "social_psychiatry", "shelter")
PARTICIPATION_ODDS = {
    "addiction_centre": 0.85,
    "social_psychiatry": 0.60,
    "shelter": 0.20,
    "regional_psychiatry": 0.70,
}
WITHDRAWN_SHARE = 0.03
CASEWORKERS_PER_ORGANISATION = 3
BATCH = 5000
FIRST_NAMES = (
    "Jens",
    "Mette",
    "Lars",
    "Hanne",
    "Søren",
    "Kirsten",
    "Niels",
    "Anne",
    "Peter",
    "Lone",
    "Henrik",
    "Susanne",
    "Mads",
    "Pia",
    "Rasmus",
    "Camilla",
    "Jesper",
    "Line",
)
LAST_NAMES = (
    "Jensen",
    "Nielsen",
    "Hansen",
    "Pedersen",
    "Andersen",
    "Christensen",
    "Larsen",
    "Sørensen",
    "Rasmussen",
    "Jørgensen",
    "Petersen",
    "Madsen",
    "Kristensen",
    "Olsen",
)
GOAL_TEXTS = (
    "Jeg vil have et sted at bo.",
    "Jeg vil drikke mindre.",
    "Jeg vil have styr på min medicin.",
    "Jeg vil se min datter igen.",
    "Jeg vil have en fast hverdag.",
    "Jeg vil ud af gælden.",
)


# --- the database ------------------------------------------------------------------------------


def database_url() -> str:
    return os.environ.setdefault("DATABASE_URL", DEFAULT_DATABASE_URL)


def database_prepare(*, fresh: bool = False) -> None:
    """Create the benchmark database if missing (drop it first if ``fresh``), set up Django,
    and migrate. Only the database named in ``DATABASE_URL`` is touched."""
    import psycopg
    from psycopg import sql

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kip_service.settings.test")
    url = urlsplit(database_url())
    name = url.path.lstrip("/")
    # Never another benchmark's database (kip_bench_audit, kip_bench_reminders) nor a real one.
    if name != "kip_bench" and not name.startswith(("kip_bench_plans", "kip_bench_effect")):
        sys.exit(f"refusing to work on database {name!r}: use kip_bench or kip_bench_<bench>*")
    admin = urlunsplit(url._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if exists and fresh:
            busy = conn.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = %s", [name]
            ).fetchone()
            if busy and busy[0]:
                sys.exit(f"{name} has {busy[0]} open connection(s); not dropping it under them")
            conn.execute(sql.SQL("DROP DATABASE {}").format(sql.Identifier(name)))
            exists = None
        if not exists:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
            print(f"created database {name}", flush=True)

    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)


# --- organisations and people ------------------------------------------------------------------


@dataclass
class Org:
    id: int
    slug: str
    kind: str
    group_id: int
    caseworkers: list[int]


@dataclass
class Cast:
    """Organisations by municipality and region, with their caseworkers' user ids."""

    municipal: list[dict[str, Org]]  # index: municipality; key: kind
    regional: list[Org]  # index: region
    view_perm: int
    change_perm: int


def _org_specs() -> list[tuple[str, str, str, str, int | None, int | None]]:
    """(slug, name, kind, sector, municipality, region) for all 50 organisations."""
    demo = {
        "addiction_centre": ("addiction", "Rusmiddelcentret"),
        "social_psychiatry": ("chp", "Center for Handicap og Psykiatri"),
        "shelter": ("toften", "Toften"),
    }
    specs: list[tuple[str, str, str, str, int | None, int | None]] = []
    for m in range(MUNICIPALITIES):
        for kind in KINDS:
            if m == 0:
                slug, name = demo[kind]
            else:
                slug, name = f"m{m:02d}-{kind.replace('_', '-')}", f"Kommune {m} {kind}"
            specs.append((slug, name, kind, "municipality", m, None))
    specs.append(("psychiatry", "Psykiatrien", "regional_psychiatry", "region", None, 0))
    for r in range(1, REGIONS):
        specs.append(
            (f"r{r}-psychiatry", f"Region {r} psykiatri", "regional_psychiatry", "region", None, r)
        )
    return specs


def cast_ensure() -> Cast:
    """The 50 organisations, three caseworkers and a manager each (idempotent)."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password
    from django.contrib.auth.models import Permission

    from apps.organisations.models import Membership
    from apps.organisations.services import organisation_ensure

    user_model = get_user_model()
    password = make_password("bench-" + "password")
    municipal: list[dict[str, Org]] = [{} for _ in range(MUNICIPALITIES)]
    regional: list[Org | None] = [None] * REGIONS
    for slug, name, kind, sector, m, r in _org_specs():
        organisation = organisation_ensure(slug=slug, name=name, kind=kind, sector=sector)
        roles = (
            [(f"{slug}.caseworker", Membership.Role.CASEWORKER)]
            + [
                (f"{slug}.caseworker{i}", Membership.Role.CASEWORKER)
                for i in range(2, CASEWORKERS_PER_ORGANISATION + 1)
            ]
            + [(f"{slug}.manager", Membership.Role.MANAGER)]
        )
        caseworkers = []
        for username, role in roles:
            user = user_model.objects.filter(username=username).first()
            if user is None:
                user = user_model.objects.create(username=username, password=password)
                Membership.objects.create(user=user, organisation=organisation, role=role)
                user.groups.add(organisation.group)
            if role == Membership.Role.CASEWORKER:
                caseworkers.append(user.pk)
        org = Org(organisation.pk, slug, kind, organisation.group_id, caseworkers)
        if m is not None:
            municipal[m][kind] = org
        else:
            regional[r] = org  # type: ignore[index]
    perms = dict(
        Permission.objects.filter(
            content_type__app_label="plans", codename__in=["view_plan", "change_plan"]
        ).values_list("codename", "id")
    )
    return Cast(municipal, [o for o in regional if o], perms["view_plan"], perms["change_plan"])


# --- rows --------------------------------------------------------------------------------------


class Copier:
    """COPY rows into a model's table, with the columns named by field."""

    def __init__(self, cursor: Any) -> None:
        self.cursor = cursor
        self.rows = 0

    def copy(self, model: Any, fields: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
        columns = [model._meta.get_field(f).column for f in fields]
        statement = f'COPY "{model._meta.db_table}" ({", ".join(columns)}) FROM STDIN'
        with self.cursor.copy(statement) as copy:
            for row in rows:
                copy.write_row(row)
                self.rows += 1


def _next_id(cursor: Any, model: Any) -> int:
    cursor.execute(f'SELECT coalesce(max(id), 0) + 1 FROM "{model._meta.db_table}"')
    return int(cursor.fetchone()[0])


def _sequences_reset(cursor: Any, models: Iterable[Any]) -> None:
    for model in models:
        table = model._meta.db_table
        cursor.execute(
            f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), "
            f'coalesce((SELECT max(id) FROM "{table}"), 1))'
        )


def _cpr(ordinal: int) -> tuple[str, datetime.date]:
    days = 21915  # 1940-01-01 .. 1999-12-31
    born = datetime.date(1940, 1, 1) + datetime.timedelta(days=ordinal % days)
    serial = ordinal // days  # 0..3 for the first 87,660; century digit 0-3 means 19xx
    if serial > 3999:
        raise ValueError("too many citizens for this CPR scheme")
    return f"{born:%d%m%y}{serial:04d}", born


def generate(plans_target: int, *, seed: int = 2026, batch: int = BATCH) -> dict[str, int]:
    """Add citizens with one plan each until there are ``plans_target`` plans."""
    from django.db import connection, transaction
    from django.utils import timezone

    from apps.citizens import cpr
    from apps.citizens.models import Citizen, Consent
    from apps.plans.models import (
        Agreement,
        Effort,
        Goal,
        Participation,
        Plan,
        PlanGroupObjectPermission,
    )

    cast = cast_ensure()
    fernet = cpr._fernet()  # the service's own key derivation, built once
    now = timezone.now()
    today = timezone.localdate()
    consent_links = Consent.organisations.through
    models = (
        Citizen,
        Consent,
        consent_links,
        Plan,
        Participation,
        PlanGroupObjectPermission,
        Goal,
        Effort,
        Agreement,
    )
    with connection.cursor() as wrapper:
        cursor = wrapper.cursor  # psycopg's own cursor, for COPY
        start = Citizen.objects.count()
        if start >= plans_target:
            print(f"already {start} citizens and plans; nothing to add", flush=True)
            return {"citizens": start}
        ids = {model: _next_id(cursor, model) for model in models}
        copier = Copier(cursor)
        began = time.monotonic()
        total = plans_target - start
        for low in range(start, plans_target, batch):
            high = min(low + batch, plans_target)
            rng = random.Random(seed * 1_000_003 + low)
            with transaction.atomic():
                _batch(copier, cast, rng, fernet, cpr, ids, low, high, now, today)
            done = high - start
            elapsed = time.monotonic() - began
            print(
                f"\r  citizens/plans {high:>7,} of {plans_target:,} "
                f"({100 * done / total:5.1f} %)  {copier.rows:>9,} rows  "
                f"{copier.rows / elapsed:>8,.0f} rows/s  {elapsed:6.1f} s",
                end="" if sys.stdout.isatty() else "\n",
                flush=True,
            )
        if sys.stdout.isatty():
            print(flush=True)
        _sequences_reset(cursor, models)
        cursor.execute("ANALYZE")
    return {"citizens": plans_target, "rows": copier.rows}


def _batch(
    copier: Copier,
    cast: Cast,
    rng: random.Random,
    fernet: Any,
    cpr: Any,
    ids: dict[Any, int],
    low: int,
    high: int,
    now: datetime.datetime,
    today: datetime.date,
) -> None:
    from apps.citizens.models import Citizen, Consent
    from apps.plans.models import (
        Agreement,
        Effort,
        Goal,
        Participation,
        Plan,
        PlanGroupObjectPermission,
    )

    consent_links = Consent.organisations.through
    citizens, consents, links, plans, parts, grants, goals, efforts, agreements = (
        [] for _ in range(9)
    )
    for ordinal in range(low, high):
        m = rng.randrange(MUNICIPALITIES)
        region = cast.regional[m * REGIONS // MUNICIPALITIES]
        local = cast.municipal[m]
        candidates = [*(local[k] for k in KINDS), region]
        chosen = [o for o in candidates if rng.random() < PARTICIPATION_ODDS[o.kind]]
        if len(chosen) < 2:
            chosen = rng.sample(candidates, 2)
        coordinator_org = rng.choice(chosen)
        coordinator = rng.choice(coordinator_org.caseworkers)
        given = now - datetime.timedelta(days=rng.randint(30, 900))
        withdrawn = rng.random() < WITHDRAWN_SHARE
        digits, born = _cpr(ordinal)

        citizen_id = ids[Citizen] + ordinal - low
        citizens.append(
            (
                citizen_id,
                f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}",
                cpr.lookup_hash(digits),
                fernet.encrypt(digits.encode()).decode(),
                born,
                coordinator,
                coordinator_org.id,
                given,
            )
        )
        consent_id = citizen_id - ids[Citizen] + ids[Consent]
        consents.append(
            (
                consent_id,
                citizen_id,
                "written",
                given,
                None,
                coordinator,
                coordinator_org.id,
                given + datetime.timedelta(days=20) if withdrawn else None,
                coordinator if withdrawn else None,
            )
        )
        for org in chosen:
            links.append((ids[consent_links], consent_id, org.id))
            ids[consent_links] += 1

        plan_id = citizen_id - ids[Citizen] + ids[Plan]
        roll = rng.random()
        if withdrawn:
            status, reason, closed_at = (
                "closed",
                "consent_withdrawn",
                given + datetime.timedelta(days=20),
            )
            chosen = [coordinator_org]  # what participations_prune_uncovered leaves
        elif roll < 0.80:
            status, reason, closed_at = "active", "", None
        elif roll < 0.92:
            status, reason, closed_at = "draft", "", None
        else:
            status, reason, closed_at = (
                "closed",
                "goals_reached",
                now - datetime.timedelta(days=rng.randint(1, 300)),
            )
        review = (
            today + datetime.timedelta(days=rng.randint(-20, 180)) if status == "active" else None
        )
        plans.append(
            (
                plan_id,
                citizen_id,
                status,
                reason,
                closed_at,
                coordinator,
                coordinator_org.id,
                '{"housing": "Bor midlertidigt på forsorgshjem."}',
                '{"network": "Søsteren kommer hver uge."}',
                "At se mine børn.",
                "",
                "",
                review,
                rng.randint(1, 6),
                coordinator,
                given,
                given,
            )
        )
        for org in chosen:
            parts.append((ids[Participation], plan_id, org.id, coordinator, given))
            ids[Participation] += 1
            for perm in (cast.view_perm, cast.change_perm):
                grants.append((ids[PlanGroupObjectPermission], plan_id, org.group_id, perm))
                ids[PlanGroupObjectPermission] += 1
        for priority in (1, 2):
            goals.append(
                (ids[Goal], plan_id, rng.choice(GOAL_TEXTS), priority, "open", "", given, given)
            )
            ids[Goal] += 1
        efforts.append(
            (
                ids[Effort],
                plan_id,
                coordinator_org.id,
                coordinator,
                "Ugentlig samtale og koordinering.",
                "active",
                given.date(),
                None,
                given,
                given,
            )
        )
        ids[Effort] += 1
        if rng.random() < 0.5:
            agreements.append(
                (
                    ids[Agreement],
                    plan_id,
                    "Tovholderen indkalder til næste møde.",
                    coordinator,
                    today + datetime.timedelta(days=rng.randint(1, 60)),
                    False,
                    given,
                    given,
                )
            )
            ids[Agreement] += 1
    count = high - low
    for model in (Citizen, Consent, Plan):
        ids[model] += count

    copier.copy(
        Citizen,
        [
            "id",
            "name",
            "cpr_hash",
            "cpr_encrypted",
            "birth_date",
            "registered_by",
            "registered_for",
            "created",
        ],
        citizens,
    )
    copier.copy(
        Consent,
        [
            "id",
            "citizen",
            "form",
            "given_at",
            "expires_at",
            "recorded_by",
            "recorded_for",
            "withdrawn_at",
            "withdrawn_by",
        ],
        consents,
    )
    copier.copy(consent_links, ["id", "consent", "organisation"], links)
    copier.copy(
        Plan,
        [
            "id",
            "citizen",
            "status",
            "closed_reason",
            "closed_at",
            "coordinator_user",
            "coordinator_organisation",
            "assessment",
            "strengths",
            "what_matters",
            "hopes",
            "resources",
            "next_review",
            "version",
            "created_by",
            "created",
            "updated",
        ],
        plans,
    )
    copier.copy(Participation, ["id", "plan", "organisation", "added_by", "added_at"], parts)
    copier.copy(PlanGroupObjectPermission, ["id", "content_object", "group", "permission"], grants)
    copier.copy(
        Goal,
        ["id", "plan", "text", "priority", "status", "outcome", "created", "updated"],
        goals,
    )
    copier.copy(
        Effort,
        [
            "id",
            "plan",
            "organisation",
            "responsible",
            "description",
            "status",
            "starts_on",
            "ends_on",
            "created",
            "updated",
        ],
        efforts,
    )
    copier.copy(
        Agreement,
        ["id", "plan", "text", "responsible", "due", "done", "created", "updated"],
        agreements,
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--plans", type=int, default=100_000, help="citizens and plans in total")
    parser.add_argument("--fresh", action="store_true", help="drop and recreate the database first")
    args = parser.parse_args(argv)
    database_prepare(fresh=args.fresh)
    generate(args.plans)


if __name__ == "__main__":
    main()
