"""Backup and restore of the whole database, and the check that a restored copy is whole.

- PostgreSQL: ``pg_dump --format=custom`` into a file; ``pg_restore --clean --if-exists
  --no-owner --single-transaction`` into the configured database (all or nothing: a failed
  restore leaves the database as it was). The client tools must be installed, of the server's
  major version or newer (pg_dump refuses an older client).
- SQLite: SQLite's online backup API (``sqlite3.Connection.backup``) in one step, so the copy
  is one consistent snapshot even while the web and the worker write (WAL: they are not
  blocked); restored by the same API, page by page into the configured file.

A restore refuses a database that already has tables unless forced, and ends by counting
plans, consents and audit events and verifying the audit hash chain.
"""

from __future__ import annotations

import datetime
import os
import shutil
import sqlite3
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection
from django.db.backends.postgresql.client import DatabaseClient

Say = Callable[[str], None]

PG_MAGIC = b"PGDMP"
SQLITE_MAGIC = b"SQLite format 3\x00"


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says why and what to do."""


@dataclass
class Summary:
    plans: int
    consents: int
    audit_events: int
    sealed_events: int

    def __str__(self) -> str:
        return (
            f"{self.plans} plans, {self.consents} consents, {self.audit_events} audit events "
            f"({self.sealed_events} sealed)"
        )


def _stamp() -> str:
    return datetime.datetime.now(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")


def _size(path: Path) -> str:
    return f"{path.stat().st_size / 1_000_000:.1f} MB"


def database_backup(*, directory: Path, say: Say, verbose: bool = False) -> Path:
    """Write a backup of the configured database under ``directory``; return its path."""
    directory.mkdir(parents=True, exist_ok=True)
    if connection.vendor == "postgresql":
        target = directory / f"kip-{_stamp()}.dump"
        make = _pg_backup
    elif connection.vendor == "sqlite":
        target = directory / f"kip-{_stamp()}.sqlite3"
        make = _sqlite_backup
    else:
        raise BackupError(f"no backup for the {connection.vendor} database backend")
    if target.exists():
        raise BackupError(f"{target} exists already (one backup a second); try again")
    partial = target.with_name(target.name + ".partial")
    started = time.monotonic()
    try:
        make(partial, say=say, verbose=verbose)
        partial.rename(target)  # only a whole backup ever carries the final name
    finally:
        partial.unlink(missing_ok=True)
    say(f"wrote {target} ({_size(target)}) in {time.monotonic() - started:.1f} s")
    return target


def database_restore(*, source: Path, force: bool, say: Say, verbose: bool = False) -> Summary:
    """Restore ``source`` into the configured database, then count and verify what is there."""
    if not source.is_file():
        raise BackupError(f"backup file not found: {source}")
    with source.open("rb") as stream:
        head = stream.read(len(SQLITE_MAGIC))
    tables = _table_count()
    if tables and not force:
        raise BackupError(
            f"the database {_database_name()} is not empty ({tables} tables): restore into an "
            "empty database, or pass --force (make restore FORCE=1) to replace what it holds"
        )
    started = time.monotonic()
    if connection.vendor == "postgresql":
        if not head.startswith(PG_MAGIC):
            raise BackupError(f"{source} is not a pg_dump custom-format file (kip_backup's .dump)")
        _pg_restore(source, say=say, verbose=verbose)
    elif connection.vendor == "sqlite":
        if head != SQLITE_MAGIC:
            raise BackupError(f"{source} is not an SQLite database file (kip_backup's .sqlite3)")
        _sqlite_restore(source, say=say)
    else:
        raise BackupError(f"no restore for the {connection.vendor} database backend")
    say(f"restored {source} into {_database_name()} in {time.monotonic() - started:.1f} s")
    return database_verify(say=say)


def database_verify(*, say: Say) -> Summary:
    """Count what matters and verify the audit hash chain; raise if the chain is broken."""
    from apps.audit.chain import audit_verify
    from apps.audit.models import AccessEvent, AuditSeal
    from apps.citizens.models import Consent
    from apps.plans.models import Plan

    summary = Summary(
        plans=Plan.objects.count(),
        consents=Consent.objects.count(),
        audit_events=AccessEvent.objects.count(),
        sealed_events=AuditSeal.objects.count(),
    )
    say(f"the database holds {summary}")
    say("verifying the audit chain ...")
    result = audit_verify()
    if result.broken is not None:
        raise BackupError(
            f"audit chain broken at {result.broken} (after {result.checked} sealed events)"
        )
    say(f"audit chain intact: {result.checked} sealed events")
    if summary.audit_events > summary.sealed_events:
        # The newest events are sealed seconds after they are written (beat's audit_seal);
        # a backup taken meanwhile holds them unsealed, and the running service seals them.
        say(
            f"{summary.audit_events - summary.sealed_events} newer events are not sealed yet: "
            "the running service's beat seals them (or: manage.py seal_audit)"
        )
    return summary


def _database_name() -> str:
    settings_dict = connection.settings_dict
    if connection.vendor == "postgresql":
        host = settings_dict.get("HOST") or "local socket"
        return f"{settings_dict['NAME']!r} on {host}:{settings_dict.get('PORT') or 5432}"
    return str(settings_dict["NAME"])


def _table_count() -> int:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT count(*) FROM pg_catalog.pg_tables "
                "WHERE schemaname NOT IN ('pg_catalog', 'information_schema')"
            )
        else:
            cursor.execute(
                "SELECT count(*) FROM sqlite_master WHERE type = 'table' "
                "AND name NOT LIKE 'sqlite%'"
            )
        return int(cursor.fetchone()[0])


# --- PostgreSQL ---


def _pg_tool(name: str) -> tuple[str, dict[str, str]]:
    """The tool's path and the environment that connects it to the configured database."""
    found = shutil.which(name)
    if found is None:
        raise BackupError(
            f"{name} not found on PATH: install the PostgreSQL client tools (Debian: "
            "apt-get install postgresql-client) of the server's major version or newer"
        )
    settings_dict: dict[str, Any] = connection.settings_dict
    _, extra = DatabaseClient.settings_to_cmd_args_env(settings_dict, [])
    env = {**os.environ, **(extra or {})}
    for key, variable in (("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER")):
        if settings_dict.get(key):
            env[variable] = str(settings_dict[key])
    return found, env


