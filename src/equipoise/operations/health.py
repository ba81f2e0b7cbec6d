"""`/health/`: what a hospital's monitoring polls. 200 when every check passes, else 503.

Checks: the database answers, every migration is applied, the audit chain head can be read, and
the scheduler (`equipoise worker`) showed a heartbeat recently. The answer is JSON naming each
check; it carries no trial data (the audit head is given by its sequence number only).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.db import DatabaseError, connection
from django.db.migrations.executor import MigrationExecutor
from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from equipoise.operations.models import Heartbeat
from equipoise.records.models import AuditHead

SCHEDULER = "scheduler"


def check_database() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return f"{connection.vendor} reachable"


class CheckFailed(Exception):
    pass


def check_migrations() -> str:
    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    if plan:
        names = ", ".join(f"{m.app_label}.{m.name}" for m, _ in plan[:5])
        raise CheckFailed(f"{len(plan)} migration(s) not applied: {names}")
    return "all applied"


def check_audit_head() -> str:
    head = AuditHead.objects.filter(pk=1).values_list("last_sequence", flat=True).first()
    return f"sequence {head or 0}"


def check_scheduler(now: dt.datetime | None = None) -> str:
    now = now or timezone.now()
    beat = Heartbeat.objects.filter(name=SCHEDULER).first()
    if beat is None:
        raise CheckFailed("no heartbeat yet: is `equipoise worker` running?")
    age = (now - beat.at).total_seconds()
    limit = settings.HEARTBEAT_MAX_AGE_SECONDS
    if age > limit:
        raise CheckFailed(f"last heartbeat {age:.0f} s ago (limit {limit} s): is `equipoise worker` running?")
    return f"heartbeat {max(age, 0):.0f} s ago"


CHECKS: dict[str, Callable[[], str]] = {
    "database": check_database,
    "migrations": check_migrations,
    "audit_head": check_audit_head,
    "scheduler": check_scheduler,
}


def run_checks() -> tuple[bool, dict[str, dict[str, object]]]:
    """Each check's outcome; a check after a failed database check is not attempted."""
    results: dict[str, dict[str, object]] = {}
    healthy = True
    for name, check in CHECKS.items():
        if name != "database" and not results["database"]["ok"]:
            results[name] = {"ok": False, "detail": "not checked: the database is unreachable"}
            continue
        try:
            results[name] = {"ok": True, "detail": check()}
        except (CheckFailed, DatabaseError) as exc:
            healthy = False
            results[name] = {"ok": False, "detail": str(exc).strip() or type(exc).__name__}
    return healthy, results


@login_not_required
@never_cache
@require_safe
def health(request: HttpRequest) -> JsonResponse:
    healthy, results = run_checks()
    return JsonResponse({"status": "ok" if healthy else "failing", "checks": results},
                        status=200 if healthy else 503)
