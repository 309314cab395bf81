"""Bulk import of staff from a CSV file: every row checked and reported; all or nothing.

The file is what a spreadsheet saves: UTF-8 (with or without a byte-order mark), separated by
commas or, as Danish Excel saves it, by semicolons; column names in any case.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

from django.db import transaction
from django.utils.translation import gettext as _

from apps.access import audit
from apps.access.administration import ADMIN, require_local_admin
from apps.access.context import Actor
from apps.administration.staff import require_active, staff_create, staff_errors
from apps.core.exceptions import ApplicationError
from apps.organisations.models import Membership

COLUMNS = ("username", "email", "first_name", "last_name", "role")
REQUIRED = ("username", "email", "role")
# A staff list of a few thousand people fits well inside this.
MAX_BYTES = 256 * 1024


@dataclass
class ImportRow:
    line: int
    data: dict[str, str]
    errors: dict[str, list[str]] = field(default_factory=dict)
    user_id: int | None = None

    @property
    def role_label(self) -> str:
        """The role as people read it; what the file said when it is no role."""
        role = self.data.get("role", "")
        return str(Membership.Role(role).label) if role in Membership.Role.values else role


@dataclass
class ImportReport:
    rows: list[ImportRow]
    dry_run: bool

    @property
    def ok(self) -> bool:
        return bool(self.rows) and not any(row.errors for row in self.rows)


def _file_error(message: str, name: str) -> ApplicationError:
    return ApplicationError(message, fields={name: [message]})


def csv_rows(content: str | bytes, *, field: str = "file") -> list[dict[str, str]]:
    """The rows of an import file as dicts of the known columns. A file that cannot be read
    as one is refused naming ``field`` (the form's file, or the API's ``csv``)."""
    if isinstance(content, bytes):
        if len(content) > MAX_BYTES:
            raise _file_error(_("The file is too large (at most 256 KB)."), field)
        try:
            content = content.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise _file_error(_("The file must be a CSV file in UTF-8."), field) from None
    text = content.lstrip("\ufeff")
    header = text.split("\n", 1)[0]
    delimiter = ";" if header.count(";") > header.count(",") else ","
    try:
        reader = csv.reader(io.StringIO(text), delimiter=delimiter)
        lines = list(reader)
    except csv.Error:
        raise _file_error(_("The file could not be read as CSV."), field) from None
    if not lines:
        raise _file_error(_("The file holds no people."), field)
    names = [name.strip().lower() for name in lines[0]]
    missing = [name for name in REQUIRED if name not in names]
    if missing:
        message = _("Missing columns: %(columns)s.") % {"columns": ", ".join(missing)}
        raise _file_error(message, field)
    body = lines[1:]
    while body and not any(value.strip() for value in body[-1]):
        body.pop()  # empty lines at the end, as spreadsheets leave them
    rows = []
    for values in body:  # a row's line in the file is its index + 2, as the report says
        cells = dict(zip(names, values, strict=False))
        rows.append({name: (cells.get(name) or "").strip() for name in COLUMNS})
    return rows


def staff_import(*, actor: Actor, rows: list[dict[str, str]], dry_run: bool) -> ImportReport:
    """Import people from CSV rows: every row checked and reported; all or nothing.

    A dry run checks and reports without writing. A real run writes only when every row is
    fine, in one transaction, and then sends the invitations (after it commits).
    """
    require_local_admin(actor)
    require_active(actor.organisation)
    taken: set[str] = set()
    report = ImportReport(rows=[], dry_run=dry_run)
    for line, data in enumerate(rows, start=2):  # line 1 is the header
        row = ImportRow(line=line, data={k: (data.get(k) or "").strip() for k in COLUMNS})
        row.errors = staff_errors(row.data, taken=taken)
        taken.update(v.lower() for v in (row.data["username"], row.data["email"]) if v)
        report.rows.append(row)
    if not report.rows:
        message = _("The file holds no people.")
        raise ApplicationError(message, fields={"file": [message]})
    if dry_run or not report.ok:
        return report
    with transaction.atomic():
        for row in report.rows:
            row.user_id = staff_create(actor=actor, data=row.data).pk
        audit.record(
            actor,
            ADMIN,
            "import",
            "",
            detail={
                "what": "import",
                "organisation": actor.organisation.pk,
                "rows": len(report.rows),
                "users": [row.user_id for row in report.rows],
            },
        )
    return report