def _run(argv: list[str], env: dict[str, str], *, say: Say, verbose: bool) -> None:
    """Run a pg tool (with --verbose), pass its lines on when asked, fail with its last lines."""
    say(f"running {Path(argv[0]).name} ...")
    process = subprocess.Popen(  # noqa: S603 - our own argv, no shell
        argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    )
    assert process.stderr is not None  # noqa: S101 - for the type checker
    tail: list[str] = []
    for steps, raw in enumerate(process.stderr, start=1):
        line = raw.rstrip()
        tail = [*tail[-19:], line]
        if verbose:
            say(f"  {line}")
        elif steps % 200 == 0:
            say(f"  ... {steps} steps")
    if process.wait() != 0:
        errors = [line for line in tail if "error" in line.lower()] or tail[-5:]
        raise BackupError(
            f"{Path(argv[0]).name} failed (exit {process.returncode}):\n" + "\n".join(errors)
        )


def _pg_backup(target: Path, *, say: Say, verbose: bool) -> None:
    tool, env = _pg_tool("pg_dump")
    say(f"dumping {_database_name()} with pg_dump --format=custom")
    _run(
        [
            tool,
            "--format=custom",
            "--verbose",
            "--no-password",
            f"--file={target}",
            f"--dbname={connection.settings_dict['NAME']}",
        ],
        env,
        say=say,
        verbose=verbose,
    )


def _pg_restore(source: Path, *, say: Say, verbose: bool) -> None:
    tool, env = _pg_tool("pg_restore")
    # Our own connection must not hold anything the restore drops; verification opens a new one.
    connection.close()
    say(f"restoring into {_database_name()} with pg_restore (one transaction)")
    _run(
        [
            tool,
            "--clean",
            "--if-exists",
            "--no-owner",
            "--single-transaction",
            "--exit-on-error",
            "--verbose",
            "--no-password",
            f"--dbname={connection.settings_dict['NAME']}",
            str(source),
        ],
        env,
        say=say,
        verbose=verbose,
    )


# --- SQLite ---


def _sqlite_path() -> str:
    name = str(connection.settings_dict["NAME"])
    if name == ":memory:" or "mode=memory" in name:
        raise BackupError("the database is in memory: there is no file to restore into")
    return name


def _sqlite_backup(target: Path, *, say: Say, verbose: bool) -> None:
    connection.ensure_connection()
    source = connection.connection
    pages = source.execute("PRAGMA page_count").fetchone()[0]
    say(f"copying {_database_name()} ({pages} pages) with SQLite's backup API")
    copy = sqlite3.connect(target)
    try:
        # One step (pages=-1): the whole copy under one read snapshot, so it is consistent;
        # in WAL mode the writers go on meanwhile. Copying in several steps would start over
        # after every write by another process, and might never finish on a busy service.
        source.backup(copy)
        check = copy.execute("PRAGMA quick_check").fetchone()[0]
        if check != "ok":
            raise BackupError(f"the copy does not pass SQLite's quick_check: {check}")
    finally:
        copy.close()


def _sqlite_restore(source: Path, *, say: Say) -> None:
    path = _sqlite_path()
    connection.close()
    backup = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    try:
        check = backup.execute("PRAGMA quick_check").fetchone()[0]
        if check != "ok":
            raise BackupError(f"{source} does not pass SQLite's quick_check: {check}")
        pages = backup.execute("PRAGMA page_count").fetchone()[0]
        say(f"copying {pages} pages into {path} with SQLite's backup API")
        target = sqlite3.connect(path, timeout=20)
        try:
            backup.backup(target)
        finally:
            target.close()
    finally:
        backup.close()


def backup_directory() -> Path:
    return Path(settings.KIP_BACKUP_DIR)
