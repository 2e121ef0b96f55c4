"""`manage.py db_worker`: django-tasks-db's worker that survives a busy SQLite database.

The upstream worker claims a task in an exclusive transaction; when SQLite stays locked past
the busy timeout, the `OperationalError: database is locked` raised while the transaction
opens (or commits) escapes its loop and the worker process dies — after which every "Sync
now" stays queued. This command keeps the name and every option, and restarts the claim
loop after such an error, waiting a little longer each time (capped), so a transient lock
costs seconds, not the worker. Any other error still stops it.
"""

from __future__ import annotations

import logging
import time

from django.db import close_old_connections
from django.db.utils import OperationalError
from django_tasks_db.management.commands import db_worker
from django_tasks_db.utils import is_locked_database_exception

logger = logging.getLogger("signhub.worker")

FIRST_WAIT, MAX_WAIT = 0.1, 10.0
# A lock-free stretch this long means the lock was transient: start waiting short again.
CALM_AFTER = 60.0


class Worker(db_worker.Worker):
    def run(self) -> None:
        wait, failed_at = FIRST_WAIT, None
        while True:
            try:
                return super().run()
            except OperationalError as exc:
                if not is_locked_database_exception(exc) or not self.running:
                    raise
                now = time.monotonic()
                if failed_at is not None and now - failed_at > CALM_AFTER:
                    wait = FIRST_WAIT
                failed_at = now
                logger.warning("The database is locked; claiming tasks again in %.1f s", wait)
                close_old_connections()
                time.sleep(wait)
                wait = min(MAX_WAIT, wait * 2)


class Command(db_worker.Command):
    help = db_worker.Command.help + " (retries the claim while the database is locked)"

    def handle(self, *args, **options):
        original = db_worker.Worker
        db_worker.Worker = Worker  # the upstream handle() builds its Worker by this name
        try:
            return super().handle(*args, **options)
        finally:
            db_worker.Worker = original
