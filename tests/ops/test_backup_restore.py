"""Backup and restore: a loaded database, backed up and restored into a fresh one, is whole.

The backup is taken in this process (``kip_backup``, the test database); the restore runs as
``manage.py kip_restore`` in a process of its own, pointed at a fresh database (a new
PostgreSQL database, or a new SQLite file) as ``make restore`` would be. Then every row of the
plans, consents, citizens and the audit trail is compared, and ``verify_audit`` checks the
chain in the restored copy.
"""

from __future__ import annotations

import datetime
import os
import sqlite3
import subprocess
import sys
import uuid
from collections.abc import Iterator
from io import StringIO
from pathlib import Path
from typing import Any
from urllib.parse import quote

import psycopg
import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test import override_settings
from django.utils import timezone

from apps.audit.chain import audit_seal
from apps.audit.models import AccessEvent, AuditSeal
from apps.plans.models import Plan
from tests.helpers import API

TABLES = [
    "citizens_citizen",
    "citizens_consent",
    "citizens_consent_organisations",
    "plans_plan",
    "plans_participation",
    "audit_accessevent",
    "audit_auditseal",
]


def _load() -> None:
    """The demo data, some reads through the API (audit events), everything sealed."""
    call_command("seed_demo", force=True, stdout=StringIO())
    from rest_framework.test import APIClient

    from apps.organisations.models import Membership

    for membership in Membership.objects.select_related("user")[:4]:
        client = APIClient()
        client.force_authenticate(membership.user)
        client.credentials(HTTP_X_ORGANISATION=str(membership.organisation_id))
        assert client.get(f"{API}/plans/").status_code == 200
    audit_seal(now=timezone.now() + datetime.timedelta(hours=1))
    assert Plan.objects.count() >= 3
    assert AuditSeal.objects.count() == AccessEvent.objects.count() > 20


def _backup(directory: Path) -> Path:
    out = StringIO()
    with override_settings(KIP_BACKUP_DIR=directory):
        call_command("kip_backup", stdout=out)
    (path,) = directory.iterdir()
    assert f"backup: {path}" in out.getvalue()
    return path


