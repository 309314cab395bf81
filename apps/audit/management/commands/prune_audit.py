from django.conf import settings
from django.core.management.base import BaseCommand

from apps.audit.retention import audit_prune


class Command(BaseCommand):
    help = "Delete access events older than KIP_AUDIT_RETENTION_DAYS, behind a chain checkpoint."

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument("--days", type=int, default=settings.KIP_AUDIT_RETENTION_DAYS)

    def handle(self, *args, **options):  # type: ignore[no-untyped-def]
        removed = audit_prune(days=options["days"])
        self.stdout.write(f"removed {removed} access events older than {options['days']} days")
