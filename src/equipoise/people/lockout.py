"""The sign-in lockout, shared by the password and the second factor.

Failed passwords and failed codes count together in `records.LoginFailure`: after
`LOGIN_LOCKOUT_FAILURES` within `LOGIN_LOCKOUT_MINUTES` the account refuses both.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.utils import timezone

from equipoise.records.models import LoginFailure


def locked_out(username: str, now: dt.datetime | None = None) -> bool:
    now = now or timezone.now()
    since = now - dt.timedelta(minutes=settings.LOGIN_LOCKOUT_MINUTES)
    return LoginFailure.objects.filter(username=username.lower(), at__gte=since).count() >= settings.LOGIN_LOCKOUT_FAILURES


def count_failure(username: str, now: dt.datetime | None = None) -> bool:
    """Count one failure (inside the caller's transaction); True when the account is now locked."""
    now = now or timezone.now()
    LoginFailure.objects.create(username=username.lower(), at=now)
    return locked_out(username, now)


def clear_failures(username: str) -> None:
    LoginFailure.objects.filter(username=username.lower()).delete()
