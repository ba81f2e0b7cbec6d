"""Create a subject's visit rows from the protocol schedule."""

from __future__ import annotations

import datetime as dt

from equipoise.protocol.schema import Protocol
from equipoise.records.models import Subject, Visit
from equipoise.records.protocol_versions import current_version, protocol_of


def ensure_screening_visit(subject: Subject, protocol: Protocol | None = None) -> Visit:
    """The screening visit of the current attempt, and the (not yet dated) baseline visit.

    The baseline visit exists before randomization so that the randomization CLASI-A (IN05) can be
    scored on it; allocation gives it and the later visits their dates.
    """
    protocol = protocol or protocol_of(current_version(subject.protocol_id))
    for v in protocol.schedule.visits:
        if v.kind == "screening":
            visit, _ = Visit.objects.get_or_create(
                subject=subject, visit_id=v.id, scheduled=True, attempt=subject.screening_attempt,
                defaults={"sequence": 0},
            )
        elif v.kind == "baseline":
            Visit.objects.get_or_create(subject=subject, visit_id=v.id, scheduled=True, attempt=1,
                                        defaults={"sequence": 1})
    return visit


def screening_visit(subject: Subject) -> Visit:
    protocol = protocol_of(current_version(subject.protocol_id))
    screening = next(v for v in protocol.schedule.visits if v.kind == "screening")
    return Visit.objects.get(subject=subject, visit_id=screening.id, scheduled=True, attempt=subject.screening_attempt)


def baseline_visit(subject: Subject) -> Visit:
    protocol = protocol_of(current_version(subject.protocol_id))
    baseline = next(v for v in protocol.schedule.visits if v.kind == "baseline")
    return Visit.objects.get(subject=subject, visit_id=baseline.id, scheduled=True, attempt=1)


def create_schedule(subject: Subject, randomized_on: dt.date, protocol: Protocol | None = None) -> None:
    """Write the visits from baseline on, dated from the randomization day (calendar dates: DST
    cannot shift them), in the caller's transaction. Visits that exist already (the baseline,
    created at screening) get their dates; the others are created in one statement.

    Not an upsert: the visit's unique constraint is partial (scheduled visits only), which
    `bulk_create(update_conflicts=...)` cannot name; the caller holds the chain-head lock, so
    nothing else writes this subject's visits in between.
    """
    protocol = protocol or protocol_of(current_version(subject.protocol_id))
    existing = {v.visit_id: v for v in Visit.objects.filter(subject=subject, scheduled=True, attempt=1).order_by()}
    dated: list[Visit] = []
    new: list[Visit] = []
    for index, v in enumerate(sorted(protocol.schedule.visits, key=lambda v: v.target_day)):
        if v.kind == "screening":
            continue
        visit = existing.get(v.id) or Visit(subject=subject, visit_id=v.id, scheduled=True, attempt=1)
        visit.sequence = index
        visit.target_date = randomized_on + dt.timedelta(days=v.target_day)
        visit.earliest_date = randomized_on + dt.timedelta(days=v.earliest_day)
        visit.latest_date = randomized_on + dt.timedelta(days=v.latest_day)
        (dated if visit.pk else new).append(visit)
    Visit.objects.bulk_update(dated, ["sequence", "target_date", "earliest_date", "latest_date"])
    Visit.objects.bulk_create(new)
