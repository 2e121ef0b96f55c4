from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.utils import timezone
from django_tasks import task_backends
from django_tasks_db.backend import DatabaseBackend

from signhub.persist.services import purge_trash
from signhub.webhooks.models import ReplayGuard


class Command(BaseCommand):
    help = (
        "Apply every retention setting: sync runs, finished task results (database task "
        "backend), the Persist trash and expired sessions. Run it daily (cron or a systemd "
        "timer)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true")

    def handle(self, *, dry_run, verbosity, **options):
        call_command(
            "prune_sync_runs",
            days=settings.SIGNHUB_SYNC_RUN_RETENTION_DAYS,
            dry_run=dry_run,
            stdout=self.stdout,
        )
        backend = task_backends["default"]
        if isinstance(backend, DatabaseBackend):
            call_command(
                "prune_db_task_results",
                min_age_days=settings.SIGNHUB_TASK_RESULT_RETENTION_DAYS,
                dry_run=dry_run,
                verbosity=max(1, verbosity),
                stdout=self.stdout,
            )
        else:
            self.stdout.write(f"Task backend {type(backend).__name__} keeps no results to prune.")
        expired = ReplayGuard.objects.filter(expires_at__lt=timezone.now())
        count = expired.count() if dry_run else expired.delete()[0]
        self.stdout.write(
            f"{'Would delete' if dry_run else 'Deleted'} {count} expired webhook replay record(s)."
        )
        purged = purge_trash(settings.SIGNHUB_PERSIST_TRASH_DAYS, dry_run=dry_run)
        self.stdout.write(
            f"{'Would purge' if dry_run else 'Purged'} {purged} signature chain(s) deleted "
            f"more than {settings.SIGNHUB_PERSIST_TRASH_DAYS} days ago."
        )
        if not dry_run:
            call_command("clearsessions")
            self.stdout.write("Cleared expired sessions.")
