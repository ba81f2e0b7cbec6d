"""`equipoise worker`: the schedule enqueues each job once per slot in the database queue, the
worker runs them, and moving the clock forward by setting makes an SAE reminder go out, once."""

from __future__ import annotations

import datetime as dt

from django.core import mail
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from equipoise.operations.health import run_checks
from equipoise.operations.models import Heartbeat, ReminderSent, ScheduledRun
from equipoise.operations.schedule import SCHEDULE, Job
from equipoise.operations.worker import one_round
from equipoise.treatment.actions.adverse_events import report_adverse_event
from equipoise.visits.localtime import TRIAL_TIMEZONE
from treatment.conftest import randomized  # noqa: F401


def test_slots_every_n_minutes_and_daily_at_a_paris_time():
    every = Job("x", SCHEDULE[0].task, every_minutes=15)
    assert every.slot(dt.datetime(2026, 5, 4, 9, 44, 59, tzinfo=dt.UTC)) == dt.datetime(2026, 5, 4, 9, 30, tzinfo=dt.UTC)
    nightly = Job("y", SCHEDULE[0].task, daily_at=dt.time(2, 30))
    # 01:00 Paris on 5 May is before 02:30: the slot is 4 May 02:30 Paris (00:30 UTC, summer time).
    assert nightly.slot(dt.datetime(2026, 5, 4, 23, 0, tzinfo=dt.UTC)) == dt.datetime(2026, 5, 4, 0, 30, tzinfo=dt.UTC)
    assert nightly.slot(dt.datetime(2026, 1, 10, 2, 0, tzinfo=dt.UTC)).astimezone(TRIAL_TIMEZONE).time() == dt.time(2, 30)


def test_a_round_with_the_clock_moved_forward_sends_the_sae_reminder_once(transactional_db, settings, randomized,  # noqa: F811
                                                                          inv_a):  # noqa: F811
    subject = randomized("lenalidomide", "female", True)
    aware = timezone.now() - dt.timedelta(minutes=30)
    report_adverse_event(inv_a, subject, term="Pneumonia", onset_date=aware.astimezone(TRIAL_TIMEZONE).date(), grade=3,
                         seriousness=["hospitalisation"], site_aware_at=aware,
                         causality={"lenalidomide": "not_related", "aspirin": "not_related"},
                         action_taken="none", outcome="recovering")
    mail.outbox.clear()

    one_round("test-worker")  # now: 23 h 30 min left, nothing to remind
    assert not ReminderSent.objects.filter(kind="sae_clock").exists()
    assert set(ScheduledRun.objects.values_list("job", flat=True)) == {job.name for job in SCHEDULE}
    assert DBTaskResult.objects.count() == len(SCHEDULE)
    assert set(DBTaskResult.objects.values_list("status", flat=True)) == {"SUCCESSFUL"}
    assert Heartbeat.objects.get(name="scheduler").at > timezone.now() - dt.timedelta(minutes=1)
    healthy, checks = run_checks()
    assert healthy, checks

    def sae_mail() -> list:
        return [m for m in mail.outbox if m.subject.startswith("[Equipoise] Déclaration de l'EIG")]

    settings.CLOCK_SHIFT_HOURS = 20  # 3 h 30 min left
    one_round("test-worker")
    (reminder,) = sae_mail()
    assert "à faire dans les 6 heures" in reminder.subject and subject.code in reminder.subject
    for _ in range(2):  # the same slot, then a restarted worker: nothing twice
        one_round("another-worker")
    assert len(sae_mail()) == 1

    settings.CLOCK_SHIFT_HOURS = 30  # overdue
    one_round("test-worker")
    assert len(sae_mail()) == 2 and "EN RETARD" in sae_mail()[1].subject
    assert list(ReminderSent.objects.filter(kind="sae_clock").order_by("id").values_list("state", flat=True)) == [
        "due_within_6h", "overdue"]
    assert not DBTaskResult.objects.exclude(status="SUCCESSFUL").exists()