def _manage(database_url: str, var_dir: Path, *argv: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "DJANGO_SETTINGS_MODULE": "kip_service.settings.test",
        "KIP_VAR_DIR": str(var_dir),
    }
    return subprocess.run(
        [sys.executable, "manage.py", *argv],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def _rows(cursor: Any, table: str, vendor: str) -> list[tuple[Any, ...]]:
    """Every row, as the database gives it. PostgreSQL: each row as text (session time zone
    UTC on both sides), so the driver's type adaptation plays no part."""
    if vendor == "postgresql":
        cursor.execute(f"SELECT t::text FROM {table} t ORDER BY 1")  # noqa: S608 - fixed names
    else:
        cursor.execute(f"SELECT * FROM {table} ORDER BY 1")  # noqa: S608 - fixed names
    return [tuple(row) for row in cursor.fetchall()]


def _round_trip(tmp_path: Path, fresh_url: str, fresh_rows: Any) -> None:
    _load()
    backup = _backup(tmp_path / "backups")
    with connection.cursor() as cursor:
        before = {table: _rows(cursor, table, connection.vendor) for table in TABLES}
    sealed = len(before["audit_auditseal"])

    restored = _manage(fresh_url, tmp_path, "kip_restore", str(backup))
    assert restored.returncode == 0, restored.stderr
    plans, consents, events = (
        len(before[t]) for t in ("plans_plan", "citizens_consent", "audit_accessevent")
    )
    assert f"{plans} plans, {consents} consents, {events} audit events" in restored.stdout
    assert f"audit chain intact: {sealed} sealed events" in restored.stdout

    assert fresh_rows(TABLES) == before
    verified = _manage(fresh_url, tmp_path, "verify_audit")
    assert verified.returncode == 0, verified.stderr
    assert f"audit chain intact: {sealed} sealed events" in verified.stdout

    # Once restored, the database is not empty: a second restore is refused without --force.
    again = _manage(fresh_url, tmp_path, "kip_restore", str(backup))
    assert again.returncode != 0
    assert "is not empty" in again.stderr
    forced = _manage(fresh_url, tmp_path, "kip_restore", "--force", str(backup))
    assert forced.returncode == 0, forced.stderr
    assert fresh_rows(TABLES) == before


def _tamper_one_event() -> None:
    """As a superuser could: past the ORM and, on PostgreSQL, the append-only trigger."""
    event_id = AccessEvent.objects.order_by("id").values_list("id", flat=True)[3]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET session_replication_role = replica")
        cursor.execute("UPDATE audit_accessevent SET action = 'forged' WHERE id = %s", [event_id])
        if connection.vendor == "postgresql":
            cursor.execute("SET session_replication_role = origin")


# --- SQLite ---


@pytest.fixture
def sqlite_only() -> None:
    if connection.vendor != "sqlite":
        pytest.skip("the SQLite backup (this pass runs on PostgreSQL; see the postgres test)")


def _sqlite_rows(path: Path) -> Any:
    def rows(tables: list[str]) -> dict[str, list[tuple[Any, ...]]]:
        # Read as Django reads SQLite (its converters are registered in the sqlite3 module).
        types = sqlite3.PARSE_DECLTYPES | sqlite3.PARSE_COLNAMES
        with sqlite3.connect(path, detect_types=types) as fresh:
            return {table: _rows(fresh.cursor(), table, "sqlite") for table in tables}

    return rows


def test_sqlite_backup_restores_whole_into_a_new_file(
    transactional_db: None, sqlite_only: None, tmp_path: Path
) -> None:
    fresh = tmp_path / "fresh.sqlite3"
    _round_trip(tmp_path, f"sqlite:///{fresh}", _sqlite_rows(fresh))


def test_sqlite_restore_of_a_tampered_trail_fails(
    transactional_db: None, sqlite_only: None, tmp_path: Path
) -> None:
    _load()
    _tamper_one_event()
    backup = _backup(tmp_path / "backups")
    restored = _manage(
        f"sqlite:///{tmp_path / 'fresh.sqlite3'}", tmp_path, "kip_restore", str(backup)
    )
    assert restored.returncode != 0
    assert "audit chain broken" in restored.stderr
    assert "the event differs from what was sealed" in restored.stderr


def test_restore_errors_are_plain(db: None, tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="backup file not found"):
        call_command("kip_restore", str(tmp_path / "missing.dump"))
    other = tmp_path / "not-a-backup"
    other.write_bytes(b"hello")
    with pytest.raises(CommandError, match="is not empty"):
        call_command("kip_restore", str(other))
    with pytest.raises(CommandError, match=r"is not an? (SQLite database|pg_dump)"):
        call_command("kip_restore", "--force", str(other))


# --- PostgreSQL ---


@pytest.fixture
def fresh_postgres() -> Iterator[tuple[str, Any]]:
    """A new, empty database on the same server, dropped afterwards."""
    config = connection.settings_dict
    name = f"kip_restore_{uuid.uuid4().hex[:12]}"
    params: dict[str, Any] = {
        "host": config["HOST"] or None,
        "port": config["PORT"] or None,
        "user": config["USER"] or None,
        "password": config["PASSWORD"] or None,
    }
    with psycopg.connect(dbname="postgres", autocommit=True, **params) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    user = quote(config["USER"] or "", safe="")
    password = f":{quote(config['PASSWORD'], safe='')}" if config["PASSWORD"] else ""
    url = f"postgres://{user}{password}@{config['HOST'] or ''}:{config['PORT'] or 5432}/{name}"

    def rows(tables: list[str]) -> dict[str, list[tuple[Any, ...]]]:
        with (
            psycopg.connect(dbname=name, options="-c TimeZone=UTC", **params) as fresh,
            fresh.cursor() as cursor,
        ):
            return {table: _rows(cursor, table, "postgresql") for table in tables}

    try:
        yield url, rows
    finally:
        with psycopg.connect(dbname="postgres", autocommit=True, **params) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.mark.postgres
def test_postgres_backup_restores_whole_into_a_new_database(
    transactional_db: None, fresh_postgres: tuple[str, Any], tmp_path: Path
) -> None:
    url, rows = fresh_postgres
    _round_trip(tmp_path, url, rows)


@pytest.mark.postgres
def test_postgres_backup_without_pg_dump_says_so(
    db: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(CommandError, match="pg_dump not found on PATH"):
        call_command("kip_backup", directory=tmp_path / "backups")
    assert not (tmp_path / "backups").exists() or not any((tmp_path / "backups").iterdir())
