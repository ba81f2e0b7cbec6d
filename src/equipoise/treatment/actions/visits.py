"""Visit calendar actions: add an unscheduled visit, record a visit as done or as missed.

A visit's status (due, overdue...) is never stored: it is computed from its window, its done
date and the explicit missed flag by `visits.calendar.visit_status`. These actions set the two
facts that status depends on, with the rules that keep them coherent (done and missed exclude
each other, no date in the future, a missed visit needs a reason).
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from equipoise.records.actions.errors import ActionRefused
from equipoise.records.actor import Actor
from equipoise.records.audit import record_event
from equipoise.records.audit_actions import AuditAction
from equipoise.records.models import Subject, SubjectStatus, Visit
from equipoise.records.permissions import Do
from equipoise.treatment.actions.deviations import (
    OUTSIDE_WINDOW,
    record_window_deviation,
    require_confirmation,
)
from equipoise.treatment.actions.refusals import (
    refusal,
    require_not_future,
    require_permission,
    version_of,
)
from equipoise.treatment.models import ProtocolDeviation
from equipoise.visits.localtime import trial_date

UNSCHEDULED_ID = "UNS"


def add_unscheduled_visit(actor: Actor, subject: Subject, on: dt.date, reason: str,
                          now: dt.datetime | None = None) -> Visit:
    """An unscheduled visit on `on` (today or earlier), placed in the calendar by its date."""
    require_permission(actor, Do.RECORD_VISIT, "adding an unscheduled visit")
    today = trial_date(now or timezone.now())
    require_not_future("visit_date", on, today)
    if not reason.strip():
        raise refusal("reason", reason, "required", "reason: an unscheduled visit needs a reason",
                      "reason : une visite non programmée doit être motivée")
    if subject.status != SubjectStatus.RANDOMIZED:
        raise refusal("status", subject.status, "randomized",
                      f"subject {subject.code} is {subject.status}; unscheduled visits are for randomized subjects",
                      status=409)
    _, label = version_of(subject)
    with transaction.atomic():
        locked = Subject.objects.select_for_update().get(pk=subject.pk)
        attempt = (Visit.objects.filter(subject=locked, scheduled=False).aggregate(n=Max("attempt"))["n"] or 0) + 1
        sequence = (Visit.objects.filter(subject=locked, scheduled=True, target_date__lte=on)
                    .aggregate(s=Max("sequence"))["s"] or 0)
        visit = Visit.objects.create(subject=locked, visit_id=UNSCHEDULED_ID, scheduled=False, attempt=attempt,
                                     target_date=on, earliest_date=on, latest_date=on, sequence=sequence)
        record_event(actor, AuditAction.VISIT_ADD_UNSCHEDULED, "visit", visit.pk, subject_code=locked.code,
                     site_code=subject.site.code, reason=reason.strip(),
                     changes={"visit_date": [None, on.isoformat()], "attempt": [None, attempt]},
                     protocol_version=label)
    return visit


def mark_visit_done(actor: Actor, visit: Visit, done_on: dt.date, now: dt.datetime | None = None, *,
                    confirm_outside_window: bool = False) -> Visit:
    """Record the day a visit was done. A day outside the visit's window is refused unless
    confirmed, and then recorded as a protocol deviation in the same transaction."""
    require_permission(actor, Do.RECORD_VISIT, "recording a visit")
    today = trial_date(now or timezone.now())
    require_not_future("done_date", done_on, today)
    if visit.target_date is None:
        raise refusal("visit", visit.visit_id, "dated",
                      f"visit {visit.visit_id} has no date yet (the subject is not randomized)", status=409)
    _, label = version_of(visit.subject)
    off = require_confirmation(visit, done_on, "visit done", confirm_outside_window)
    with transaction.atomic():
        locked = Visit.objects.select_for_update().get(pk=visit.pk)
        if locked.missed:
            raise refusal("missed", True, "done or missed",
                          f"visit {locked.visit_id} is recorded as missed; it cannot also be done", status=409)
        if locked.done_date is not None:
            raise refusal("done_date", locked.done_date, "once",
                          f"visit {locked.visit_id} is already recorded as done on {locked.done_date}", status=409)
        locked.done_date = done_on
        locked.save(update_fields=["done_date"])
        record_event(actor, AuditAction.VISIT_DONE, "visit", locked.pk, subject_code=visit.subject.code,
                     site_code=visit.subject.site.code, changes={"done_date": [None, done_on.isoformat()]},
                     protocol_version=label)
        if off:
            record_window_deviation(actor, locked, done_on, "visit done", off)
    return locked


def undo_visit_done(actor: Actor, visit: Visit, reason: str) -> Visit:
    """A visit marked done by mistake is open again, with a reason (audited); a deviation its
    date had raised is cancelled with the same reason."""
    require_permission(actor, Do.RECORD_VISIT, "undoing a visit marked done")
    if not reason.strip():
        raise refusal("reason", reason, "required", "reason: undoing a visit marked done needs a reason",
                      "motif : annuler une visite marquée faite doit être motivé")
    _, label = version_of(visit.subject)
    with transaction.atomic():
        locked = Visit.objects.select_for_update().get(pk=visit.pk)
        if locked.done_date is None:
            raise refusal("done_date", None, "done", f"visit {locked.visit_id} is not recorded as done", status=409)
        old = locked.done_date
        locked.done_date = None
        locked.save(update_fields=["done_date"])
        cancelled = ProtocolDeviation.objects.filter(visit=locked, kind=OUTSIDE_WINDOW, occurred_on=old,
                                                     cancelled_reason="")
        ids = list(cancelled.values_list("pk", flat=True))
        cancelled.update(cancelled_reason=reason.strip())
        record_event(actor, AuditAction.VISIT_UNDO_DONE, "visit", locked.pk, subject_code=visit.subject.code,
                     site_code=visit.subject.site.code, reason=reason.strip(),
                     changes={"done_date": [old.isoformat(), None], **({"deviations_cancelled": [None, ids]}
                                                                       if ids else {})},
                     protocol_version=label)
    return locked


def mark_visit_missed(actor: Actor, visit: Visit, reason: str) -> Visit:
    require_permission(actor, Do.RECORD_VISIT, "recording a missed visit")
    if not reason.strip():
        raise refusal("reason", reason, "required", "reason: a missed visit needs a reason",
                      "reason : une visite manquée doit être motivée")
    if not visit.scheduled:
        raise ActionRefused("an unscheduled visit is not missed; it simply did not take place", status=409)
    _, label = version_of(visit.subject)
    with transaction.atomic():
        locked = Visit.objects.select_for_update().get(pk=visit.pk)
        if locked.done_date is not None:
            raise refusal("done_date", locked.done_date, "done or missed",
                          f"visit {locked.visit_id} is recorded as done on {locked.done_date}; it cannot be missed",
                          status=409)
        if locked.missed:
            raise refusal("missed", True, "once", f"visit {locked.visit_id} is already recorded as missed",
                          status=409)
        locked.missed = True
        locked.save(update_fields=["missed"])
        record_event(actor, AuditAction.VISIT_MISSED, "visit", locked.pk, subject_code=visit.subject.code,
                     site_code=visit.subject.site.code, changes={"missed": [False, True]},
                     reason=reason.strip(), protocol_version=label)
    return locked
