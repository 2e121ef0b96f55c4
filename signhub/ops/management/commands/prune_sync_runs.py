from django.conf import settings
from django.core.management.base import BaseCommand

from signhub.ops.prune import prune_sync_runs


class Command(BaseCommand):
    help = "Delete finished sync runs older than the retention (the latest per account stays)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--days",
            type=int,
            default=None,
            help="Retention in days (default: SIGNHUB_SYNC_RUN_RETENTION_DAYS).",
        )
        parser.add_argument("--dry-run", action="store_true")

    def handle(self, *, days, dry_run, **options):
        days = settings.SIGNHUB_SYNC_RUN_RETENTION_DAYS if days is None else days
        count = prune_sync_runs(max(0, days), dry_run=dry_run)
        verb = "Would delete" if dry_run else "Deleted"
        self.stdout.write(f"{verb} {count} sync run(s) older than {days} day(s).")
