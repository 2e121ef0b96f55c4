import signal
import time

from django.core.management.base import BaseCommand
from django.db import close_old_connections

from signhub.ops.scheduler import tick


class Command(BaseCommand):
    help = (
        "Enqueue the syncs that are due (incremental or nightly full), never a second one for "
        "an account with a queued or running sync. Once (cron/systemd timer) or --loop."
    )

    def add_arguments(self, parser):
        parser.add_argument("--loop", action="store_true", help="Keep running.")
        parser.add_argument(
            "--interval", type=float, default=60.0, help="Seconds between passes with --loop."
        )

    def handle(self, *, loop, interval, verbosity, **options):
        stopping = []
        if loop:
            # systemd/Procfile stop: finish the current pass, then exit cleanly.
            for sig in (signal.SIGTERM, signal.SIGINT):
                signal.signal(sig, lambda *_: stopping.append(True))
        while True:
            if loop:
                close_old_connections()  # a long-lived process: drop broken/expired ones
            result = tick()
            if verbosity:
                for name, full in result.enqueued:
                    self.stdout.write(f"enqueued {'full' if full else 'incremental'}: {name}")
                for name in result.busy:
                    self.stdout.write(f"busy (sync queued or running): {name}")
                if verbosity > 1 or not loop:
                    self.stdout.write(
                        f"{len(result.enqueued)} enqueued, {len(result.busy)} busy, "
                        f"{len(result.lost)} claimed by another scheduler"
                    )
            if not loop:
                return
            deadline = time.monotonic() + max(1.0, interval)
            while not stopping and time.monotonic() < deadline:
                time.sleep(0.5)
            if stopping:
                return
