"""First start of an empty service: the organisations from a CSV file and the first system
administrator. Safe to run again: what exists is left as it is. Each thing it creates is
recorded in the audit trail as an ``admin`` event made by the command."""

from __future__ import annotations

import csv
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.core.validators import validate_email
from django.db import transaction
from django.utils.text import slugify

from apps.access.administration import record_command
from apps.administration.invitations import password_link
from apps.organisations.models import Organisation
from apps.organisations.services import organisation_ensure

COLUMNS = ("slug", "name", "kind", "sector")


class Command(BaseCommand):
    help = (
        "Create the organisations listed in a CSV file (columns: slug,name,kind,sector) and the "
        "first system administrator, and print the link where they choose a password. Idempotent."
    )

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument("--organisations", type=Path, help="CSV file of organisations")
        parser.add_argument("--admin-username", required=True)
        parser.add_argument("--admin-email", required=True)

    def handle(self, *args, **options):  # type: ignore[no-untyped-def]
        username, email = options["admin_username"].strip(), options["admin_email"].strip()
        try:
            validate_email(email)
        except ValidationError:
            raise CommandError(f"--admin-email {email!r} is not an e-mail address") from None
        try:
            UnicodeUsernameValidator()(username)
        except ValidationError:
            raise CommandError(
                f"--admin-username {username!r}: use letters, digits and . _ - only"
            ) from None
        rows = self._rows(options["organisations"]) if options["organisations"] else []
        with transaction.atomic():
            for i, row in enumerate(rows, 1):
                existed = Organisation.objects.filter(slug=row["slug"]).exists()
                organisation = organisation_ensure(**row)
                if not existed:
                    record_command(
                        "create",
                        "organisation",
                        organisation.pk,
                        organisation=organisation.pk,
                        name=organisation.name,
                        kind=organisation.kind,
                    )
                state = "exists" if existed else "created"
                self.stdout.write(f"organisation {i}/{len(rows)}: {row['slug']} ({state})")
            admin, created = self._admin(username, email)
            if created:
                record_command("create_system_admin", "user", admin.pk, username=admin.username)
        self.stdout.write(
            f"system administrator {admin.username}: {'created' if created else 'exists'}"
        )
        if created or not admin.has_usable_password():
            hours = settings.PASSWORD_RESET_TIMEOUT // 3600
            self.stdout.write(
                "Open this link to choose the administrator's password "
                f"(it works once, for {hours} hours; run this command again for a new one):"
            )
            self.stdout.write(f"  {password_link(admin)}")
        self.stdout.write(
            "Next: log in as the system administrator, open Organisations and invite each "
            "organisation's local administrator; they add their own people."
        )

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
        seen: set[str] = set()
        for line, row in enumerate(rows, start=2):
            if not row["slug"] or not row["name"]:
                errors.append(f"line {line}: slug and name are needed")
            elif slugify(row["slug"]) != row["slug"]:
                errors.append(f"line {line}: slug {row['slug']!r} must be lower-case a-z, 0-9, -")
            elif row["slug"] in seen:
                errors.append(f"line {line}: slug {row['slug']!r} appears twice")
            seen.add(row["slug"])
            if row["kind"] not in Organisation.Kind.values:
                errors.append(
                    f"line {line}: kind {row['kind']!r} is not one of "
                    f"{', '.join(Organisation.Kind.values)}"
                )
            if row["sector"] not in Organisation.Sector.values:
                errors.append(f"line {line}: sector {row['sector']!r} is not municipality/region")
            if len(row["name"]) > 200:
                errors.append(f"line {line}: name longer than 200 characters")
        if errors:
            raise CommandError("nothing was created:\n  " + "\n  ".join(errors))
        return rows

    def _admin(self, username: str, email: str):  # type: ignore[no-untyped-def]
        user, created = get_user_model().objects.get_or_create(
            username=username, defaults={"email": email, "is_staff": True}
        )
        if created:  # they choose their own password through the link printed
            user.set_unusable_password()
            user.save()
        elif not user.is_staff:
            raise CommandError(f"{username} exists and is not a system administrator")
        return user, created
