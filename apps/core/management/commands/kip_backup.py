from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from apps.core.backup import BackupError, backup_directory, database_backup


class Command(BaseCommand):
    help = (
        "Back up the whole database into a file named with the UTC time under KIP_BACKUP_DIR: "
        "pg_dump --format=custom on PostgreSQL, SQLite's online backup API on SQLite."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--directory", type=Path, help="where to write it (default: KIP_BACKUP_DIR)"
        )

    def handle(self, *args, **options):  # type: ignore[no-untyped-def]
        directory = options["directory"] or backup_directory()
        try:
            path = database_backup(
                directory=directory, say=self.stdout.write, verbose=options["verbosity"] >= 2
            )
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(self.style.SUCCESS(f"backup: {path}"))
