"""Close a pregnancy follow-up with its outcome and date (investigator).

The follow-up was opened with the pregnancy report (`actions.adverse_events`); it is closed once,
with an outcome from `treatment.pregnancy_outcome`, the date and free comments. Any problem refuses
the closing, naming the field and the rule, and nothing is saved; the closing writes its audit
event (old -> new status, outcome, date; the comments as the reason) in the same transaction.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from equipoise.records.actor import Actor
from equipoise.records.audit import record_event
from equipoise.records.audit_actions import AuditAction
from equipoise.records.permissions import Do
from equipoise.treatment.actions.adverse_events import problems_refusal
from equipoise.treatment.actions.refusals import refusal, require_permission, version_of
from equipoise.treatment.models import FollowUpStatus, PregnancyFollowUp
from equipoise.treatment.pregnancy_outcome import closing_problems
from equipoise.visits.localtime import trial_date


def close_pregnancy_follow_up(actor: Actor, follow_up: PregnancyFollowUp, *, outcome: str,
                              outcome_date: dt.date | None, comments: str = "",
                              now: dt.datetime | None = None) -> PregnancyFollowUp:
    require_permission(actor, Do.CLOSE_PREGNANCY_FOLLOW_UP, "closing a pregnancy follow-up")
    now = now or timezone.now()
    comments = comments.strip() if isinstance(comments, str) else ""
    with transaction.atomic():
        locked = (PregnancyFollowUp.objects.select_for_update()
                  .select_related("subject", "subject__site", "adverse_event").get(pk=follow_up.pk))
        if locked.status == FollowUpStatus.CLOSED:
            raise refusal("status", locked.status, "open follow-up",
                          f"the pregnancy follow-up {locked.pk} is already closed ({locked.outcome})",
                          f"le suivi de grossesse {locked.pk} est déjà clos ({locked.outcome})", status=409)
        problems = closing_problems(outcome, outcome_date, locked.adverse_event.onset_date, trial_date(now))
        if problems:
            raise problems_refusal(problems)
        locked.status, locked.outcome, locked.outcome_date = FollowUpStatus.CLOSED, outcome, outcome_date
        locked.comments, locked.closed_at, locked.closed_by = comments, now, actor.user
        locked.save(update_fields=["status", "outcome", "outcome_date", "comments", "closed_at", "closed_by"])
        _, label = version_of(locked.subject)
        record_event(actor, AuditAction.PREGNANCY_FOLLOW_UP_CLOSE, "pregnancy_follow_up", locked.pk,
                     subject_code=locked.subject.code, site_code=locked.subject.site.code,
                     changes={"status": ["open", "closed"], "outcome": [None, outcome],
                              "outcome_date": [None, outcome_date.isoformat() if outcome_date else None]},
                     reason=comments, protocol_version=label)
    return locked
