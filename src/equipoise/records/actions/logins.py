"""Failed sign-ins and the lockout they lead to, shared by the password and the second factor.

Failed passwords and failed codes count together in `LoginFailure`: after `LOGIN_LOCKOUT_FAILURES`
within `LOGIN_LOCKOUT_MINUTES` the account refuses both. The name typed at a failed login is kept
as typed (lower-cased): it may name no account, so the audit trail names it as an `Operator`,
not as a user.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from equipoise.records.actor import Operator
from equipoise.records.audit import AuditEntry, record_events
from equipoise.records.audit_actions import AuditAction
from equipoise.records.models import LoginFailure


def _recent_failures(username: str, now: dt.datetime) -> int:
    since = now - dt.timedelta(minutes=settings.LOGIN_LOCKOUT_MINUTES)
    return LoginFailure.objects.filter(username=username, at__gte=since).count()


def locks_out(recent_failures: int) -> bool:
    return recent_failures >= settings.LOGIN_LOCKOUT_FAILURES


def is_locked_out(username: str, now: dt.datetime | None = None) -> bool:
    return locks_out(_recent_failures(username.lower(), now or timezone.now()))


def count_failure(username: str, now: dt.datetime | None = None) -> int:
    """Count one failure of `username` in the caller's transaction; how many are now recent."""
    username, now = username.lower(), now or timezone.now()
    LoginFailure.objects.create(username=username, at=now)
    return _recent_failures(username, now)


def clear_failures(username: str) -> int:
    """Forget the failures of `username` in the caller's transaction; how many there were."""
    cleared, _ = LoginFailure.objects.filter(username=username.lower()).delete()
    return cleared


def record_login_failure(username: str, now: dt.datetime, *, request_id: str = "") -> bool:
    """Count one failed login for `username`; True if this failure locks the account out."""
    username = username.lower()
    actor = Operator(username=username, role="", request_id=request_id)
    with transaction.atomic(durable=True):
        failures = count_failure(username, now)
        entries = [AuditEntry(AuditAction.LOGIN_FAILURE, "login", username, site_code="",
                              changes={"recent_failures": [failures - 1, failures]})]
        locks = failures == settings.LOGIN_LOCKOUT_FAILURES
        if locks:
            entries.append(AuditEntry(AuditAction.LOGIN_LOCKOUT, "login", username, site_code="",
                                      reason=f"{failures} failed logins in {settings.LOGIN_LOCKOUT_MINUTES} minutes",
                                      changes={"locked_minutes": [None, settings.LOGIN_LOCKOUT_MINUTES]}))
        record_events(actor, entries)
    return locks


def clear_login_failures(username: str, *, request_id: str = "") -> None:
    """A successful login forgets the earlier failures of that name (audited when there were any)."""
    username = username.lower()
    with transaction.atomic(durable=True):
        cleared = clear_failures(username)
        if cleared:
            record_events(Operator(username=username, role="", request_id=request_id), [AuditEntry(
                AuditAction.LOGIN_FAILURES_CLEARED, "login", username, site_code="",
                changes={"failures": [cleared, 0]})])
