"""Liveness and readiness probes for load balancers and orchestrators.

`/healthz` answers from the process alone (no database), so a slow database never gets
healthy web processes restarted. `/readyz` checks what serving needs: the database answers,
every migration is applied, the cache answers. Failures name the check and the exception
class only: exception messages can carry hosts, user names or connection strings.
"""

from __future__ import annotations

import logging
import uuid

from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

logger = logging.getLogger("signhub.ops.health")

# Once every migration is applied it stays so for this code version: remember it per process
# (loading the migration graph costs tens of milliseconds per probe otherwise).
_migrations_ok = False


@never_cache
@require_safe
def healthz(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok"})


def check_database() -> None:
    with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def check_migrations() -> None:
    global _migrations_ok
    if _migrations_ok:
        return
    connection = connections[DEFAULT_DB_ALIAS]
    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    if plan:
        raise RuntimeError(f"{len(plan)} unapplied migration(s)")
    _migrations_ok = True


def check_cache() -> None:
    key = f"signhub:readyz:{uuid.uuid4().hex}"
    cache.set(key, "1", timeout=10)
    ok = cache.get(key) == "1"
    cache.delete(key)
    if not ok:
        raise RuntimeError("value written was not read back")


CHECKS = {"database": check_database, "migrations": check_migrations, "cache": check_cache}


def _describe(exc: Exception) -> str:
    # Our own RuntimeErrors carry safe text; anything else is named by class only.
    if type(exc) is RuntimeError:
        return str(exc)
    return f"unreachable ({type(exc).__name__})"


@never_cache
@require_safe
def readyz(request: HttpRequest) -> JsonResponse:
    results: dict[str, str] = {}
    for name, check in CHECKS.items():
        if name == "migrations" and results.get("database") != "ok":
            results[name] = "skipped (database unavailable)"
            continue
        try:
            check()
        except Exception as exc:
            results[name] = _describe(exc)
            logger.warning("Readiness check %s failed: %s", name, type(exc).__name__)
        else:
            results[name] = "ok"
    failed = sorted(k for k, v in results.items() if v != "ok" and not v.startswith("skipped"))
    body = {"status": "fail" if failed else "ok", "checks": results}
    if failed:
        body["failed"] = failed
    response = JsonResponse(body, status=503 if failed else 200)
    # Already logged above as a warning; spare the log an ERROR line per probe.
    response._has_been_logged = True
    return response
