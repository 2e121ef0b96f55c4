"""python manage.py sync [--account NAME ...] [--full]"""

import threading

from django.core.management.base import BaseCommand, CommandError

from signhub.core.models import ProviderAccount, SyncRun
from signhub.core.sync import sync_accounts


class ProgressBoard:
    """One line per account, redrawn in place on a terminal; silent otherwise."""

    def __init__(self, stream, names: list[str]) -> None:
        self.stream = stream
        self.names = names
        self.lines = dict.fromkeys(names, "waiting")
        self.lock = threading.Lock()
        self.drawn = False
        self.width = max((len(n) for n in names), default=0)

    def update(self, run: SyncRun) -> None:
        with self.lock:
            self.lines[run.account.name] = self.describe(run)
            self.draw()

    def describe(self, run: SyncRun) -> str:
        if run.state == SyncRun.State.RUNNING:
            pct = run.progress_percent
            if pct is not None:
                filled = pct // 5
                bar = "#" * filled + "-" * (20 - filled)
                return f"[{bar}] {pct:3d}% {run.fetched}/{run.expected_total} docs"
            return f"page {run.pages}, {run.fetched} docs"
        return run.get_state_display().lower()

    def draw(self) -> None:
        if self.drawn:
            self.stream.write(f"\x1b[{len(self.names)}F")
        for name in self.names:
            self.stream.write(f"\x1b[2K{name:<{self.width}}  {self.lines[name]}\n")
        self.stream.flush()
        self.drawn = True


def summary(run: SyncRun) -> str:
    name = run.account.name
    if run.state == SyncRun.State.SUCCEEDED:
        seconds = run.duration.total_seconds() if run.duration else 0.0
        kind = "full" if run.full else "incremental"
        line = (
            f"{name}: ok ({kind}) — {run.fetched} fetched, {run.created} created, "
            f"{run.updated} updated, {run.removed} removed in {seconds:.1f}s"
        )
        if run.skipped:
            line += f"; {run.skipped} skipped (unusable data)"
        if run.removals_withheld:
            line += f"; {run.removals_withheld} removals withheld (suspicious listing)"
        return line
    if run.state == SyncRun.State.PARTIAL:
        seconds = run.duration.total_seconds() if run.duration else 0.0
        line = (
            f"{name}: partly synced — {run.fetched} fetched, {run.created} created, "
            f"{run.updated} updated, {run.removed} removed in {seconds:.1f}s"
        )
        return "\n".join([line, *(f"  warning: {w}" for w in run.warnings)])
    if run.state == SyncRun.State.SKIPPED:
        return f"{name}: skipped — {run.error_message}"
    return f"{name}: FAILED [{run.error_code}] {run.error_message}"


class Command(BaseCommand):
    help = "Sync enabled provider accounts (or the named ones) into the index."

    def add_arguments(self, parser):
        parser.add_argument("--account", action="append", default=[], metavar="NAME")
        parser.add_argument(
            "--full",
            action="store_true",
            help="walk every page and flag documents gone at the provider",
        )

    def handle(self, *args, **opts):
        names = opts["account"]
        if names:
            accounts = list(ProviderAccount.objects.filter(name__in=names))
            missing = sorted(set(names) - {a.name for a in accounts})
            if missing:
                raise CommandError(f"No account named: {', '.join(missing)}")
        else:
            accounts = list(ProviderAccount.objects.filter(enabled=True))
        if not accounts:
            self.stdout.write("No accounts to sync. Add one with `manage.py add_account`.")
            return
        board = None
        if self.stdout.isatty():
            board = ProgressBoard(self.stdout._out, [a.name for a in accounts])
            board.draw()
        runs = sync_accounts(
            accounts, full=opts["full"], trigger="cli", progress=board.update if board else None
        )
        for run in runs:
            self.stdout.write(summary(run))
        failed = [run.account.name for run in runs if run.state == SyncRun.State.FAILED]
        if failed:
            raise CommandError(f"sync failed for: {', '.join(failed)}", returncode=1)
