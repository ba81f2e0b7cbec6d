"""When each job runs, and the scheduler's tick that enqueues the jobs whose time slot has come.

A job runs once per slot: every N minutes (slots aligned on the epoch), or daily at a Paris time.
A slot is claimed by inserting `ScheduledRun(job, slot)` (unique) in the same transaction as the
task it enqueues, so two schedulers, or one restarted, never enqueue a slot twice; a slot missed
while no worker ran is caught up once (the latest one only) when one starts.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.tasks import Task
from django.utils import timezone

from equipoise.operations import tasks
from equipoise.operations.models import Heartbeat, ScheduledRun
from equipoise.visits.localtime import TRIAL_TIMEZONE

SCHEDULER = "scheduler"


@dataclass(frozen=True)
class Job:
    name: str
    task: Task
    every_minutes: int | None = None  # or:
    daily_at: dt.time | None = None  # Paris wall-clock time

    def slot(self, now: dt.datetime) -> dt.datetime:
        """The start of the slot `now` falls in (UTC)."""
        if self.every_minutes is not None:
            period = self.every_minutes * 60
            seconds = int(now.timestamp()) // period * period
            return dt.datetime.fromtimestamp(seconds, dt.UTC)
        assert self.daily_at is not None
        local = now.astimezone(TRIAL_TIMEZONE)
        today = dt.datetime.combine(local.date(), self.daily_at, TRIAL_TIMEZONE)
        start = today if local >= today else dt.datetime.combine(local.date() - dt.timedelta(days=1),
                                                                 self.daily_at, TRIAL_TIMEZONE)
        return start.astimezone(dt.UTC)


SCHEDULE = (
    Job("clock_reminders", tasks.clock_reminders, every_minutes=15),
    Job("low_list_reminders", tasks.low_list_reminders, every_minutes=60),
    Job("pregnancy_test_reminders", tasks.pregnancy_test_reminders, daily_at=dt.time(7, 0)),
    Job("overdue_visit_reminders", tasks.overdue_visit_reminders, daily_at=dt.time(7, 0)),
    Job("audit_chain_verification", tasks.audit_chain_verification, daily_at=dt.time(2, 30)),
)


def beat(detail: str = "") -> None:
    Heartbeat.objects.update_or_create(name=SCHEDULER, defaults={"at": timezone.now(), "detail": detail[:200]})


def tick(now: dt.datetime, schedule: tuple[Job, ...] = SCHEDULE) -> list[str]:
    """Enqueue every job whose current slot has not been claimed yet; returns their names."""
    enqueued = []
    for job in schedule:
        slot = job.slot(now)
        try:
            with transaction.atomic():
                run = ScheduledRun.objects.create(job=job.name, slot=slot, enqueued_at=timezone.now())
                result = job.task.enqueue(now.isoformat())
                run.task_id = str(result.id)
                run.save(update_fields=["task_id"])
        except IntegrityError:
            continue  # this slot is already claimed
        enqueued.append(job.name)
    beat(f"judging at {now.isoformat(timespec='seconds')}")
    return enqueued
