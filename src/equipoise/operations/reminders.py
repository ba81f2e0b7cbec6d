"""Send a reminder once per state of the thing it is about, audited, through Django's email.

`remind()` inserts the reminder (kind, key, state) and its audit event in one transaction; the
unique constraint makes a second insert of the same state a no-op, so a restarted or doubled
worker sends nothing twice. The reminder's words are written once per language its recipients
read (`people.mail.letters`) and kept with it; the emails go out after the commit; if the process
dies before they have, `send_unsent()` sends them on the next run.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils import timezone

from equipoise.operations.models import ReminderSent
from equipoise.people.mail import Letter, letters, send_letters
from equipoise.records.actor import Actor
from equipoise.records.audit import record_event
from equipoise.records.audit_actions import AuditAction

logger = logging.getLogger("equipoise.operations")
WORKER_USERNAME = "equipoise-worker"
WORKER_ROLE = "system"


def worker_actor() -> Actor:
    """The account the worker's audit events name: inactive, no password, cannot sign in."""
    User = get_user_model()
    user, created = User.objects.get_or_create(username=WORKER_USERNAME, defaults={"is_active": False})
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return Actor(user=user, role=WORKER_ROLE, site_code="", request_id="worker")


@dataclass(frozen=True)
class Reminder:
    kind: str  # sae_clock, pregnancy_test, overdue_visit, randomization_list, audit_chain
    key: str  # the thing it is about, e.g. "ae:12:sae_to_sponsor"
    state: str  # e.g. "due_within_6h", "overdue"
    compose: Callable[[], tuple[str, str]]  # the subject and body, in the active language
    recipients: tuple[str, ...]
    subject_code: str = ""
    site_code: str = ""


def remind(reminder: Reminder, judged_at: dt.datetime, actor: Actor | None = None) -> bool:
    """Record, audit and email `reminder` unless this state was already reminded; True if sent now."""
    if not reminder.recipients:
        logger.warning("reminder %s %s %s has no recipient", reminder.kind, reminder.key, reminder.state)
    actor = actor or worker_actor()
    written = [letter.as_json() for letter in letters(reminder.recipients, reminder.compose)]
    try:
        with transaction.atomic():
            row = ReminderSent.objects.create(
                kind=reminder.kind, key=reminder.key, state=reminder.state, sent_at=timezone.now(),
                judged_at=judged_at, recipients=list(reminder.recipients), letters=written)
            record_event(actor, AuditAction.REMINDER_SEND, "reminder", row.pk, subject_code=reminder.subject_code,
                         site_code=reminder.site_code,
                         changes={"kind": reminder.kind, "about": reminder.key, "state": reminder.state,
                                  "recipients": list(reminder.recipients),
                                  "judged_at": judged_at.astimezone(dt.UTC).isoformat(timespec="seconds")})
    except IntegrityError:
        return False  # this state was reminded before
    deliver(row)
    return True


def deliver(row: ReminderSent) -> None:
    send_letters(Letter(letter["language"], tuple(letter["recipients"]), letter["subject"], letter["body"])
                 for letter in row.letters)
    ReminderSent.objects.filter(pk=row.pk, emailed_at__isnull=True).update(emailed_at=timezone.now())


def send_unsent() -> int:
    """Email the reminders recorded but not emailed (the worker died in between); returns how many."""
    rows = list(ReminderSent.objects.filter(emailed_at__isnull=True).order_by("id"))
    for row in rows:
        deliver(row)
    return len(rows)
