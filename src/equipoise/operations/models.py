"""What the operations side keeps: the scheduler's heartbeat, its schedule, the reminders sent.

Written only by `equipoise.operations` itself (the worker), never by a page.
"""

from __future__ import annotations

from django.db import models


class Heartbeat(models.Model):
    """The last moment a long-running process (the scheduler) showed it was alive."""

    name = models.CharField(max_length=32, unique=True)
    at = models.DateTimeField()
    detail = models.CharField(max_length=200, blank=True)


class ScheduledRun(models.Model):
    """One run of a scheduled job for one time slot: the unique key makes a slot enqueue once,
    however many schedulers run or restart."""

    job = models.CharField(max_length=64)
    slot = models.DateTimeField()
    enqueued_at = models.DateTimeField()
    task_id = models.CharField(max_length=64, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["job", "slot"], name="scheduled_run_once_per_slot")]


class ReminderSent(models.Model):
    """A reminder sent about one thing in one state (an SAE clock overdue, a visit overdue...).

    Unique on (kind, key, state): the same state never mails twice, a new state mails once. Written
    in the transaction of the reminder's audit event, with the message itself (an outbox): the
    email leaves after that commits, and `emailed_at` is set once it has; a worker that died in
    between sends what is left on its next start.
    """

    kind = models.CharField(max_length=32)
    key = models.CharField(max_length=120)
    state = models.CharField(max_length=32)
    sent_at = models.DateTimeField()
    judged_at = models.DateTimeField()
    recipients = models.JSONField(default=list)
    # The message itself, one letter per language its recipients read:
    # [{"language": "fr", "recipients": [...], "subject": "...", "body": "..."}, ...]
    letters = models.JSONField(default=list)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["kind", "key", "state"], name="reminder_once_per_state")]
        ordering = ["sent_at", "id"]
