"""Failed logins and the lockout they lead to, recorded and audited.

The name typed at a failed login is kept as typed (lower-cased): it may name no account, so the
audit trail names it as an `Operator`, not as a user.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import transaction

from equipoise.records.actor import Operator
from equipoise.records.audit import AuditEntry, record_events
from equipoise.records.audit_actions import AuditAction
from equipoise.records.models import LoginFailure


def _recent_failures(username: str, now: dt.datetime) -> int:
    since = now - dt.timedelta(minutes=settings.LOGIN_LOCKOUT_MINUTES)
    return LoginFailure.objects.filter(username=username, at__gte=since).count()


def is_locked_out(username: str, now: dt.datetime) -> bool:
    return _recent_failures(username.lower(), now) >= settings.LOGIN_LOCKOUT_FAILURES


def record_login_failure(username: str, now: dt.datetime, *, request_id: str = "") -> bool:
    """Count one failed login for `username`; True if this failure locks the account out."""
    username = username.lower()
    actor = Operator(username=username, role="", request_id=request_id)
    with transaction.atomic(durable=True):
        LoginFailure.objects.create(username=username, at=now)
        failures = _recent_failures(username, now)
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
        cleared, _ = LoginFailure.objects.filter(username=username).delete()
        if cleared:
            record_events(Operator(username=username, role="", request_id=request_id), [AuditEntry(
                AuditAction.LOGIN_FAILURES_CLEARED, "login", username, site_code="",
                changes={"failures": [cleared, 0]})])
