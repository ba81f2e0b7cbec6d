"""Pregnancy-prevention counselling and contraception statements, read by the dispensing gate.

Counselling is recorded by topic by the investigator or the pharmacist; the topics offered are
the protocol's topics for this patient (`treatment.facts.counselling_topics`: by sex, childbearing
potential and study drug), and a topic that is not one of them is refused. Contraception is a dated statement (method, start, still
ongoing); a new statement supersedes the previous one, which stays on record.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from equipoise.records.actor import Actor
from equipoise.records.audit import record_event
from equipoise.records.audit_actions import AuditAction
from equipoise.records.models import Subject
from equipoise.records.permissions import Do
from equipoise.treatment.actions.refusals import (
    refusal,
    require_not_future,
    require_permission,
    version_of,
)
from equipoise.treatment.facts import counselling_topics
from equipoise.treatment.models import Contraception, Counselling
from equipoise.visits.localtime import trial_date


def record_counselling(actor: Actor, subject: Subject, topics: Iterable[str], counselled_on: dt.date,
                       now: dt.datetime | None = None) -> list[Counselling]:
    require_permission(actor, Do.COUNSEL, "recording counselling")
    require_not_future("counselled_on", counselled_on, trial_date(now or timezone.now()))
    chosen = sorted(set(topics))
    if not chosen:
        raise refusal("topics", [], "at least one", "topics: tick at least one counselling topic",
                      "topics : cochez au moins un thème")
    offered = [t.id for t in counselling_topics(subject)]
    unknown = [t for t in chosen if t not in offered]
    if unknown:
        raise refusal("topics", unknown, f"one of {', '.join(offered)}",
                      f"topics: {unknown} are not counselling topics for this patient ({', '.join(offered)})",
                      f"topics : {unknown} ne sont pas des thèmes d'information pour ce patient "
                      f"({', '.join(offered)})")
    _, label = version_of(subject)
    with transaction.atomic():
        rows = [Counselling.objects.create(subject=subject, topic=t, counselled_on=counselled_on, user=actor.user,
                                           created_at=timezone.now()) for t in chosen]
        record_event(actor, AuditAction.COUNSELLING_RECORD, "counselling", rows[0].pk, subject_code=subject.code,
                     site_code=subject.site.code,
                     changes={"topics": [None, chosen], "counselled_on": [None, counselled_on.isoformat()]},
                     protocol_version=label)
    return rows


def record_contraception(actor: Actor, subject: Subject, method: str, started_on: dt.date, ongoing: bool,
                         now: dt.datetime | None = None) -> Contraception:
    require_permission(actor, Do.COUNSEL, "recording contraception")
    today = trial_date(now or timezone.now())
    require_not_future("started_on", started_on, today)
    if not method.strip():
        raise refusal("method", method, "required", "method: name the contraception method",
                      "method : indiquez la méthode de contraception")
    if not isinstance(ongoing, bool):
        raise refusal("ongoing", ongoing, "yes or no", "ongoing: say whether the contraception is ongoing")
    _, label = version_of(subject)
    with transaction.atomic():
        row = Contraception.objects.create(subject=subject, method=method.strip()[:200], started_on=started_on,
                                           ongoing=ongoing, recorded_on=today, user=actor.user,
                                           created_at=timezone.now())
        record_event(actor, AuditAction.CONTRACEPTION_RECORD, "contraception", row.pk, subject_code=subject.code,
                     site_code=subject.site.code,
                     changes={"method": [None, row.method], "started_on": [None, started_on.isoformat()],
                              "ongoing": [None, ongoing]},
                     protocol_version=label)
    return row
