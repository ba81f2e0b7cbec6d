"""The time the worker judges what is due at: now, moved by EQUIPOISE_CLOCK_SHIFT_HOURS if set.

Only what is *due* moves (the reminders' `judged_at`); audit events and emails are stamped with the
real time. A rehearsal or a test moves time forward through the setting instead of sleeping.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.utils import timezone


def shift() -> dt.timedelta:
    return dt.timedelta(hours=settings.CLOCK_SHIFT_HOURS)


def now() -> dt.datetime:
    return timezone.now() + shift()
