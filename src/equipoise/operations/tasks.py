"""The scheduled jobs as Django tasks (django.tasks), queued in the database by the scheduler and
run by `equipoise worker`. Each takes the instant to judge at (ISO 8601 with its offset), so a run
is reproducible and the clock can be moved forward by setting."""

from __future__ import annotations

import datetime as dt

from django.tasks import task

from equipoise.operations.audit_verification import verify_audit_chain
from equipoise.operations.clock_reminders import send_clock_reminders
from equipoise.operations.list_reminders import send_low_list_reminders
from equipoise.operations.pregnancy_reminders import send_pregnancy_test_reminders
from equipoise.operations.visit_reminders import send_overdue_visit_reminders


def _at(now: str) -> dt.datetime:
    moment = dt.datetime.fromisoformat(now)
    if moment.tzinfo is None:
        raise ValueError(f"{now!r} has no UTC offset")
    return moment


@task
def clock_reminders(now: str) -> int:
    return send_clock_reminders(_at(now))


@task
def pregnancy_test_reminders(now: str) -> int:
    return send_pregnancy_test_reminders(_at(now))


@task
def overdue_visit_reminders(now: str) -> int:
    return send_overdue_visit_reminders(_at(now))


@task
def low_list_reminders(now: str) -> int:
    return send_low_list_reminders(_at(now))


@task
def audit_chain_verification(now: str) -> str:
    return verify_audit_chain(_at(now))
