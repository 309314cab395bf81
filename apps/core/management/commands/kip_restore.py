from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from apps.core.backup import BackupError, database_restore


class Command(BaseCommand):
    help = (
        "Restore a kip_backup file into the configured (empty) database, then count plans, "
        "consents and audit events and verify the audit chain."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="a file written by kip_backup")
        parser.add_argument(
            "--force",
            action="store_true",
            help="restore into a database that has tables (the backup replaces what they hold)",
        )

    def handle(self, *args, **options):  # type: ignore[no-untyped-def]
        try:
            summary = database_restore(
                source=options["file"],
                force=options["force"],
                say=self.stdout.write,
                verbose=options["verbosity"] >= 2,
            )
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(self.style.SUCCESS(f"restore complete: {summary}"))
