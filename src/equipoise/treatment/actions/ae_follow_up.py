"""Follow-up of a reported adverse event by the investigator (end date, outcome, worsening).

The stored event is locked, updated in memory by `treatment.ae_follow_up.updated_event`, and the
result must pass the rules of a new report plus the follow-up rules; any problem refuses the whole
follow-up, naming the field and the rule, and nothing is saved. The audit event carries the old
and new value of each changed field and the reason. An event that becomes serious (a death) starts
its 24-hour SAE clock at the entered awareness moment and emails the sponsor's safety desk after
the commit, like a newly reported serious event.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from equipoise.records.actor import Actor
from equipoise.records.audit import record_event
from equipoise.records.audit_actions import AuditAction
from equipoise.records.permissions import Do
from equipoise.safety.adverse_events import validate_adverse_event
from equipoise.safety.errors import InvalidInput
from equipoise.treatment.actions.adverse_events import locked_event, problems_refusal
from equipoise.treatment.actions.refusals import (
    from_invalid,
    refusal,
    require_permission,
    version_of,
)
from equipoise.treatment.ae_entry import entry_problems
from equipoise.treatment.ae_follow_up import FollowUp, changes, follow_up_problems, updated_event
from equipoise.treatment.clocks import clock_hours, event_clocks, pure_event
from equipoise.treatment.facts import subject_protocol
from equipoise.treatment.models import AdverseEvent
from equipoise.treatment.notifications import send_sae_reported
from equipoise.visits.localtime import as_utc


def follow_up_adverse_event(
    actor: Actor, ae: AdverseEvent, *, outcome: str, reason: str, end_date: dt.date | None = None,
    grade: object = None, site_aware_at: dt.datetime | None = None, now: dt.datetime | None = None,
) -> AdverseEvent:
    """Record the end date and outcome of `ae` (and a higher grade if it worsened), with a reason.

    `end_date` None means the event has not ended (or its end is not known). `grade` None keeps
    the recorded grade. `site_aware_at` is asked only when the change makes the event serious.
    """
    require_permission(actor, Do.FOLLOW_UP_ADVERSE_EVENT, "following up an adverse event")
    now = now or timezone.now()
    if end_date is not None and (not isinstance(end_date, dt.date) or isinstance(end_date, dt.datetime)):
        raise refusal("end_date", end_date, "calendar date", f"end_date: {end_date!r} must be a date YYYY-MM-DD",
                      f"end_date : {end_date!r} doit être une date AAAA-MM-JJ")
    entered = FollowUp(end_date=end_date, outcome=outcome, reason=reason, grade=grade, site_aware_at=site_aware_at)
    with transaction.atomic():
        locked = locked_event(ae)
        subject = locked.subject
        before, outcome_before = pure_event(locked), locked.outcome
        after = updated_event(before, entered)
        try:
            problems = validate_adverse_event(after, now, subject_protocol(subject).safety.special_interest)
        except InvalidInput as exc:
            raise from_invalid(exc) from None
        problems += entry_problems(locked.causality, list(locked.causality), locked.action_taken, outcome,
                                   after.grade)
        problems += follow_up_problems(before, outcome_before, entered, after)
        if problems:
            raise problems_refusal(problems)
        became_serious = after.serious and not before.serious
        locked.end_date = after.end_date
        locked.outcome = outcome
        locked.grade = after.grade
        locked.seriousness = sorted(after.seriousness)
        locked.site_aware_at = as_utc("site_aware_at", after.site_aware_at) if after.site_aware_at else None
        locked.save(update_fields=["end_date", "outcome", "grade", "seriousness", "site_aware_at"])
        _, label = version_of(subject)
        record_event(actor, AuditAction.ADVERSE_EVENT_FOLLOW_UP, "adverse_event", locked.pk, subject_code=subject.code,
                     site_code=subject.site.code, changes=changes(before, outcome_before, after, outcome),
                     reason=reason.strip(), protocol_version=label)
        if became_serious:
            sae = event_clocks(locked, now, clock_hours(subject.protocol_id))[0]
            transaction.on_commit(lambda: send_sae_reported(locked, sae))
    return locked
