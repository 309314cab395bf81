"""First start of an empty service: the organisations from a CSV file and the first system
administrator. Safe to run again: what exists is left as it is."""

from __future__ import annotations

import csv
import os
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from apps.administration.invitations import password_link
from apps.organisations.models import Organisation
from apps.organisations.services import organisation_ensure

COLUMNS = ("slug", "name", "kind", "sector")


class Command(BaseCommand):
    help = (
        "Create the organisations listed in a CSV file (columns: slug,name,kind,sector) and the "
        "first system administrator. Idempotent."
    )

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument("--organisations", type=Path, help="CSV file of organisations")
        parser.add_argument("--admin-username", required=True)
        parser.add_argument("--admin-email", required=True)

    def handle(self, *args, **options):  # type: ignore[no-untyped-def]
        rows = self._rows(options["organisations"]) if options["organisations"] else []
        with transaction.atomic():
            for i, row in enumerate(rows, 1):
                existed = Organisation.objects.filter(slug=row["slug"]).exists()
                organisation_ensure(**row)
                state = "exists" if existed else "created"
                self.stdout.write(f"organisation {i}/{len(rows)}: {row['slug']} ({state})")
            admin, created = self._admin(options["admin_username"], options["admin_email"])
        self.stdout.write(
            f"system administrator {admin.username}: {'created' if created else 'exists'}"
        )
        if created or not admin.has_usable_password():
            self.stdout.write("Choose the administrator's password at this link (works once):")
            self.stdout.write(f"  {password_link(admin)}")

    def _rows(self, path: Path) -> list[dict[str, str]]:
        if not path.is_file():
            raise CommandError(f"{path}: no such file")
        with path.open(newline="", encoding="utf-8-sig") as handle:
            reader = csv.DictReader(handle)
            missing = set(COLUMNS) - set(reader.fieldnames or [])
            if missing:
                raise CommandError(f"{path}: missing columns {', '.join(sorted(missing))}")
            rows = [{k: (row[k] or "").strip() for k in COLUMNS} for row in reader]
        errors = []
        for line, row in enumerate(rows, start=2):
            if not row["slug"] or not row["name"]:
                errors.append(f"line {line}: slug and name are needed")
            if row["kind"] not in Organisation.Kind.values:
                errors.append(
                    f"line {line}: kind {row['kind']!r} is not one of "
                    f"{', '.join(Organisation.Kind.values)}"
                )
            if row["sector"] not in Organisation.Sector.values:
                errors.append(f"line {line}: sector {row['sector']!r} is not municipality/region")
        if errors:
            raise CommandError("nothing was created:\n  " + "\n  ".join(errors))
        return rows

    def _admin(self, username: str, email: str):  # type: ignore[no-untyped-def]
        user, created = get_user_model().objects.get_or_create(
            username=username, defaults={"email": email, "is_staff": True}
        )
        if created:
            password = os.environ.get("KIP_FIRST_ADMIN_PASSWORD", "")
            if password:
                user.set_password(password)
            else:
                user.set_unusable_password()
            user.save()
        elif not user.is_staff:
            raise CommandError(f"{username} exists and is not a system administrator")
        return user, created
